"""Status codes a note states outside its assessment: drug allergies (Z88, from the allergy
list) and tobacco use (F17 nicotine dependence for a current smoker, Z87.891 for a former one,
from the social history).

Official Guidelines Section I.C.21.c.3 (status Z codes: allergy status Z88 is reported when the
allergy bears on care) and I.C.5.b / I.C.21.c.4 (history of nicotine dependence Z87.891;
current dependence F17). The drug classes below are the tabular's Z88 subcategories; a name
not listed falls to Z88.8 (other drugs), a line negating allergies ("NKDA") codes nothing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from chartwell.cac.context import PRESENT

if TYPE_CHECKING:
    from chartwell.cac.pipeline import Candidate, Coder
    from chartwell.cac.text import Sentence

STATUS_SECTIONS = frozenset({"allergies", "social_history"})
ALLERGY_GUIDELINE = ("Section I.C.21.c.3: allergy status (Z88) from the allergy list")
TOBACCO_GUIDELINE = ("Section I.C.5.b / I.C.21.c.4: tobacco dependence (F17) when current, "
                     "history of nicotine dependence (Z87.891) when quit")
# drug class words -> the Z88 code (the tabular's subcategories)
ALLERGY_CLASSES: tuple[tuple[str, str], ...] = (
    (r"penicillin|amoxicillin|ampicillin|augmentin|pcn", "Z88.0"),
    (r"cephalosporin|cephalexin|keflex|ceftriaxone|macrolide|erythromycin|azithromycin|"
     r"tetracycline|doxycycline|fluoroquinolone|ciprofloxacin|levofloxacin|vancomycin|"
     r"clindamycin|antibiotic", "Z88.1"),
    (r"sulfa|sulfonamide|bactrim|sulfamethoxazole", "Z88.2"),
    (r"anti-?infective|antifungal|antiviral|fluconazole", "Z88.3"),
    (r"anesthe|lidocaine|novocaine", "Z88.4"),
    (r"codeine|morphine|narcotic|opioid|opiate|hydrocodone|oxycodone|percocet|vicodin|"
     r"dilaudid|hydromorphone|tramadol|fentanyl|meperidine|demerol", "Z88.5"),
    (r"aspirin|nsaid|ibuprofen|naproxen|motrin|advil|analgesic|acetaminophen", "Z88.6"),
    (r"vaccine|serum", "Z88.7"),
)
_NONE = re.compile(r"\b(nkda|nka|no known|none|denies|no allergies|no drug allergies)\b", re.I)
_DRUG_WORD = re.compile(r"\b(drug|medication|iodine|contrast|latex|peanut|shellfish)\b", re.I)
_CURRENT_SMOKER = re.compile(
    r"\b(current(?:ly)?\s+(?:cigarette\s+)?smok|smokes\s+(?:cigarettes|\d|one|half|a\s+pack)|"
    r"nicotine dependence, cigarettes|active smoker|\d+\s*(?:ppd|packs?\s+per\s+day)|"
    r"smok(?:es|ing|er)\b[^.;]{0,30}?\b(?:\d+|one|two|five|six|ten|twenty)[- ]*(?:cigarettes?|"
    r"packs?)|\d+[- ]cigarettes?[- ](?:a[- ]day|/\s*day|per day|daily|smoker)|"
    r"smoked\s+(?:about\s+)?\d+\s+cigarettes\s+(?:a|per)\s+day\s+for)", re.I)
# a smoker named in a narrative (a case report's first line) without the product
_SMOKER = re.compile(r"\b(?:active|heavy|current|chronic)\s+smok(?:er|ing)\b|"
                     r"\b(?:is|a|patient|man|woman)\s+smoker\b|\bsmoker\s+of\b", re.I)
_NOT_SMOKER = re.compile(r"\b(denies|never|non-?smoker|no tobacco|not a smoker|does not smoke|"
                         r"doesn't smoke|quit|stopped|former|ex-?smoker|until|up to|ago|before)\b",
                         re.I)
_FORMER_SMOKER = re.compile(r"\b(former\s+smoker|ex-?smoker|quit\s+smoking|"
                            r"history of nicotine dependence|remote smok)", re.I)


def status_codes(text: str, sentence: Sentence, number: int, coder: Coder) -> list[Candidate]:
    piece = text[sentence.start:sentence.end]
    if sentence.section == "allergies":
        return _allergies(piece, sentence, number, coder)
    if sentence.section == "social_history":
        return _tobacco(piece, sentence, number, coder)
    return []


def _allergies(piece: str, sentence: Sentence, number: int, coder: Coder) -> list[Candidate]:
    if _NONE.search(piece):
        return []
    found = []
    for pattern, code in ALLERGY_CLASSES:
        match = re.search(pattern, piece, re.I)
        if match:
            found.append(_candidate(code, match, sentence, number, coder, ALLERGY_GUIDELINE,
                                    ("Status, allergy, drug", code)))
    return found


def _tobacco(piece: str, sentence: Sentence, number: int, coder: Coder) -> list[Candidate]:
    if re.search(r"\b(denies|never|non-?smoker|no tobacco)\b", piece, re.I):
        return []
    if match := _FORMER_SMOKER.search(piece):
        code, path = "Z87.891", ("History, personal, nicotine dependence", "Z87.891")
    elif match := _CURRENT_SMOKER.search(piece):
        code, path = "F17.210", ("Dependence, nicotine, cigarettes", "F17.210")
    else:
        return []
    return [_candidate(code, match, sentence, number, coder, TOBACCO_GUIDELINE, path)]


def narrative_tobacco(text: str, sentence: Sentence, number: int, coder: Coder
                      ) -> list[Candidate]:
    """Tobacco use a narrative states outside a social history ("a 10-cigarette/day
    smoker", "smokes about six cigarettes a day"): current use only, nicotine dependence on
    cigarettes (F17.210) where cigarettes are said, else the unspecified product (F17.200)
    (Section I.C.5.b; the index: Smoker - see Dependence, drug, nicotine). A past or denied
    habit, or one whose time is unclear ("history of smoking"), is left to the coder."""
    piece = text[sentence.start:sentence.end]
    if "smok" not in piece.lower() or _NOT_SMOKER.search(piece):
        return []
    if match := _CURRENT_SMOKER.search(piece):
        code, path = "F17.210", ("Dependence, drug, nicotine, cigarettes", "F17.210")
    elif match := _SMOKER.search(piece):
        code, path = "F17.200", ("Dependence, drug, nicotine", "F17.200")
    else:
        return []
    return [_candidate(code, match, sentence, number, coder, TOBACCO_GUIDELINE, path)]


def _candidate(code: str, match: re.Match, sentence: Sentence, number: int, coder: Coder,
               guideline: str, path: tuple[str, ...]) -> Candidate:
    from chartwell.cac.pipeline import Candidate, Span
    start = sentence.start + match.start()
    end = sentence.start + match.end()
    title = coder.tabular.valid(code) or code
    return Candidate(code=code, system="icd10cm", title=title,
                     spans=[Span(start, end, match.group(0))], section=sentence.section,
                     assertion=PRESENT, path=path, confidence=0.9, guideline=guideline,
                     sentence=number, item=10_000 + number)
