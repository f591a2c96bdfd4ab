"""The public JSON shape of releases, code detail and validation: one definition for the CLI's
``--json`` and the API (whose schemas validate it)."""

from __future__ import annotations

from datetime import date

from chartwell.codesets.detail import CodeDetail
from chartwell.codesets.releases import Release
from chartwell.codesets.validation import CodeValidation


def release_json(release: Release) -> dict:
    """The public shape of a release (``codesets list --json``, ``install --json``)."""
    return {
        "system": str(release.system), "version": release.version,
        "effective_start": release.effective_start.isoformat(),
        "effective_end": release.effective_end.isoformat() if release.effective_end else None,
        "open_ended": release.effective_end is None,
        "counts": release.counts,
        "sources": [{"name": source.name, "role": source.role, "sha256": source.sha256,
                     "bytes": source.bytes, "note": source.note} for source in release.sources],
        "note": release.note,
        "installed_at": release.installed_at.isoformat() if release.installed_at else None,
        "installed_by": release.installed_by, "artifact_sha256": release.artifact_sha256,
        "artifact_bytes": release.artifact_bytes,
    }


def detail_json(detail: CodeDetail) -> dict:
    """The public shape of a code's detail (``codes show --json``, the API)."""
    return {
        "code": detail.code, "system": str(detail.system), "release": detail.release,
        "date": detail.date.isoformat(), "title": detail.title, "short_title": detail.short_title,
        "billable": detail.billable, "kind": detail.kind,
        "path": [{"level": item.level, "key": item.key, "title": item.title} for item in detail.path],
        "billable_children": [{"code": child.code, "title": child.title}
                              for child in detail.children],
        "billable_children_total": detail.children_total,
        "notes": [{"kind": str(note.kind), "text": note.text, "source": note.source.label,
                   "source_title": note.source.title} for note in detail.notes],
        "seventh_characters": _seventh_json(detail),
        "pcs": _pcs_json(detail),
        "hcpcs": hcpcs_json(detail),
        "replaced": detail.replaced,
        "messages": detail.messages,
    }


def _seventh_json(detail: CodeDetail) -> dict | None:
    seventh = detail.seventh
    if seventh is None:
        return None
    return {"values": [{"character": character, "meaning": meaning}
                       for character, meaning in seventh.values],
            "source": seventh.source.label if seventh.source else None,
            "placeholder": seventh.placeholder, "this_character": seventh.this_character}


def _pcs_json(detail: CodeDetail) -> dict | None:
    pcs = detail.pcs
    if pcs is None:
        return None
    return {"table": pcs.table, "table_title": pcs.table_title, "rows": pcs.rows,
            "characters": [{"position": item.position, "axis": item.axis, "value": item.value,
                            "label": item.label, "definition": item.definition}
                           for item in pcs.characters],
            "row": [{"position": axis.position, "axis": axis.title,
                     "values": [{"value": value, "label": label} for value, label in axis.values]}
                    for axis in pcs.row],
            "includes": [{"position": position, "text": text} for position, text in pcs.includes]}


def hcpcs_json(detail: CodeDetail) -> dict | None:
    fields = detail.hcpcs
    if fields is None:
        return None
    return {"pricing_indicator": fields.pricing_indicator, "coverage_code": fields.coverage_code,
            "betos": fields.betos, "type_of_service": fields.type_of_service,
            "action_code": fields.action_code, "added": _iso(fields.added),
            "action_effective": _iso(fields.action_effective),
            "terminated": _iso(fields.terminated), "in_effect": fields.in_effect}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def validation_json(result: CodeValidation) -> dict:
    """The DESIGN contract ``{"code", "system", "date", "valid", "billable", "messages"}``
    with the release and title."""
    return {"code": result.code, "system": str(result.system), "date": result.date.isoformat(),
            "valid": result.valid, "billable": result.billable, "messages": result.messages,
            "release": result.release, "title": result.title}
