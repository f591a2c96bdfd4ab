"""The CAC pipeline: a clinical note in, ICD-10-CM (and, inpatient, ICD-10-PCS) suggestions
out, each with its evidence, section, assertion, index path and the guideline that decided it.

    coder = Coder.open(on=date(2026, 3, 1))          # loads the release's index once
    result = coder.code(note_text, setting="inpatient")
    result.suggestions, result.not_coded, result.to_json()

Steps, each its own module: :mod:`~chartwell.cac.text` (sections, sentences, words),
:mod:`~chartwell.cac.concepts` (mentions of conditions), :mod:`~chartwell.cac.context`
(negated, possible, history, family, hypothetical), :mod:`~chartwell.cac.modifiers`
(laterality, acuity, stage, episode of care), the encoder's search (a mention -> a code and its
index path), :mod:`~chartwell.cac.rules` (the Official Guidelines: uncertain diagnoses by
setting, integral symptoms, combination codes, code first / use additional, principal or first-
listed) and :mod:`~chartwell.cac.pcs` (procedures, inpatient).

**Where diagnoses are taken from.** When a note has a concluding section (assessment,
impression, diagnoses), diagnoses come from there: that is where the provider states them, and
the history, review of systems and exam repeat symptoms the assessment explains. A note without
one (a narrative case report) is read whole, except the medication, allergy and social history
lists.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from chartwell.bulk import gc_paused
from chartwell.cac import rules
from chartwell.cac.concepts import EDGE_WORDS, PASSABLE, WEAK_TRIGGERS, ConceptMatcher, Mention
from chartwell.cac.context import assertion_of, scopes
from chartwell.cac.drugs import long_term_drugs
from chartwell.cac.history import HistoryCode, HistoryCodes
from chartwell.cac.modifiers import LATERALITY, read_modifiers
from chartwell.cac.sites import SiteWords, needs_site
from chartwell.cac.status import STATUS_SECTIONS, narrative_tobacco, status_codes
from chartwell.cac.text import (
    CONCLUDING,
    Sentence,
    defined_abbreviations,
    section_name,
    sections,
    sentences,
)
from chartwell.codesets.search.engine import Kept
from chartwell.codesets.search.text import raw_words, split_optional, terms
from chartwell.errors import InvalidInput

SETTINGS = ("inpatient", "outpatient")
MAX_CHARACTERS = 1_000_000  # a longer note is coded up to here, and says so
MIN_SCORE = 0.7  # a search answer below this is no suggestion ...
NARRATIVE_MIN_SCORE = 0.85  # ... nor, outside a concluding section, one below this
ITEM_SCORE = 0.6  # an assessment line read whole must score this
# A search answer below this leads nowhere: it is no suggestion, and too weak to name the
# category whose titles choose the modifiers asked again; the search is spared completing codes
# for it, half the queries of a note (its phrases that name no condition). The 715 evaluation
# notes and 1,000 MTSamples notes are coded the same with it as without.
WEAKEST_ANSWER = 0.3
SKIPPED_SECTIONS = frozenset({"medications", "allergies", "social_history"})
UNSECTIONED_SKIPPED = SKIPPED_SECTIONS | {"review_of_systems", "physical_exam"}
CACHED_QUERIES = 50_000  # search answers remembered across notes (oldest forgotten first)
CACHED_CATEGORIES = 400  # categories whose titles are kept (a category's words are kept apart)
KEPT_WORDS = frozenset(("no", "not", "non", "without", "w/o", "wo", "on"))  # read, though skipped
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")
_NOT_LETTER = re.compile(r"[\W\d_]+")
_ASCII_CONTROLS = bytes([*range(0x09), *range(0x0e, 0x20), 0x7f])
_ASCII_LETTERS = string.ascii_letters.encode("ascii")
_ENGLISH = frozenset(("the", "and", "of", "with", "is", "was", "in", "to", "for", "no",
                      "patient", "a", "on", "he", "she", "not", "history", "pain", "left",
                      "right", "at", "his", "her", "denies", "plan", "as", "by", "be", "are"))
_ITEM_WITH_PLAN = re.compile(r"^[ \t]*(?:\d{1,2}[.)]|[-*\u2022])?[ \t]*([^:\n]{2,120}?):[ \t]*\S",
                            re.M)
_ITEM_HEAD = re.compile(r"^(?:(?:principal|secondary|primary|final|admitting|discharge)\s+"
                        r"diagnos[ie]s\s*:\s*)?([^:.;\n]{3,120})")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str

    def to_json(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One suggested code with everything a coder needs to accept or reject it at a glance."""

    code: str
    system: str
    title: str
    spans: tuple[Span, ...]
    section: str | None
    assertion: str  # present, negated, possible, history, family, hypothetical
    path: tuple[str, ...]  # the index path (or table / rule) that produced the code
    confidence: float
    guideline: str | None  # the guideline that decided a choice
    role: str | None = None  # "principal" / "first-listed" (reason in guideline), else None

    def to_json(self) -> dict:
        return {"code": self.code, "system": self.system, "title": self.title,
                "spans": [span.to_json() for span in self.spans], "section": self.section,
                "assertion": self.assertion, "path": list(self.path),
                "confidence": round(self.confidence, 4), "guideline": self.guideline,
                "role": self.role}


@dataclass(frozen=True, slots=True)
class NotCoded:
    """A condition the note names that is not coded, and why (negated, family history ...)."""

    code: str
    system: str
    title: str
    spans: tuple[Span, ...]
    section: str | None
    assertion: str
    reason: str
    history_code: HistoryCode | None = None  # offered for a past or a relative's condition

    def to_json(self) -> dict:
        return {"code": self.code, "system": self.system, "title": self.title,
                "spans": [span.to_json() for span in self.spans], "section": self.section,
                "assertion": self.assertion, "reason": self.reason,
                "history_code": self.history_code.to_json() if self.history_code else None}


@dataclass(frozen=True, slots=True)
class CacResult:
    setting: str
    suggestions: tuple[Suggestion, ...]
    not_coded: tuple[NotCoded, ...] = ()
    warnings: tuple[str, ...] = ()
    release: str | None = None

    def to_json(self) -> dict:
        return {"setting": self.setting, "release": self.release,
                "suggestions": [item.to_json() for item in self.suggestions],
                "not_coded": [item.to_json() for item in self.not_coded],
                "warnings": list(self.warnings)}


@dataclass(slots=True)
class Candidate:
    """A mention resolved to a code, before the guideline rules run (mutable while they do)."""

    code: str
    system: str
    title: str
    spans: list[Span]
    section: str | None
    assertion: str
    path: tuple[str, ...]
    confidence: float
    guideline: str | None = None
    why: str | None = None  # the trigger or section behind the assertion
    sentence: int = 0  # the sentence's number in the note (integral-symptom rule)
    item: int = 0  # order of first appearance
    role: str | None = None
    principal_hint: bool = False  # stated as the principal diagnosis / reason for visit
    extra: dict[str, Any] = field(default_factory=dict)


class Coder:
    """Loads what it needs once (index, tabular, search) for a release; codes many notes."""

    def __init__(self, cm_artifact: Any, cm_search: Any, *, pcs_artifact: Any = None,
                 pcs_search: Any = None, release: str | None = None):
        self.cm = cm_artifact
        self.search = cm_search
        self.pcs_artifact = pcs_artifact
        self.pcs_search = pcs_search
        self.release = release
        self.sites = SiteWords(cm_artifact.table_rows("neoplasm"), cm_search.lexicon.stopwords)
        self.matcher = ConceptMatcher(cm_artifact.index_terms("index"), cm_search.lexicon,
                                      self.sites.neoplasm_stems)
        self.tabular = rules.TabularNotes(cm_artifact)
        self.history = HistoryCodes(cm_artifact, cm_search.lexicon.stopwords)
        self._answers = Kept(CACHED_QUERIES)
        self._readings = Kept(CACHED_QUERIES)
        self._pcs_answers = Kept(CACHED_QUERIES)
        self._skipped = cm_search.lexicon.stopwords
        self._category_words = Kept(CACHED_QUERIES)
        self._category_titles = Kept(CACHED_CATEGORIES)
        self._siblings = Kept(CACHED_QUERIES)  # a code's billable children (laterality)

    @classmethod
    def open(cls, *, on: date | None = None, data_dir: str | Path | None = None) -> Coder:
        """From the installed code sets: the ICD-10-CM (and ICD-10-PCS, when installed)
        release in force on ``on`` (default today), with its search tables."""
        from chartwell.services.cac import open_coder
        return open_coder(on=on, data_dir=data_dir)

    # -- one note ----------------------------------------------------------------------

    def code(self, text: str, *, setting: str = "outpatient") -> CacResult:
        """The suggestions for one note (see the module notes). The cyclic garbage collector
        is paused meanwhile: a note's work makes no reference cycles (tested:
        ``test_coding_a_note_makes_no_reference_cycles``), and the collector's passes over the
        loaded index and the answers kept across notes were a seventh of the time."""
        with gc_paused(True, kept=True):
            return self._code(text, setting)

    def _code(self, text: str, setting: str) -> CacResult:
        if setting not in SETTINGS:
            raise InvalidInput(f"setting must be one of {', '.join(SETTINGS)}")
        if not isinstance(text, str):
            raise InvalidInput("the note must be text")
        warnings: list[str] = []
        if len(text) > MAX_CHARACTERS:
            warnings.append(f"the note is {len(text)} characters long: only the first "
                            f"{MAX_CHARACTERS} were coded")
            text = text[:MAX_CHARACTERS]
        problem = _unreadable(text)
        if problem:
            return CacResult(setting, (), (), (problem,), self.release)
        candidates = self._candidates(text)
        if not candidates and not _looks_english(text):
            warnings.append("the note does not read as English: nothing was coded")
        suggestions, not_coded = rules.apply(candidates, setting=setting, coder=self)
        not_coded = [self._with_history_code(item) for item in not_coded]
        procedures = ()
        if setting == "inpatient" and self.pcs_search is not None:
            from chartwell.cac.pcs import procedures_of
            procedures = tuple(procedures_of(text, self))
        return CacResult(setting, tuple(suggestions) + procedures, tuple(not_coded),
                         tuple(warnings), self.release)

    def _with_history_code(self, item: NotCoded) -> NotCoded:
        """A past or a relative's condition with the history code it may take (I.C.21.c.4)."""
        if item.system != "icd10cm":
            return item
        found = self.history.for_mention(item.assertion, item.code, item.spans[0].text,
                                         partial(self.answer, min_score=0.0))
        return replace(item, history_code=found) if found else item

    def code_many(self, notes: Iterable[tuple[str, str]], *, setting: str = "outpatient"
                  ) -> dict[str, CacResult]:
        """Many notes, by name, in one process."""
        return {name: self.code(text, setting=setting) for name, text in notes}

    # -- finding candidates ------------------------------------------------------------

    def _candidates(self, text: str) -> list[Candidate]:
        note_sections = sections(text)
        concluding = _concludes(note_sections)

        def read(section: str | None) -> bool:
            """Whether the section's conditions are coded (its sentences are cut into words
            only then: the words are most of the work of reading a sentence)."""
            if concluding and section not in CONCLUDING and section != "family_history":
                return False
            return section not in (SKIPPED_SECTIONS if concluding else UNSECTIONED_SKIPPED)

        every = sentences(text, note_sections, tokenized=read)
        plans = _plan_regions(text, note_sections) if concluding else []
        defined = defined_abbreviations(text)
        found: list[Candidate] = []
        for number, sentence in enumerate(every):
            if sentence.section in STATUS_SECTIONS:
                found.extend(status_codes(text, sentence, number, self))
                continue
            if not read(sentence.section):
                continue
            found.extend(self._sentence_candidates(text, sentence, number, whole_item=concluding,
                                                   plans=plans, defined=defined))
            if sentence.section != "family_history":
                found.extend(long_term_drugs(text, sentence, number, self))
                found.extend(narrative_tobacco(text, sentence, number, self))
        return found

    def _sentence_candidates(self, text: str, sentence: Sentence, number: int,
                             *, whole_item: bool, plans: list[tuple[int, int]] = (),
                             defined: dict[str, str] | None = None) -> list[Candidate]:
        sentence_scopes = _Scopes(sentence)
        found = []
        for mention in self.matcher.mentions(text, sentence):
            if plans and _inside(mention.start, plans):
                continue  # the plan after an assessment line's colon: treatment, not diagnoses
            if _test_name(sentence, mention):
                continue  # "CA 19-9", "CA 125": a laboratory test's name, not a carcinoma
            if _state_of_an_address(text, sentence, mention):
                continue  # "Carl Zeiss Meditec, Dublin, CA": California, not a carcinoma
            if _care_unit(sentence, mention):
                continue  # "the Infectious Diseases Department": a place of care
            if self._names_a_site(sentence, mention):
                continue  # "both frontal lobes": a part of the body, not Frontal lobe syndrome
            if defined and self.matcher.redefined(sentence, mention, defined):
                continue  # the note says what its abbreviation means, and it is not this
            candidate = self._resolve(text, sentence, number, mention, sentence_scopes)
            if candidate is None:  # two conditions' words asked as one: each asked apart
                found.extend(item for part in self.matcher.parts(text, sentence, mention)
                             if (item := self._resolve(text, sentence, number, part,
                                                       sentence_scopes)) is not None)
                continue
            found.append(candidate)
            if twin := candidate.extra.pop("twin", None):
                found.append(twin)
        if not found and whole_item:
            item = self._item_candidate(text, sentence, number, sentence_scopes)
            if item is not None and not _inside(item.spans[0].start, plans):
                found.append(item)
        return found

    def _resolve(self, text: str, sentence: Sentence, number: int, mention: Mention,
                 sentence_scopes) -> Candidate | None:
        hit = None
        injury = False
        query = mention.query
        hits = self.answer(query)
        if hits:
            injury = hits[0].code[:1] in "ST"
            extra = self._distinguishing(read_modifiers(
                text, sentence, mention.first, mention.last, injury=injury).words(query),
                hits[0].code)
            if extra:
                better = self.answer(" ".join([query, *extra]))
                if better and better[0].score >= MIN_SCORE:
                    hits = better
            elif mention.code and hits[0].score < 0.95 and _alone(mention):
                hits = self._main_term_answer(mention) or hits
        if (not hits or hits[0].score < 0.95) and (side := _side_of(sentence, mention)):
            hits = self._unsided(sentence, mention, side, hits)
        if hits:
            hit = hits[0]
        if hit is not None and _drug_named(hit, text, sentence):
            return None  # a drug named (treatment), not a poisoning or an adverse effect
        floor = MIN_SCORE if sentence.section in CONCLUDING else NARRATIVE_MIN_SCORE
        start, end = mention.start, mention.end
        words = (mention.first, mention.last)
        if (hit is None or hit.score < floor) and len(mention.cores) == 1 \
                and mention.cores[0] != (mention.first, mention.last):
            # the words around the condition led the search astray ("edema in both legs",
            # "grade III esophageal varices"): fewer of them, then the condition's own words
            # (but for a weak trigger, which names no condition alone: "renal mass in the
            # lower" -> "renal mass", never "mass")
            for first, last in _narrower(mention, sentence, with_core=not mention.weak):
                at, to = sentence.tokens[first].start, sentence.tokens[last].end
                answer = self.answer(text[at:to])
                if (first, last) == mention.cores[0] and mention.code \
                        and (not answer or answer[0].score < 0.95):
                    answer = self._main_term_answer(mention) or answer
                if answer and answer[0].score >= floor:
                    hit, start, end, words = answer[0], at, to, (first, last)
                    break
        if hit is None or hit.score < floor or not hit.billable \
                or _drug_named(hit, text, sentence):
            return None
        if mention.weak and not self._names_main_term(text[start:end], hit):
            return None  # "bile duct": an organ; "Injury > bile duct" adds the condition
        if not rules.said_as_coded(hit.code, text[start:end], text[sentence.start:sentence.end]):
            return None
        if needs_site(hit.code):
            hit = self._with_site(sentence, text[start:end], words, hit)
        assertion, why = assertion_of(sentence, mention.first, mention.last, sentence_scopes)
        candidate = Candidate(code=hit.code, system="icd10cm", title=hit.title,
                              spans=[Span(start, end, text[start:end])],
                              section=sentence.section, assertion=assertion,
                              path=tuple(hit.path), confidence=float(hit.score), why=why,
                              sentence=number, item=number,
                              principal_hint=_says_principal(text, sentence))
        twin = hit.twin if isinstance(hit, _IndexAnswer) else None
        if twin is not None:
            candidate.guideline = rules.BILATERAL
            candidate.extra["twin"] = Candidate(
                code=twin.code, system="icd10cm", title=twin.title,
                spans=[Span(start, end, text[start:end])], section=sentence.section,
                assertion=assertion, path=twin.path, confidence=twin.score, why=why,
                sentence=number, item=number, guideline=rules.BILATERAL)
        elif any(step.startswith("laterality:") for step in candidate.path):
            candidate.guideline = rules.LATERALITY
        return candidate

    def _unsided(self, sentence: Sentence, mention: Mention, side: str, hits: list) -> list:
        """A side written inside the condition's words ("right renal mass", "bilateral
        pulmonary metastases") that no index entry carries: the condition looked up without it,
        then the side taken where the classification has sided codes for it (Section I.B.13:
        laterality; a condition bilateral with no bilateral code is coded left and right)."""
        kept = [(at, token) for at, token in enumerate(
                    sentence.tokens[mention.first:mention.last + 1], mention.first)
                if token.norm not in SIDES]
        if not kept or (mention.weak and all(  # a weak trigger left alone names nothing
                token.norm in _JOINING or any(first <= at <= last for first, last in mention.cores)
                for at, token in kept)):
            return hits
        words = [token.text for _, token in kept]
        bare = self.answer(" ".join(words))
        if not bare or (hits and bare[0].score <= hits[0].score) or not bare[0].billable:
            return hits
        sided = self._lateral(bare[0], side)
        return hits if sided is None else [sided, *bare[1:]]

    def _lateral(self, hit: Any, side: str) -> Any | None:
        """The sided code beside an unsided answer: its sibling whose title says the side
        (C78.00 lung, unspecified -> C78.02 left lung); for "bilateral" with no bilateral
        code, the left and the right code (I.B.13). The answer as it is where its category has
        no sided codes (N28.89 for a renal mass on either side) or for an injury, whose code
        the episode of care completes. None where the category has sided codes and none of
        the answer's siblings is the side's (the search's own sided answer is kept then)."""
        sided = (side, "left") if side == "bilateral" else (side,)
        if _says_side(hit.title, side) \
                or not any(self._said_in_category(hit.code[:3], word) for word in sided):
            return hit
        if hit.code[:1] in "ST":
            return None
        parent = hit.code[:-1].rstrip(".")
        siblings = self._siblings.get(parent)
        if siblings is None:
            siblings = [row for row in self.cm.children(parent) if row.billable]
            self._siblings.put(parent, siblings)

        def one(word: str):
            found = [row for row in siblings if _says_side(row.long_title, word)]
            return found[0] if len(found) == 1 else None

        steps = tuple(hit.path) + (f"laterality: {side}",)
        chosen = one(side)
        if chosen is not None:
            return _IndexAnswer(chosen.code, chosen.long_title, steps, hit.score, True)
        if side == "bilateral" and (left := one("left")) and (right := one("right")):
            twin = _IndexAnswer(left.code, left.long_title, steps, hit.score, True)
            return _IndexAnswer(right.code, right.long_title, steps, hit.score, True, twin)
        return None

    def _with_site(self, sentence: Sentence, query: str, words: tuple[int, int],
                   hit: Any) -> Any:
        """An "unspecified site" answer made specific by the site the sentence names
        (:mod:`~chartwell.cac.sites`); the condition's own score decides whether it is coded,
        the site only which code."""
        stems = self.matcher.stems(sentence.tokens)
        sites = self.sites.near(sentence, stems, *words)
        if not sites:
            return hit
        localized = LOCALIZED.get(hit.code)
        if localized and (title := self.tabular.valid(localized)):
            return _IndexAnswer(localized, title, tuple(hit.path) + (
                "localized", f"site: {', '.join(sites)}"), hit.score, True)
        for said in (sites, sites[:1]) if len(sites) > 1 else (sites,):
            better = self.answer(" ".join([query, *said]))
            if better and better[0].score >= MIN_SCORE and better[0].code != hit.code \
                    and better[0].billable and not _drug_table_code(better[0].code):
                break
        else:
            return hit
        found, sites = better[0], said
        return _IndexAnswer(found.code, found.title,
                            tuple(found.path) + (f"site: {', '.join(sites)}",),
                            max(hit.score, found.score), True)

    def _main_term_answer(self, mention: Mention) -> list:
        """The main term's own code, for a mention that is the main term's words alone
        ("edema" -> Edema R60.9): the index's answer, which a longer title that merely holds
        the same word ("Edema, unspecified") must not outrank."""
        title = self.tabular.valid(mention.code)
        if title is None:
            return []
        return [_IndexAnswer(mention.code, title, (mention.main_terms[0],), 1.0, True)]

    def _item_candidate(self, text: str, sentence: Sentence, number: int,
                        sentence_scopes) -> Candidate | None:
        """An assessment line whose words no trigger caught ("GAD", "Lumbago"): its head, up
        to the first colon or full stop, asked whole."""
        match = _ITEM_HEAD.match(text, sentence.start, sentence.end)
        if not match or not sentence.tokens:
            return None
        head = match.group(1).strip()
        if not head or len(head.split()) > 8:
            return None
        hits = self.answer(head)
        if not hits or hits[0].score < ITEM_SCORE or not hits[0].billable:
            return None
        hit = hits[0]
        start = match.start(1) + (len(match.group(1)) - len(match.group(1).lstrip()))
        tokens = [n for n, token in enumerate(sentence.tokens) if token.start < start + len(head)]
        first, last = (tokens[0], tokens[-1]) if tokens else (0, 0)
        assertion, why = assertion_of(sentence, first, last, sentence_scopes)
        return Candidate(code=hit.code, system="icd10cm", title=hit.title,
                         spans=[Span(start, start + len(head), head)], section=sentence.section,
                         assertion=assertion, path=tuple(hit.path),
                         confidence=float(hit.score) * 0.95, why=why, sentence=number,
                         item=number, principal_hint=_says_principal(text, sentence))

    def _names_a_site(self, sentence: Sentence, mention: Mention) -> bool:
        """A weak trigger's mention, of a main term with no code of its own, every word of which
        (but sides and articles) is a site of the Table of Neoplasms: it names a part of the
        body, and the index entry its words reach is a condition of that part the note does
        not say ("frontal lobe" is no Frontal > lobe syndrome F07.0)."""
        if not mention.weak or mention.code is not None:
            return False  # "ganglion of the hand": a main term with a code names a condition
        stems = self.matcher.stems(sentence.tokens)
        words = [stems[at] for at in range(mention.first, mention.last + 1)
                 if sentence.tokens[at].norm not in _JOINING
                 and sentence.tokens[at].norm not in SIDES]
        return bool(words) and all(word in self.sites.stems and word not in WEAK_TRIGGERS
                                   for word in words)

    def _names_main_term(self, text: str, hit) -> bool:
        """Whether the mention's words, as the search reads them (lexicon, aliases), hold a
        word of the answer's index main term: a weak trigger's mention names no condition of
        its own, so the main term that names one must be said ("decrease in vision" is "Low >
        vision"; "bile duct" is not "Injury > bile duct"). The tables and the tabular are read
        by their own words."""
        if isinstance(hit, _IndexAnswer) or not hit.path or not hit.matched.startswith("index:"):
            return True  # the trigger's own main term; or a table's or the tabular's words
        said = frozenset().union(*(word.alternatives for word in self.search.read(text).words))
        known = self.search.terms
        return any(known.get(word) in said
                   for word in terms(split_optional(hit.path[0])[0], self._skipped))

    def answer(self, query: str, min_score: float = WEAKEST_ANSWER) -> list:
        """The search's hits for a query scoring at least ``min_score``, remembered across
        notes under the query's reading (:meth:`_reading`): notes repeat their phrases, in
        many forms ("the right inguinal hernia", "inguinal hernia right")."""
        text = " ".join(query.lower().split())
        key = (self._reading(text), min_score)
        hits = self._answers.get(key)
        if hits is None:
            hits = reranked(self.search.search(text, limit=5, min_score=min_score), text)
            self._answers.put(key, hits)
        return hits

    def pcs_answer(self, sentence: str, min_score: float) -> list:
        """The ICD-10-PCS search's hits for a procedure sentence, those scoring under
        ``min_score`` left out (remembered: operative notes repeat their templates'
        sentences)."""
        hits = self._pcs_answers.get((sentence, min_score))
        if hits is None:
            hits = self.pcs_search.search(sentence, limit=3, min_score=min_score)
            self._pcs_answers.put((sentence, min_score), hits)
        return hits

    def _reading(self, text: str) -> tuple[str, ...] | str:
        """What the search reads of a query: its words as stems, in any order (it scores the
        words a title holds, not their order: "cervical radiculopathy left" = "left cervical
        radiculopathy"), without the words it skips ("the", "of", "with"), the negations and
        "on" ("acute on chronic") kept."""
        reading = self._readings.get(text)
        if reading is None:
            read = self.matcher._read
            reading = tuple(sorted(read(word) for word in raw_words(text)
                                   if word not in self._skipped or word in KEPT_WORDS)) or text
            self._readings.put(text, reading)
        return reading

    def _distinguishing(self, words: list[str], code: str) -> list[str]:
        """The modifier words that can choose among the codes of the answer's category: a
        side, an acuity, a stage or an episode of care is asked only where some title of the
        category says it (a side said beside "gastroesophageal reflux disease" changes
        nothing, and asking costs a search)."""
        if not words:
            return words
        category = code[:3]
        return [word for word in words if self._said_in_category(category, word)]

    def _said_in_category(self, category: str, word: str) -> bool:
        """Whether a title of the category holds the word (remembered per category and word;
        the category's titles read once, for all its words)."""
        said = self._category_words.get((category, word))
        if said is None:
            titles = self._category_titles.get(category)
            if titles is None:
                titles = " ".join(row.long_title.lower() for row in self.cm.descendants(category))
                self._category_titles.put(category, titles)
            said = re.search(rf"\b{re.escape(word)}\b", titles) is not None
            self._category_words.put((category, word), said)
        return said


class _Scopes:
    """A sentence's assertion scopes, read when its first mention is resolved to a code (most
    sentences name no codable condition, and reading scopes costs as much as finding
    mentions)."""

    __slots__ = ("sentence", "_found")

    def __init__(self, sentence: Sentence):
        self.sentence = sentence
        self._found = None

    def __iter__(self):
        if self._found is None:
            self._found = scopes(self.sentence)
        return iter(self._found)


@dataclass(frozen=True, slots=True)
class _IndexAnswer:
    """A code read straight from the index (a main term's own code), shaped as a search hit."""

    code: str
    title: str
    path: tuple[str, ...]
    score: float
    billable: bool
    twin: _IndexAnswer | None = None  # the other side, for a bilateral condition (I.B.13)


# ICD-10-CM T36-T50: poisoning by, adverse effect of, underdosing of drugs (the Table of Drugs)
_DRUG_CATEGORIES = re.compile(r"^T(?:3[6-9]|4\d|50)")
_POISONING = re.compile(r"poison|overdos|intoxica|toxic|advers|side[- ]effect|induced|"
                        r"ingest|underdos|reaction to|allerg|caused by|due to|secondary to",
                        re.I)


# an "unspecified" code whose index entry has a "localized" subterm, taken when a site is said
LOCALIZED = {"R59.9": "R59.0", "R60.9": "R60.0"}


# a side written in a condition's words, as the modifiers read it, less what is too loose
# inside a condition's own words (a single letter: "L4"; "both")
SIDES = {word: side for word, side in LATERALITY.items() if len(word) > 1 and word != "both"}


def _side_of(sentence: Sentence, mention: Mention) -> str | None:
    """The one side written inside the mention's words, if any."""
    found = {SIDES[token.norm] for token in sentence.tokens[mention.first:mention.last + 1]
             if token.norm in SIDES}
    return found.pop() if len(found) == 1 else None


_CARE_UNITS = frozenset(("department", "departments", "service", "services", "unit", "units",
                         "clinic", "clinics", "team", "ward", "specialist", "specialists"))
_OF_A_CARE_UNIT = frozenset(("of", "in"))


def _care_unit(sentence: Sentence, mention: Mention) -> bool:
    """The mention's words name where care is given, not a condition: a department, a service,
    a unit or its specialists ("the Infectious Diseases Department", "the Pain Unit", "referred
    to the Trauma Service", "specialists in infectious diseases")."""
    tokens = sentence.tokens
    after = mention.last + 1
    if after < len(tokens) and tokens[after].norm in _CARE_UNITS:
        return True
    before = mention.first - 1
    return before >= 1 and tokens[before].norm in _OF_A_CARE_UNIT \
        and tokens[before - 1].norm in _CARE_UNITS


_JOINING = EDGE_WORDS | PASSABLE
NARROWER_TRIES = 3  # spans asked between a mention and its trigger's words (each a search)


def _narrower(mention: Mention, sentence: Sentence, with_core: bool = True
              ) -> list[tuple[int, int]]:
    """The spans to ask when a mention's words found nothing: the mention less some of its
    words, those before the trigger first (English puts a condition's kind before its name:
    "septic arthritis of the right ankle" -> "septic arthritis", "grade III esophageal
    varices" -> "III esophageal varices", "esophageal varices"), longest first, at most
    :data:`NARROWER_TRIES`; then the trigger's own words (``with_core``). A span does not
    begin or end with a joining word ("adhered to", "edema in both")."""
    core_first, core_last = mention.cores[0]
    tokens = sentence.tokens
    spans = sorted(((first, last) for first in range(mention.first, core_first + 1)
                    for last in range(core_last, mention.last + 1)
                    if (first, last) not in ((mention.first, mention.last),
                                              (core_first, core_last))
                    and (first == core_first or tokens[first].norm not in _JOINING)
                    and (last == core_last or tokens[last].norm not in _JOINING)),
                   key=lambda span: (span[1] - core_last, span[0] - span[1]))
    return [*spans[:NARROWER_TRIES], *([(core_first, core_last)] if with_core else [])]


def _test_name(sentence: Sentence, mention: Mention) -> bool:
    """An abbreviation written alone and followed by a number ("CA 19-9", "CA 125") names a
    test or a value, not the condition the letters may stand for."""
    if mention.first != mention.last or mention.last + 1 >= len(sentence.tokens):
        return False
    token = sentence.tokens[mention.first]
    return token.text.isupper() and len(token.text) <= 3 \
        and sentence.tokens[mention.last + 1].norm[:1].isdigit()


def _state_of_an_address(text: str, sentence: Sentence, mention: Mention) -> bool:
    """Two capitals alone between a capitalised word and a comma and a closing parenthesis
    or another comma ("(Carl Zeiss Meditec, Dublin, CA)", "Jackson, MS, USA") are the state
    of an address (a maker's, in a device's description), not the condition the letters may
    stand for ("Hypertension, CA." stays a list of conditions)."""
    if mention.first != mention.last or mention.first == 0:
        return False
    token, before = sentence.tokens[mention.first], sentence.tokens[mention.first - 1]
    return len(token.text) == 2 and token.text.isupper() and before.text.istitle() \
        and text[before.end:token.start].strip() == "," \
        and text[token.end:token.end + 1] in (")", ",")


def _says_side(title: str, side: str) -> bool:
    return bool(re.search(rf"\b{side}\b", title.lower()))


def _alone(mention: Mention) -> bool:
    """The mention is its trigger's words alone ("edema", not "edema in both legs")."""
    return mention.cores == ((mention.first, mention.last),)


def _drug_table_code(code: str) -> bool:
    return bool(_DRUG_CATEGORIES.match(code))


def _drug_named(hit: Any, text: str, sentence: Sentence) -> bool:
    """A Table of Drugs code for a sentence that says no poisoning or adverse effect: the
    drug is named as treatment (or history of use), not coded as a poisoning."""
    return _drug_table_code(hit.code) and not _POISONING.search(text, sentence.start,
                                                                 sentence.end)


_WITH_PHRASE = re.compile(r"\bwith(?:out)? (?:\(\w+\) )?(\w+)")
_CONTRADICTIONS = (("intractable", "not intractable"),)
# a category of visual impairment (H54, by the acuity measured): "decreased vision" gives none
_IMPAIRMENT_CATEGORY = re.compile(r"\bcategory \d")
# the cell type a neoplasm's title names: a contradiction where the mention names another or none
_HISTOLOGY = re.compile(r"\b(mast|germ|plasma|hairy|squamous|basal|merkel|islet|sertoli|"
                        r"leydig|granulosa) cell")


def reranked(hits: list, query: str) -> list:
    """The search's answers re-read against the mention: a title saying "with X" where the
    note says "without X" (or says nothing of X) is a contradiction, as is "intractable" or a
    visual impairment category not written, or a cell type ("mast cell") the mention does not
    name; the guideline default ("without", "not intractable", "uncomplicated") is what an
    unspecified mention gets (I.A.9 / the tabular's defaults). Scores are lowered, not
    dropped."""
    words = set(query.split())
    words = words | {word.rstrip("s") for word in words}
    scored = []
    for rank, hit in enumerate(hits):
        title = hit.title.lower()
        penalty = 0.0
        for match in _WITH_PHRASE.finditer(title):
            said_with = match.group(0).startswith("with ") or match.group(0).startswith("with (")
            word = match.group(1)
            if said_with and f"without {word}" in query:
                penalty += 0.3
            elif said_with and word[:5] not in query and word not in ("other", "unspecified",
                                                                      "routine"):
                penalty += 0.08
        for marked, unmarked in _CONTRADICTIONS:
            if marked in title and unmarked not in title and marked not in words:
                penalty += 0.1
        if (histology := _HISTOLOGY.search(title)) and histology.group(1) not in words:
            penalty += 0.3  # "Malignant mast cell neoplasm" for "adenocarcinoma"
        if "category" not in words and _IMPAIRMENT_CATEGORY.search(title):
            penalty += 0.1  # "Low vision ... category 1" for "decreased vision"
        scored.append((hit.score - penalty, rank, hit))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [hit for _, _, hit in scored]


def _plan_regions(text: str, note_sections) -> list[tuple[int, int]]:
    """Where an assessment line goes on from its diagnosis to the plan ("2. Dyslipidemia:
    continue statin"): the text after the colon, to the end of the line. The words there are
    treatment, not diagnoses (a line opening "Principal diagnosis:" is no such line)."""
    regions = []
    for part in note_sections:
        if part.name not in CONCLUDING:
            continue
        for match in _ITEM_WITH_PLAN.finditer(text, part.start, part.end):
            head = match.group(1).lower()
            if "diagnos" in head or "impression" in head or "problem" in head \
                    or section_name(match.group(1)) is not None:
                continue
            line_end = text.find("\n", match.end())
            regions.append((match.end(1), line_end if line_end >= 0 else len(text)))
    return regions


def _concludes(note_sections) -> bool:
    """Whether diagnoses are taken from the note's concluding section alone: a note with
    one and with at least two other headed sections (a history and physical, a discharge
    summary). A narrative with one "Diagnosis:" paragraph (a case report) is read whole."""
    if not any(part.name in CONCLUDING for part in note_sections):
        return False
    others = {part.name for part in note_sections if part.name and part.name not in CONCLUDING}
    narrative = sum(part.end - part.start for part in note_sections if part.name is None)
    concluding = sum(part.end - part.start for part in note_sections
                     if part.name in CONCLUDING)
    return len(others) >= 2 or narrative <= concluding


def _inside(position: int, regions: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in regions)


def _says_principal(text: str, sentence: Sentence) -> bool:
    before = text[max(0, sentence.start - 40):sentence.start].lower()
    here = text[sentence.start:min(sentence.end, sentence.start + 40)].lower()
    return "principal" in before.split("\n")[-1] or "principal" in here[:25] or \
        "primary diagnosis" in here[:25]


def _unreadable(text: str) -> str | None:
    stripped = text.strip()
    if not stripped:
        return "the note is empty: nothing to code"
    sample = stripped[:20000]
    controls, letters = _controls_and_letters(sample)
    if controls > max(3, len(sample) // 50):
        return "the note is not readable text (binary or control characters): nothing coded"
    if letters < len(sample) // 4:
        return "the note holds too few words to code"
    return None


def _controls_and_letters(sample: str) -> tuple[int, int]:
    """How many control characters and letters the sample holds (plain ASCII, most notes,
    counted on its bytes: a regular expression over every character cost as much as
    reading the note's sections)."""
    if sample.isascii():
        raw = sample.encode("ascii")
        return (len(raw) - len(raw.translate(None, _ASCII_CONTROLS)),
                len(raw) - len(raw.translate(None, _ASCII_LETTERS)))
    return len(_CONTROL.findall(sample)), len(_NOT_LETTER.sub("", sample))


def _looks_english(text: str) -> bool:
    words = re.findall(r"[a-z]+", text[:20000].lower())
    if not words:
        return False
    return sum(word in _ENGLISH for word in words) / len(words) > 0.05
