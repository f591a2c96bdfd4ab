"""Finding the conditions a note names: a phrase matcher built once per release from the
ICD-10-CM alphabetic index, then the encoder's search to turn each mention into a code.

**Built once** (:class:`ConceptMatcher`): every main term of the index (``Diabetes``,
``Failure``, ``Hernia``) is a *trigger*, written as its stemmed essential words (the search's
own ``text.terms``, so note and index meet on the same stems); so are the lexicon's
abbreviations whose meaning holds a main term (``CHF``, ``COPD``, ``fx``). For each main term
the stems of all its subterms are its *vocabulary*: the words that may stand around it in a
note and still belong to the condition (``heart`` for ``Failure``, ``inguinal`` for
``Hernia``, ``type``, ``2``, ``neuropathy`` for ``Diabetes``).

**Per sentence** (:meth:`ConceptMatcher.mentions`): triggers are found with a token trie (a
dictionary of first stems, longest phrase first: no per-term scans), each is widened over the
neighbouring words in its main term's vocabulary (never across a comma, semicolon, colon or
parenthesis, nor over ``and`` / ``or``), overlapping mentions are merged, so that "type 2
diabetes mellitus with diabetic chronic kidney disease" is one mention and the search can give
its combination code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from chartwell.cac.text import Sentence, Token
from chartwell.codesets.model import IndexTerm
from chartwell.codesets.search.stemmer import stem
from chartwell.codesets.search.text import Lexicon, raw_words, split_optional, terms

# Main terms that name no condition on their own: they count only as part of a wider mention
# found through another trigger (coders reach these through a condition's words).
NOT_TRIGGERS = frozenset(stem(word) for word in (
    "history", "status", "examination", "exam", "admission", "encounter", "use", "problem",
    "problems", "finding", "findings", "abnormal", "abnormality", "observation", "test",
    "care", "therapy", "counseling", "screening", "follow", "followup", "procedure", "plan",
    "result", "results", "complication", "complications", "condition", "conditions",
    "disease", "disorder", "syndrome", "state", "change", "changes", "loss", "lack",
    "long", "term", "presence", "absence", "absent", "exposure", "contact", "attention",
    "fitting", "adjustment", "removal", "aftercare", "visit", "check", "evaluation",
    "positive", "negative", "elevated", "elevation", "low", "high", "decreased", "increased",
    "normal", "mass", "lesion", "symptom", "symptoms", "sign", "signs", "pressure", "level",
    "rate", "rhythm", "regular", "tenderness", "tender", "soft", "clear", "well", "good",
    "stable", "chronic", "acute", "left", "right", "type", "stage", "grade", "severe", "mild",
    "moderate", "new", "old", "late", "early", "primary", "secondary", "multiple", "single",
    "unspecified", "other", "present", "past", "family", "personal", "risk", "need", "want",
    "will", "may", "can", "work", "life", "living", "born", "birth", "delivery", "pregnancy",
    "labor", "service", "services", "medical", "surgical", "patient", "person", "blood",
    "foreign", "body", "injury", "wound", "failure", "drug", "reaction",
    "effect", "effects", "dependence", "deficiency", "excess", "overload", "poisoning",
    "transplant", "replacement", "implant", "device", "graft", "surgery", "operation",
    "removal", "insertion", "status", "allergy", "allergic", "tear", "open", "closed",
    "displaced", "nondisplaced", "male", "female", "unknown", "none", "dose", "date",
    "time", "day", "days", "week", "weeks", "month", "months", "year", "years", "age",
    "develop", "develops", "developed", "development", "sleep", "urine", "community",
    "acquired", "colon", "evidence",
))
# ... yet they do trigger when another word of the mention makes them a condition:
WEAK_TRIGGERS = frozenset(stem(word) for word in (
    "disease", "disorder", "syndrome", "failure", "injury", "wound", "mass",
    "lesion", "allergy", "reaction", "dependence", "deficiency", "poisoning", "tear",
    "complication", "pressure", "effect", "overload", "abnormal", "elevated", "low",
    "high", "decreased", "increased", "foreign", "loss",
))
# Index main terms that, written alone in a note, mostly name an organ, a test, a procedure or
# a quality rather than a condition ("chest x-ray", "under anesthesia", "prostate", "gram
# stain", "sensitive to", "over", "cold"): they trigger only with a word of their own subterms
# beside them ("prostate hypertrophy", "nerve palsy", "common cold").
NEEDS_COMPANY = frozenset(stem(word) for word in (
    "x-ray", "xray", "ray", "anesthesia", "anaesthesia", "anesthetic", "stain", "staining",
    "stains", "stained", "sensitive", "sensitivity", "sinus", "teeth", "tooth", "dental",
    "prostate", "prostatic", "scale", "scales", "over", "nerve", "nerves", "nervous", "gas",
    "cold", "donor", "toxic", "toxicity", "abnormalities", "defect", "deformed",
    "irritation", "irritative", "irritants", "irritable", "pigment", "pigmented",
    "pigmentation", "adhered", "adhesive", "adhering", "diuresis", "milk",
    "blade", "ray", "discharge", "discharged", "active", "activity", "contrast", "culture",
    "section", "transfusion", "dialysis", "smear", "puncture", "biopsy", "resection",
    "tube", "catheter", "suture", "sutures", "drainage", "graft", "flap", "cast",
    "reflex", "reflexes", "thyroid", "malformation", "malformations", "anomaly", "anomalies",
    "hypochondria",  # mostly the regions of the abdomen ("radiating to both hypochondria")
    "freezing", "frozen",  # "frozen section", "fresh frozen plasma" (not T69.9, only "frozen
    # shoulder" and its kind)
    "sterile",  # "sterile urine culture", "a sterile seal" (not Z30.2, sterilization)
    "transient",  # "transient AF", "a transient catheter": not Transient (homeless) Z59.00
    "tac",  # in translated notes the CT scan (Spanish "TAC"), not trigeminal autonomic
    # cephalgia G44.099 unless a subterm's word says so ("intractable TAC")
    "ganglion", "ganglions", "ganglia",  # mostly lymph nodes in translated notes (Spanish
    # "ganglio"); the cyst is "ganglion cyst" or the ganglion of a hand, wrist or tendon
))
# Main terms that, right after one of these words, are another thing: "vesicular murmur" is
# the normal breath sound of the lungs (Spanish "murmullo vesicular"), not a heart murmur R01.1
NAMED_OTHERWISE = {stem(word): frozenset(before) for word, before in (
    ("murmur", ("vesicular",)),
    # "functional impotence" of a limb (Spanish "impotencia funcional"): loss of its use, not
    # erectile dysfunction N52.9
    ("impotence", ("functional",)),
)}
# Index main terms that name a test or a procedure, never a condition, however written
# ("chest X-ray", "general anesthesia"): not triggers at all (stemmed phrases).
NEVER_TRIGGERS = frozenset(tuple(stem(word) for word in phrase.split()) for phrase in (
    "x ray", "xray", "anesthesia", "anaesthesia", "analgesia", "follow up", "follow-up",
    "consumption", "plus",
))
# Note words whose stem is a main term's but which are other words ("rigorously" is not
# "rigor", chills; "adrenal" is not "adrenalism")
FALSE_FRIENDS = frozenset(("rigorous", "rigorously", "adrenal", "adrenals", "morphine",
                           "depressible", "depressing",
                           "exhaustive", "exhaustively", "does", "addition", "additional",
                           "dependent",
                           "embolization",  # a procedure that blocks a vessel, not an embolism
                           "lymphatic", "lymphatics",  # the vessels, not lymphatism E32.8
                           # a sensation ("burning epigastric pain", "burning on urination"):
                           # the index's own main term Burning (> sensation R20.8), no burn T30
                           "burning"))
MODIFIER_WORDS = frozenset(stem(word) for word in (
    "left", "right", "bilateral", "acute", "chronic", "subacute", "recurrent", "initial",
    "subsequent", "sequela", "stage", "type", "1", "2", "3", "4", "5", "i", "ii", "iii", "iv",
    "a", "b", "with", "w", "w/", "of", "without", "wo", "in", "on", "to", "due", "exacerbation",
    "severe", "mild", "moderate", "uncontrolled", "controlled", "unstable", "stable",
    "systolic", "diastolic", "combined", "primary", "secondary", "essential", "malignant",
    "benign", "upper", "lower", "anterior", "posterior", "closed", "open", "displaced",
    "nondisplaced", "hyperglycemia", "hypoglycemia", "insulin", "diabetic", "hypertensive",
    "esrd", "end", "ckd", "encounter",
))
# words a mention never reaches over (they join two conditions, not one)
BREAK_WORDS = frozenset(("no", "not", "and", "or", "but", "plus", "then", "also", "now", "is", "was",
                         "are", "were", "has", "had", "have", "for", "continue", "start",
                         "plan", "this", "that", "these", "after", "before", "at",
                         "he", "she", "patient", "pt", "who", "which", "by", "from", "as",
                         "today", "yesterday", "been", "be", "being", "will", "would"))
EDGE_WORDS = frozenset(("with", "w", "w/", "of", "without", "wo", "w/o", "in", "on", "to",
                        "due", "a", "an", "the", "stage", "and", "or"))
PASSABLE = frozenset(("the", "a", "an", "his", "her", "both"))
LINKS = frozenset(("due", "secondary"))  # "due to", "secondary to": two conditions (I.A.15)
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]]|\.\s|\n\s*\n")
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")
REACH = 5  # words a mention widens over on each side, at most
CACHED_WORDS = 1 << 17  # note words whose stems are remembered


@dataclass(frozen=True, slots=True)
class Mention:
    """A condition named in a sentence: its words (token positions, inclusive), the main
    terms that triggered it, and the query the search is asked."""

    first: int
    last: int
    main_terms: tuple[str, ...]
    query: str
    start: int
    end: int
    cores: tuple[tuple[int, int], ...] = ()  # each trigger's own words (token positions)
    code: str | None = None  # the own code of its main term, when one main term triggered it
    weak: bool = False  # its triggers name no condition alone ("defect"): only with its words
    numbers: tuple[int, ...] = ()  # its main terms' numbers in the matcher, one per core


@dataclass(slots=True)
class _MainTerm:
    title: str
    vocabulary: frozenset[str]
    weak: bool
    code: str | None = None  # the main term's own code, written alone ("Edema R60.9")
    acronym: bool = False  # "ALTE", "TAC": only the word itself, never another of its stem
    # its own nonessential words that no subterm has ("Marrow (bone)"): they name the organ,
    # so beside a weak trigger they are no company ("bone marrow biopsy" names no condition)
    naming: frozenset[str] = frozenset()


class ConceptMatcher:
    """The trigger trie and vocabularies of one release's index (see the module notes)."""

    def __init__(self, index_terms: list[IndexTerm], lexicon: Lexicon,
                 site_words: frozenset[str] = frozenset()):
        self.lexicon = lexicon
        self.site_words = site_words  # the Neoplasm table's site stems (see _by_site)
        self.stopwords = lexicon.stopwords
        self.main_terms: list[_MainTerm] = []
        self.triggers: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        self.strong: set[str] = set()  # abbreviations: a condition on their own
        self._stems: dict[str, str] = {}
        by_phrase: dict[tuple[str, ...], int] = {}
        sent_to: list[tuple[int, str]] = []  # (main term, the main term its "see" names)
        for term in index_terms:
            self._add_main_term(term, by_phrase, sent_to)
        self._add_targets_vocabulary(by_phrase, sent_to)
        self._add_abbreviations(by_phrase)
        for entries in self.triggers.values():
            entries.sort(key=lambda entry: -len(entry[0]))

    # -- building -----------------------------------------------------------------------

    def _add_main_term(self, term: IndexTerm, by_phrase: dict[tuple[str, ...], int],
                       sent_to: list[tuple[int, str]]) -> None:
        if term.code is None and not term.subterms and not _names_condition(term.see):
            return  # "Knee - see condition": a pointer, no condition of its own
        essential, _ = split_optional(term.title)
        vocabulary: set[str] = set()
        _collect(term, vocabulary, self.stopwords)
        if term.see:  # "Smoker - see Dependence, drug, nicotine": the target's words join
            vocabulary.update(terms(term.see, self.stopwords))
        if _by_site(term):  # "liver metastases", "bladder tumor": the table's sites join
            vocabulary.update(self.site_words)
        forms = [form for form in essential.split(",") if form.strip()]
        lead = forms[0].strip().lower() if forms else ""
        for variant in forms:
            if variant.strip().lower()[:3] != lead[:3]:
                continue  # "Contamination, food": a qualifier, not another name of the term
            phrase = tuple(terms(variant, self.stopwords))
            if not phrase or (len(phrase) == 1 and phrase[0] in NOT_TRIGGERS
                              and phrase[0] not in WEAK_TRIGGERS) or phrase in NEVER_TRIGGERS:
                continue
            if any(not word.isalpha() for word in phrase) and len(phrase) == 1:
                continue
            known = by_phrase.get(phrase)
            if term.see:
                sent_to.append((len(self.main_terms) if known is None else known,
                                      term.see.split(",")[0]))
            if known is not None:  # the same words as another main term: one vocabulary
                self.main_terms[known].vocabulary |= vocabulary
                self.main_terms[known].naming &= _naming_words(term, self.stopwords)
                self.main_terms[known].code = self.main_terms[known].code or \
                    _own_code(term, essential)
                if term.code is not None and phrase[0] not in WEAK_TRIGGERS \
                        and phrase[0] not in NEEDS_COMPANY:
                    self.main_terms[known].weak = False
                continue
            number = len(self.main_terms)
            # a one-word main term with no code of its own ("Milk", "Abdomen", "Discharge")
            # names no condition until a subterm's word joins it ("milk leg", "acute abdomen")
            weak = len(phrase) == 1 and (phrase[0] in WEAK_TRIGGERS or phrase[0] in NEEDS_COMPANY
                                         or (term.code is None and not _names_condition(
                                             term.see or term.see_also)))
            acronym = len(phrase) == 1 and variant.strip().isupper() and len(variant.strip()) > 2
            self.main_terms.append(_MainTerm(term.title, frozenset(vocabulary), weak,
                                             _own_code(term, essential), acronym,
                                             _naming_words(term, self.stopwords)))
            by_phrase[phrase] = number
            self.triggers.setdefault(phrase[0], []).append((phrase, number))

    def _add_targets_vocabulary(self, by_phrase: dict[tuple[str, ...], int],
                                sent_to: list[tuple[int, str]]) -> None:
        """A main term that sends the coder to another ("Varices - see Varix") takes that
        one's vocabulary too: its subterms' words are the first's ("esophageal varices")."""
        for number, target in sent_to:
            found = by_phrase.get(tuple(terms(split_optional(target)[0], self.stopwords)))
            if found is not None and found != number:
                self.main_terms[number].vocabulary |= self.main_terms[found].vocabulary

    def _add_abbreviations(self, by_phrase: dict[tuple[str, ...], int]) -> None:
        """A lexicon abbreviation triggers when what it stands for holds a main term: its
        vocabulary is that main term's."""
        for short, meaning in self.lexicon.abbreviations.items():
            if not meaning or len(short) != 1 or len(short[0]) < 2 \
                    or _ORDINAL.match(short[0]):
                continue  # "5th" is a number ("the 5th rib"), never "Fifth disease"
            stems = terms(" ".join(meaning), self.stopwords)
            number = next((by_phrase[(word,)] for word in reversed(stems) if (word,) in by_phrase
                           and not self.main_terms[by_phrase[(word,)]].weak), None)
            if number is None:
                number = next((by_phrase[(word,)] for word in reversed(stems)
                               if (word,) in by_phrase), None)
            phrase: tuple[str, ...] = ()
            if number is None and stems:  # "CMV": the main term "Cytomegalovirus infection"
                phrase, number = next(((words, found) for words, found
                                       in self.triggers.get(stems[0], ())
                                       if words[:len(stems)] == tuple(stems)), ((), None))
            if number is None:
                continue
            key = short[0]
            self.triggers.setdefault(key, []).append(((key,), number))
            self.strong.add(key)
            main = self.main_terms[number]
            main.vocabulary = main.vocabulary | frozenset(stems) | frozenset(phrase)

    # -- matching ----------------------------------------------------------------------

    def mentions(self, text: str, sentence: Sentence) -> list[Mention]:
        """The conditions a sentence names (see the module notes)."""
        tokens = sentence.tokens
        if not tokens:
            return []
        stems = self.stems(tokens)
        triggers = self.triggers
        if not any(token.norm in triggers or stem_ in triggers
                   for token, stem_ in zip(tokens, stems)):
            return []  # no word of the sentence opens a trigger (most sentences)
        breaks = _breaks(text, tokens)
        found: list[tuple[int, int, list[int], list[tuple[int, int]]]] = []
        position = 0
        while position < len(tokens):
            if tokens[position].norm not in triggers and stems[position] not in triggers:
                position += 1
                continue
            hit = None if _after_non(text, tokens, position) else \
                self._trigger_at(tokens, stems, position, breaks)
            if hit is None:
                position += 1
                continue
            length, number = hit
            first, last = self._widen(tokens, stems, breaks, position, position + length - 1,
                                      number)
            if _after_non(text, tokens, first):
                first -= 1  # "non-alcoholic fatty liver": the prefix is the words' own
            main = self.main_terms[number]
            if not main.weak or tokens[position].norm in self.strong or any(
                    stems[at] not in main.naming for at in chain(
                        range(first, position), range(position + length, last + 1))):
                found.append((first, last, [number], [(position, position + length - 1)]))
            position += length
        return [self._mention(text, tokens, first, last, numbers, cores)
                for first, last, numbers, cores in _merged(found)]

    def _trigger_at(self, tokens: tuple[Token, ...], stems: list[str], position: int,
                    breaks: list[bool]) -> tuple[int, int] | None:
        token = tokens[position]
        if len(token.norm) == 1 or (len(token.norm) == 2 and not token.text.isupper()
                                    and not token.norm.isdigit()):
            return None  # "no", "as", "ms": a short abbreviation counts only in capitals;
            # a letter alone ("H.V.P.D.", "A-H interval") is never one
        if token.norm in FALSE_FRIENDS or (position and tokens[position - 1].norm in
                                           NAMED_OTHERWISE.get(stems[position], ())):
            return None
        for key in (token.norm, stems[position]):
            for phrase, number in self.triggers.get(key, ()):
                if key != token.norm and phrase[0] in self.strong:
                    continue  # an abbreviation is its letters ("DOE"), never a stem ("does")
                if key == token.norm != _stem(key) and phrase[0] not in self.strong:
                    continue  # a word that is another's stem: "nervous" (of "nervous
                    # system") is not "nervousness"
                length = len(phrase)
                if length == 1:
                    main = self.main_terms[number]
                    if main.acronym and token.norm != fold_title(main.title):
                        continue
                    return 1, number
                if position + length <= len(stems) and \
                        tuple(stems[position:position + length]) == phrase and \
                        not any(breaks[position + 1:position + length]):
                    return length, number
        return None

    def _widen(self, tokens: tuple[Token, ...], stems: list[str], breaks: list[bool],
               first: int, last: int, number: int) -> tuple[int, int]:
        vocabulary = self.main_terms[number].vocabulary
        start, end = first, last
        position = first - 1
        while position >= 0 and first - position <= REACH and not breaks[position + 1]:
            norm = tokens[position].norm
            if norm in BREAK_WORDS or not (self._known(stems[position], vocabulary)
                                           or norm in PASSABLE
                                           or stems[position] in MODIFIER_WORDS):
                break
            start = position
            position -= 1
        position = last + 1
        while position < len(tokens) and position - last <= REACH and not breaks[position]:
            norm = tokens[position].norm
            if norm in BREAK_WORDS or not (self._known(stems[position], vocabulary)
                                           or norm in PASSABLE
                                           or stems[position] in MODIFIER_WORDS):
                break
            end = position
            position += 1
        while start < first and tokens[start].norm in EDGE_WORDS:
            start += 1
        while end > last and tokens[end].norm in EDGE_WORDS:
            end -= 1
        return start, end

    def redefined(self, sentence: Sentence, mention: Mention, defined: dict[str, str]) -> bool:
        """A mention of one word that the note defines as something its main terms are not
        ("fluorescein angiography (FFA)": not FFA, frontal fibrosing alopecia), from
        :func:`~chartwell.cac.text.defined_abbreviations`."""
        if mention.first != mention.last:
            return False
        long_form = defined.get(sentence.tokens[mention.first].text)
        if long_form is None:
            return False
        said = frozenset(terms(long_form, self.stopwords))
        return all(said.isdisjoint(self.main_terms[number].vocabulary)
                   for number in mention.numbers)

    def stems(self, tokens: tuple[Token, ...]) -> list[str]:
        """The sentence's words as :meth:`_read` reads them (remembered per word)."""
        known = self._stems
        found = []
        for token in tokens:
            stem_ = known.get(token.norm)
            if stem_ is None:
                stem_ = known[token.norm] = self._read(token.norm)
                if len(known) > CACHED_WORDS:
                    known.pop(next(iter(known)))
            found.append(stem_)
        return found

    def _read(self, word: str) -> str:
        """A note's word as a stem, a known misspelling or variant of the lexicon's first
        corrected ("metastases" -> metastasis, "distension" -> distention)."""
        return _stem(self.lexicon.misspellings.get(word, word))

    def _known(self, stem_: str, vocabulary: frozenset[str]) -> bool:
        """A stem in a main term's vocabulary, as itself or as an equivalent the lexicon
        lists ("abdominal" beside "abdomen")."""
        return stem_ in vocabulary or not vocabulary.isdisjoint(
            self.lexicon.equivalents.get(stem_, ()))

    def _mention(self, text: str, tokens: tuple[Token, ...], first: int, last: int,
                 numbers: list[int], cores: list[tuple[int, int]]) -> Mention:
        start, end = tokens[first].start, tokens[last].end
        return Mention(first, last, tuple(self.main_terms[n].title for n in numbers),
                       text[start:end], start, end, tuple(cores),
                       self.main_terms[numbers[0]].code if len(numbers) == 1 else None,
                       all(self.main_terms[n].weak for n in numbers)
                       and not any(tokens[a].norm in self.strong for a, _ in cores),
                       tuple(numbers))

    def parts(self, text: str, sentence: Sentence, mention: Mention) -> list[Mention]:
        """A mention that joined two conditions' words ("painful tumor in the right testicle",
        "sepsis due to urinary tract infection") cut before its second trigger's words: asked
        whole, such a mention matches no index entry, and each condition is looked up by its
        own main term (Section I.B.1; "due to" links two coded conditions, I.A.15). The second
        part is its trigger widened back over its own words ("urinary tract infection"), or
        starts after the link ("due to", "secondary to") where one stands between the two; the
        first part counts where the link follows it (both are conditions: "intestinal
        obstruction secondary to peritoneal carcinomatosis") or where its main term has a code
        of its own ("painful": Pain R52), not where it is a qualifier of the second
        ("reducible" hernia)."""
        cores, numbers = mention.cores, mention.numbers
        if len(cores) < 2 or len(numbers) != len(cores) or not cores[0][1] < cores[1][0]:
            return []
        tokens = sentence.tokens
        stems = self.stems(tokens)
        link = next((at for at in range(cores[0][1] + 1, cores[1][0] - 1)
                     if tokens[at].norm in LINKS and tokens[at + 1].norm == "to"), None)
        if link is None:
            cut, _ = self._widen(tokens, stems, _breaks(text, tokens), cores[1][0],
                                 cores[1][1], numbers[1])
        else:
            cut = link + 2
        cut, last = max(cut, cores[0][1] + 1), mention.last
        while cut < cores[1][0] and tokens[cut].norm in EDGE_WORDS:
            cut += 1
        end = (cut if link is None else link) - 1
        while end > cores[0][1] and tokens[end].norm in EDGE_WORDS:
            end -= 1
        found = []
        if link is not None or self.main_terms[numbers[0]].code is not None:
            found.append(self._mention(text, tokens, mention.first, end, [numbers[0]],
                                       [cores[0]]))
        second = self._mention(text, tokens, cut, last, list(numbers[1:]), list(cores[1:]))
        if not (second.weak and second.cores == ((cut, last),)):
            found.append(second)
        return found


def _names_condition(see: str | None) -> bool:
    """A cross-reference to a condition ("Smoker - see Dependence, drug, nicotine"), not to
    the condition the word qualifies ("Knee - see condition")."""
    return bool(see) and not see.strip().lower().startswith("condition")


def _by_site(term: IndexTerm) -> bool:
    """A main term the index sends to the Table of Neoplasms "by site" ("Tumor - see also
    Neoplasm, unspecified behavior, by site"; "Metastasis, deposits - see Neoplasm, secondary,
    by site"): the site is part of its name, and any row of the table may stand beside it
    (Section I.C.2: neoplasms are classified by site, the table's rows). Its vocabulary takes
    the table's site words, so that "liver metastases" is one mention."""
    if any("neoplasm" in (said or "").lower() for said in (term.see, term.see_also)):
        return True
    return any("neoplasm, secondary" in (sub.see or "").lower() for sub in term.subterms)


def _own_code(term: IndexTerm, essential: str) -> str | None:
    """The code a main term gives when written alone: only for a main term that is one
    word in its forms ("Edema, edematous"), not one whose commas add a qualifier
    ("Demineralization, bone", "Cesarean delivery, previous")."""
    forms = [form.strip().lower() for form in essential.split(",") if form.strip()]
    if term.code is None or not forms or any(form[:3] != forms[0][:3] for form in forms):
        return None
    return term.code


def fold_title(title: str) -> str:
    return split_optional(title)[0].split(",")[0].strip().lower()


def _naming_words(term: IndexTerm, stopwords: frozenset[str]) -> frozenset[str]:
    """The main term's own nonessential words that none of its subterms has."""
    own = {word for modifier in term.nonessential for word in terms(modifier, stopwords)}
    if not own:
        return frozenset()
    below: set[str] = set()
    for subterm in term.subterms:
        _collect(subterm, below, stopwords)
    return frozenset(own - below)


def _collect(term: IndexTerm, vocabulary: set[str], stopwords: frozenset[str]) -> None:
    stack = [term]
    while stack:
        node = stack.pop()
        vocabulary.update(terms(node.title, stopwords))
        for word in node.nonessential:
            vocabulary.update(terms(word, stopwords))
        stack.extend(node.subterms)


def _after_non(text: str, tokens: tuple[Token, ...], position: int) -> bool:
    """The word is written after "non-" ("non-bleeding", "non-traumatic", "non-tender"): the
    prefix says the patient has not what the word names, so it triggers nothing; a mention
    that begins with it begins with the prefix, which the search reads as the index's joined
    word ("non-alcoholic fatty liver" is Fatty liver, nonalcoholic K76.0, not alcoholic K70.0)."""
    if position == 0:
        return False
    before = tokens[position - 1]
    return before.norm == "non" and text[before.end:tokens[position].start] == "-"


def _breaks(text: str, tokens: tuple[Token, ...]) -> list[bool]:
    """breaks[i]: a clause break lies between word i - 1 and word i (the breaks are found
    in one pass over the sentence; words hold no break characters)."""
    found = [False] * len(tokens)
    at = 1
    for match in _CLAUSE_BREAK.finditer(text, tokens[0].end, tokens[-1].start):
        while at < len(tokens) and tokens[at].start < match.end():
            at += 1
        if at < len(tokens) and tokens[at - 1].end <= match.start():
            found[at] = True
    return found


def _merged(found: list[tuple[int, int, list[int], list[tuple[int, int]]]]
            ) -> list[tuple[int, int, list[int], list[tuple[int, int]]]]:
    merged: list[tuple[int, int, list[int], list[tuple[int, int]]]] = []
    for first, last, numbers, cores in sorted(found):
        if merged and first <= merged[-1][1]:
            previous = merged[-1]
            merged[-1] = (previous[0], max(previous[1], last), previous[2] + numbers,
                          previous[3] + cores)
        else:
            merged.append((first, last, numbers, cores))
    return merged


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    return stem(word)


def surface(text: str) -> list[str]:
    """The folded words of ``text`` (for tests and explanations)."""
    return raw_words(text)
