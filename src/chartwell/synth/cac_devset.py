"""The synthetic part of the computer-assisted coding development set, regenerated from a seed.

    python -m chartwell.synth.cac_devset [--seed 20261124] [--inpatient 100] [--outpatient 100]
                                         [--out tests/data/cac_dev]

Patients are planned and documented by the same generator as the demo records (planning.py,
notes.py), visits falling in FY2026 (2025-10-01 .. 2026-09-30) so that every true code is an
FY2026 ICD-10-CM / PCS code. One labelled document per visit: the visit's notes in the order
they were written (an admission: H&P, progress notes, operative reports, discharge summary),
and its gold codes are the visit's coded diagnoses (principal or first-listed first) and, for
an inpatient stay, its ICD-10-PCS procedures. Outpatient procedures are CPT and not part of the
gold (the gold files hold ICD-10-CM and ICD-10-PCS, as CodiEsp's do).

The index row of a document lists the distractor mentions its text carries, found by their
catalog wording: negated findings, family history, resolved history and 'possible ...'
diagnoses, each with the code prefixes it must not produce (the catalog's ``contradicts``).
What this writes is laid out like CodiEsp: ``text_files_en/syn-NNNN.txt``,
``synthetic_D_diagnosis_icd10cm.tsv``, ``synthetic_P_procedure_icd10pcs.tsv`` and
``index_synthetic.tsv``; the hand-written part of the folder is left as it is.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from chartwell.synth.catalog import Catalog, Distractor, load_catalog
from chartwell.synth.ids import Key
from chartwell.synth.notes import write_notes
from chartwell.synth.people import make_person
from chartwell.synth.planning import INPATIENT, PROFESSIONAL, Plan, Visit, plan_person
from chartwell.synth.reference import build_reference

FIRST, LAST = date(2025, 10, 1), date(2026, 9, 30)
DEFAULT_SEED = 20261124
PREFIX = "syn-"
MENTION_KINDS = ("negated", "family_history", "history", "uncertain")
INDEX_COLUMNS = ("doc_id", "setting", "part", "note_type", "date", *MENTION_KINDS)
MAX_PATIENTS = 5000


@dataclass(frozen=True, slots=True)
class DevDocument:
    doc_id: str
    setting: str  # inpatient / outpatient
    note_type: str  # the visit kind: admission, day_surgery, imaging, emergency, office
    day: date
    text: str
    diagnoses: tuple[str, ...]
    procedures: tuple[str, ...]
    mentions: dict[str, list[Distractor]]


def setting_of(visit: Visit) -> str:
    """ICD-10-CM guidelines know two settings: inpatient admissions (Section II/III) and
    everything else (Section IV: outpatient, emergency, office)."""
    return "inpatient" if visit.setting is INPATIENT else "outpatient"


def mentions_in(text: str, catalog: Catalog) -> dict[str, list[Distractor]]:
    """The catalog distractors whose wording is in ``text``, by kind (each listed once)."""
    found: dict[str, list[Distractor]] = {kind: [] for kind in MENTION_KINDS}
    for distractor in catalog.distractors:
        if distractor.kind in found and any(t in text for t in distractor.texts):
            found[distractor.kind].append(distractor)
    return found


def gold_diagnoses(visit: Visit) -> tuple[str, ...]:
    """The visit's ICD-10-CM codes in coding order, each once."""
    codes: list[str] = []
    for coded in visit.diagnoses:
        if coded.condition.icd10cm not in codes:
            codes.append(coded.condition.icd10cm)
    return tuple(codes)


def gold_procedures(visit: Visit) -> tuple[str, ...]:
    if visit.setting is not INPATIENT:
        return ()
    return tuple(dict.fromkeys(p.spec.icd10pcs for p in visit.procedures if p.spec.icd10pcs))


def _visits(seed: int) -> Iterator[tuple[random.Random, Plan, Visit, str]]:
    """Every visit of patients 1, 2, ... in order, with the generator state to write it."""
    root = Key.root(seed)
    ref = build_reference(root, random.Random(f"{root.source_key}:reference"))
    for number in range(1, MAX_PATIENTS + 1):
        key = root.child("patient", number)
        rng = random.Random(key.source_key)
        person = make_person(rng, key, number, ref, FIRST)
        plan = plan_person(rng, person, ref, FIRST, LAST)
        for visit in plan.visits:
            facility = ref.organizations["clinic" if visit.setting is PROFESSIONAL else "hospital"].name
            yield rng, plan, visit, facility


def generate(seed: int = DEFAULT_SEED, inpatient: int = 100, outpatient: int = 100) -> list[DevDocument]:
    """The first ``inpatient`` and ``outpatient`` visits of the seed's patients, documented."""
    catalog = load_catalog()
    wanted = {"inpatient": inpatient, "outpatient": outpatient}
    documents: list[DevDocument] = []
    for rng, plan, visit, facility in _visits(seed):
        setting = setting_of(visit)
        if wanted[setting] <= 0:
            if not any(wanted.values()):
                break
            continue
        wanted[setting] -= 1
        notes = write_notes(rng, plan, visit, catalog, facility)
        text = "\n\n".join(note.text for note in notes)
        documents.append(DevDocument(
            f"{PREFIX}{len(documents) + 1:04d}", setting, visit.kind, visit.start.date(), text,
            gold_diagnoses(visit), gold_procedures(visit), mentions_in(text, catalog)))
        if not any(wanted.values()):
            break
    return documents


def _mention_field(distractors: list[Distractor]) -> str:
    """'chest pain=R07,I20,I21;...' -- the finding (or first wording) and its prefixes."""
    return ";".join(f"{(d.finding or d.texts[0].rstrip('.')).replace(';', ',').replace('=', '-')}"
                    f"={','.join(d.contradicts)}" for d in distractors)


def write(documents: list[DevDocument], out: Path) -> None:
    texts = out / "text_files_en"
    texts.mkdir(parents=True, exist_ok=True)
    for old in texts.glob(f"{PREFIX}*.txt"):
        old.unlink()
    for document in documents:
        (texts / f"{document.doc_id}.txt").write_text(document.text + "\n", encoding="utf-8")
    (out / "synthetic_D_diagnosis_icd10cm.tsv").write_text(
        "".join(f"{d.doc_id}\t{code}\n" for d in documents for code in d.diagnoses), encoding="utf-8")
    (out / "synthetic_P_procedure_icd10pcs.tsv").write_text(
        "".join(f"{d.doc_id}\t{code}\n" for d in documents for code in d.procedures), encoding="utf-8")
    rows = ["\t".join(INDEX_COLUMNS)]
    for d in documents:
        rows.append("\t".join([d.doc_id, d.setting, "synthetic", d.note_type, d.day.isoformat(),
                               *(_mention_field(d.mentions[kind]) for kind in MENTION_KINDS)]))
    (out / "index_synthetic.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--inpatient", type=int, default=100)
    parser.add_argument("--outpatient", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path("tests/data/cac_dev"))
    args = parser.parse_args(argv)
    documents = generate(args.seed, args.inpatient, args.outpatient)
    write(documents, args.out)
    print(f"{len(documents)} synthetic notes written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
