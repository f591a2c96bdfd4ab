"""What payers send back: remittances (835) posted to claims, and acknowledgments (999, 277CA)."""

from __future__ import annotations
