"""Make the index-derived half of the encoder's labelled lookup set (``generated.tsv``).

Deterministic: the same shared data gives the same file. Run from the repository root:

    .venv/bin/python tests/data/encoder_lookup/make_index_queries.py [SHARED_DATA]

(``SHARED_DATA`` defaults to ``$CHARTWELL_TEST_DATA`` or ``../shared/data``.) Every query is
built from the official text and labelled with the code that text gives, valid and billable in
FY2026:

* ``index``: an alphabetic index path whose code is complete (no dash), its parts' first words
  in a shuffled order half of the time (word order is free); words that the external cause
  index also leads elsewhere with count as ambiguous;
* ``tabular``: a tabular title, or an inclusion term, of a billable code;
* ``neoplasm``: a Table of Neoplasms site with a behaviour column ("benign neoplasm of ...");
* ``drug``: a Table of Drugs substance with a column ("adverse effect of ..."), the 7th
  character A (initial encounter, the default when the encounter is not said);
* ``pcs``: an ICD-10-PCS long title; ``hcpcs``: a HCPCS Level II long description.

A query is kept only when no other entry of its kind has the same words with another code (it
would be ambiguous), when its expected code is billable in FY2026, and when the hand-written
half does not already ask it. Nothing here looks at
what the search answers, nor uses its code.
"""

from __future__ import annotations

import csv
import os
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

from chartwell.codesets.hcpcs import read_hcpcs_csv_files
from chartwell.codesets.icd10cm import (
    read_index_csv_file,
    read_index_file,
    read_order_zip,
    read_table_file,
    read_tabular_file,
)
from chartwell.codesets.icd10pcs.order import read_order_zip as read_pcs_order_zip
from chartwell.codesets.model import NoteKind

HERE = Path(__file__).parent
SEED = 20261124
COUNTS = {"index": 330, "tabular": 70, "inclusion": 40, "neoplasm": 45, "drug": 45, "pcs": 30,
          "hcpcs": 30}
DRUG_COLUMNS = {
    "poisoning accidental (unintentional)": "poisoning by {} accidental",
    "poisoning intentional self-harm": "poisoning by {} intentional self-harm",
    "poisoning assault": "poisoning by {} assault",
    "poisoning undetermined": "poisoning by {} undetermined intent",
    "adverse effect": "adverse effect of {}",
    "underdosing": "underdosing of {}",
}
NEOPLASM_COLUMNS = {
    "malignant primary": "malignant neoplasm of {}",
    "malignant secondary": "secondary malignant neoplasm of {}",
    "ca in situ": "carcinoma in situ of {}",
    "benign": "benign neoplasm of {}",
    "uncertain behavior": "neoplasm of uncertain behavior of {}",
    "unspecified behavior": "neoplasm of unspecified behavior of {}",
}


def main(root: Path) -> None:
    codesets = root / "codesets"
    order = list(read_order_zip(codesets / "icd10cm/2026/2026-code-descriptions-tabular-order.zip"))
    billable = {title.code for title in order if title.billable}
    rows: list[tuple[str, str, str, str]] = []
    rows += index_queries(codesets, billable)
    rows += tabular_queries(codesets, order, billable)
    rows += table_queries(codesets, billable)
    rows += pcs_queries(codesets)
    rows += hcpcs_queries(codesets)
    hand_written = _hand_written()
    rows = [row for row in rows if row[0].lower() not in hand_written]
    with open(HERE / "generated.tsv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(["query", "code", "kind", "note"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} queries to {HERE / 'generated.tsv'}")


STOPWORDS = frozenset({"a", "an", "the", "of", "and", "or", "in", "on", "at", "by", "for", "to",
                       "with", "from", "as", "nec", "nos"})


def _hand_written() -> set[str]:
    """The queries of the hand-written half (``shorthand.tsv``): not asked twice."""
    path = HERE / "shorthand.tsv"
    if not path.exists():
        return set()
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    return {line.split("\t")[0].lower() for line in lines[1:]}


def key(text: str) -> tuple[str, ...]:
    """The words of a query, for telling queries apart: lower case, letters and digits, the
    commonest small words and a plural ``s`` dropped, in any order (independent of the
    search engine's own reading, so that the labelled set does not move with it)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return tuple(sorted({word[:-1] if len(word) > 3 and word.endswith("s") else word
                         for word in words if word not in STOPWORDS}))


def unambiguous(candidates: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """(query, code, note) whose words lead to one code only among ``candidates``."""
    codes: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for query, code, _ in candidates:
        codes[key(query)].add(code)
    seen: set[tuple[str, ...]] = set()
    kept = []
    for query, code, note in candidates:
        words = key(query)
        if len(codes[words]) == 1 and words and words not in seen:
            seen.add(words)
            kept.append((query, code, note))
    return kept


def sample(items: list, count: int, salt: str) -> list:
    """``count`` items picked at random (seeded), in their original order."""
    chooser = random.Random(f"{SEED}-{salt}")
    picked = chooser.sample(range(len(items)), min(count, len(items)))
    return [items[position] for position in sorted(picked)]


def walk(terms_, chain=()):
    for term in terms_:
        here = (*chain, term)
        yield here
        yield from walk(term.subterms, here)


def first_words(title: str) -> str:
    return title.split(",")[0].strip()


# -- the alphabetic index ------------------------------------------------------------------


def index_queries(codesets: Path, billable: set[str]) -> list[tuple[str, str, str, str]]:
    cm = codesets / "icd10cm"
    index = list(read_index_csv_file(cm / "2025/reformatted/ICD10CM_2025_Index.csv.xz"))
    external = list(read_index_file(cm / "2026/icd10cm-eindex-April-1-2026-XML.xml"))
    candidates, every = [], []
    for chain in walk(external):
        if chain[-1].code:
            words = [first_words(node.title) for node in chain if first_words(node.title)]
            every.append((" ".join(words).lower(), chain[-1].code.rstrip("-"), ""))
    for chain in walk(index):
        term = chain[-1]
        if not term.code:
            continue
        words = [first_words(node.title) for node in chain if first_words(node.title)]
        query = " ".join(words).lower()
        every.append((query, term.code.rstrip("-"), ""))
        if term.code in billable and len(words) <= 4:
            candidates.append((query, term.code, " > ".join(node.title for node in chain)))
    ambiguous = {key(query) for query, _, _ in unambiguous_complement(every)}
    kept = [item for item in unambiguous(candidates) if key(item[0]) not in ambiguous]
    chosen = sample(kept, COUNTS["index"], "index")
    shuffler = random.Random(f"{SEED}-shuffle")
    rows = []
    for query, code, note in chosen:
        words = query.split()
        if shuffler.random() < 0.5:
            shuffler.shuffle(words)
        rows.append((" ".join(words), code, "index", note))
    return rows


def unambiguous_complement(every: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Entries whose words also lead (anywhere in the index) to another code."""
    codes: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for query, code, _ in every:
        codes[key(query)].add(code)
    return [item for item in every if len(codes[key(item[0])]) > 1]


# -- the tabular ---------------------------------------------------------------------------


def tabular_queries(codesets: Path, order, billable: set[str]) -> list[tuple[str, str, str, str]]:
    tabular = list(read_tabular_file(codesets / "icd10cm/2026/icd10c-tabular-April-1-2026.xml.xz"))
    keys = {entry.key for entry in tabular if entry.kind == "code"}
    titles = [(title.long_title.lower(), title.code, "title") for title in order
              if title.billable and title.code in keys]
    notes = [(note.text.lower(), entry.key, "inclusion term") for entry in tabular
             if entry.kind == "code" and entry.key in billable
             for note in entry.notes if note.kind is NoteKind.INCLUSION_TERM]
    rows = [(query, code, "tabular", note) for query, code, note
            in sample(unambiguous(titles), COUNTS["tabular"], "tabular")]
    inclusion = [item for item in unambiguous(notes + titles) if item[2] == "inclusion term"]
    rows += [(query, code, "tabular", note) for query, code, note
             in sample(inclusion, COUNTS["inclusion"], "inclusion")]
    return rows


# -- the Neoplasm and Drug tables ----------------------------------------------------------


def table_queries(codesets: Path, billable: set[str]) -> list[tuple[str, str, str, str]]:
    cm = codesets / "icd10cm/2026"
    neoplasm = list(read_table_file(cm / "icd10cm-neoplasm-April-1-2026-XML.xml"))
    drug = list(read_table_file(cm / "icd10cm-drug-April-1-2026-XML.xml"))
    rows = []
    for kind, table, columns, suffix in (("neoplasm", neoplasm, NEOPLASM_COLUMNS, ""),
                                         ("drug", drug, DRUG_COLUMNS, "A")):
        candidates = []
        for chain in walk(table):
            row = chain[-1]
            site = " ".join(first_words(node.title) for node in chain[1 if kind == "neoplasm"
                                                                        else 0:]).lower()
            for heading, code in row.codes.items():
                template = columns.get(heading.lower())
                expected = code + suffix
                if template and site and expected in billable and "-" not in code:
                    candidates.append((template.format(site), expected,
                                       f"{' > '.join(n.title for n in chain)} | {heading}"))
        rows += [(query, code, kind, note) for query, code, note
                 in sample(unambiguous(candidates), COUNTS[kind], kind)]
    return rows


# -- ICD-10-PCS and HCPCS ------------------------------------------------------------------


def pcs_queries(codesets: Path) -> list[tuple[str, str, str, str]]:
    order = read_pcs_order_zip(
        codesets / "icd10pcs/2026/2026-icd-10-pcs-order-file-long-and-abbreviated-titles.zip")
    titles = [(title.long_title.lower(), title.code, "long title") for title in order
              if title.billable]
    return [(query, code, "pcs", note) for query, code, note
            in sample(unambiguous(titles), COUNTS["pcs"], "pcs")]


def hcpcs_queries(codesets: Path) -> list[tuple[str, str, str, str]]:
    folder = codesets / "hcpcs/2024q3/reformatted"
    codes = list(read_hcpcs_csv_files(folder / "hcpcs_lvl2.csv",
                                      folder / "two_descriptions.csv.xz"))
    every = [(code.long_title.lower(), code.code, "long description") for code in codes]
    ambiguous = {key(query) for query, _, _ in unambiguous_complement(every)}
    titles = [(query, code, note) for (query, code, note), item in zip(every, codes, strict=True)
              if item.terminated is None and len(query) < 90 and key(query) not in ambiguous]
    return [(query, code, "hcpcs", note) for query, code, note
            in sample(unambiguous(titles), COUNTS["hcpcs"], "hcpcs")]


if __name__ == "__main__":
    default = Path(os.environ.get("CHARTWELL_TEST_DATA", HERE.parents[3] / "shared" / "data"))
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
