"""Liveness for a load balancer: public, touches no data."""

from __future__ import annotations

from fastapi import APIRouter

from chartwell.api.schemas import HealthOut

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=HealthOut)
def health() -> HealthOut:
    return HealthOut()
