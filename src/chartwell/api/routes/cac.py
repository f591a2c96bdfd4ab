"""Computer-assisted coding over the API: a note in, suggestions with evidence out."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["cac"])
