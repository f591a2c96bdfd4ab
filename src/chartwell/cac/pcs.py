"""Inpatient procedures to ICD-10-PCS, each character explained.

Procedures are read from where a note states them: the procedure sections (``PROCEDURES:``,
``PROCEDURE PERFORMED:``, ``OPERATION:``), one line or list item each. Each is asked of the
ICD-10-PCS search (index and table titles); a complete 7-character code is explained axis by
axis from its PCS table: section, body system, root operation, body part, approach, device,
qualifier, the way a coder builds it from the table (ICD-10-PCS Official Guidelines, A.2-A.5:
the code is built from the tables; the index only points to a table).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from chartwell.cac.context import PRESENT, assertion_of, scopes
from chartwell.cac.text import sections, sentences
from chartwell.codesets.icd10pcs.tables import explain_code

if TYPE_CHECKING:
    from chartwell.cac.pipeline import Coder, Suggestion

PCS_SCORE = 0.55
PROCEDURE_SECTIONS = frozenset({"procedures"})
_NONE = re.compile(r"^\s*(none|n/a|no procedures?)\b", re.I)
GUIDELINE = ("ICD-10-PCS Official Guidelines A.5 / B3: the code is built from its table, "
             "one value per character")


def procedures_of(text: str, coder: Coder) -> list[Suggestion]:
    """The PCS suggestions of a note (procedure sections only)."""
    from chartwell.cac.pipeline import Span, Suggestion
    note_sections = [part for part in sections(text) if part.name in PROCEDURE_SECTIONS]
    if not note_sections:
        return []
    found: dict[str, Suggestion] = {}
    for sentence in sentences(text, note_sections):
        piece = text[sentence.start:sentence.end]
        if _NONE.match(piece) or len(sentence.tokens) < 2 or len(sentence.tokens) > 25:
            continue
        assertion, _ = assertion_of(sentence, 0, len(sentence.tokens) - 1, scopes(sentence))
        if assertion != PRESENT:
            continue
        hits = coder.pcs_answer(piece.rstrip("."), PCS_SCORE)
        hits = [hit for hit in hits if hit.billable and len(hit.code) == 7]
        if not hits or hits[0].score < PCS_SCORE:
            continue
        hit = hits[0]
        if hit.code in found:
            continue
        path = tuple(hit.path) + tuple(explain(hit.code, coder.pcs_artifact))
        found[hit.code] = Suggestion(
            code=hit.code, system="icd10pcs", title=hit.title,
            spans=(Span(sentence.start, sentence.end, piece),), section=sentence.section,
            assertion=PRESENT, path=path, confidence=float(min(1.0, hit.score)),
            guideline=GUIDELINE)
    return list(found.values())


def explain(code: str, artifact) -> list[str]:
    """Each character of a PCS code with its axis and meaning (``4 Body Part: J Appendix``),
    from the code's table (the loader's :func:`explain_code`); empty without the table."""
    if artifact is None:
        return []
    table = artifact.pcs_table(code[:3])
    if table is None:
        return []
    explained = explain_code(code, {code[:3]: table})
    return [f"{item.position} {item.axis}: {item.value} {item.label}"
            for item in explained.characters]
