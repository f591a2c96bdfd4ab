"""ICD-10-CM code forms: as in the CMS text files (``E1140``) and as coders write them
(``E11.40``)."""

from __future__ import annotations

import re

# A letter, then letters or digits (FY2026 brought the first category with a letter second: QA0).
RAW_CODE = re.compile(r"[A-Z][0-9A-Z]{2,6}")  # as in the CMS text files: E1140
DOTTED_CODE = re.compile(r"[A-Z][0-9A-Z]{2}(?:\.[0-9A-Z]{1,4})?")  # as coders write it: E11.40


def dotted(raw: str) -> str:
    """``E1140`` -> ``E11.40``; a 3-character category keeps no dot (``E11``)."""
    return raw if len(raw) <= 3 else f"{raw[:3]}.{raw[3:]}"


def undotted(code: str) -> str:
    """``E11.40`` -> ``E1140``."""
    return code.replace(".", "")
