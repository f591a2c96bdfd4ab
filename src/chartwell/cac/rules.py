"""The ICD-10-CM Official Guidelines for Coding and Reporting that decide what a note's
mentions become, each a small declared rule citing its section.

=====================  ====================================================================
rule                   what it does
=====================  ====================================================================
``assertions``         only conditions the patient has now are coded; an uncertain diagnosis
                       ("possible", "probable", "rule out") is coded as if established for an
                       inpatient admission (Section II.H, III.C) and not for an outpatient
                       visit, where its signs or symptoms are coded instead (Section IV.H);
                       negated, family and hypothetical mentions are never coded; "history
                       of" a chronic condition still treated is coded (Section I.B.* and IV.J)
``wider_mention``      a mention inside another's words, of the same category, is the
                       same condition, coded by the wider, more specific one (I.B.18)
``one_code_once``      a code named twice is one suggestion with both evidence spans
``combinations``       a combination code over separate codes (I.B.9): diabetes "with" its
                       complications (I.A.15, I.C.4.a), hypertension with heart disease or
                       chronic kidney disease (I.C.9.a.1-3), a bleed beside the condition
                       coded "with hemorrhage" in the same sentence
``integral_symptoms``  a sign or symptom routinely part of a coded definitive diagnosis is
                       not coded (I.B.4-5)
``specific_site``      an unspecified-site malignancy (C80.1, C79.9) is not coded beside a
                       malignancy of a named site of the same kind (I.B.18, I.C.2.d)
``insulin_in_type_1``  no long-term insulin Z79.4 beside type 1 diabetes (I.C.4.a.3)
``said_as_coded``      codes a mention becomes only where its sentence says so: "death" is
                       not R99 unless dead on arrival (I.C.18.i); "hemorrhagic" or a
                       procedure's bleeding is not R58 (I.B.16, I.B.4); a newborn is Z38 only
                       in the birth's own record (I.C.16.b); a pregnancy is Z33.1 only when
                       stated incidental (I.C.15.a.1); a test is an abnormal immunological
                       finding R76 only when said positive or raised (III.B)
``observation_only``   observation Z03/Z04 not beside an illness, injury, sign or symptom
                       (I.C.21.c.6)
``code_first``         "code first" / "use additional code" notes (I.A.13): both codes
                       suggested, the etiology before the manifestation
``principal``          the principal (inpatient, Section II) or first-listed (outpatient,
                       Section IV.A/G) diagnosis, with its reason
=====================  ====================================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chartwell.cac.context import FAMILY, HISTORY, HYPOTHETICAL, NEGATED, POSSIBLE, PRESENT
from chartwell.cac.text import CONCLUDING
from chartwell.codesets.model import NoteKind
from chartwell.edits.references import note_patterns

if TYPE_CHECKING:
    from chartwell.cac.pipeline import Candidate, Coder, NotCoded, Suggestion

UNCERTAIN_INPATIENT = ("Section II.H / III.C: an uncertain diagnosis documented at discharge "
                       "is coded as if established (inpatient)")
UNCERTAIN_OUTPATIENT = ("Section IV.H: uncertain diagnoses (probable, suspected, rule out) are "
                        "not coded for outpatient visits; code the signs or symptoms")
CHRONIC_HISTORY = ("Section IV.J: chronic diseases treated on an ongoing basis are coded "
                   "(documented as history of)")
INTEGRAL = ("Section I.B.5: signs and symptoms routinely associated with a disease process "
            "are not coded with the definitive diagnosis")
COMBINATION = "Section I.B.9: a combination code over separate codes"
DIABETES_WITH = ("Section I.A.15 / I.C.4.a: \"with\" presumes the link between diabetes and "
                 "the complication")
HYPERTENSION_HEART = ("Section I.C.9.a.1: hypertension with heart failure is hypertensive "
                      "heart disease (I11.0); use additional code for the heart failure")
HYPERTENSION_KIDNEY = ("Section I.C.9.a.2: hypertension with chronic kidney disease is "
                       "hypertensive CKD (I12); use additional code for the CKD stage")
HYPERTENSION_BOTH = ("Section I.C.9.a.3: hypertension with heart failure and chronic kidney "
                     "disease is I13")
PRINCIPAL_INPATIENT = ("Section II: the principal diagnosis, the condition established after "
                       "study chiefly responsible for the admission")
FIRST_LISTED = ("Section IV.A / IV.G: the first-listed diagnosis, the condition chiefly "
                "responsible for the visit")
SPECIFIC_SITE = ("Section I.B.18 / I.C.2.d: an unspecified site is coded only when the record "
                 "names none")
# unspecified-site code -> the codes of a named site of the same kind (primary / secondary)
_UNSPECIFIED_SITE = {
    "C80.1": lambda code: "C00" <= code[:3] <= "C76" or "C81" <= code[:3] <= "C96",
    "C79.9": lambda code: "C77" <= code[:3] <= "C79" and code != "C79.9",
}
LATERALITY = ("Section I.B.13: laterality: the code of the side documented, where the "
              "classification distinguishes sides")
BILATERAL = ("Section I.B.13: a bilateral condition with no bilateral code is coded with "
             "separate codes for the left and right side")
ETIOLOGY_FIRST = ("Section I.A.13: etiology / manifestation convention: the underlying "
                  "condition is sequenced first")
# Categories of chronic conditions whose "history of" still means the patient has them.
CHRONIC_CATEGORIES = frozenset((
    "I10", "I11", "I12", "I13", "E10", "E11", "E78", "E03", "E66", "J44", "J45", "N18",
    "I25", "I48", "I50", "K21", "M17", "M16", "M19", "F32", "F33", "F41", "F31", "F20", "G20",
    "G30", "G35", "G40", "G47", "B20", "E05", "D63", "D64", "I73", "K58", "M81", "N40", "M06",
    "E55", "K50", "K51", "I20", "J84",  # not F17: a former smoker is Z87.891 (I.C.5.b)
))


# -- tabular notes -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SequencingNote:
    kind: NoteKind
    text: str
    at: str
    patterns: tuple


class TabularNotes:
    """The "code first" and "use additional code" notes in force on a code, read from the
    release's tabular (at the code and every level above it), remembered per code."""

    def __init__(self, artifact):
        self.artifact = artifact
        self._cache: dict[str, tuple[SequencingNote, ...]] = {}

    def sequencing(self, code: str) -> tuple[SequencingNote, ...]:
        found = self._cache.get(code)
        if found is None:
            found = tuple(
                SequencingNote(note.kind, note.text, node.key, note_patterns(note.text))
                for node in self.artifact.tabular_chain(code)
                for note in node.notes
                if note.kind in (NoteKind.CODE_FIRST, NoteKind.USE_ADDITIONAL_CODE))
            self._cache[code] = found
        return found

    def valid(self, code: str) -> str | None:
        """The code's title when it is a valid (billable) code of the release, else None."""
        row = self.artifact.code(code)
        return row.long_title if row is not None and row.billable else None


# -- the rules ---------------------------------------------------------------------------------


def apply(candidates: list[Candidate], *, setting: str, coder: Coder
          ) -> tuple[list[Suggestion], list[NotCoded]]:
    coded, not_coded = assertions(candidates, setting)
    coded = wider_mention(coded)
    coded = one_code_once(coded)
    coded = combinations(coded, coder.tabular)
    coded = integral_symptoms(coded)
    coded = specific_site(coded)
    coded = insulin_in_type_1(coded)
    coded = observation_only(coded)
    coded = one_code_once(coded)
    coded = code_first(coded, coder.tabular)
    principal(coded, setting)
    return [_suggestion(item) for item in coded], _unique_not_coded(not_coded, coded)


def assertions(candidates: list[Candidate], setting: str
               ) -> tuple[list[Candidate], list[NotCoded]]:
    """Which mentions are coded, by assertion and setting (see the module table)."""
    from chartwell.cac.pipeline import NotCoded
    coded, not_coded = [], []
    for item in candidates:
        reason = None
        if item.assertion == POSSIBLE:
            if setting == "inpatient":
                item.guideline = UNCERTAIN_INPATIENT
            else:
                reason = UNCERTAIN_OUTPATIENT
        elif item.assertion == HISTORY:
            if item.code[:3] in CHRONIC_CATEGORIES:
                item.guideline = CHRONIC_HISTORY
            else:
                reason = (f"history ({item.why}): a condition that no longer exists is not "
                          "coded (a personal history Z code may apply)")
        elif item.assertion in (NEGATED, FAMILY, HYPOTHETICAL):
            reason = {NEGATED: f"negated ({item.why})",
                      FAMILY: f"family history ({item.why}): not the patient's condition",
                      HYPOTHETICAL: f"hypothetical ({item.why}): not a condition the "
                                    "patient has"}[item.assertion]
        if reason is None:
            coded.append(item)
        else:
            not_coded.append(NotCoded(item.code, item.system, item.title, tuple(item.spans),
                                      item.section, item.assertion, reason))
    return coded, not_coded


def wider_mention(candidates: list[Candidate]) -> list[Candidate]:
    """A mention whose words lie inside another's of the same category in the same sentence
    ("smoker" inside "smoker of 20 cigarettes") is the same condition, which the wider mention
    codes more specifically: its code (F17.200) is not suggested beside F17.210 (I.B.18)."""
    by_sentence: dict[int, list[Candidate]] = {}
    for item in candidates:
        by_sentence.setdefault(item.sentence, []).append(item)
    return [item for item in candidates
            if not any(_inside_of(item, other) for other in by_sentence[item.sentence])]


def _inside_of(item: Candidate, other: Candidate) -> bool:
    return other.code != item.code and other.code[:3] == item.code[:3] and all(
        any(wide.start <= span.start and span.end <= wide.end
            and (wide.start, wide.end) != (span.start, span.end) for wide in other.spans)
        for span in item.spans)


def one_code_once(candidates: list[Candidate]) -> list[Candidate]:
    """One suggestion per code: the evidence spans joined, the best confidence, the first
    place; a present mention outranks an uncertain one."""
    by_code: dict[str, Candidate] = {}
    for item in candidates:
        known = by_code.get(item.code)
        if known is None:
            by_code[item.code] = item
            continue
        _join_evidence(known, item)
        known.confidence = max(known.confidence, item.confidence)
        known.principal_hint = known.principal_hint or item.principal_hint
        if known.assertion != PRESENT and item.assertion == PRESENT:
            known.assertion, known.guideline = PRESENT, item.guideline
    return sorted(by_code.values(), key=lambda item: item.item)


def _join_evidence(whole: Candidate, part: Candidate) -> None:
    """The part's evidence spans added to those of the suggestion that now stands for it."""
    whole.spans.extend(span for span in part.spans if span not in whole.spans)


# -- combination codes -------------------------------------------------------------------------

_DIABETES = ("E08", "E09", "E10", "E11", "E13")
# complication category (or code prefix) -> the diabetes code ending it combines into
DIABETES_COMPLICATIONS: dict[str, str] = {
    "N18": ".22", "N08": ".29", "N28.9": ".29", "G62.9": ".40", "G63": ".42", "G60.9": ".40",
    "G90.09": ".43", "H36": ".319", "H35.0": ".319", "I73.9": ".51", "I70.2": ".51",
    "M14.6": ".610", "L97": ".621", "L98.4": ".622", "K05": ".630", "E16.2": ".649",
    "E11.65": ".65",
}
# the complication code itself goes when the combination code says it all
COMPLICATION_ABSORBED = ("G62.9", "G60.9", "I73.9", "N08", "N28.9", "H36", "H35.0",
                         "E16.2", "G63")


def combinations(candidates: list[Candidate], tabular: TabularNotes) -> list[Candidate]:
    candidates = _diabetes_with(candidates, tabular)
    candidates = _bleeding_with(candidates)
    return _hypertension_with(candidates, tabular)


# codes of a bleed named by its site alone: hemorrhage NOS, hematemesis, melena, GI and rectal
_BLEEDING = ("R58", "K92.0", "K92.1", "K92.2", "K62.5")
_WITH_BLEEDING = re.compile(r"\bwith (?:\w+ )?(?:hemorrhage|bleeding)\b")


def _bleeding_with(candidates: list[Candidate]) -> list[Candidate]:
    """A bleed said in the same sentence as a condition whose code is its combination "with
    hemorrhage" ("upper GI bleeding due to gastric ulcer with hemorrhage": K25.4, not K92.2
    beside it): the combination code stands for both (I.B.9), with both evidence spans."""
    combined = [item for item in candidates if _WITH_BLEEDING.search(item.title.lower())]
    if not combined:
        return candidates
    result = []
    for item in candidates:
        whole = None
        if item.code in _BLEEDING:
            whole = next((other for other in combined if other.sentence == item.sentence), None)
        if whole is None:
            result.append(item)
        else:
            _join_evidence(whole, item)
            whole.guideline = whole.guideline or COMBINATION
    return result


def _diabetes_with(candidates: list[Candidate], tabular: TabularNotes) -> list[Candidate]:
    """Diabetes coded "without complications" (E1x.9) beside a condition the classification
    links to it by "with": the combination code instead (I.A.15)."""
    result = list(candidates)
    for diabetes in [item for item in candidates if item.code[:3] in _DIABETES
                     and item.code.endswith(".9")]:
        for other in candidates:
            ending = _complication_ending(other.code)
            if ending is None:
                continue
            combined = diabetes.code[:3] + ending
            title = tabular.valid(combined)
            if title is None:
                continue
            diabetes.code, diabetes.title = combined, title
            diabetes.path = diabetes.path + ("Diabetes, with", f"{other.title} -> {combined}")
            diabetes.guideline = DIABETES_WITH
            _join_evidence(diabetes, other)
            if any(other.code.startswith(prefix) for prefix in COMPLICATION_ABSORBED) \
                    and other in result:
                result.remove(other)
            break
    return result


def _complication_ending(code: str) -> str | None:
    for prefix, ending in DIABETES_COMPLICATIONS.items():
        if code.startswith(prefix):
            return ending
    return None


def _hypertension_with(candidates: list[Candidate], tabular: TabularNotes) -> list[Candidate]:
    """Essential hypertension (I10) beside heart failure and/or chronic kidney disease: the
    hypertensive heart / kidney disease code, with the heart failure and CKD stage codes kept
    as the "use additional code" notes ask (I.C.9.a)."""
    hypertension = next((item for item in candidates if item.code == "I10"), None)
    if hypertension is None:
        return candidates
    heart = [item for item in candidates if item.code.startswith("I50")]
    kidney = [item for item in candidates if item.code.startswith("N18")]
    if not heart and not kidney:
        return candidates
    end_stage = any(item.code in ("N18.5", "N18.6") for item in kidney)
    if heart and kidney:
        code, guideline = ("I13.2" if end_stage else "I13.0"), HYPERTENSION_BOTH
    elif heart:
        code, guideline = "I11.0", HYPERTENSION_HEART
    else:
        code, guideline = ("I12.0" if end_stage else "I12.9"), HYPERTENSION_KIDNEY
    title = tabular.valid(code)
    if title is None:
        return candidates
    hypertension.code, hypertension.title, hypertension.guideline = code, title, guideline
    hypertension.path = hypertension.path + ("Hypertension, with", f"{code}")
    return candidates


# -- signs and symptoms ------------------------------------------------------------------------


def integral_symptoms(candidates: list[Candidate]) -> list[Candidate]:
    """A symptom code (chapter 18, R00-R99) named in the same assessment item as a definitive
    diagnosis is taken as part of it and not coded (I.B.5). Only where the provider concludes:
    in a narrative (a case report, an HPI) one sentence tells of the presenting symptoms and
    the diagnosis found later, and the symptom is not thereby integral to it."""
    definitive_sentences = {item.sentence for item in candidates
                            if not item.code.startswith("R") and item.section in CONCLUDING}
    return [item for item in candidates
            if not (item.code.startswith("R") and item.section in CONCLUDING
                    and item.sentence in definitive_sentences)]


def specific_site(candidates: list[Candidate]) -> list[Candidate]:
    """"Carcinoma" said alone (C80.1, unspecified site) where the note also names the site
    ("adenocarcinoma of the sigmoid colon", C18.7) is the same tumour: the specific code
    stands for both (I.B.18: unspecified codes only when nothing more specific is known)."""
    codes = [item.code for item in candidates]
    return [item for item in candidates
            if not ((named := _UNSPECIFIED_SITE.get(item.code))
                    and any(named(code) for code in codes))]


def insulin_in_type_1(candidates: list[Candidate]) -> list[Candidate]:
    """Long-term insulin (Z79.4) is not coded beside type 1 diabetes (E10): insulin is part
    of the type 1 condition, and only the other diabetes categories ask for Z79.4 ("use
    additional code to identify control using insulin (Z79.4)", Section I.C.4.a.3)."""
    if not any(item.code.startswith("E10") for item in candidates):
        return candidates
    return [item for item in candidates if item.code != "Z79.4"]


_DEAD_ON_ARRIVAL = re.compile(r"\b(?:dead on arrival|DOA|found dead|brought in dead|"
                              r"pronounced dead on arrival)\b", re.I)


def death_is_coded(_mention_text: str, sentence_text: str) -> bool:
    """Whether "death" in this sentence is R99 (ill-defined and unknown cause of mortality):
    only for a patient who has already died brought in and pronounced dead on arrival; R99
    does not stand for the discharge disposition of death (Section I.C.18.i). Asked by the
    pipeline of a mention the index codes R99, with the mention's sentence."""
    return bool(_DEAD_ON_ARRIVAL.search(sentence_text))


# "hemorrhagic fluid", "hemorrhagic zones": the adjective describes what was seen, not a bleed
_DESCRIBING = re.compile(r"^hemorrhagic$", re.I)
# bleeding that belongs to a procedure: caused by it as expected, or to be prevented by care
_PROCEDURAL_BLEEDING = re.compile(
    r"\b(?:intra-?operative(?:ly)?|trans-?operative|peri-?operative|during (?:the )?"
    r"(?:surgery|procedure|operation|excision|resection)|on probing|(?:to )?(?:avoid|prevent)"
    r"(?:ing)? (?:\w+ )?(?:bleeding|hemorrhage))\b", re.I)


def hemorrhage_is_coded(mention_text: str, sentence_text: str) -> bool:
    """Whether a bleeding the index codes R58 (hemorrhage, not elsewhere classified) is the
    patient's condition: not the adjective of a finding ("hemorrhagic fluid"), nor the bleeding
    a procedure causes or is meant to prevent ("intraoperative bleeding", "to avoid
    bleeding"), which is a complication only where the provider documents one (Section
    I.B.16, complications of care; R58 is a sign coded when no related definitive diagnosis
    is established, Section I.B.4). Asked by the pipeline of a mention coded R58."""
    return not (_DESCRIBING.match(mention_text.strip())
                or _PROCEDURAL_BLEEDING.search(sentence_text))


_BIRTH = re.compile(r"\b(?:born|birth|delivered)\b", re.I)


def newborn_is_coded(_mention_text: str, sentence_text: str) -> bool:
    """Whether a newborn named in the note is Z38 (liveborn infant by place of birth): only on
    the record of the birth itself, assigned once, at the time of birth (Section I.C.16.b); a
    newborn brought in days later, or the mother's delivery record, is not the birth episode.
    The sentence must tell of the birth ("born", "birth", "delivered")."""
    return bool(_BIRTH.search(sentence_text))


_INCIDENTAL = re.compile(r"\bincidental(?:ly)?\b", re.I)


def pregnancy_is_coded(_mention_text: str, sentence_text: str) -> bool:
    """Whether a pregnancy named in the note is Z33.1 (pregnant state, incidental): only where
    the provider states the pregnancy is incidental to the encounter; otherwise a pregnant
    patient's conditions are coded from the obstetric chapter (Section I.C.15.a.1), and a
    "39 weeks of gestation" in a birth history is the mother's, not the patient's."""
    return bool(_INCIDENTAL.search(sentence_text))


_ABNORMAL_RESULT = re.compile(r"\b(?:positive|positivity|elevated|raised|high|increased|"
                              r"detected|present|presence of|titers? of|reactive)\b", re.I)


def abnormal_finding_is_coded(_mention_text: str, sentence_text: str) -> bool:
    """Whether a test named in the note is the abnormal finding the index codes it (R76.0,
    raised antibody titer, for "anticardiolipin antibodies"): only where the sentence says the
    result is abnormal ("positive", "elevated", "detected"); a test requested, listed or
    negative is no finding, and an abnormal one is coded only where the provider gives it
    significance (Section III.B: abnormal findings)."""
    return bool(_ABNORMAL_RESULT.search(sentence_text))


SAID_AS_CODED = {"R99": death_is_coded, "R58": hemorrhage_is_coded, "Z38": newborn_is_coded,
                 "Z33.1": pregnancy_is_coded, "R76": abnormal_finding_is_coded}
"""Codes a mention becomes only where its sentence says so (the code, or its category ->
the test of the mention's words and its sentence's)."""


def said_as_coded(code: str, mention_text: str, sentence_text: str) -> bool:
    """Whether the code the index gives a mention stands, by the rule declared for it in
    :data:`SAID_AS_CODED` (a code with no rule stands)."""
    test = SAID_AS_CODED.get(code) or SAID_AS_CODED.get(code[:3])
    return test is None or test(mention_text, sentence_text)


# -- observation -------------------------------------------------------------------------------


def observation_only(candidates: list[Candidate]) -> list[Candidate]:
    """Observation for a suspected condition (Z03, Z04) only where nothing was found: not
    beside an illness, an injury or a sign or symptom (Section I.C.21.c.6: "the observation
    codes are not for use if an injury or illness, or any signs or symptoms related to the
    suspected condition, are present")."""
    if not any(item.code[:1] not in _SUPPLEMENTARY for item in candidates):
        return candidates
    return [item for item in candidates if item.code[:3] not in _OBSERVATION]


_OBSERVATION = ("Z03", "Z04")
_SUPPLEMENTARY = "VWXYZ"  # external causes and factors influencing health status


# -- code first / use additional -------------------------------------------------------------


def code_first(candidates: list[Candidate], tabular: TabularNotes) -> list[Candidate]:
    """Where a code's "code first" note names another suggested code, that code is moved
    before it; where a "use additional code" note names one, it stays after it (I.A.13)."""
    ordered = list(candidates)
    for item in list(ordered):
        for note in tabular.sequencing(item.code):
            partners = [other for other in ordered if other is not item
                        and any(pattern.matches(other.code) for pattern in note.patterns)]
            for other in partners:
                here, there = ordered.index(item), ordered.index(other)
                cite = f"{ETIOLOGY_FIRST}; tabular note at {note.at}: " \
                       f"{note.kind.value.replace('_', ' ')} \"{note.text}\""
                if note.kind == NoteKind.CODE_FIRST and there > here:
                    ordered.insert(here, ordered.pop(there))
                    other.guideline = other.guideline or cite
                    item.guideline = item.guideline or cite
                elif note.kind == NoteKind.USE_ADDITIONAL_CODE and there < here \
                        and not _code_first_of(other, item, tabular):
                    ordered.insert(there, ordered.pop(here))
                    item.guideline = item.guideline or cite
                    other.guideline = other.guideline or cite
    return ordered


def _code_first_of(first: Candidate, second: Candidate, tabular: TabularNotes) -> bool:
    return any(note.kind == NoteKind.CODE_FIRST and any(p.matches(second.code)
                                                        for p in note.patterns)
               for note in tabular.sequencing(first.code))


# -- principal / first-listed ------------------------------------------------------------------


def principal(candidates: list[Candidate], setting: str) -> None:
    """The diagnosis stated as principal, or else the first one the assessment names (its
    first item), that may be sequenced first: not a manifestation code whose "code first"
    partner is present (I.A.13)."""
    if not candidates:
        return
    stated = [item for item in candidates if item.principal_hint]
    chosen = stated[0] if stated else candidates[0]
    role = "principal" if setting == "inpatient" else "first-listed"
    reason = PRINCIPAL_INPATIENT if setting == "inpatient" else FIRST_LISTED
    how = "stated as the principal diagnosis" if stated else "named first in the assessment"
    chosen.role = role
    chosen.extra["role_reason"] = f"{reason} ({how})"
    if chosen.guideline is None:
        chosen.guideline = chosen.extra["role_reason"]
    candidates.remove(chosen)
    candidates.insert(0, chosen)


# -- output ------------------------------------------------------------------------------------


def _suggestion(item: Candidate) -> Suggestion:
    from chartwell.cac.pipeline import Suggestion
    guideline = item.guideline
    if item.role and item.extra.get("role_reason") and guideline != item.extra["role_reason"]:
        guideline = f"{guideline}; {item.extra['role_reason']}" if guideline \
            else item.extra["role_reason"]
    return Suggestion(code=item.code, system=item.system, title=item.title,
                      spans=tuple(sorted(item.spans, key=lambda span: span.start)),
                      section=item.section, assertion=item.assertion, path=item.path,
                      confidence=min(1.0, item.confidence), guideline=guideline,
                      role=item.role)


def _unique_not_coded(not_coded: list[NotCoded], coded: list[Candidate]) -> list[NotCoded]:
    kept_codes = {item.code for item in coded}
    seen: set[tuple[str, str]] = set()
    found = []
    for item in not_coded:
        key = (item.code, item.assertion)
        if item.code in kept_codes or key in seen:
            continue
        seen.add(key)
        found.append(item)
    return found
