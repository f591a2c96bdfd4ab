"""The family screens leave out only rules that find nothing: over random encounters of every
setting (random FY2026 codes, odd ones among them), on dates with and without each table, the
engine with its screens answers exactly what running every rule answers, findings and notes."""

from __future__ import annotations

import copy
import random
from datetime import date, timedelta

import pytest

from chartwell.codesets.model import CodeSystem, TableSet
from chartwell.codesets.mue import MueTables
from chartwell.domain.encounter_json import InvalidEncounter, parse_encounters
from chartwell.edits import engine
from chartwell.edits.model import EditContext
from chartwell.services import edits
from chartwell.services.actor import local_operator
from chartwell.services.codesets import open_release
from chartwell.store.db import transaction
from chartwell.synth.coded_encounters import inpatient_encounters

pytestmark = pytest.mark.shared_data

FIRST, LAST = date(2025, 10, 1), date(2026, 9, 30)
MODIFIERS = ("", "", "25", "59", "XS", "LT", "RT", "76", "91")
ODD_DATES = ("2024-07-15", "2024-11-03", "2026-12-01", "2019-05-05", "2028-01-01")
COUNT = 300  # per setting


def documents(session) -> list[dict]:
    on = date(2026, 3, 1)
    cm = [t.code for t in open_release(session=session, system=CodeSystem.ICD10CM,
                                       on=on).artifact.titles() if t.billable]
    pcs = [t.code for t in open_release(session=session, system=CodeSystem.ICD10PCS,
                                        on=on).artifact.titles() if t.billable]
    claim_codes = sorted(MueTables(open_release(session=session, system=TableSet.MUE,
                                                on=date(2024, 7, 15)).artifact)
                         .values("professional"))
    rng = random.Random(4)
    found = list(inpatient_encounters(11, COUNT, diagnoses=cm, procedures=pcs,
                                      first_discharge=FIRST, last_discharge=LAST,
                                      odd_share=0.2))
    for setting in ("outpatient", "professional"):
        found += [claim(rng, setting, claim_codes, cm) for _ in range(COUNT)]
    return [odd(rng, document) if rng.random() < 0.3 else document for document in found]


def claim(rng: random.Random, setting: str, codes: list[str], cm: list[str]) -> dict:
    day = FIRST + timedelta(days=rng.randint(0, (LAST - FIRST).days))
    lines = []
    for code in rng.sample(codes, rng.randint(1, 6)):
        modifier = rng.choice(MODIFIERS)
        lines.append({"code": code, "date": day.isoformat(), "units": rng.choice((1, 2, 3, 50)),
                      "modifiers": [modifier] if modifier else []})
    return {"setting": setting, "date_of_service": day.isoformat(),
            "patient": {"sex": rng.choice("FMU"), "birth_date": "1950-02-01"},
            "diagnoses": [{"code": code} for code in rng.sample(cm, rng.randint(1, 6))],
            "procedures": lines}


def odd(rng: random.Random, document: dict) -> dict:
    """A copy with codes cut short, a diagnosis or line repeated, or another date."""
    document = copy.deepcopy(document)
    kind = rng.randrange(4)
    if kind == 0:
        for diagnosis in document["diagnoses"]:
            diagnosis["code"] = diagnosis["code"][:rng.choice((3, 5, 7))]
    elif kind == 1:
        document["diagnoses"].append(dict(document["diagnoses"][-1]))
        if document["procedures"]:
            document["procedures"].append(dict(document["procedures"][0]))
    elif kind == 2:
        day = rng.choice(ODD_DATES)
        for name in ("admit_date", "discharge_date", "date_of_service"):
            if name in document:
                document[name] = day
        for procedure in document["procedures"]:
            procedure.pop("date", None)
    else:
        document["diagnoses"].insert(0, {"code": "G63", "poa": "Y"})
        document["diagnoses"].append({"code": "E11.42", "poa": "1"})
    return document


def test_screened_rules_find_what_every_rule_finds(references):
    with transaction(references) as session:
        parsed, _is_list = parse_encounters(documents(session))
        readers = edits.References(session)
        compared = fired = 0
        for encounter in parsed:
            if isinstance(encounter, InvalidEncounter):
                continue
            prepared = readers.prepared(encounter.service_date, encounter.setting)
            screened = EditContext(encounter, *prepared.readers)
            every = EditContext(encounter, *prepared.readers)
            found = engine.run(prepared.plan, screened)
            assert found == engine.run(prepared.plan, every, screened=False), encounter
            assert screened.notes == every.notes, encounter
            compared += 1
            fired += len(found)
    assert compared > 750 and fired > 1500


def test_tables_made_whole_answer_as_rows_made_as_codes_come(references):
    """Tables made whole before the work (every code's row at once) answer what rows made as
    the codes come answer, and with them the screens still leave out only rules that find
    nothing."""
    with transaction(references) as session:
        found = documents(session)
        actor = local_operator()
        one_by_one = [edits.answers(edits.check_document(session=session, actor=actor,
                                                         document=document)[0])[0]
                      for document in found]
        edits.make_tables_whole(session=session, actor=actor,
                                days={encounter.service_date for encounter in
                                      parse_encounters(found)[0]
                                      if not isinstance(encounter, InvalidEncounter)})
        results, _is_list = edits.check_document(session=session, actor=actor, document=found)
        assert [None if "error" in answer else answer for answer in edits.answers(results)] \
            == [None if "error" in answer else answer for answer in one_by_one]
        readers = edits.References(session, whole=True)
        for encounter in parse_encounters(found)[0]:
            if isinstance(encounter, InvalidEncounter):
                continue
            prepared = readers.prepared(encounter.service_date, encounter.setting)
            screened = EditContext(encounter, *prepared.readers)
            every = EditContext(encounter, *prepared.readers)
            assert engine.run(prepared.plan, screened) == engine.run(prepared.plan, every,
                                                                     screened=False), encounter
