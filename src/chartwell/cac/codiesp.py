"""A labelled folder laid out like CodiEsp (CLEF eHealth 2020): notes and their gold codes.

Layout read here (the CodiEsp README's, and our development set's):

    FOLDER/text_files_en/<doc_id>.txt      one note per file (English)
    FOLDER/*_D_*.tsv or *diagnos*.tsv       doc_id<TAB>code, gold diagnoses, no header
    FOLDER/*_P_*.tsv or *procedure*.tsv     doc_id<TAB>code, gold procedures, no header
    FOLDER/index.tsv, FOLDER/index_*.tsv    optional, with a header: doc_id, setting, ...

The CodiEsp-X file (``*_X_*.tsv``: label, code, text and offsets of each mention) is not gold
for the D and P tracks and is not read. CodiEsp's gold is CIE-10-ES, the Spanish edition of
ICD-10-CM / ICD-10-PCS, written in lower case with a dot (``n18.6``, ``bw03zzz``). Mapping it to
ICD-10-CM is normalising its case and dot; CIE-10-ES follows an earlier ICD-10-CM (before the
FY2020-FY2022 subdivisions of R51, R05, M54.5, E87.2 ...), so a code that has since been subdivided (R51 -> R51.9, M54.5 -> M54.50) is a header in FY2026: where the
CMS/CDC conversion table names one unambiguous successor it is scored as that successor
(:func:`mapped_code`), and a code missing only its 7th character (``w19.xxx``) as the initial
encounter. What is then still a header, or does not exist in ICD-10-CM, is reported by
:func:`check_gold` and scored as it is: it can never match a suggested code at code level (a
miss), and it still counts at category level through its first three characters. PCS
gold shorter than seven characters (CodiEsp annotators stopped where the text said no more) is
reported as partial and scored the same way.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from chartwell.cac.evaluation import evaluate
from chartwell.errors import Position, UnreadableInput

TEXT_FOLDER = "text_files_en"
INDEX_FILES = "index*.tsv"
SETTINGS = ("inpatient", "outpatient")


@dataclass(frozen=True, slots=True)
class LabelledNote:
    doc_id: str
    path: Path
    setting: str | None  # from index.tsv; None when the folder does not say
    details: Mapping[str, str] = field(default_factory=dict)  # the rest of its index.tsv row

    def text(self) -> str:
        """The note as text; bytes that are not UTF-8 are replaced, never fatal (the coder
        answers garbage with no suggestions)."""
        return self.path.read_bytes().decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class LabelledSet:
    folder: Path
    notes: list[LabelledNote]
    diagnoses: dict[str, list[str]]  # doc_id -> gold codes as written in the .tsv
    procedures: dict[str, list[str]]
    gold_without_note: int = 0  # gold lines naming a doc_id with no text file

    def gold(self, kind: str) -> dict[str, list[str]]:
        return self.diagnoses if kind == "diagnoses" else self.procedures


def _gold_kind(path: Path) -> str | None:
    name = path.name.lower()
    if "_x_" in name or "evidence" in name:
        return None
    if "_d_" in name or "diagnos" in name:
        return "diagnoses"
    if "_p_" in name or "procedure" in name:
        return "procedures"
    return None


def read_gold(path: Path) -> dict[str, list[str]]:
    """doc_id -> codes, in file order, duplicates dropped. A header line (``doc_id``/
    ``articleID`` first) is skipped; a line without two tab-separated fields is unreadable
    input naming the file and line."""
    gold: dict[str, list[str]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise UnreadableInput(f"cannot read gold codes ({type(error).__name__})",
                              Position(file=str(path))) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0].strip() or not fields[1].strip():
            raise UnreadableInput("expected doc_id<TAB>code", Position(file=str(path), line=number))
        doc_id, code = fields[0].strip(), fields[1].strip()
        if number == 1 and doc_id.lower() in ("doc_id", "articleid"):
            continue
        codes = gold.setdefault(doc_id, [])
        if code not in codes:
            codes.append(code)
    return gold


def read_index(path: Path) -> dict[str, dict[str, str]]:
    """index.tsv: a header, then one row per note; ``setting`` must be inpatient/outpatient."""
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream, delimiter="\t"))
    index = {}
    for number, row in enumerate(rows, start=2):
        doc_id = (row.get("doc_id") or "").strip()
        if not doc_id:
            raise UnreadableInput("missing doc_id", Position(file=str(path), line=number))
        setting = (row.get("setting") or "").strip()
        if setting and setting not in SETTINGS:
            raise UnreadableInput(f"setting must be one of {', '.join(SETTINGS)}",
                                  Position(file=str(path), line=number, field="setting"))
        index[doc_id] = {key: (value or "").strip() for key, value in row.items() if key}
    return index


def read_labelled(folder: Path, limit: int | None = None) -> LabelledSet:
    """The notes (sorted by doc_id, the first ``limit`` of them) and the gold of a folder."""
    texts = folder / TEXT_FOLDER
    if not texts.is_dir():
        raise UnreadableInput(f"no {TEXT_FOLDER}/ folder of notes", Position(file=str(folder)))
    index: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob(INDEX_FILES)):
        index.update(read_index(path))
    paths = sorted(texts.glob("*.txt"))
    if limit is not None:
        paths = paths[:max(limit, 0)]
    notes = []
    for path in paths:
        row = index.get(path.stem, {})
        notes.append(LabelledNote(path.stem, path, row.get("setting") or None,
                                  {k: v for k, v in row.items() if k not in ("doc_id", "setting")}))
    gold: dict[str, dict[str, list[str]]] = {"diagnoses": {}, "procedures": {}}
    for path in sorted(folder.glob("*.tsv")):
        kind = None if path.name.startswith("index") else _gold_kind(path)
        if kind:
            for doc_id, codes in read_gold(path).items():
                gold[kind].setdefault(doc_id, []).extend(
                    c for c in codes if c not in gold[kind].get(doc_id, ()))
    ids = {note.doc_id for note in notes}
    orphans = sum(len(codes) for kind in gold.values() for doc_id, codes in kind.items()
                  if doc_id not in ids) if limit is None else 0
    kept = {kind: {doc_id: codes for doc_id, codes in by_doc.items() if doc_id in ids}
            for kind, by_doc in gold.items()}
    return LabelledSet(folder, notes, kept["diagnoses"], kept["procedures"], orphans)


# -- from the Spanish edition to ICD-10-CM / PCS ---------------------------------------------------


def icd10cm_form(code: str) -> str:
    """``n18.6`` -> ``N18.6``; ``N186`` -> ``N18.6``."""
    bare = code.strip().replace(".", "").upper()
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


def icd10pcs_form(code: str) -> str:
    return code.strip().replace(".", "").upper()


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What the release in force says of a code."""

    billable: bool
    title: str


@dataclass(frozen=True, slots=True)
class Release:
    """The two questions the mapping asks of a release: a code's row, and the codes the
    conversion table lists as replacing an earlier one (CMS/CDC ICD-10-CM conversion table)."""

    lookup: Callable[[str], CodeInfo | None]
    replaced_by: Callable[[str], list[str]] = lambda code: []


def mapped_code(code: str, release: Release) -> tuple[str, str]:
    """(the code to score, how it stands): ``billable``; ``mapped`` where an earlier edition's
    code (CodiEsp's CIE-10-ES follows an earlier ICD-10-CM) was later subdivided and the
    conversion table names one unambiguous successor (see :func:`successor`), or where only the
    7th character is missing (``W19.XXX`` -> ``W19.XXXA``: CodiEsp's cases are initial
    encounters); else ``header`` or ``absent``, scored as written."""
    info = release.lookup(code)
    if info is not None and info.billable:
        return code, "billable"
    candidates = [code] + ([code + "A"] if len(code.replace(".", "")) == 6 else [])
    for candidate in candidates:
        if candidate != code:
            found = release.lookup(candidate)
            if found is not None and found.billable:
                return candidate, "mapped"
        chosen = successor(candidate, release)
        if chosen:
            return chosen, "mapped"
    return code, "absent" if info is None else "header"


def successor(code: str, release: Release) -> str | None:
    """The one billable successor of a subdivided code: the only one; else the initial
    encounter where successors differ only in the 7th character; else the one whose title says
    it is the unspecified subdivision ("Unspecified ..." first, then "..., unspecified").
    None when still ambiguous (R74.0 -> R74.01 or R74.02)."""
    found = [(c, info) for c in release.replaced_by(code)
             if (info := release.lookup(c)) is not None and info.billable]
    if len(found) == 1:
        return found[0][0]
    initial = [c for c, _ in found if c.endswith("A")]
    if len(initial) == 1 and len({c[:-1] for c, _ in found}) == 1:
        return initial[0]
    for test in (lambda t: t.lower().startswith("unspecified "), lambda t: ", unspecified" in t.lower()):
        chosen = [c for c, info in found if test(info.title)]
        if len(chosen) == 1:
            return chosen[0]
    return None


@dataclass(slots=True)
class GoldCheck:
    """How the gold codes of one kind stand in the US code set, and how each is scored."""

    kind: str
    total: int = 0
    billable: int = 0
    mapped: Counter[tuple[str, str]] = field(default_factory=Counter)  # (gold, scored as)
    headers: Counter[str] = field(default_factory=Counter)  # exist, not billable, no successor
    absent: Counter[str] = field(default_factory=Counter)  # not in the US code set
    partial: Counter[str] = field(default_factory=Counter)  # PCS shorter than 7 characters

    def to_json(self, top: int = 30) -> dict:
        def listed(counter: Counter[str]) -> list[dict]:
            return [{"code": code, "count": n} for code, n in counter.most_common(top)]
        return {
            "kind": self.kind, "total": self.total, "billable": self.billable,
            "mapped": sum(self.mapped.values()),
            "headers": sum(self.headers.values()), "absent": sum(self.absent.values()),
            "partial": sum(self.partial.values()),
            "most_frequent_mapped": [{"gold": gold, "scored_as": to, "count": n}
                                     for (gold, to), n in self.mapped.most_common(top)],
            "most_frequent_headers": listed(self.headers),
            "most_frequent_absent": listed(self.absent),
            "most_frequent_partial": listed(self.partial),
            "scored_as": "mapped codes as their successor; headers, absent and partial codes as "
                         "written: never a code-level match, counted at category level by "
                         "their first three characters",
        }


def _form(kind: str) -> Callable[[str], str]:
    return icd10cm_form if kind == "diagnoses" else icd10pcs_form


def check_gold(kind: str, gold: Mapping[str, Iterable[str]], release: Release) -> GoldCheck:
    """Every gold code of ``kind`` looked up (and mapped) in ``release``."""
    check = GoldCheck(kind)
    for codes in gold.values():
        for raw in codes:
            code = _form(kind)(raw)
            check.total += 1
            if kind == "procedures" and len(code) < 7:
                check.partial[code] += 1
                continue
            scored, how = mapped_code(code, release) if kind == "diagnoses" else \
                (code, _pcs_status(code, release))
            if how == "billable":
                check.billable += 1
            elif how == "mapped":
                check.mapped[(code, scored)] += 1
            else:
                (check.absent if how == "absent" else check.headers)[code] += 1
    return check


def _pcs_status(code: str, release: Release) -> str:
    info = release.lookup(code)
    return "absent" if info is None else "billable" if info.billable else "header"


def us_gold(labelled: LabelledSet, release: Release | None = None) -> dict[str, dict[str, list[str]]]:
    """The gold in the US forms (case and dot), kind -> doc_id -> codes; diagnoses mapped to
    their successors in ``release`` when given (see :func:`mapped_code`)."""
    def diagnosis(raw: str) -> str:
        code = icd10cm_form(raw)
        return mapped_code(code, release)[0] if release is not None else code
    return {"diagnoses": {d: list(dict.fromkeys(diagnosis(c) for c in codes))
                          for d, codes in labelled.diagnoses.items()},
            "procedures": {d: [icd10pcs_form(c) for c in codes] for d, codes in labelled.procedures.items()}}


# -- one evaluation run ------------------------------------------------------------------------

# a note's text and setting -> (suggested diagnosis codes, suggested procedure codes)
CodeNote = Callable[[str, str], tuple[Iterable[str], Iterable[str]]]


def run(labelled: LabelledSet, code_note: CodeNote, *, setting: str | None = None,
        default_setting: str = "inpatient", release: Release | None = None,
        pcs_release: Release | None = None, listed: bool = True) -> dict:
    """Code every note and score the suggestions against the gold (the ``eval cac`` answer).

    ``setting`` forces one setting on every note; otherwise a note's setting is its index row's,
    else ``default_setting``. ``release`` / ``pcs_release`` (the US code sets in force) map and
    check the gold (reported under ``gold_check``, see the module notes)."""
    settings, predicted = {}, {"diagnoses": {}, "procedures": {}}
    for note in labelled.notes:
        chosen = setting or note.setting or default_setting
        settings[note.doc_id] = chosen
        diagnoses, procedures = code_note(note.text(), chosen)
        predicted["diagnoses"][note.doc_id] = list(diagnoses)
        predicted["procedures"][note.doc_id] = list(procedures)
    reports = evaluate(us_gold(labelled, release), predicted, settings)
    answer: dict = {"folder": str(labelled.folder), "documents": len(labelled.notes),
                    "settings": dict(Counter(settings.values()))}
    for kind, report in reports.items():
        answer[kind] = report.to_json(listed=listed)
    checks = {}
    if release is not None:
        checks["diagnoses"] = check_gold("diagnoses", labelled.diagnoses, release).to_json()
    if pcs_release is not None:
        checks["procedures"] = check_gold("procedures", labelled.procedures, pcs_release).to_json()
    if checks:
        answer["gold_check"] = checks
    if labelled.gold_without_note:
        answer["gold_without_note"] = labelled.gold_without_note
    return answer
