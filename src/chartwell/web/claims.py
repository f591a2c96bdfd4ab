"""The claim pages: a claim with its scrubber findings, the CMS-1500 print."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
