"""ICD-10-CM: readers for the official CDC/CMS files, and building a release from its addenda.

Pure parsers, no database. Each reader takes one published layout, as a stream
(``read_x(stream)``) or a path (``read_x_file(path)``; ``read_x_zip(path)`` for a member of a CMS
zip), and yields the plain types of :mod:`chartwell.codesets.model`, streaming. A malformed
input raises :class:`chartwell.errors.InvalidInput` naming the file and line (or field).

=====================  ==========================================================================
module                 files
=====================  ==========================================================================
``order``              ``icd10cm_order_YYYY.txt``, ``icd10cm_codes_YYYY.txt`` -> CodeTitle
``tabular``            ``icd10cm_tabular_YYYY.xml`` -> TabularEntry (chapters, blocks, codes, notes)
``index``              ``icd10cm_index_YYYY.xml``, ``icd10cm_eindex_YYYY.xml``, the flattened
                       index CSV -> IndexTerm trees
``tables``             ``icd10cm_neoplasm_YYYY.xml``, ``icd10cm_drug_YYYY.xml`` -> TableRow trees
``changes``            conversion table (CSV, .xlsx) -> ConversionEntry; codes / order addenda ->
                       AddendaLine; ``apply_addenda`` (previous release + addenda -> new list)
=====================  ==========================================================================
"""

from chartwell.codesets.icd10cm.changes import (
    OrderAddendaLine,
    apply_addenda,
    read_codes_addenda,
    read_codes_addenda_file,
    read_codes_addenda_zip,
    read_conversion_csv,
    read_conversion_csv_file,
    read_conversion_xlsx,
    read_conversion_xlsx_file,
    read_conversion_zip,
    read_order_addenda,
    read_order_addenda_file,
    read_order_addenda_zip,
)
from chartwell.codesets.icd10cm.index import (
    read_index,
    read_index_csv,
    read_index_csv_file,
    read_index_file,
)
from chartwell.codesets.icd10cm.order import (
    read_codes,
    read_codes_file,
    read_codes_zip,
    read_order,
    read_order_file,
    read_order_zip,
)
from chartwell.codesets.icd10cm.tables import (
    read_table,
    read_table_file,
    read_table_headings,
    read_table_headings_file,
)
from chartwell.codesets.icd10cm.tabular import read_tabular, read_tabular_file

__all__ = [
    "OrderAddendaLine",
    "apply_addenda",
    "read_codes",
    "read_codes_addenda",
    "read_codes_addenda_file",
    "read_codes_addenda_zip",
    "read_codes_file",
    "read_codes_zip",
    "read_conversion_csv",
    "read_conversion_csv_file",
    "read_conversion_xlsx",
    "read_conversion_xlsx_file",
    "read_conversion_zip",
    "read_index",
    "read_index_csv",
    "read_index_csv_file",
    "read_index_file",
    "read_order",
    "read_order_addenda",
    "read_order_addenda_file",
    "read_order_addenda_zip",
    "read_order_file",
    "read_order_zip",
    "read_table",
    "read_table_file",
    "read_table_headings",
    "read_table_headings_file",
    "read_tabular",
    "read_tabular_file",
]
