"""A :class:`RiskScore` as the JSON document ``chartwell hcc score --json`` prints (and the API
can return). The keys are public interface: keep them stable."""

from __future__ import annotations

from chartwell.grouping.hcc.model import (
    Adjustment, Evidence, Factor, Finding, HccResult, InteractionResult, ModelScore, RiskScore,
)

RAF_PLACES = 3  # CMS risk scores carry three decimals


def risk_score_json(result: RiskScore) -> dict:
    primary = result.primary
    return {
        "payment_year": result.payment_year,
        "model": primary.title,
        "segment": {"code": primary.segment.code, "label": primary.segment.label},
        "raf": round(result.raf, RAF_PLACES),
        "demographic": [factor_json(factor) for factor in primary.demographic],
        "hccs": [hcc_json(hcc) for hcc in primary.hccs],
        "interactions": [interaction_json(item) for item in primary.interactions],
        "blend": blend_json(result),
        "age": result.age,
        "status": result.status,
        "normalization": {model: adjustment_json(item) for model, item in result.normalization.items()},
        "ma_coding_adjustment": adjustment_json(result.coding_adjustment),
        "payment_raf": result.payment_raf,
        "findings": [finding_json(finding) for finding in result.findings],
        "sources": {part.score.model: list(part.score.sources) for part in result.blend},
    }


def blend_json(result: RiskScore) -> dict:
    components = []
    for index, part in enumerate(result.blend):
        component = {"model": part.score.model, "title": part.score.title, "weight": part.weight,
                     "raf": round(part.score.raf, RAF_PLACES)}
        if index:  # the primary model's details are at the top level
            component |= model_details_json(part.score)
        components.append(component)
    return {"components": components, "source": result.blend_source}


def model_details_json(score: ModelScore) -> dict:
    return {"segment": {"code": score.segment.code, "label": score.segment.label},
            "demographic": [factor_json(factor) for factor in score.demographic],
            "hccs": [hcc_json(hcc) for hcc in score.hccs],
            "interactions": [interaction_json(item) for item in score.interactions]}


def factor_json(factor: Factor) -> dict:
    return {"factor": factor.name, "variable": factor.variable, "description": factor.description,
            "coefficient": factor.coefficient}


def hcc_json(hcc: HccResult) -> dict:
    dropped = hcc.dropped
    return {"hcc": hcc.hcc, "label": hcc.label, "coefficient": hcc.coefficient,
            "variable": hcc.variable,
            "diagnoses": [evidence_json(item) for item in hcc.diagnoses],
            "dropped_by": None if dropped is None else
            {"hcc": dropped.by_hcc, "rule": dropped.rule, "source": dropped.source}}


def evidence_json(evidence: Evidence) -> dict:
    document = {"code": evidence.code,
                "date": evidence.date_of_service.isoformat() if evidence.date_of_service else None}
    if evidence.edit:
        document["edit"] = evidence.edit
    return document


def interaction_json(item: InteractionResult) -> dict:
    return {"interaction": item.name, "variable": item.variable, "coefficient": item.coefficient,
            "because": list(item.because)}


def adjustment_json(item: Adjustment) -> dict:
    return {"value": item.value, "applied": item.applied, "source": item.source}


def finding_json(finding: Finding) -> dict:
    return {"rule": finding.rule, "severity": finding.severity.value, "message": finding.message,
            "codes": list(finding.codes), "field": finding.field, "source": finding.source}
