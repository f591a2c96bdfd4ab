"""Whether a condition named in a note is the patient's, now: negated, uncertain, past, a
family member's or hypothetical (a ConText-style algorithm, written for Chartwell).

How it reads a sentence: trigger phrases ("no", "denies", "possible", "history of", "mother",
"if") open a *scope* running forward (or backward, for "... was ruled out", "... unlikely")
over the sentence's words until a terminating word ("but", "however", "presents", "which") or
the end of a window of words; a condition whose first word lies in a scope takes the trigger's
assertion. *Pseudo-triggers* are phrases that contain a trigger but do not mean it ("no
increase", "not only", "gram negative", "without difficulty") and are skipped. The section a
sentence is in decides too: everything in the family history is a family member's.

The assertion names are those of the CAC answer (DESIGN.md): ``present``, ``negated``,
``possible``, ``history``, ``family``, ``hypothetical``. Where several triggers cover a
condition, the strongest wins: negated > family > hypothetical > possible > history.
"""

from __future__ import annotations

from dataclasses import dataclass

from chartwell.cac.text import Sentence

PRESENT, NEGATED, POSSIBLE = "present", "negated", "possible"
HISTORY, FAMILY, HYPOTHETICAL = "history", "family", "hypothetical"
ASSERTIONS = (PRESENT, NEGATED, POSSIBLE, HISTORY, FAMILY, HYPOTHETICAL)
STRENGTH = {NEGATED: 5, FAMILY: 4, HYPOTHETICAL: 3, POSSIBLE: 2, HISTORY: 1, PRESENT: 0}
FORWARD, BACKWARD = "forward", "backward"
WINDOW = 8  # words a scope runs over, at most


@dataclass(frozen=True, slots=True)
class Trigger:
    phrase: tuple[str, ...]
    assertion: str
    direction: str
    window: int = WINDOW


def _triggers(assertion: str, direction: str, phrases: str, window: int = WINDOW
              ) -> list[Trigger]:
    return [Trigger(tuple(phrase.split()), assertion, direction, window)
            for phrase in phrases.split("|")]


TRIGGERS: list[Trigger] = [
    *_triggers(NEGATED, FORWARD,
               "no|not|denies|denied|deny|denying|without|negative for|neg for|free of|"
               "no evidence of|no signs of|no sign of|no symptoms of|no history of|"
               "no h/o|no hx of|absence of|absent|never had|never|ruled out|rules out|ruling out|"
               "rule out for|nor|no new|no further evidence of|not have|"
               "did not have|does not have|no complaints of|fails to reveal|"
               "negative|unremarkable for|wnl for|no acute|not demonstrate|"
               "no findings of|no suspicious|no suggestion of|not consistent with|"
               "no radiographic evidence of|no significant|no known"),
    *_triggers(NEGATED, BACKWARD,
               "ruled out|was ruled out|is ruled out|been ruled out|are ruled out|"
               "negative|not seen|is absent|are absent|was negative|were negative|"
               "is not present|unlikely|"
               "was excluded|excluded", 5),
    *_triggers(POSSIBLE, FORWARD,
               "possible|possibly|probable|probably|likely|suspected|suspicion of|"
               "suspect|suspicious for|concern for|concerning for|questionable|"
               "question of|r/o|rule out|rule-out|ro|versus|vs|differential|"
               "differential diagnosis|may be|may have|might have|could be|"
               "cannot rule out|cannot exclude|can not rule out|not excluded|"
               "presumed|presumptive|compatible with|consistent with|suggestive of|"
               "suggests|suggesting|worrisome for|evaluate for|evaluation for|"
               "workup for|work up for|w/u for|?|borderline|apparent|"
               "versus possible|impending|threatened"),
    *_triggers(POSSIBLE, BACKWARD,
               "is possible|is likely|is suspected|is probable|was suspected|"
               "is questioned|not excluded|cannot be excluded|cannot be ruled out|"
               "vs|versus|?|suspected", 4),
    *_triggers(HISTORY, FORWARD,
               "history of|h/o|hx of|hx|previous|previously|prior|prior history of|"
               "past history of|status post|s/p|remote history of|in the past|"
               "childhood|as a child|resolved|former|formerly|old|healed|"
               "personal history of|past"),
    *_triggers(HISTORY, BACKWARD,
               "in the past|in childhood|years ago|as a child|as a teenager|"
               "as a teen|previously|in remission|resolved|healed", 5),
    *_triggers(FAMILY, FORWARD,
               "family history of|family history|fh of|fhx of|fh|fhx|mother|father|"
               "sister|brother|sibling|siblings|aunt|uncle|grandmother|grandfather|"
               "cousin|son|daughter|parent|parents|maternal|paternal|mom|dad|"
               "family member|family members|relative|relatives|grandparent|"
               "grandparents|twin|niece|nephew"),
    *_triggers(FAMILY, BACKWARD, "in the family|runs in the family|in family|in her mother|"
               "in his mother|in her father|in his father|in mother|in father", 5),
    # "DVT prophylaxis", "stress ulcer prophylaxis": what is prevented is not present
    *_triggers(HYPOTHETICAL, BACKWARD, "prophylaxis|prevention", 3),
    *_triggers(HYPOTHETICAL, FORWARD,
               "if|should|in case of|return for|return if|call for|call if|"
               "watch for|monitor for|look for|warning signs of|signs of|"
               "return with|return precautions for|precautions for|risk of|"
               "at risk for|risk for|prevent|prevention of|prophylaxis|"
               "prophylaxis for|to prevent|in the event of|screening for|screen for|"
               "educated on|education on|counseled on|counseled about|instructed on|"
               "discussed|reviewed"),
]
PSEUDO: frozenset[tuple[str, ...]] = frozenset(tuple(phrase.split()) for phrase in (
    "no increase|no change|no significant change|not only|no further|not necessarily|"
    "not certain whether|not ruled out|without difficulty|without complication|"
    "without complications|gram negative|not cause|not drain|no interval change|"
    "not extend|negative for change|no longer|without any further|"
    "history of present illness|history and physical|"
    "past medical history|past surgical history|social history|"
    "if any|if needed|if necessary|even if|as if|what if|see if|"
    "father of|mother of|brother of|sister of|"
    "positive for|prior to|previously noted|old age|years old|year old|"
    "previous visit|prior visit|past week|past month|past year|past few|"
    "past several|past two|past 2|past 3|past three|in the past week|in the past month|"
    "in the past year|in the past few|in the past several|in the past day|in the past 24|"
    "in the past two|in the past 2|in the past 3|likely due to|likely secondary to|"
    "likely from|most likely|discussed with|reviewed with|reviewed and|"
    "should be|signs of life").split("|"))
TERMINATORS = frozenset((
    "but", "however", "although", "though", "yet", "except", "aside", "apart", "which",
    "who", "presents", "presented", "presenting", "complains", "reports", "reported",
    "states", "admits", "because", "since", "secondary", "due", "cause", "causes",
    "etiology", "origin", "source", "now", "currently", "today", "still", "remains",
    "diagnosed", "admitted", "developed", "found", "noted", "shows", "showed", "revealed",
    "reveals", "demonstrates", "demonstrated", "confirmed", "positive", "treated",
    "started", "continue", "continues", "history", "with",
))
_DURATION_UNITS = frozenset(("hour", "hours", "day", "days", "week", "weeks", "month", "months",
                             "year", "years"))
_DURATION_COUNTS = frozenset(("a", "an", "one", "two", "three", "four", "five", "six", "seven",
                              "eight", "nine", "ten", "several", "few", "many"))
# words that end a family scope: the patient speaking of herself again
_FAMILY_TERMINATORS = frozenset(("patient", "pt", "she", "he", "her", "his"))
_BY_FIRST: dict[str, list[Trigger]] = {}
for _trigger in TRIGGERS:
    _BY_FIRST.setdefault(_trigger.phrase[0], []).append(_trigger)
for _list in _BY_FIRST.values():
    _list.sort(key=lambda trigger: -len(trigger.phrase))
# a pseudo-trigger's first word -> the lengths of those it starts, longest first (most words
# start none, and are passed over at once)
_PSEUDO_LENGTHS: dict[str, tuple[int, ...]] = {}
for _phrase in PSEUDO:
    _PSEUDO_LENGTHS[_phrase[0]] = tuple(sorted(
        {len(_phrase), *_PSEUDO_LENGTHS.get(_phrase[0], ())}, reverse=True))
SECTION_ASSERTIONS = {"family_history": FAMILY}


@dataclass(frozen=True, slots=True)
class Scope:
    """Words ``first``..``last`` (token positions, inclusive) of a sentence carry
    ``assertion`` because of the trigger at ``trigger_at``."""

    assertion: str
    first: int
    last: int
    trigger: str
    trigger_at: int


def scopes(sentence: Sentence) -> list[Scope]:
    """The scopes the triggers of a sentence open."""
    norms = [token.norm for token in sentence.tokens]
    found: list[Scope] = []
    position = 0
    count = len(norms)
    while position < count:
        pseudo = _pseudo_at(norms, position)
        if pseudo:
            position += pseudo
            continue
        trigger = _trigger_at(norms, position)
        if trigger is None:
            position += 1
            continue
        end = position + len(trigger.phrase)
        if trigger.assertion == HISTORY and _duration_before(norms, position):
            position = end  # "a 2-month history of fever": how long, not a past condition
            continue
        if trigger.direction == FORWARD:
            last = _forward_end(norms, end, trigger)
            if last >= end:
                found.append(Scope(trigger.assertion, end, last, " ".join(trigger.phrase),
                                   position))
        else:
            first = _backward_start(norms, position - 1, trigger)
            if first < position:
                found.append(Scope(trigger.assertion, first, position - 1,
                                   " ".join(trigger.phrase), position))
        position = end
    return found


def _pseudo_at(norms: list[str], position: int) -> int:
    """The length of the longest pseudo-trigger starting at ``position`` (0: none)."""
    lengths = _PSEUDO_LENGTHS.get(norms[position])
    if lengths:
        left = len(norms) - position
        for length in lengths:
            if length <= left and tuple(norms[position:position + length]) in PSEUDO:
                return length
    return 0


def _duration_before(norms: list[str], position: int) -> bool:
    """Whether a duration ("3 day", "two months", "5-year long") comes just before the word
    at ``position``: the present illness's length, said as a "history"."""
    before = position - 1
    if before >= 0 and norms[before] == "long":
        before -= 1
    return (before >= 1 and norms[before] in _DURATION_UNITS
            and (norms[before - 1].isdigit() or norms[before - 1] in _DURATION_COUNTS))


def _trigger_at(norms: list[str], position: int) -> Trigger | None:
    for trigger in _BY_FIRST.get(norms[position], ()):
        length = len(trigger.phrase)
        if tuple(norms[position:position + length]) == trigger.phrase:
            return trigger
    return None


def _forward_end(norms: list[str], start: int, trigger: Trigger) -> int:
    last = start - 1
    for position in range(start, min(len(norms), start + trigger.window)):
        word = norms[position]
        if word in TERMINATORS and not (trigger.assertion in (NEGATED, FAMILY)
                                        and word == "with"):
            break
        if trigger.assertion == FAMILY and word in _FAMILY_TERMINATORS:
            break
        if position > start and (other := _trigger_at(norms, position)) is not None and \
                other.assertion != trigger.assertion and _pseudo_at(norms, position) == 0:
            break
        last = position
    return last


def _backward_start(norms: list[str], start: int, trigger: Trigger) -> int:
    first = start + 1
    for position in range(start, max(-1, start - trigger.window), -1):
        if norms[position] in TERMINATORS:
            break
        first = position
    return first


def assertion_of(sentence: Sentence, first: int, last: int,
                 sentence_scopes: list[Scope] | None = None) -> tuple[str, str | None]:
    """The assertion of the condition at words ``first``..``last`` of ``sentence``, and the
    trigger (or section) that decided it (None when present)."""
    section_assertion = SECTION_ASSERTIONS.get(sentence.section or "")
    best, why = PRESENT, None
    if section_assertion:
        best, why = section_assertion, f"section: {sentence.section}"
    for scope in sentence_scopes if sentence_scopes is not None else scopes(sentence):
        if scope.first <= first <= scope.last or (scope.first <= last <= scope.last
                                                  and scope.assertion == NEGATED
                                                  and scope.trigger_at > last):
            if STRENGTH[scope.assertion] > STRENGTH[best]:
                best, why = scope.assertion, f"{scope.assertion}: \"{scope.trigger}\""
    return best, why
