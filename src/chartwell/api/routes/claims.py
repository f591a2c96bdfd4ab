"""Claims over the API: build from a coded encounter, scrub, queue, export as 837."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["claims"])
