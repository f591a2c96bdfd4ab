"""One mapper per FHIR resource type: a validated resource (as JSON) -> domain objects.

Each mapper reads ``context.resource`` and adds what it makes with ``context.add``; references
become ids through ``context.ref_id`` and the patient through ``context.subject``. The registry
at the end (``MAPPERS``) is the list of what intake understands; any other type is kept as
received (``map_unmapped``) and linked to its patient when it names one.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable
from decimal import Decimal

from chartwell.domain import records as d
from chartwell.domain.npi import npi_problem
from chartwell.intake import fhir_values as v
from chartwell.intake.fhir_context import MapContext, row_id

Mapper = Callable[[MapContext], None]

TEXT_TYPES = ("text/", "application/json", "application/xml", "application/xhtml", "application/fhir")


# ---------------------------------------------------------------- shared pieces


def _address(addresses: object) -> d.Address:
    if not isinstance(addresses, list) or not addresses:
        return d.Address()
    chosen = next((a for a in addresses if a.get("use") == "home"), addresses[0])
    lines = chosen.get("line") or []
    return d.Address(
        line1=v.clip(lines[0], 200) if lines else None,
        line2=v.clip(" ".join(lines[1:]), 200) if len(lines) > 1 else None,
        city=v.clip(chosen.get("city"), 100),
        state=v.clip(chosen.get("state"), 50),
        postal_code=v.clip(chosen.get("postalCode"), 20),
        country=v.clip(chosen.get("country"), 50),
    )


def _npi(context: MapContext) -> str | None:
    """The NPI identifier when it passes the check digit; an invalid one is reported and left
    out (Synthea writes short numbers such as "160")."""
    for identifier in context.resource.get("identifier") or []:
        if identifier.get("system") == v.NPI_SYSTEM and identifier.get("value"):
            value = str(identifier["value"]).strip()
            problem = npi_problem(value)
            if problem is None:
                return value
            context.warn(f"identifier {v.NPI_SYSTEM} value {v.clip(value, 20)!r} is not a valid NPI "
                         f"({problem}); kept out of npi")
    return None


def _identifier_value(identifiers: object, systems: set[str]) -> str | None:
    for identifier in identifiers or []:
        if identifier.get("system") in systems and identifier.get("value"):
            return identifier["value"]
    return None


def _person_name(resource: dict | None) -> str | None:
    if not resource:
        return None
    if isinstance(resource.get("name"), str):  # an Organization
        return resource["name"]
    family, given, _ = v.human_name(resource.get("name"))
    return " ".join(part for part in (given, family) if part) or None


def _practitioner(context: MapContext, reference: object) -> tuple[uuid.UUID | None, str | None]:
    """(provider id, name as written) of a reference to a practitioner."""
    key = context.ref(reference, "Practitioner")
    display = reference.get("display") if isinstance(reference, dict) else None
    name = _person_name(context.lookup(key)) or display
    return (row_id(key) if key else None), v.clip(name, 200)


def _encounter(context: MapContext, reference: object) -> uuid.UUID | None:
    return context.ref_id(reference, "Encounter")


def _payer(context: MapContext, reference: object, required: bool = False) -> uuid.UUID | None:
    """The payer a reference names, added to the batch when it can be named.

    An Organization gives its row id (the Payer is added when the organization or the display
    names it, or when ``required``); a Patient or RelatedPerson means self-pay; a display or
    an identifier alone names a payer known by that.
    """
    if not isinstance(reference, dict):
        return None
    display = reference.get("display")
    identifier = reference.get("identifier") or {}
    key = context.ref(reference, "Organization", "Patient", "RelatedPerson")
    if context.type_of(key) in ("Patient", "RelatedPerson"):
        return _payer_named(context, "Payer/self-pay", "Self-pay", None, "self-pay")
    if key:
        name = (context.lookup(key) or {}).get("name") or display or (key if required else None)
        if name:
            _payer_named(context, key, name, identifier.get("value"), v.payer_category(name), source_key=key)
        return row_id(key)
    if display:
        return _payer_named(context, f"Payer/{display}", display, identifier.get("value"), v.payer_category(display))
    if identifier.get("value"):
        label = f"Payer/{identifier.get('system', '')}|{identifier['value']}"
        return _payer_named(context, label, identifier["value"], identifier["value"], None)
    return None


def _payer_named(context: MapContext, key: str, name: str, identifier: str | None, category: str | None,
                 source_key: str | None = None) -> uuid.UUID:
    payer_id = row_id(key)
    context.add(d.Payer(id=payer_id, name=v.clip(name, 200), source_key=source_key,
                        payer_identifier=v.clip(identifier, 80), category=category))
    return payer_id


def _coverage_payer(context: MapContext, insurance: object) -> uuid.UUID | None:
    """The payer behind a Claim/EOB insurance entry: its Coverage's payor, else its display."""
    if not isinstance(insurance, list) or not insurance:
        return None
    chosen = next((i for i in insurance if i.get("focal")), insurance[0])
    coverage = chosen.get("coverage")
    found = context.lookup(context.ref(coverage, "Coverage"))
    if found:
        return _payer(context, v.first(found.get("payor")))
    return _payer(context, {"display": coverage.get("display")}) if isinstance(coverage, dict) else None


def _attachments(context: MapContext, attachments: list, label: str) -> tuple[str | None, str]:
    """(text, content type) of the textual attachments; others stay in the received resource."""
    texts: dict[str, list[str]] = {}
    for number, attachment in enumerate(attachments):
        if not isinstance(attachment, dict):
            continue
        content_type = (attachment.get("contentType") or "text/plain").split(";")[0].strip().lower()
        if not content_type.startswith(TEXT_TYPES):
            context.warn(f"{label} {number} is {v.clip(content_type, 60)}: kept in the received resource only")
            continue
        if attachment.get("data") is None:
            if attachment.get("url"):
                context.warn(f"{label} {number} has no inline data (only a URL): not fetched")
            continue
        text = _decoded(context, attachment["data"], f"{label} {number}")
        if text is not None:
            texts.setdefault(content_type, []).append(text)
    if not texts:
        return None, "text/plain"
    content_type = "text/plain" if "text/plain" in texts else next(iter(texts))
    return "\n\n".join(texts[content_type]), v.clip(content_type, 80)


def _decoded(context: MapContext, data: str, label: str) -> str | None:
    try:
        raw = base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        context.warn(f"{label} is not valid base64: kept in the received resource only")
        return None
    text = raw.decode("utf-8", errors="replace").replace("\x00", "")  # PostgreSQL text holds no NUL
    if "\ufffd" in text and b"\xef\xbf\xbd" not in raw:
        context.warn(f"{label} is not UTF-8 text: undecodable bytes were replaced")
    return text


def _value(element: dict) -> tuple[float | None, str | None, str | None]:
    """(number, text, unit) of an Observation or component value[x]."""
    if "valueQuantity" in element:
        quantity = element["valueQuantity"]
        number = quantity.get("value")
        return (float(number) if number is not None else None), None, quantity.get("unit") or quantity.get("code")
    if "valueCodeableConcept" in element:
        return None, v.concept_text(element["valueCodeableConcept"]), None
    if "valueInteger" in element:
        return float(element["valueInteger"]), None, None
    if "valueBoolean" in element:
        return None, str(element["valueBoolean"]).lower(), None
    if "valueRange" in element:
        low, high = (element["valueRange"].get(side, {}).get("value") for side in ("low", "high"))
        return None, f"{low if low is not None else ''}-{high if high is not None else ''}", None
    if "valueRatio" in element:
        top, bottom = (element["valueRatio"].get(side, {}).get("value") for side in ("numerator", "denominator"))
        return None, f"{top}/{bottom}", None
    for name in ("valueString", "valueDateTime", "valueTime"):
        if name in element:
            return None, str(element[name]), None
    if "valuePeriod" in element:
        period = element["valuePeriod"]
        return None, f"{period.get('start', '')}/{period.get('end', '')}", None
    return None, None, None


# ---------------------------------------------------------------- people and organizations


def map_patient(context: MapContext) -> None:
    r = context.resource
    family, given, _ = v.human_name(r.get("name"))
    marital = r.get("maritalStatus")
    if context.key == context.owner_key:
        context.patient_key = context.key
    context.add(d.Patient(
        id=context.id, family_name=v.clip(family, 100), given_names=v.clip(given, 200),
        birth_date=v.to_date(r.get("birthDate")), sex=v.SEX.get(r.get("gender"), d.Sex.UNKNOWN),
        source_key=context.key, deceased_at=v.to_datetime(r.get("deceasedDateTime")),
        marital_status=v.clip(v.first_code(marital) or v.concept_text(marital), 40),
        race=v.clip(v.omb_category(r.get("extension"), v.US_CORE_RACE), 80),
        ethnicity=v.clip(v.omb_category(r.get("extension"), v.US_CORE_ETHNICITY), 80),
        language=v.clip(_language(r.get("communication")), 40), address=_address(r.get("address")),
        phone=v.clip(v.telecom(r.get("telecom"), "phone"), 40), email=v.clip(v.telecom(r.get("telecom"), "email"), 200),
        identifiers=_identifiers(r.get("identifier")),
    ))


def _identifiers(identifiers: object) -> list[d.Identifier]:
    """Each identifier with a value, its v2-0203 type code (MR, SS, DL, PPN, ...) kept."""
    found: dict[tuple[str, str], d.Identifier] = {}
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if identifier.get("value"):
            type_coding = v.pick_coding(identifier.get("type"))
            item = d.Identifier(system=v.clip(identifier.get("system") or "", 200),
                                value=v.clip(identifier["value"], 100),
                                type_code=v.clip(type_coding["code"], 10) if type_coding else None)
            found[(item.system, item.value)] = item
    return list(found.values())


def _language(communication: object) -> str | None:
    if not isinstance(communication, list) or not communication:
        return None
    chosen = next((c for c in communication if c.get("preferred")), communication[0])
    language = chosen.get("language")
    return v.first_code(language) or v.concept_text(language)


def map_practitioner(context: MapContext) -> None:
    r = context.resource
    family, given, suffixes = v.human_name(r.get("name"))
    qualification = v.first(r.get("qualification"))
    credentials = ", ".join(suffixes) or (v.first_code(qualification.get("code")) if qualification else None)
    context.add(d.Provider(
        id=context.id, family_name=v.clip(family, 100), given_name=v.clip(given, 100) or None,
        source_key=context.key, npi=_npi(context), credentials=v.clip(credentials, 40) or None,
        address=_address(r.get("address")), phone=v.clip(v.telecom(r.get("telecom"), "phone"), 40),
    ))


ORGANIZATION_KINDS = {"prov": "provider", "pay": "payer", "ins": "payer", "dept": "department"}


def map_organization(context: MapContext) -> None:
    r = context.resource
    codes = [c["code"] for concept in r.get("type") or [] for c in v.codings(concept)]
    kind = next((ORGANIZATION_KINDS[c] for c in codes if c in ORGANIZATION_KINDS), codes[0] if codes else None)
    name = r.get("name") or ""
    context.add(d.Organization(
        id=context.id, name=v.clip(name, 300), source_key=context.key, npi=_npi(context),
        tax_id=v.clip(_identifier_value(r.get("identifier"), v.TAX_ID_SYSTEMS), 20), kind=v.clip(kind, 40),
        address=_address(r.get("address")), phone=v.clip(v.telecom(r.get("telecom"), "phone"), 40),
    ))
    if kind == "payer":
        context.add(d.Payer(id=context.id, name=v.clip(name or context.key, 200), source_key=context.key,
                            category=v.payer_category(name)))


def map_coverage(context: MapContext) -> None:
    r = context.resource
    patient_id = context.subject(r.get("beneficiary"))
    payer_id = _payer(context, v.first(r.get("payor")), required=True)
    if payer_id is None:
        context.warn("Coverage.payor names no payer (reference, display or identifier): kept as received only")
        return
    classes = {v.first_code(c.get("type")): c for c in r.get("class") or []}
    group, plan = classes.get("group") or {}, classes.get("plan") or {}
    subscriber = _person_name(context.lookup(context.ref(r.get("subscriber"), "Patient", "RelatedPerson")))
    context.add(d.Coverage(
        id=context.id, patient_id=patient_id or context.patient_id(), payer_id=payer_id, source_key=context.key,
        member_id=v.clip(r.get("subscriberId") or (v.first(r.get("identifier")) or {}).get("value"), 80),
        group_number=v.clip(group.get("value"), 80), plan_name=v.clip(plan.get("name") or plan.get("value"), 200),
        relationship=v.clip(v.first_code(r.get("relationship")) or "self", 20), subscriber_name=v.clip(subscriber, 200),
        priority=r.get("order") or 1, start_date=v.to_date((r.get("period") or {}).get("start")),
        end_date=v.to_date((r.get("period") or {}).get("end")), status=v.clip(r.get("status") or "active", 20),
    ))


# ---------------------------------------------------------------- the clinical record


ADMIT_TYPES = {"EM": "1", "UR": "2", "EL": "3"}  # v3 ActPriority -> UB-04 FL 14 type of admission


def _discharge_status(concept: object) -> str | None:
    coding = v.pick_coding(concept)
    if not coding:
        return None
    if str(coding.get("system", "")).startswith(v.NUBC_SYSTEM_PREFIX):
        return v.clip(coding["code"], 10)
    return v.DISCHARGE_STATUS.get(coding["code"]) or v.clip(coding["code"], 10)


def _participants(context: MapContext) -> list[d.EncounterProvider]:
    links = []
    for participant in context.resource.get("participant") or []:
        provider_id = context.ref_id(participant.get("individual"), "Practitioner")
        if provider_id is None:
            continue
        codes = [c["code"] for concept in participant.get("type") or [] for c in v.codings(concept)]
        role = next((v.PARTICIPANT_ROLES[c] for c in codes if c in v.PARTICIPANT_ROLES), v.DEFAULT_PARTICIPANT_ROLE)
        links.append(d.EncounterProvider(provider_id=provider_id, role=role))
    return links


def map_encounter(context: MapContext) -> None:
    r = context.resource
    patient_id = context.subject(r.get("subject"))
    encounter_class = r.get("class") or {}
    if isinstance(encounter_class, list):  # R5 writes a list of concepts
        encounter_class = v.pick_coding(v.first(encounter_class)) or {}
    hospitalization = r.get("hospitalization") or {}
    identifier = v.first(r.get("identifier"))
    context.add(d.Encounter(
        id=context.id, patient_id=patient_id or context.patient_id(),
        setting=v.encounter_setting(encounter_class.get("code"), encounter_class.get("display")),
        admit_at=v.period_start(r.get("period")), source_key=context.key,
        account_number=v.clip((identifier or {}).get("value"), 40), status=v.clip(r.get("status") or "finished", 20),
        encounter_type=v.clip(v.concept_text(v.first(r.get("type"))), 200), discharge_at=v.period_end(r.get("period")),
        admit_source=v.clip(v.first_code(hospitalization.get("admitSource")), 10),
        admit_type=ADMIT_TYPES.get(v.first_code(r.get("priority")) or ""),
        discharge_disposition=_discharge_status(hospitalization.get("dischargeDisposition")),
        facility_id=context.ref_id(r.get("serviceProvider"), "Organization"),
        reason=v.clip(v.concept_text(v.first(r.get("reasonCode"))), 300), providers=_participants(context),
    ))


def map_condition(context: MapContext) -> None:
    r = context.resource
    patient_id = context.subject(r.get("subject"))
    coding = v.pick_coding(r.get("code"), v.DIAGNOSIS_PREFERENCE)
    if coding is None:
        context.warn("Condition.code has no coding with a code: kept as received only")
        return
    onset = v.to_date(r.get("onsetDateTime")) or v.to_date((r.get("onsetPeriod") or {}).get("start"))
    abatement = v.to_date(r.get("abatementDateTime")) or v.to_date((r.get("abatementPeriod") or {}).get("start"))
    context.add(d.Diagnosis(
        id=context.id, patient_id=patient_id or context.patient_id(), code=v.clip(coding["code"], 20),
        code_system=v.code_system(coding.get("system")), source_key=context.key,
        encounter_id=_encounter(context, r.get("encounter")),
        display=v.clip(coding.get("display") or v.concept_text(r.get("code")), 300), onset_date=onset,
        abatement_date=abatement, clinical_status=v.clip(v.first_code(r.get("clinicalStatus")), 20),
        verification_status=v.clip(v.first_code(r.get("verificationStatus")), 20),
    ))


def map_procedure(context: MapContext) -> None:
    r = context.resource
    patient_id = context.subject(r.get("subject"))
    coding = v.pick_coding(r.get("code"), v.PROCEDURE_PREFERENCE)
    if coding is None:
        context.warn("Procedure.code has no coding with a code: kept as received only")
        return
    performer_id = next((pid for p in r.get("performer") or []
                         if (pid := context.ref_id(p.get("actor"), "Practitioner"))), None)
    context.add(d.Procedure(
        id=context.id, patient_id=patient_id or context.patient_id(), code=v.clip(coding["code"], 20),
        code_system=v.code_system(coding.get("system")), source_key=context.key,
        encounter_id=_encounter(context, r.get("encounter")),
        display=v.clip(coding.get("display") or v.concept_text(r.get("code")), 300),
        performed_at=v.to_datetime(r.get("performedDateTime")) or v.period_start(r.get("performedPeriod")),
        performing_provider_id=performer_id,
    ))


def map_observation(context: MapContext) -> None:
    """One Observation row, and one per component (a blood pressure's systolic and diastolic),
    each component keyed ``Observation/id/component/CODE``."""
    r = context.resource
    patient_id = context.subject(r.get("subject")) or context.patient_id()
    coding = v.pick_coding(r.get("code"), ("loinc", "snomed"))
    if coding is None:
        context.warn("Observation.code has no coding with a code: kept as received only")
        return
    common = {
        "patient_id": patient_id,
        "category": v.clip(v.first_code(v.first(r.get("category"))), 40),
        "encounter_id": _encounter(context, r.get("encounter")),
        "effective_at": (v.to_datetime(r.get("effectiveDateTime")) or v.period_start(r.get("effectivePeriod"))
                         or v.to_datetime(r.get("effectiveInstant")) or v.to_datetime(r.get("issued"))),
    }
    components = [c for c in r.get("component") or [] if v.pick_coding(c.get("code"))]
    number, text, unit = _value(r)
    if not components or number is not None or text is not None:
        context.add(_observation(context.id, context.key, coding, r.get("code"), (number, text, unit), common))
    used: set[str] = set()
    for position, component in enumerate(components):
        component_coding = v.pick_coding(component.get("code"), ("loinc", "snomed"))
        suffix = component_coding["code"] if component_coding["code"] not in used else f"{position}"
        used.add(suffix)
        key = f"{context.key}/component/{suffix}"
        context.add(_observation(row_id(key), key, component_coding, component.get("code"), _value(component), common))


def _observation(row: uuid.UUID, key: str, coding: dict, concept: dict, value: tuple, common: dict) -> d.Observation:
    number, text, unit = value
    return d.Observation(
        id=row, code=v.clip(coding["code"], 40), code_system=v.code_system(coding.get("system")), source_key=key,
        display=v.clip(coding.get("display") or v.concept_text(concept), 300), value_number=number,
        value_text=v.clip(text, 500), unit=v.clip(unit, 40), **common,
    )


def _document_status(resource: dict) -> str:
    status = resource.get("status") or "current"
    if status in ("entered-in-error", "superseded"):
        return status
    return resource.get("docStatus") or status


def map_document_reference(context: MapContext) -> None:
    r = context.resource
    patient_id = context.subject(r.get("subject")) or context.patient_id()
    type_coding = v.pick_coding(r.get("type"), ("loinc",))
    loinc = type_coding["code"] if type_coding and v.code_system(type_coding.get("system")) == "loinc" else None
    text, content_type = _attachments(context, [c.get("attachment") for c in r.get("content") or []],
                                      "content attachment")
    author_id, author_name = next(((a_id, name) for a in r.get("author") or []
                                   for a_id, name in [_practitioner(context, a)] if a_id or name), (None, None))
    signer_id, _ = _practitioner(context, r.get("authenticator"))
    authored_at = v.to_datetime(r.get("date"))
    document_context = r.get("context") or {}
    versions = [] if text is None else [d.DocumentVersion(
        text=text, author_provider_id=author_id, author_name=author_name, authored_at=authored_at,
        signed_by_provider_id=signer_id, content_type=content_type,
    )]
    context.add(d.Document(
        id=context.id, patient_id=patient_id, document_type=v.DOCUMENT_TYPES.get(loinc, d.DocumentType.OTHER),
        title=v.clip(r.get("description") or v.concept_text(r.get("type")) or "Document", 300),
        source_key=context.key, encounter_id=_encounter(context, v.first(document_context.get("encounter"))),
        service_date=v.period_start(document_context.get("period")) or authored_at,
        status=v.clip(_document_status(r), 20), loinc_code=v.clip(loinc, 20), versions=versions,
    ))


def map_diagnostic_report(context: MapContext) -> None:
    """A report with a narrative (presentedForm, conclusion) becomes a diagnostic_report
    document of one version; a report of results only is kept as received."""
    r = context.resource
    patient_id = context.subject(r.get("subject")) or context.patient_id()
    text, content_type = _attachments(context, r.get("presentedForm") or [], "presentedForm")
    parts = [part for part in (text, r.get("conclusion")) if part]
    if not parts:
        return
    code = v.pick_coding(r.get("code"), ("loinc",))
    loinc = code["code"] if code and v.code_system(code.get("system")) == "loinc" else None
    author_id, author_name = next(((a_id, name) for p in r.get("performer") or []
                                   for a_id, name in [_practitioner(context, p)] if a_id or name), (None, None))
    signer_id = next((s for p in r.get("resultsInterpreter") or [] if (s := _practitioner(context, p)[0])), None)
    issued = v.to_datetime(r.get("issued"))
    context.add(d.Document(
        id=context.id, patient_id=patient_id, document_type=d.DocumentType.DIAGNOSTIC_REPORT,
        title=v.clip(v.concept_text(r.get("code")) or "Diagnostic report", 300), source_key=context.key,
        encounter_id=_encounter(context, r.get("encounter")),
        service_date=v.to_datetime(r.get("effectiveDateTime")) or v.period_start(r.get("effectivePeriod")) or issued,
        status=v.clip(r.get("status") or "final", 20), loinc_code=v.clip(loinc, 20),
        versions=[d.DocumentVersion(text="\n\n".join(parts), author_provider_id=author_id, author_name=author_name,
                                    authored_at=issued, signed_by_provider_id=signer_id, content_type=content_type)],
    ))


def _dosage(dosage: dict | None) -> str | None:
    if not dosage:
        return None
    if dosage.get("text"):
        return dosage["text"]
    parts = []
    dose = (v.first(dosage.get("doseAndRate")) or {}).get("doseQuantity")
    if dose:
        parts.append(f"{dose.get('value', '')} {dose.get('unit') or dose.get('code') or ''}".strip())
    repeat = (dosage.get("timing") or {}).get("repeat") or {}
    if repeat.get("frequency") and repeat.get("period"):
        parts.append(f"{repeat['frequency']} every {repeat['period']} {repeat.get('periodUnit', '')}".strip())
    if dosage.get("asNeededBoolean"):
        parts.append("as needed")
    return ", ".join(parts) or None


def map_medication_request(context: MapContext) -> None:
    r = context.resource
    patient_id = context.subject(r.get("subject")) or context.patient_id()
    concept = r.get("medicationCodeableConcept")
    if concept is None:
        concept = (context.lookup(context.ref(r.get("medicationReference"), "Medication")) or {}).get("code")
    coding = v.pick_coding(concept, ("rxnorm", "ndc"))
    display = v.concept_text(concept) or (r.get("medicationReference") or {}).get("display")
    context.add(d.MedicationOrder(
        id=context.id, patient_id=patient_id, code=v.clip(coding["code"], 40) if coding else None,
        code_system=v.code_system(coding.get("system")) if coding else None, display=v.clip(display, 300),
        source_key=context.key, encounter_id=_encounter(context, r.get("encounter")),
        status=v.clip(r.get("status"), 20), intent=v.clip(r.get("intent"), 20),
        authored_at=v.to_datetime(r.get("authoredOn")), prescriber_id=_practitioner(context, r.get("requester"))[0],
        dosage=v.clip(_dosage(v.first(r.get("dosageInstruction"))), 500),
    ))


# ---------------------------------------------------------------- claims and payment


def _claim_diagnoses(context: MapContext) -> list[str]:
    codes = []
    for diagnosis in sorted(context.resource.get("diagnosis") or [], key=lambda x: x.get("sequence") or 0):
        concept = diagnosis.get("diagnosisCodeableConcept")
        if concept is None:
            concept = (context.lookup(context.ref(diagnosis.get("diagnosisReference"), "Condition")) or {}).get("code")
        coding = v.pick_coding(concept, v.DIAGNOSIS_PREFERENCE)
        if coding:
            codes.append(coding["code"])
    return codes


def _claim_line(number: int, item: dict) -> d.ClaimLine:
    coding = v.pick_coding(item.get("productOrService"), v.SERVICE_PREFERENCE)
    units = v.to_decimal((item.get("quantity") or {}).get("value")) or Decimal(1)
    charge = v.money(item.get("net"))
    unit_price = v.money(item.get("unitPrice"))
    if charge is None and unit_price is not None:
        charge = unit_price * units
    service_date = v.to_date(item.get("servicedDate")) or v.to_date((item.get("servicedPeriod") or {}).get("start"))
    return d.ClaimLine(
        sequence=number, code=v.clip(coding["code"], 40) if coding else None,
        code_system=v.code_system(coding.get("system")) if coding else None,
        display=v.clip(v.concept_text(item.get("productOrService")), 300),
        revenue_code=v.clip(v.first_code(item.get("revenue")), 4),
        modifiers=[c["code"] for m in item.get("modifier") or [] for c in v.codings(m)][:4], units=units,
        charge=charge, service_date=service_date,
        diagnosis_pointers=[p for p in item.get("diagnosisSequence") or [] if isinstance(p, int)],
    )


def _claim_lines(items: list) -> list[d.ClaimLine]:
    """Claim lines by item sequence; a missing or repeated sequence takes the next free one."""
    lines, used = [], set()
    for item in items:
        number = item.get("sequence")
        if not isinstance(number, int) or number in used:
            number = max(used, default=0) + 1
        used.add(number)
        lines.append(_claim_line(number, item))
    return lines


def map_claim(context: MapContext) -> None:
    r = context.resource
    patient_id = context.subject(r.get("patient")) or context.patient_id()
    provider_key = context.ref(r.get("provider"), "Practitioner", "Organization")
    provider_type = context.type_of(provider_key)
    payer_id = _payer(context, r.get("insurer")) or _coverage_payer(context, r.get("insurance"))
    encounter_id = next((e for item in r.get("item") or [] for ref in item.get("encounter") or []
                         if (e := _encounter(context, ref))), None)
    lines = _claim_lines(r.get("item") or [])
    total = v.money(r.get("total"))
    if total is None and any(line.charge is not None for line in lines):
        total = sum((line.charge for line in lines if line.charge is not None), Decimal(0))
    billable = r.get("billablePeriod")
    context.add(d.Claim(
        id=context.id, patient_id=patient_id, claim_type=v.clip(v.first_code(r.get("type")) or "professional", 20),
        source_key=context.key, encounter_id=encounter_id, use=v.clip(r.get("use") or "claim", 20),
        status=v.clip(r.get("status") or "active", 20), billable_start=v.period_start(billable),
        billable_end=v.period_end(billable), created_at=v.to_datetime(r.get("created")),
        provider_id=row_id(provider_key) if provider_type == "Practitioner" else None,
        organization_id=row_id(provider_key) if provider_type == "Organization" else None,
        payer_id=payer_id, total_charge=total, diagnosis_codes=_claim_diagnoses(context), lines=lines,
    ))


PATIENT_SHARE = {"copay", "deductible", "coinsurance"}


def map_explanation_of_benefit(context: MapContext) -> None:
    r = context.resource
    patient_id = context.subject(r.get("patient")) or context.patient_id()
    totals: dict[str, Decimal] = {}
    for total in r.get("total") or []:
        amount = v.money(total.get("amount"))
        category = v.first_code(total.get("category"))
        if amount is not None and category:
            totals[category] = totals.get(category, Decimal(0)) + amount
    payment = v.money((r.get("payment") or {}).get("amount"))
    share = [amount for category, amount in totals.items() if category in PATIENT_SHARE]
    context.add(d.Adjudication(
        id=context.id, patient_id=patient_id, source_key=context.key,
        claim_id=context.ref_id(r.get("claim"), "Claim"),
        payer_id=_payer(context, r.get("insurer")) or _coverage_payer(context, r.get("insurance")),
        status=v.clip(r.get("status"), 20), outcome=v.clip(r.get("outcome"), 20),
        created_at=v.to_datetime(r.get("created")), total_submitted=totals.get("submitted"),
        total_paid=payment if payment is not None else totals.get("benefit"),
        patient_responsibility=sum(share, Decimal(0)) if share else None,
    ))


# ---------------------------------------------------------------- everything else

PATIENT_FIELDS = ("patient", "subject", "beneficiary")


def map_unmapped(context: MapContext) -> None:
    """A type intake does not map (Immunization, CarePlan, ImagingStudy, ...): kept as received
    and linked to the patient it names, if it names one (a Group or a Device needs none)."""
    for name in PATIENT_FIELDS:
        reference = context.resource.get(name)
        if isinstance(reference, list):
            reference = v.first(reference)
        if isinstance(reference, dict):
            if context.type_of(context.ref(reference)) in (None, "Patient"):
                context.subject(reference)
            return


MAPPERS: dict[str, Mapper] = {
    "Patient": map_patient,
    "Practitioner": map_practitioner,
    "Organization": map_organization,
    "Coverage": map_coverage,
    "Encounter": map_encounter,
    "Condition": map_condition,
    "Procedure": map_procedure,
    "Observation": map_observation,
    "DocumentReference": map_document_reference,
    "DiagnosticReport": map_diagnostic_report,
    "MedicationRequest": map_medication_request,
    "Claim": map_claim,
    "ExplanationOfBenefit": map_explanation_of_benefit,
}

# Contained resources that become rows of their own (keyed ``Owner/id#local``).
CONTAINED_MAPPERS: dict[str, Mapper] = {
    "Patient": map_patient,
    "Practitioner": map_practitioner,
    "Organization": map_organization,
}
