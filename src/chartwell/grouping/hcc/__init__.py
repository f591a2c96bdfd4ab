"""CMS-HCC risk adjustment: ICD-10-CM diagnoses and a beneficiary's demographics -> the RAF score
of a Medicare Advantage payment year (CMS-HCC V28, blended with V24 where CMS blends), with the
diagnosis behind each HCC, the hierarchy that dropped an HCC and every relative factor used.

The tables are CMS's and are not shipped: ``load_hcc_model_files(folder)`` reads them from a
folder (see ``load.py`` for the file names it recognizes). Everything else here is pure.

    tables = load_hcc_model_files("/path/to/hcc")
    result = score(parse_request(document), tables)
    risk_score_json(result)
"""

from chartwell.grouping.hcc.load import load_hcc_model_files
from chartwell.grouping.hcc.model import (
    Beneficiary, Diagnosis, DualStatus, Finding, ModelScore, RiskScore, ScoringRequest, Sex,
)
from chartwell.grouping.hcc.patient_json import InvalidPatient, parse_request
from chartwell.grouping.hcc.policy import POLICIES, PaymentYearPolicy, policy_for
from chartwell.grouping.hcc.present import risk_score_json
from chartwell.grouping.hcc.scoring import ScoreOptions, age_on_february_first, score
from chartwell.grouping.hcc.tables import HccTables, ModelTables

__all__ = [
    "POLICIES", "Beneficiary", "Diagnosis", "DualStatus", "Finding", "HccTables", "InvalidPatient",
    "ModelScore", "ModelTables", "PaymentYearPolicy", "RiskScore", "ScoreOptions", "ScoringRequest",
    "Sex", "age_on_february_first", "load_hcc_model_files", "parse_request", "policy_for",
    "risk_score_json", "score",
]
