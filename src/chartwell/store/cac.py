"""What coders decided about computer-assisted coding suggestions.

One ``cac_decisions`` row per decision, written once and never changed: a coder who rejects a
suggestion and later accepts it leaves two rows, and the newest is the one in force. A row names
the note (document and the version that was coded), the code, and the evidence as character
offsets into that version -- never the note's words, which stay in ``document_versions``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from chartwell.store.tables import Base, Timestamp, _fk, _pk


class CacDecisionRow(Base):
    __tablename__ = "cac_decisions"
    id: Mapped[uuid.UUID] = _pk()
    encounter_id: Mapped[uuid.UUID] = _fk("encounters.id", nullable=False)
    document_id: Mapped[uuid.UUID] = _fk("documents.id", nullable=False, index=False)
    document_version: Mapped[int] = mapped_column(Integer)  # the version whose text was coded
    code: Mapped[str] = mapped_column(String(20))
    code_system: Mapped[str] = mapped_column(String(20))  # icd10cm / icd10pcs
    decision: Mapped[str] = mapped_column(String(10))  # accepted / rejected
    reason: Mapped[str | None] = mapped_column(String(40))  # a rejection's reason (a choice)
    spans: Mapped[list] = mapped_column(JSON)  # [[start, end], ...] into that version's text
    decided_by: Mapped[str] = mapped_column(String(80))  # the username
    decided_at: Mapped[datetime] = mapped_column(Timestamp)


def add_decision(session: Session, row: CacDecisionRow) -> CacDecisionRow:
    session.add(row)
    session.flush()
    return row


def decisions_of(session: Session, encounter_id: uuid.UUID) -> list[CacDecisionRow]:
    """The encounter's decisions, oldest first (so the last one per code is the one in force)."""
    return list(session.scalars(
        select(CacDecisionRow).where(CacDecisionRow.encounter_id == encounter_id)
        .order_by(CacDecisionRow.decided_at, CacDecisionRow.id)))
