"""The body site of a condition the note names without one in the same words: "pain" in
"pain radiating to the lumbar region", "carcinoma" in "a carcinoma was found in the bladder",
"adenopathies" in "cervical and axillary adenopathies were palpated".

ICD-10-CM classifies these conditions by site (R10.- abdominal, M54.- back, R07.- chest pain,
M25.5- joint pain; the Neoplasm table's rows; R59.0 localized vs R59.9 unspecified enlarged
lymph nodes, R60.0 localized vs R60.9 unspecified edema), and its "unspecified site" code is
for a record that names no site (Section I.B.18 / I.A.9: "unspecified" codes only when the
documentation does not support a more specific one). A coder reads the site from the same
sentence; so does this, with the site words of the release's Neoplasm table (every body part
a coder looks up there), the nearest first.
"""

from __future__ import annotations

from chartwell.cac.text import Sentence
from chartwell.codesets.search.text import terms

# "unspecified site" codes a site in the sentence may make specific (prefixes)
SITE_UNSPECIFIED = ("R52", "C80.1", "C79.9", "D49.9", "D48.9", "D36.9", "D49.89", "R59.9",
                    "R60.9", "L02.91", "R22.9", "T14.8", "T14.90", "R10.9", "M79.60",
                    "M25.50", "L98.9", "R23.8", "D18.00", "I96")
# table row words that name no site (qualifiers, columns, placeholders, sides)
NOT_SITES = frozenset((
    "other", "specified", "unspecified", "site", "sites", "part", "parts", "nec", "nos",
    "multiple", "overlapping", "lesion", "lesions", "tissue", "see", "also", "malignant",
    "benign", "primary", "secondary", "and", "of", "the", "with", "except", "by", "in",
    "left", "right", "bilateral", "upper", "lower", "middle", "anterior", "posterior",
    "lateral", "medial", "border", "surface", "contiguous", "type", "unknown", "ill",
    "defined", "generalized", "disseminated", "margin", "wall", "junction", "region", "area",
    "portion", "body", "system", "structure", "organ", "organs", "vessel", "skin", "soft",
    "connective", "ectopic", "accessory", "cell", "cells", "gland", "glands", "cavity",
    "aspect", "base", "tip", "external", "internal", "central", "superior", "inferior",
    "common", "great", "small", "large", "long", "short", "minor", "major", "deep",
    "superficial", "total", "whole", "origin", "tract", "duct", "ducts", "space", "floor",
    "roof", "sheath", "fold", "nerve", "nerves", "muscle", "muscles", "bone", "bones",
    "artery", "vein", "lymph", "node", "nodes", "mass", "normal", "unilateral", "distal",
    "proximal", "intermediate", "extremity", "limb", "side",
))
# NOT_SITES words that are rows of the Neoplasm table in their own right (a neoplasm's site)
TISSUES = ("bone", "bones", "skin", "lymph", "node", "nodes", "muscle", "nerve", "gland",
           "connective", "soft", "tissue", "duct", "artery", "vein")
REACH = 10  # words from the condition a site may lie, at most
# Regions of the abdomen a note names that the index does not, as the index says them (Pain,
# abdominal, upper / lower / right quadrant / epigastric / periumbilic: R10.1- to R10.3-,
# R10.9), the side kept where one is written before a quadrant ("right hypochondrium" is the
# right upper quadrant, R10.11; a right flank has no code of its own). Keys are note words;
# "fossa" only after "iliac".
ABDOMINAL_REGIONS = {
    "hypochondrium": "upper quadrant abdominal", "hypochondria": "upper quadrant abdominal",
    "fossa": "lower quadrant abdominal", "hypogastrium": "lower abdominal",
    "hypogastric": "lower abdominal", "epigastrium": "epigastric abdominal",
    "mesogastrium": "periumbilic abdominal", "periumbilical": "periumbilic abdominal",
    "hemiabdomen": "abdominal", "flank": "abdominal",
}
_REGION_AFTER = {"fossa": "iliac"}
SIDES = ("right", "left")


class SiteWords:
    """The site vocabulary of one release (stems of the Neoplasm table's row words)."""

    def __init__(self, rows, stopwords: frozenset[str]):
        self.stopwords = stopwords
        excluded = {stem for word in NOT_SITES for stem in terms(word, stopwords)}
        found: set[str] = set()
        stack = list(rows)
        while stack:
            row = stack.pop()
            found.update(terms(row.title.split(" - ")[0], stopwords))
            stack.extend(row.subterms)
        self.stems = frozenset(word for word in found - excluded
                               if word.isalpha() and len(word) > 2)
        # the rows that name a tissue or a structure ("bone", "lymph node", "skin") are sites
        # of a neoplasm too, though too general to make a sign's site specific
        tissues = {stem for word in TISSUES for stem in terms(word, stopwords)}
        self.neoplasm_stems = self.stems | frozenset(found & tissues)

    def near(self, sentence: Sentence, stems: list[str], first: int, last: int,
             limit: int = 2) -> list[str]:
        """The site words of ``sentence`` outside words ``first``..``last``, nearest first."""
        found: list[tuple[int, int, str]] = []
        norms = [token.norm for token in sentence.tokens]
        for position, word in enumerate(stems):
            region = _region(norms, position)
            if first <= position <= last or (word not in self.stems and region is None) \
                    or _in_region(norms, position):
                continue
            distance = first - position if position < first else position - last
            if distance <= REACH:
                found.append((distance, position, region or norms[position]))
        found.sort()
        chosen: list[str] = []
        for _, _, norm in found:
            if norm not in chosen:
                chosen.append(norm)
            if len(chosen) == limit:
                break
        return chosen


def _region(norms: list[str], position: int) -> str | None:
    """The index's words for an abdominal region named at ``position``, with its side."""
    words = ABDOMINAL_REGIONS.get(norms[position])
    if words is None:
        return None
    before = position - 1
    if norms[position] in _REGION_AFTER:
        if before < 0 or norms[before] != _REGION_AFTER[norms[position]]:
            return None
        before -= 1
    sided = "quadrant" in words and before >= 0 and norms[before] in SIDES
    return f"{norms[before]} {words}" if sided else words


def _in_region(norms: list[str], position: int) -> bool:
    """The word is part of the region named after it ("iliac" of "iliac fossa")."""
    following = norms[position + 1] if position + 1 < len(norms) else None
    return following is not None and _REGION_AFTER.get(following) == norms[position]


def needs_site(code: str) -> bool:
    return code.startswith(SITE_UNSPECIFIED)
