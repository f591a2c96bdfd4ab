"""Random coded encounters for checking the edits and the groupers against independent ones,
and for the benchmarks: ENCOUNTER.json documents (DESIGN.md) drawn from code lists the caller
gives (the billable codes of the releases in force), deterministic for a seed.

They are not clinically plausible on purpose: a grouper or an editor must give the same answer
as the reference on any combination, and odd ones (a newborn with a maternity code, a man with
a hysterectomy) are where the edits fire.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

# UB-04 FL17 patient discharge status codes (NUBC), the ones in use for inpatient claims.
DISCHARGE_STATUSES = ("01", "02", "03", "04", "05", "06", "07", "09", "20", "21", "30", "40",
                      "41", "42", "43", "50", "51", "61", "62", "63", "64", "65", "66", "69",
                      "70", "81", "82", "83", "84", "85", "86", "87", "88", "89", "90", "91",
                      "92", "93", "94", "95")
POA_VALUES = ("Y", "N", "U", "W", "1", None)


def inpatient_encounters(seed: int, count: int, *, diagnoses: Sequence[str],
                         procedures: Sequence[str], first_discharge: date, last_discharge: date,
                         max_secondary: int = 12, max_procedures: int = 6,
                         odd_share: float = 0.02) -> Iterator[dict]:
    """``count`` inpatient stays discharged between the two dates. About ``odd_share`` of them
    carry an invalid discharge status or POA value (what the MCE must catch)."""
    rng = random.Random(seed)
    span = (last_discharge - first_discharge).days
    for _ in range(count):
        discharge = first_discharge + timedelta(days=rng.randint(0, span))
        admit = discharge - timedelta(days=rng.choice((0, 1, 2, 3, 4, 5, 7, 10, 14, 30)))
        age = _age(rng)
        birth = admit - timedelta(days=365 * age + rng.randint(0, 364) if age else rng.randint(0, 20))
        codes = rng.sample(diagnoses, 1 + rng.randint(0, max_secondary))
        odd = rng.random() < odd_share
        yield {
            "setting": "inpatient",
            "admit_date": admit.isoformat(), "discharge_date": discharge.isoformat(),
            "patient": {"sex": rng.choice("FFFMMMU" if rng.random() < 0.1 else "FM"),
                        "birth_date": birth.isoformat()},
            "discharge_status": rng.choice(("08", "99", "22")) if odd else
            rng.choice(DISCHARGE_STATUSES),
            "diagnoses": [_diagnosis(rng, code, odd) for code in codes],
            "procedures": [{"code": code, "system": "icd10pcs",
                            "date": (admit + timedelta(days=rng.randint(
                                0, (discharge - admit).days))).isoformat()}
                           for code in rng.sample(procedures, rng.randint(0, max_procedures))],
        }


def _age(rng: random.Random) -> int:
    bucket = rng.random()
    if bucket < 0.05:
        return 0
    if bucket < 0.15:
        return rng.randint(1, 17)
    if bucket < 0.45:
        return rng.randint(18, 64)
    return rng.randint(65, 104)


def _diagnosis(rng: random.Random, code: str, odd: bool) -> dict:
    poa = rng.choice(("X", "Z", "")) if odd and rng.random() < 0.5 else rng.choice(POA_VALUES)
    return {"code": code} if poa is None else {"code": code, "poa": poa}
