"""Remittances and denials over the API: post 835 / 999 / 277CA, the denial worklist."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["remittance"])
