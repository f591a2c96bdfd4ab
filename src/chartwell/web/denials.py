"""The denial worklist page: denied and underpaid claims by reason, payer and age."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
