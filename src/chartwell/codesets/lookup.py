"""What every lookup shares: the form a code is written in, which system a code's shape says it
belongs to, and the ICD-10-CM 7th-character rule in force on a code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from chartwell.codesets.artifact import Artifact
from chartwell.codesets.cpt import CPT_CODE
from chartwell.codesets.hcpcs import LEVEL_II_CODE, MODIFIER_CODE
from chartwell.codesets.icd10cm._codes import dotted, undotted
from chartwell.codesets.model import CodeSystem, SeventhCharacter

PCS_CODE = re.compile(r"[0-9A-HJ-NP-Z]{7}")
PCS_TABLE = re.compile(r"[0-9A-HJ-NP-Z]{3}")
CM_SHAPE = re.compile(r"[A-Z][0-9A-Z]{2}(?:\.?[0-9A-Z]{1,4})?")
SEVENTH_LENGTH = 7  # an ICD-10-CM code with a 7th character has 7 characters without its dot


@lru_cache(maxsize=65536)
def infer_system(code: str) -> CodeSystem:
    """The system a code's shape says: 7 letters or digits without a dot = ICD-10-PCS, a letter
    and 4 digits = HCPCS, 5 digits or 4 digits and F/T/U = CPT, anything else ICD-10-CM. A
    2-character code is taken for a HCPCS modifier."""
    code = code.strip().upper()
    if "." in code:
        return CodeSystem.ICD10CM
    if CPT_CODE.fullmatch(code):
        return CodeSystem.CPT
    if LEVEL_II_CODE.fullmatch(code):
        return CodeSystem.HCPCS
    if len(code) == 2 and MODIFIER_CODE.fullmatch(code):
        return CodeSystem.HCPCS
    if PCS_CODE.fullmatch(code) or (len(code) == 3 and code[0].isdigit()):
        return CodeSystem.ICD10PCS
    return CodeSystem.ICD10CM


def ambiguous_with_cm(code: str) -> bool:
    """A 7-character code without a dot that may be ICD-10-CM written without its dot
    (``H401130``) as well as ICD-10-PCS (``H`` is a PCS section too)."""
    code = code.strip().upper()
    return "." not in code and len(code) == 7 and code[0].isalpha() and CM_SHAPE.fullmatch(code) \
        is not None


def normalize(code: str, system: CodeSystem) -> str:
    """The code as the release stores it: ICD-10-CM with its dot, the others upper case."""
    code = code.strip().upper()
    if system is CodeSystem.ICD10CM:
        return dotted(undotted(code))
    return code


# -- ICD-10-CM 7th characters ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeventhRule:
    """The 7th characters a code takes, and where the rule is written (a tabular key, or
    ``None`` when read off the release's own 7-character codes)."""

    characters: tuple[SeventhCharacter, ...]
    source: str | None

    @property
    def letters(self) -> str:
        return "/".join(item.character for item in self.characters)

    def meaning(self, character: str) -> str | None:
        return next((item.meaning for item in self.characters if item.character == character),
                    None)


def seventh_rule(artifact: Artifact, code: str) -> SeventhRule | None:
    """The 7th-character rule in force on ``code`` (a code of up to 6 characters, or the first
    6 of a 7-character code): the nearest tabular ancestor's ``sevenChrDef``. A release installed
    without its tabular list (or whose tabular lacks the category) has the rule read off its
    own codes: a header whose codes are all
    its title, a comma and a 7th character's meaning (natural 7-character codes such as
    ``C44.1021`` are not titled so)."""
    base = code if len(undotted(code)) < SEVENTH_LENGTH else dotted(undotted(code)[:6])
    chain = artifact.tabular_chain(base)
    for node in chain:
        if node.seventh_characters:
            return SeventhRule(node.seventh_characters, node.key)
    if chain:
        return None
    padded = padded_base(base)
    parent = artifact.code(padded) or artifact.code(base)
    if parent is None or not parent.long_title:
        return None
    prefix = f"{parent.long_title}, "
    children = [row for row in artifact.descendants(padded, billable=True, limit=40)
                if len(undotted(row.code)) == SEVENTH_LENGTH]
    if not children or not all(row.long_title.startswith(prefix) for row in children):
        return None
    return SeventhRule(tuple(SeventhCharacter(row.code[-1], row.long_title[len(prefix):])
                             for row in children), None)


def padded_base(code: str) -> str:
    """The first six characters of a code that takes a 7th, placeholder X's filling the gap:
    ``T36.01`` stays, ``S06.0`` -> ``S06.0XX``."""
    raw = undotted(code)
    return dotted(raw + "X" * (6 - len(raw))) if len(raw) < 6 else dotted(raw[:6])


def placeholder_candidates(code: str) -> list[str]:
    """Ways to read a code of 5 or 6 characters ending in a 7th character as one with
    placeholder X's left out: ``T3601A`` -> ``T360X1A``, ``T36X01A`` ...; ``S060A`` ->
    ``S060XXA``."""
    raw = undotted(code)
    if not 5 <= len(raw) <= 6:
        return []
    missing, body, seventh = SEVENTH_LENGTH - len(raw), raw[3:-1], raw[-1]
    found: list[str] = []

    def insert(rest: str, left: int, built: str) -> None:
        if left == 0:
            found.append(built + rest)
            return
        for position in range(len(rest) + 1):
            insert(rest[position:], left - 1, built + rest[:position] + "X")

    insert(body, missing, "")
    return list(dict.fromkeys(dotted(raw[:3] + middle + seventh) for middle in found))
