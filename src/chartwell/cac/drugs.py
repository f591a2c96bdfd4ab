"""Long-term (current) drug therapy (Z79) from the drugs a note says the patient is on.

Official Guidelines Section I.C.21.c.3 (status Z codes): Z79 "Long-term (current) drug
therapy" is assigned when a patient is receiving a drug on a long-term basis, for a chronic
condition or as prophylaxis; it is not for a drug given for a brief, acute course (an
antibiotic for an infection, insulin given to bring a blood sugar down during the stay).
Section I.C.4.a.3: a type 2 diabetic treated with insulin gets Z79.4, with oral hypoglycemics
Z79.84, with an injectable non-insulin drug Z79.85 (all that apply); Section I.C.2.e.3 / the
Z79.81- notes: tamoxifen-type drugs (SERMs) and aromatase inhibitors.

A drug counts when the sentence says the patient is on it now ("on warfarin", "takes
metformin", "treated with prednisone", "long-term anticoagulation", "insulin-dependent"), not
where it is stopped, held, refused, allergic to, or given once (an infusion, a dose, a
sliding scale, "administered"), nor for a brief course ("for 21 days"), nor where a plan only
says to go on with it ("continue aspirin": the plan, not the record of what the patient takes,
which the medication list holds and is not read). The drug classes are the Z79 subcategories'
titles, with the generic names of their common members (the tabular names classes, not drugs;
a name not listed codes nothing, never the catch-all Z79.899). Only the sections the pipeline
reads for diagnoses are read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from chartwell.cac.context import PRESENT

if TYPE_CHECKING:
    from chartwell.cac.pipeline import Candidate, Coder
    from chartwell.cac.text import Sentence

GUIDELINE = ("Section I.C.21.c.3: long-term (current) drug therapy (Z79) for a drug the "
             "patient is on; Section I.C.4.a.3 for insulin and oral hypoglycemics")
# (Z79 code, drug class words and generic names): the subcategories' titles' classes
DRUG_CLASSES: tuple[tuple[str, str], ...] = (
    ("Z79.01", r"anticoagula\w*|warfarin|coumadin|acenocoumarol|sintrom|apixaban|"
               r"rivaroxaban|dabigatran|edoxaban|phenprocoumon"),
    ("Z79.02", r"antiplatelet\w*|antiaggregant\w*|clopidogrel|prasugrel|ticagrelor|"
               r"ticlopidine|dipyridamole"),
    ("Z79.82", r"aspirin|acetylsalicylic acid|ASA"),
    ("Z79.1", r"NSAIDs?|non-?steroidal anti-?inflammatory\w*|ibuprofen|naproxen|diclofenac|"
              r"meloxicam|celecoxib|indomethacin"),
    ("Z79.4", r"insulin"),
    ("Z79.84", r"metformin|glipizide|glyburide|glibenclamide|glimepiride|gliclazide|"
               r"sitagliptin|linagliptin|saxagliptin|vildagliptin|pioglitazone|repaglinide|"
               r"empagliflozin|dapagliflozin|canagliflozin|oral (?:hypoglycemic|antidiabetic)s?"
               r"(?: (?:agents?|drugs?|medications?))?"),
    ("Z79.85", r"liraglutide|semaglutide|dulaglutide|exenatide|tirzepatide"),
    ("Z79.52", r"(?:systemic |oral )?(?:cortico)?steroids?|corticoids?|prednisone|"
               r"prednisolone|methylprednisolone|deflazacort"),
    ("Z79.621", r"tacrolimus|cyclosporine|ciclosporin"),
    ("Z79.623", r"sirolimus|everolimus"),
    ("Z79.624", r"mycophenol\w*|azathioprine"),
    ("Z79.810", r"tamoxifen|raloxifene"),
    ("Z79.811", r"letrozole|anastrozole|exemestane|aromatase inhibitors?"),
    ("Z79.83", r"bisphosphonates?|alendronate|risedronate|ibandronate|zoledronic acid"),
    ("Z79.891", r"opioids?|opiates?|morphine|oxycodone|hydrocodone|methadone|"
                r"buprenorphine|fentanyl patch"),
)
_DRUG = re.compile(r"\b(?:" + "|".join(f"(?P<c{n}>{pattern})"
                                        for n, (_, pattern) in enumerate(DRUG_CLASSES))
                   + r")\b", re.I)
# the patient is on it: the words just before the drug (or the drug's own "-dependent")
_ON = re.compile(r"(?:\b(?:on|takes|taking|took|uses|using|receiving|receives|"
                 r"treated with|treatment with|therapy with|maintained on|"
                 r"long[- ]term(?: use of)?|chronic|current(?:ly)?(?: on)?|maintenance|"
                 r"under treatment with|in treatment with|on treatment with)"
                 r"(?:\s+(?:oral|daily|low[- ]dose|high[- ]dose|chronic|long[- ]term|"
                 r"systemic|basal|his|her|the|and|with|\w+ mg(?: \w+)?|,))*\s*)$", re.I)
_DEPENDENT = re.compile(r"^[- ](?:dependent|requiring|treated)\b", re.I)
# not (or no longer, or not long term) on it
_NOT_ON = re.compile(r"\b(?:no|not|non|never|stop\w*|discontinu\w*|held|hold|withh[eo]ld\w*|"
                     r"withdraw\w*|suspend\w*|refus\w*|allerg\w*|intoleran\w*|without|"
                     r"previously|prior|former(?:ly)?|switched from|infusion|drip|bolus|"
                     r"sliding scale|single dose|one dose|loading dose|started|initiated|"
                     r"begun|reversed|overdose|poison\w*|administered)\b", re.I)
# a brief course for an acute illness, not long-term therapy (I.C.21.c.3): "for 21 days"
_BRIEF = re.compile(r"\bfor (?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|a few|"
                    r"several) (?:more )?(?:days?|weeks?)\b", re.I)
_AFTER = 60  # characters of the drug's clause read after it
_ASA = re.compile(r"ASA")  # "asa" in lower case is other words ("ASA class" aside)
# the drug names' first letters as a note's folded words start (a sentence none of whose words
# starts so is not searched: most sentences name no drug)
_GENERIC = frozenset(("oral", "drug", "drugs", "agent", "agents", "medication", "medications",
                      "systemic", "acid", "inhibitor", "inhibitors", "patch", "non",
                      "inflammatory", "inflammatories", "anti"))
_OPENINGS = frozenset(word.lower()[:5] for _, pattern in DRUG_CLASSES
                      for word in re.findall(r"[A-Za-z]{3,}", pattern)
                      if word.lower() not in _GENERIC) | {"asa"}


def long_term_drugs(text: str, sentence: Sentence, number: int, coder: Coder
                    ) -> list[Candidate]:
    """The Z79 codes of the drugs the sentence says the patient is on (module notes)."""
    if not any(token.norm[:5] in _OPENINGS for token in sentence.tokens):
        return []
    found = []
    seen: set[str] = set()
    for match in _DRUG.finditer(text, sentence.start, sentence.end):
        code = DRUG_CLASSES[int(match.lastgroup[1:])][0]
        if code in seen or (code == "Z79.82" and match.group(0).upper() == "ASA"
                            and not _ASA.fullmatch(match.group(0))):
            continue
        if not _current(text, sentence, match):
            continue
        title = coder.tabular.valid(code)
        if title is None:
            continue
        seen.add(code)
        found.append(_candidate(code, title, match, sentence, number))
    return found


def _current(text: str, sentence: Sentence, match: re.Match) -> bool:
    """The clause says the patient is on the drug now (and not that it was stopped)."""
    clause_start = max(sentence.start, *(text.rfind(mark, sentence.start, match.start()) + 1
                                        for mark in (";", ".", ":", "\n")))
    before = text[clause_start:match.start()]
    after = text[match.end():min(sentence.end, match.end() + _AFTER)]
    said_on = _ON.search(before) or _DEPENDENT.match(after) or \
        re.match(r"^\s+(?:therapy|treatment)\b", after, re.I)
    if not said_on:
        return False
    clause_after = re.split(r"[,;]", after)[0]
    return not _NOT_ON.search(before[-60:]) and not _NOT_ON.search(clause_after[:25]) \
        and not _BRIEF.search(clause_after)


def _candidate(code: str, title: str, match: re.Match, sentence: Sentence,
               number: int) -> Candidate:
    from chartwell.cac.pipeline import Candidate, Span
    return Candidate(code=code, system="icd10cm", title=title,
                     spans=[Span(match.start(), match.end(), match.group(0))],
                     section=sentence.section, assertion=PRESENT,
                     path=("Long-term (current) drug therapy", match.group(0).lower(), code),
                     confidence=0.85, guideline=GUIDELINE, sentence=number,
                     item=10_000 + number)
