"""Use cases: an encounter's notes coded by the CAC, and a coder's decision on each suggestion.

The notes are the latest version of each document of the encounter, coded with the encounter's
setting (inpatient for an inpatient stay, else outpatient) and the date its code sets are chosen
by (the discharge date of a stay, else the date of service). Each suggestion comes with its
evidence as an excerpt built here from the character offsets, so the page never has to trust
markup from a note: it prints the excerpt's pieces escaped and wraps the evidence in ``<mark>``.

A decision is kept in ``cac_decisions`` (append-only: the newest per note and code is in force).
Accepting adds the code to the encounter: ICD-10-CM to the diagnoses, after the ones already
there -- or first when the CAC proposes it as the principal / first-listed diagnosis and the
encounter has none -- with POA left empty for the coder to set (CMS POA reporting guidelines:
the coder decides from the documentation); ICD-10-PCS to the procedures. Audit events carry
ids and codes, never the note's words.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from chartwell.cac.pipeline import CacResult, Coder, NotCoded, Suggestion
from chartwell.codesets.lookup import CM_SHAPE, PCS_CODE, normalize
from chartwell.codesets.model import CodeSystem
from chartwell.compliance.roles import Permission
from chartwell.domain import records as d
from chartwell.errors import Conflict, InvalidInput, NotFound, Position
from chartwell.services import audit
from chartwell.services.actor import Actor
from chartwell.services.cac import coder_for
from chartwell.services.coding import coded_encounter
from chartwell.store import cac as store
from chartwell.store import queries
from chartwell.store.records import write_batch

ACCEPTED, REJECTED = "accepted", "rejected"
DECISIONS = (ACCEPTED, REJECTED)
REJECTION_REASONS = {
    "wrong_code": "Wrong code",
    "not_supported": "Not supported by documentation",
    "negated": "Negated or ruled out",
    "other": "Other",
}
SYSTEMS = {CodeSystem.ICD10CM.value: CM_SHAPE, CodeSystem.ICD10PCS.value: PCS_CODE}
PRIMARY_ROLES = frozenset({"principal", "first-listed"})
MAX_SPANS = 20
EXCERPT_REACH = 160  # characters of context at most on either side of the evidence
_SENTENCE_ENDS = ".!?\n"
INSTALL_HINT = ("install the ICD-10-CM release with its search tables: "
                "chartwell codesets install PATH-TO-ICD10CM-FILES (the search tables are built "
                "as it installs; a release installed without them must be installed again)")


# -- the evidence excerpt (pure) -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    evidence: bool = False  # the words the suggestion came from (highlighted)


@dataclass(frozen=True, slots=True)
class Excerpt:
    """The note's words around the evidence: pieces in order, and whether the note goes on
    before and after (shown as an ellipsis)."""

    pieces: tuple[Piece, ...]
    more_before: bool = False
    more_after: bool = False


def _sentence_start(text: str, at: int) -> int:
    floor = max(0, at - EXCERPT_REACH)
    for index in range(at - 1, floor - 1, -1):
        if text[index] in _SENTENCE_ENDS:
            return index + 1
    return floor


def _sentence_end(text: str, at: int) -> int:
    ceiling = min(len(text), at + EXCERPT_REACH)
    for index in range(at, ceiling):
        if text[index] in _SENTENCE_ENDS:
            return index + 1
    return ceiling


def excerpt(text: str, spans: Sequence[tuple[int, int]]) -> Excerpt:
    """The sentence (or up to :data:`EXCERPT_REACH` characters) around the evidence spans, with
    the spans marked. Offsets outside the note are dropped, overlapping ones merged."""
    marks = _merged([(max(0, s), min(len(text), e)) for s, e in spans if 0 <= s < e <= len(text)])
    if not marks:
        return Excerpt(())
    start = _sentence_start(text, marks[0][0])
    end = _sentence_end(text, marks[-1][1])
    pieces: list[Piece] = []
    cursor = start
    for mark_start, mark_end in marks:
        if mark_start > cursor:
            pieces.append(Piece(text[cursor:mark_start]))
        pieces.append(Piece(text[mark_start:mark_end], evidence=True))
        cursor = mark_end
    if end > cursor:
        pieces.append(Piece(text[cursor:end]))
    return Excerpt(tuple(pieces), more_before=start > 0, more_after=end < len(text))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _offsets(item: Suggestion | NotCoded) -> tuple[tuple[int, int], ...]:
    return tuple((span.start, span.end) for span in item.spans)


# -- what the page and the API show ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decision:
    code: str
    system: str
    decision: str
    reason: str | None
    document_id: uuid.UUID
    document_version: int
    spans: tuple[tuple[int, int], ...]
    decided_by: str
    decided_at: datetime

    @property
    def reason_label(self) -> str | None:
        return REJECTION_REASONS.get(self.reason) if self.reason else None

    def to_json(self) -> dict:
        return {"code": self.code, "system": self.system, "decision": self.decision,
                "reason": self.reason, "document_id": str(self.document_id),
                "document_version": self.document_version,
                "spans": [{"start": s, "end": e} for s, e in self.spans],
                "decided_by": self.decided_by, "decided_at": self.decided_at.isoformat()}


@dataclass(frozen=True, slots=True)
class SuggestionView:
    suggestion: Suggestion
    evidence: Excerpt
    decision: Decision | None  # the one in force for this note and code
    already_coded: bool  # the code is on the encounter already (from this note or another)

    @property
    def offered(self) -> bool:
        """Accept / Reject buttons: not once accepted or when the encounter has the code."""
        return not self.already_coded and not (self.decision and self.decision.decision == ACCEPTED)

    def to_json(self) -> dict:
        return {**self.suggestion.to_json(), "already_coded": self.already_coded,
                "decision": self.decision.to_json() if self.decision else None}


@dataclass(frozen=True, slots=True)
class NotCodedView:
    item: NotCoded
    evidence: Excerpt


@dataclass(slots=True)
class NoteCoding:
    """One note of the encounter as coded: which document and version, and what came out."""

    document_id: uuid.UUID
    title: str
    document_type: str
    version: int
    result: CacResult
    suggestions: list[SuggestionView] = field(default_factory=list)
    not_coded: list[NotCodedView] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"document_id": str(self.document_id), "title": self.title,
                "document_type": self.document_type, "version": self.version,
                "suggestions": [view.to_json() for view in self.suggestions],
                "not_coded": [view.item.to_json() for view in self.not_coded],
                "warnings": list(self.result.warnings)}


@dataclass(slots=True)
class EncounterCac:
    """The suggestions panel: every note coded, or why the CAC could not run."""

    encounter_id: uuid.UUID
    setting: str
    on: date | None
    notes: list[NoteCoding]
    decisions: list[Decision]
    unavailable: str | None = None  # why no note was coded (no release or no search tables)
    release: str | None = None

    @property
    def available(self) -> bool:
        return self.unavailable is None

    @property
    def warnings(self) -> list[tuple[str, str]]:
        """(note title, warning) for every note's warnings."""
        return [(note.title, warning) for note in self.notes for warning in note.result.warnings]

    def to_json(self) -> dict:
        return {"encounter_id": str(self.encounter_id), "setting": self.setting,
                "date": self.on.isoformat() if self.on else None, "release": self.release,
                "available": self.available, "unavailable": self.unavailable,
                "notes": [note.to_json() for note in self.notes],
                "decisions": [item.to_json() for item in self.decisions]}


# -- reading the encounter -------------------------------------------------------------------------


@dataclass(slots=True)
class _Encounter:
    patient: d.Patient
    encounter: d.Encounter
    setting: str
    on: date | None
    coded: set[tuple[str, str]]  # (system, code) already on the encounter
    notes: list[tuple[d.Document, d.DocumentVersion]]


def _load(session: Session, encounter_id: uuid.UUID) -> _Encounter:
    encounter = queries.get_encounter(session, encounter_id)
    if encounter is None:
        raise NotFound("no such encounter")
    patient = queries.get_patient(session, encounter.patient_id)
    diagnoses = queries.diagnoses_of(session, patient.id)
    procedures = queries.procedures_of(session, patient.id)
    coded = coded_encounter(patient, encounter, diagnoses, procedures)
    setting = "inpatient" if encounter.setting is d.EncounterSetting.INPATIENT else "outpatient"
    present = {(item.code_system, item.code) for item in [*diagnoses, *procedures]
               if item.encounter_id == encounter.id}
    notes = [(document, document.versions[-1])
             for document in queries.documents_of(session, patient.id)
             if document.encounter_id == encounter.id and document.versions]
    notes.sort(key=lambda pair: (pair[0].service_date is None, pair[0].service_date, pair[0].title))
    return _Encounter(patient, encounter, setting, coded.service_date, present, notes)


def _coder(session: Session, on: date | None) -> tuple[Coder | None, str | None]:
    """The coder for the encounter's date, or why there is none (no ICD-10-CM release in force,
    or one installed without the search tables the CAC reads)."""
    try:
        return coder_for(session, on), None
    except Conflict as unusable:  # installed without search tables: the message says the fix
        return None, unusable.message
    except NotFound as missing:
        return None, f"{missing.message}; {INSTALL_HINT}"


def _decisions(session: Session, encounter_id: uuid.UUID) -> list[Decision]:
    return [Decision(row.code, row.code_system, row.decision, row.reason, row.document_id,
                     row.document_version, tuple(tuple(pair) for pair in row.spans),
                     row.decided_by, _utc(row.decided_at))
            for row in store.decisions_of(session, encounter_id)]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _in_force(decisions: list[Decision]) -> dict[tuple[uuid.UUID, str, str], Decision]:
    """The newest decision per (note, system, code)."""
    return {(item.document_id, item.system, item.code): item for item in decisions}


def _note_coding(document: d.Document, version: d.DocumentVersion, result: CacResult,
                 in_force: dict, coded: set[tuple[str, str]]) -> NoteCoding:
    note = NoteCoding(document.id, document.title, str(document.document_type),
                      version.number or 1, result)
    for item in result.suggestions:
        note.suggestions.append(SuggestionView(
            item, excerpt(version.text, _offsets(item)),
            in_force.get((document.id, item.system, item.code)),
            (item.system, item.code) in coded))
    note.not_coded = [NotCodedView(item, excerpt(version.text, _offsets(item)))
                      for item in result.not_coded]
    return note


def encounter_suggestions(*, session: Session, actor: Actor, encounter_id: uuid.UUID
                          ) -> EncounterCac:
    """Every note of the encounter coded, each suggestion with its evidence and decision."""
    audit.authorize(session, actor, Permission.CODING_READ, resource_type="Encounter",
                    resource_id=encounter_id)
    loaded = _load(session, encounter_id)
    decisions = _decisions(session, encounter_id)
    coder, why_not = _coder(session, loaded.on)
    answer = EncounterCac(encounter_id, loaded.setting, loaded.on, [], decisions, why_not,
                          coder.release if coder else None)
    if coder is not None:
        in_force = _in_force(decisions)
        for document, version in loaded.notes:
            result = coder.code(version.text, setting=loaded.setting)
            answer.notes.append(_note_coding(document, version, result, in_force, loaded.coded))
    audit.record(session, actor, "cac.encounter", resource_type="Encounter",
                 resource_id=encounter_id, patient_id=loaded.patient.id,
                 details={"notes": len(answer.notes), "available": answer.available,
                          "suggestions": sum(len(n.suggestions) for n in answer.notes)})
    return answer


# -- deciding ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecisionRequest:
    """A coder's answer to one suggestion, as the form or the API sends it (checked here)."""

    document_id: uuid.UUID
    code: str
    system: str
    decision: str
    reason: str | None = None
    spans: tuple[tuple[int, int], ...] = ()


def _checked(request: DecisionRequest) -> DecisionRequest:
    """The request with its code normalised; each problem names the field, not the value."""
    if request.decision not in DECISIONS:
        raise InvalidInput("decision must be accepted or rejected", Position(field="decision"))
    if request.system not in SYSTEMS:
        raise InvalidInput("system must be icd10cm or icd10pcs", Position(field="system"))
    code = request.code.strip().upper()
    if not code or len(code) > 8 or not SYSTEMS[request.system].fullmatch(code):
        raise InvalidInput(f"code is not an {request.system} code", Position(field="code"))
    reason = request.reason or None
    if request.decision == REJECTED and reason not in REJECTION_REASONS:
        raise InvalidInput("a rejection needs a reason: " + ", ".join(REJECTION_REASONS),
                           Position(field="reason"))
    if request.decision == ACCEPTED and reason is not None:
        raise InvalidInput("an acceptance takes no reason", Position(field="reason"))
    if len(request.spans) > MAX_SPANS:
        raise InvalidInput(f"at most {MAX_SPANS} evidence spans", Position(field="spans"))
    return DecisionRequest(request.document_id, normalize(code, CodeSystem(request.system)),
                           request.system, request.decision, reason, tuple(request.spans))


def _the_note(loaded: _Encounter, document_id: uuid.UUID) -> tuple[d.Document, d.DocumentVersion]:
    for document, version in loaded.notes:
        if document.id == document_id:
            return document, version
    raise NotFound("the encounter has no such note", Position(field="document_id"))


def _the_suggestion(result: CacResult, request: DecisionRequest) -> Suggestion:
    for item in result.suggestions:
        if item.code == request.code and item.system == request.system:
            return item
    raise InvalidInput("the code is not among the suggestions for this note",
                       Position(field="code"))


def _check_spans(spans: Sequence[tuple[int, int]], text: str) -> None:
    for start, end in spans:
        if not 0 <= start < end <= len(text):
            raise InvalidInput("an evidence span lies outside the note", Position(field="spans"))


def _check_not_repeated(request: DecisionRequest, current: Decision | None,
                        coded: set[tuple[str, str]]) -> None:
    if current is not None and current.decision == ACCEPTED:
        raise Conflict("the suggestion was accepted already; remove the code from the "
                       "encounter to undo it")
    if request.decision == ACCEPTED and (request.system, request.code) in coded:
        raise Conflict("the encounter has this code already")
    if current is not None and request.decision == REJECTED:
        raise Conflict("the suggestion was rejected already")


def decide(*, session: Session, actor: Actor, encounter_id: uuid.UUID,
           request: DecisionRequest) -> Decision:
    """Record an accept or reject of a suggestion the CAC makes now for the note; an accept
    adds the code to the encounter."""
    audit.authorize(session, actor, Permission.CODING_WRITE, resource_type="Encounter",
                    resource_id=encounter_id)
    request = _checked(request)
    loaded = _load(session, encounter_id)
    document, version = _the_note(loaded, request.document_id)
    coder, why_not = _coder(session, loaded.on)
    if coder is None:
        raise Conflict(f"computer-assisted coding is not available: {why_not}")
    suggestion = _the_suggestion(coder.code(version.text, setting=loaded.setting), request)
    spans = request.spans or _offsets(suggestion)
    _check_spans(spans, version.text)
    current = _in_force(_decisions(session, encounter_id)).get(
        (document.id, request.system, request.code))
    _check_not_repeated(request, current, loaded.coded)
    if request.decision == ACCEPTED:
        _add_code(session, actor, loaded, suggestion)
    row = store.add_decision(session, store.CacDecisionRow(
        id=uuid.uuid4(), encounter_id=encounter_id, document_id=document.id,
        document_version=version.number or 1, code=request.code, code_system=request.system,
        decision=request.decision, reason=request.reason, spans=[list(pair) for pair in spans],
        decided_by=actor.username, decided_at=datetime.now(UTC)))
    audit.record(session, actor, "cac.decision", resource_type="Encounter",
                 resource_id=encounter_id, patient_id=loaded.patient.id,
                 details={"document_id": str(document.id), "code": request.code,
                          "system": request.system, "decision": request.decision,
                          "reason": request.reason})
    return Decision(row.code, row.code_system, row.decision, row.reason, row.document_id,
                    row.document_version, tuple(spans), row.decided_by, row.decided_at)


def _add_code(session: Session, actor: Actor, loaded: _Encounter, suggestion: Suggestion) -> None:
    patient, encounter = loaded.patient, loaded.encounter
    if suggestion.system == CodeSystem.ICD10PCS.value:
        taken = [px.sequence or 0 for px in queries.procedures_of(session, patient.id)
                 if px.encounter_id == encounter.id and px.code_system == suggestion.system]
        batch = d.RecordBatch(procedures=[d.Procedure(
            uuid.uuid4(), patient.id, suggestion.code, suggestion.system,
            encounter_id=encounter.id, display=suggestion.title[:300],
            sequence=max(taken, default=0) + 1)])
    else:
        taken = [dx.sequence for dx in queries.diagnoses_of(session, patient.id)
                 if dx.encounter_id == encounter.id and dx.code_system == suggestion.system]
        batch = d.RecordBatch(diagnoses=[d.Diagnosis(
            uuid.uuid4(), patient.id, suggestion.code, suggestion.system,
            encounter_id=encounter.id, display=suggestion.title[:300],
            sequence=diagnosis_sequence(taken, suggestion.role), poa=None)])
    write_batch(session, batch, recorded_by=actor.username)


def diagnosis_sequence(taken: Sequence[int | None], role: str | None) -> int:
    """Where an accepted diagnosis goes: first when it is proposed as the principal (or first-
    listed) diagnosis and the encounter has none, else after the ones already coded."""
    numbers = [number for number in taken if number is not None]
    if role in PRIMARY_ROLES and 1 not in numbers:
        return 1
    return max(numbers, default=0) + 1
