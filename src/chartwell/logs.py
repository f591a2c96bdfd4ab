"""Logging under the one root name ``chartwell``, configured only by the CLI and the server.

Patient data never reaches a log: a filter on the root handler masks identifiers that look like
PHI (SSN, phone, dates of birth, MRNs, e-mail) in every record, as a last line of defence behind
the rule that code logs ids and counts, never note text or names.
"""

from __future__ import annotations

import logging
import re
import sys

ROOT = "chartwell"

_PHI_PATTERNS = [
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "[SSN]"),
    (re.compile(r"(?:\(\d{3}\)\s*|\b\d{3}[-. ])\d{3}[-. ]\d{4}\b"), "[PHONE]"),
    (re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b"), "[EMAIL]"),
    (re.compile(r"\b(?:19|20)\d{2}-\d{2}-\d{2}\b"), "[DATE]"),
    (re.compile(r"\bMRN[:# ]*\w+", re.IGNORECASE), "[MRN]"),
]


def mask_phi(text: str) -> str:
    for pattern, replacement in _PHI_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class PhiFilter(logging.Filter):
    """Rewrites each record's message with :func:`mask_phi`; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_phi(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record is emitted, not the stream of the
    moment it was made (a test runner swaps stderr per command run in-process)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(level: str = "INFO") -> None:
    """Called once by the CLI or the server; libraries never configure logging."""
    handler = _CurrentStderr()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PhiFilter())
    root = logging.getLogger(ROOT)
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    for name in ("uvicorn.access",):
        # the access log carries query strings, which can hold a searched name
        logging.getLogger(name).disabled = True
