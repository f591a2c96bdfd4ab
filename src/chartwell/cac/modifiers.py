"""The words that choose among a condition's codes, read from the whole sentence: laterality,
acuity (acute, chronic, acute on chronic), stage (CKD stage, pressure ulcer stage), the episode
of care of an injury (7th character A initial, D subsequent, S sequela).

A coder writes "fracture of left femur, subsequent encounter"; a clinician writes "Left femur
fracture. Here for follow-up after ORIF". The mention the matcher finds holds the condition's
words; these are the words around it, outside the mention, that the search needs to complete
the code the way a coder would (the engine then prefers the codes whose titles carry them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chartwell.cac.text import Sentence

LATERALITY = {"left": "left", "lt": "left", "l": "left", "right": "right", "rt": "right",
              "r": "right", "bilateral": "bilateral", "b/l": "bilateral", "bilat": "bilateral",
              "both": "bilateral"}
ACUITY = {"acute": "acute", "chronic": "chronic", "subacute": "subacute",
          "exacerbation": "acute", "exacerbated": "acute", "decompensated": "acute",
          "flare": "acute"}
_ACUTE_ON_CHRONIC = re.compile(r"\bacute(?:ly)?\s+on\s+chronic\b", re.I)
_STAGE = re.compile(r"\b(?:stage|ckd)\s*(I{1,3}V?|IV|V|[1-5][ab]?)\b|\bESRD\b|\bend[- ]stage\b",
                    re.I)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5"}
EPISODE_WORDS = {
    "initial": ("initial encounter", "A"),
    "subsequent": ("subsequent encounter", "D"),
    "follow-up": ("subsequent encounter", "D"),
    "followup": ("subsequent encounter", "D"),
    "routine healing": ("subsequent encounter", "D"),
    "sequela": ("sequela", "S"),
    "sequelae": ("sequela", "S"),
    "late effect": ("sequela", "S"),
}
_EPISODE = re.compile(r"\b(initial|subsequent|follow[- ]?up|routine healing|sequelae?|"
                      r"late effect)\b", re.I)


@dataclass(frozen=True, slots=True)
class Modifiers:
    """What the sentence says beyond the mention (None where it says nothing)."""

    laterality: str | None = None
    acuity: str | None = None
    stage: str | None = None
    episode: str | None = None  # A, D or S

    def words(self, mention: str) -> list[str]:
        """The words to add to the mention's query, those it does not already hold."""
        held = mention.lower()
        added = []
        if self.laterality and self.laterality not in held:
            added.append(self.laterality)
        if self.acuity == "acute on chronic" and "acute on chronic" not in held:
            added.append("acute on chronic")
        elif self.acuity and self.acuity not in held and "acute on chronic" not in held:
            added.append(self.acuity)
        if self.stage and "stage" not in held and "esrd" not in held:
            added.append(self.stage)
        if self.episode:
            phrase = {"A": "initial encounter", "D": "subsequent encounter",
                      "S": "sequela"}[self.episode]
            if phrase.split()[0] not in held:
                added.append(phrase)
        return added


def read_modifiers(text: str, sentence: Sentence, first: int, last: int,
                   *, injury: bool = False) -> Modifiers:
    """The modifiers of the condition at words ``first``..``last`` of ``sentence``, read from
    the rest of the sentence (the episode only for an injury)."""
    tokens = sentence.tokens
    outside = {token.norm for token in tokens[:first]} | {token.norm for token in tokens[last + 1:]}
    laterality = _one(LATERALITY[word] for word in outside & LATERALITY.keys()
                      if word not in ("l", "r") or injury)
    piece = text[sentence.start:sentence.end]
    acuity = "acute on chronic" if _ACUTE_ON_CHRONIC.search(piece) else \
        _one(ACUITY[word] for word in outside & ACUITY.keys())
    stage = None
    if match := _STAGE.search(piece):
        if match.group(1):
            value = match.group(1).lower()
            stage = f"stage {_ROMAN.get(value, value)}"
        else:
            stage = "end stage"
    episode = None
    if injury and (match := _EPISODE.search(piece)):
        key = match.group(1).lower().replace(" ", "-") if "follow" in match.group(1).lower() \
            else match.group(1).lower()
        episode = EPISODE_WORDS.get(key, EPISODE_WORDS.get(key.replace("-", ""), (None, None)))[1]
    return Modifiers(laterality, acuity, stage, episode)


def _one(values) -> str | None:
    """The single value said, or None when none or two different ones are."""
    found = {value for value in values if value}
    return found.pop() if len(found) == 1 else None
