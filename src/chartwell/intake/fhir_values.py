"""Small conversions from FHIR JSON values, and the code tables the mappers read.

The tables are data with their source named; the functions are total: a value they cannot read
gives None, never an exception (the resource was already validated by fhir.resources).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from chartwell.domain.records import DocumentType, EncounterSetting, Sex

# Code system URIs (HL7 terminology, "Using Codes in FHIR" / terminology.hl7.org) -> our names.
CODE_SYSTEMS = {
    "http://snomed.info/sct": "snomed",
    "http://hl7.org/fhir/sid/icd-10-cm": "icd10cm",
    "http://hl7.org/fhir/sid/icd-10": "icd10",
    "http://hl7.org/fhir/sid/icd-9-cm": "icd9cm",
    "http://www.cms.gov/Medicare/Coding/ICD10": "icd10pcs",
    "http://hl7.org/fhir/sid/icd-10-pcs": "icd10pcs",
    "http://www.ama-assn.org/go/cpt": "cpt",
    "urn:oid:2.16.840.1.113883.6.12": "cpt",
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets": "hcpcs",
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets": "hcpcs",
    "urn:oid:2.16.840.1.113883.6.285": "hcpcs",
    "urn:oid:2.16.840.1.113883.6.14": "hcpcs",
    "http://loinc.org": "loinc",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "rxnorm",
    "http://hl7.org/fhir/sid/ndc": "ndc",
    "http://hl7.org/fhir/sid/cvx": "cvx",
    "http://unitsofmeasure.org": "ucum",
    "https://www.nubc.org/CodeSystem/RevenueCodes": "revenue",
}

# Which coding a mapper prefers when a concept carries several (the one a coder works in).
DIAGNOSIS_PREFERENCE = ("icd10cm", "icd10", "snomed", "icd9cm")
PROCEDURE_PREFERENCE = ("icd10pcs", "cpt", "hcpcs", "snomed")
SERVICE_PREFERENCE = ("cpt", "hcpcs", "icd10pcs", "snomed", "revenue")

SEX = {"female": Sex.FEMALE, "male": Sex.MALE}

# Encounter.class (v3 ActCode, and the plain words some exporters write) -> setting.
INPATIENT_CLASSES = {"IMP", "ACUTE", "NONAC", "inpatient", "inpatient encounter"}
EMERGENCY_CLASSES = {"EMER", "emergency"}


def encounter_setting(class_code: str | None, class_display: str | None = None) -> EncounterSetting:
    """IMP/ACUTE/NONAC -> inpatient, EMER -> emergency, AMB/HH/VR/anything else -> outpatient."""
    for value in (class_code, class_display):
        if value in INPATIENT_CLASSES or (value and value.lower() in INPATIENT_CLASSES):
            return EncounterSetting.INPATIENT
        if value in EMERGENCY_CLASSES or (value and value.lower() in EMERGENCY_CLASSES):
            return EncounterSetting.EMERGENCY
    return EncounterSetting.OUTPATIENT


# Encounter.participant.type (v3 ParticipationType) -> our encounter provider role.
PARTICIPANT_ROLES = {
    "ATND": "attending",
    "ADM": "admitting",
    "CON": "consulting",
    "REF": "referring",
    "DIS": "discharging",
    "PPRF": "rendering",
    "SPRF": "assisting",
    "PART": "participating",
    "translator": "translator",
    "emergency": "emergency_contact",
}
DEFAULT_PARTICIPANT_ROLE = "attending"

# Encounter.hospitalization.dischargeDisposition (HL7 discharge-disposition) -> NUBC patient
# discharge status (UB-04 FL 17), which grouping and claims read.
DISCHARGE_STATUS = {
    "home": "01",
    "alt-home": "01",
    "other-hcf": "05",
    "hosp": "02",
    "long": "63",
    "aadvice": "07",
    "exp": "20",
    "psy": "65",
    "rehab": "62",
    "snf": "03",
    "oth": "70",
}
NUBC_SYSTEM_PREFIX = "https://www.nubc.org/"

# DocumentReference.type (LOINC document ontology) -> document type.
DOCUMENT_TYPES = {
    "34117-2": DocumentType.HISTORY_AND_PHYSICAL,
    "47039-3": DocumentType.HISTORY_AND_PHYSICAL,
    "11506-3": DocumentType.PROGRESS_NOTE,
    "18842-5": DocumentType.DISCHARGE_SUMMARY,
    "11504-8": DocumentType.OPERATIVE_REPORT,
    "34111-5": DocumentType.EMERGENCY_NOTE,
    "34878-9": DocumentType.EMERGENCY_NOTE,
    "11488-4": DocumentType.CONSULTATION,
    "51845-6": DocumentType.CONSULTATION,
    "34108-1": DocumentType.OFFICE_VISIT,
    "11502-2": DocumentType.DIAGNOSTIC_REPORT,
    "18748-4": DocumentType.DIAGNOSTIC_REPORT,
}

# Identifier systems.
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
TAX_ID_SYSTEMS = {"urn:oid:2.16.840.1.113883.4.4", "http://hl7.org/fhir/sid/us-ein"}
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
US_CORE_RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"
US_CORE_ETHNICITY = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity"


def code_system(uri: str | None) -> str:
    """Our short name of a code system URI; "other" when we do not know it."""
    if not uri:
        return "other"
    return CODE_SYSTEMS.get(uri.rstrip("/"), "other")


def clip(text: object, length: int) -> str | None:
    """``text`` as a string of at most ``length`` characters (column widths of the store)."""
    if text is None:
        return None
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def to_date(value: object) -> date | None:
    """A full date (``YYYY-MM-DD``, or the date part of a dateTime); partial dates give None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def to_datetime(value: object) -> datetime | None:
    """A dateTime or instant, time-zone aware; a bare date is taken as midnight UTC."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def to_decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value: object) -> Decimal | None:
    """A FHIR Money (``{"value", "currency"}``) as a Decimal."""
    return to_decimal(value.get("value")) if isinstance(value, dict) else None


def codings(concept: object) -> list[dict]:
    if not isinstance(concept, dict):
        return []
    return [c for c in concept.get("coding") or [] if c.get("code")]


def pick_coding(concept: object, preference: tuple[str, ...] = ()) -> dict | None:
    """The concept's coding in the first preferred system, else its first coding with a code."""
    found = codings(concept)
    for system in preference:
        for candidate in found:
            if code_system(candidate.get("system")) == system:
                return candidate
    return found[0] if found else None


def concept_text(concept: object) -> str | None:
    """What a person reads for a CodeableConcept: its text, else a coding's display."""
    if not isinstance(concept, dict):
        return None
    if concept.get("text"):
        return concept["text"]
    for candidate in concept.get("coding") or []:
        if candidate.get("display"):
            return candidate["display"]
    return None


def first_code(concept: object) -> str | None:
    found = codings(concept)
    return found[0]["code"] if found else None


def first(items: object) -> dict | None:
    return items[0] if isinstance(items, list) and items else None


def period_start(period: object) -> datetime | None:
    return to_datetime(period.get("start")) if isinstance(period, dict) else None


def period_end(period: object) -> datetime | None:
    return to_datetime(period.get("end")) if isinstance(period, dict) else None


def human_name(names: object) -> tuple[str, str, list[str]]:
    """(family, given names, suffixes) of the official name, else the usual, else the first."""
    if not isinstance(names, list) or not names:
        return "", "", []
    chosen = next((n for n in names if n.get("use") == "official"), None)
    chosen = chosen or next((n for n in names if n.get("use") == "usual"), None) or names[0]
    family = chosen.get("family") or ""
    given = " ".join(chosen.get("given") or [])
    if not family and not given and chosen.get("text"):
        family = chosen["text"]
    return family, given, list(chosen.get("suffix") or [])


def telecom(points: object, system: str) -> str | None:
    """The first contact point of ``system`` (phone, email), preferring home and mobile use."""
    if not isinstance(points, list):
        return None
    matching = [p for p in points if p.get("system") == system and p.get("value")]
    matching.sort(key=lambda p: 0 if p.get("use") in ("home", "mobile") else 1)
    return matching[0]["value"] if matching else None


def extension(extensions: object, url: str) -> dict | None:
    if not isinstance(extensions, list):
        return None
    return next((e for e in extensions if e.get("url") == url), None)


def omb_category(extensions: object, url: str) -> str | None:
    """US Core race or ethnicity: its text, else the first OMB category's display."""
    found = extension(extensions, url)
    if not found:
        return None
    parts = found.get("extension") or []
    text = next((p.get("valueString") for p in parts if p.get("url") == "text"), None)
    if text:
        return text
    category = next((p.get("valueCoding") for p in parts if p.get("url") == "ombCategory"), None)
    return (category or {}).get("display") or (category or {}).get("code")


def payer_category(name: str | None) -> str | None:
    """medicare, medicaid, dual, self-pay or commercial, from the payer's name."""
    if not name:
        return None
    lowered = name.lower()
    if "dual" in lowered:
        return "dual"
    if "medicare" in lowered:
        return "medicare"
    if "medicaid" in lowered:
        return "medicaid"
    if "no_insurance" in lowered or "self" in lowered or "uninsured" in lowered:
        return "self-pay"
    return "commercial"
