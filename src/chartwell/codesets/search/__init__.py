"""The encoder's search: documents from the loaders' output, tables inside a release's SQLite
artifact, and the index that answers queries the way a coder thinks.

=================  ===========================================================================
module             what it holds
=================  ===========================================================================
``model``          :class:`SearchDocument` (what is indexed), :class:`SearchHit` (an answer)
``documents``      ``icd10cm_documents``, ``icd10pcs_documents``, ``hcpcs_documents``,
                   ``cpt_documents``: loaders' output -> documents (codes checked against the
                   release, cross references followed)
``build``          ``build_search_tables(conn, documents)``: the ``search_*`` tables
``engine``         :class:`SearchIndex`: ``load(conn)`` and ``search(text, limit=)``
``query``          how a query is read (abbreviations, typos, alternatives, weights)
``text``           words, stemming and the clinical lexicon (``lexicon.json``)
``spelling``       the deletion-neighbourhood spelling dictionary
=================  ===========================================================================
"""

from chartwell.codesets.search.build import build_search_tables
from chartwell.codesets.search.documents import (
    cpt_documents,
    hcpcs_documents,
    icd10cm_documents,
    icd10pcs_documents,
)
from chartwell.codesets.search.engine import SearchIndex
from chartwell.codesets.search.model import SearchDocument, SearchHit, Source

__all__ = [
    "SearchDocument",
    "SearchHit",
    "SearchIndex",
    "Source",
    "build_search_tables",
    "cpt_documents",
    "hcpcs_documents",
    "icd10cm_documents",
    "icd10pcs_documents",
]
