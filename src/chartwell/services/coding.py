"""Use case: the coding workspace of one stored encounter: its codes in sequence, as the edits and
the groupers read them, with the findings of every edit family (and, for an inpatient stay, its
MS-DRG). What the coding page shows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from chartwell.codesets.model import CodeSystem
from chartwell.compliance.roles import Permission
from chartwell.domain import records as d
from chartwell.domain.coded import (
    CodedDiagnosis,
    CodedEncounter,
    CodedProcedure,
    Setting,
    Sex,
)
from chartwell.errors import InvalidInput, NotFound
from chartwell.services import audit, drg
from chartwell.services.actor import Actor
from chartwell.services.edits import EditResult, References, check_encounter
from chartwell.store import queries

_SETTINGS = {d.EncounterSetting.INPATIENT: Setting.INPATIENT,
             d.EncounterSetting.OUTPATIENT: Setting.OUTPATIENT,
             d.EncounterSetting.EMERGENCY: Setting.OUTPATIENT,
             d.EncounterSetting.PROFESSIONAL: Setting.PROFESSIONAL}
_PROCEDURE_SYSTEMS = {CodeSystem.ICD10PCS, CodeSystem.CPT, CodeSystem.HCPCS}


@dataclass(slots=True)
class CodingWorkspace:
    patient: d.Patient
    encounter: d.Encounter
    coded: CodedEncounter
    edits: EditResult | None  # None when the encounter carries no ICD-10-CM diagnosis yet
    grouping: dict | None = None  # an inpatient stay's MS-DRG (``drg group``'s JSON answer)


def coded_encounter(patient: d.Patient, encounter: d.Encounter, diagnoses: list[d.Diagnosis],
                    procedures: list[d.Procedure]) -> CodedEncounter:
    """The stored encounter as the edits read it: ICD-10-CM diagnoses by sequence (principal
    first), procedures in ICD-10-PCS, CPT or HCPCS, the dates and the patient's sex and age."""
    mine = sorted((dx for dx in diagnoses if dx.encounter_id == encounter.id
                   and dx.code_system == CodeSystem.ICD10CM),
                  key=lambda dx: (dx.sequence is None, dx.sequence or 0))
    lines = sorted((px for px in procedures if px.encounter_id == encounter.id
                    and px.code_system in _PROCEDURE_SYSTEMS),
                   key=lambda px: (px.sequence is None, px.sequence or 0))
    admit = encounter.admit_at.date() if encounter.admit_at else None
    discharge = encounter.discharge_at.date() if encounter.discharge_at else None
    setting = _SETTINGS[encounter.setting]
    return CodedEncounter(
        setting=setting, sex=Sex(patient.sex.value), birth_date=patient.birth_date,
        diagnoses=tuple(CodedDiagnosis(dx.code, dx.poa) for dx in mine),
        procedures=tuple(CodedProcedure(px.code, px.code_system,
                                        px.performed_at.date() if px.performed_at else None,
                                        tuple(px.modifiers), float(px.units)) for px in lines),
        admit_date=admit if setting is Setting.INPATIENT else None,
        discharge_date=(discharge or admit) if setting is Setting.INPATIENT else None,
        date_of_service=None if setting is Setting.INPATIENT else admit,
        discharge_status=encounter.discharge_disposition)


def open_workspace(*, session: Session, actor: Actor, encounter_id: uuid.UUID) -> CodingWorkspace:
    audit.authorize(session, actor, Permission.CODING_READ, resource_type="Encounter",
                    resource_id=encounter_id)
    encounter = queries.get_encounter(session, encounter_id)
    if encounter is None:
        raise NotFound("no such encounter")
    patient = queries.get_patient(session, encounter.patient_id)
    coded = coded_encounter(patient, encounter, queries.diagnoses_of(session, patient.id),
                            queries.procedures_of(session, patient.id))
    edits = check_encounter(References(session), coded) if coded.diagnoses else None
    grouping = _group(session, coded)
    audit.record(session, actor, "encounter.coding", resource_type="Encounter",
                 resource_id=encounter_id, patient_id=patient.id,
                 details={"findings": len(edits.findings) if edits else 0})
    return CodingWorkspace(patient, encounter, coded, edits, grouping)


def _group(session: Session, coded: CodedEncounter) -> dict | None:
    """The MS-DRG of an inpatient stay with a principal diagnosis (its JSON answer), or what
    stopped the grouping, as a message."""
    if coded.setting is not Setting.INPATIENT or not coded.diagnoses:
        return None
    try:
        return drg.group_one(drg.References.of(session), coded).to_json()
    except InvalidInput as error:
        return {"error": error.message}
