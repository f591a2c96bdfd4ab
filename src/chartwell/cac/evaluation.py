"""How well the suggested codes agree with a coder's gold codes: precision, recall and F1.

Pure: gold and predicted code sets per document in, figures and error lists out. Two levels,
as coding auditors count them: the full code (``E11.65``) and the category, its first three
characters (``E11``), which forgives a wrong fourth-to-seventh character (specificity) but not a
wrong condition. Diagnoses and procedures are scored apart, and every figure is given for all
documents and per setting (inpatient / outpatient), because the Official Guidelines code
uncertain diagnoses differently in the two (Section II.H vs Section IV.H).

Micro figures pool every (document, code) decision; macro figures average per code (each code
that occurs in the gold or the suggestions of the documents counted gets one vote), so rare
codes weigh as much as common ones. A code is compared in a canonical form (upper case, no dot),
so ``e11.65``, ``E11.65`` and ``E1165`` are the same code.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

LEVELS = ("code", "category")
KINDS = ("diagnoses", "procedures")
ALL = "all"
TOP_ERRORS = 20


def canonical(code: str) -> str:
    """The form codes are compared in: upper case, no dot, no spaces."""
    return code.strip().replace(".", "").upper()


def category(code: str) -> str:
    """The 3-character category of a canonical ICD-10-CM code (for PCS: section, body system
    and root operation)."""
    return code[:3]


def at_level(codes: Iterable[str], level: str) -> frozenset[str]:
    canon = {canonical(code) for code in codes if code and code.strip()}
    return frozenset(category(code) for code in canon) if level == "category" else frozenset(canon)


@dataclass(frozen=True, slots=True)
class ScoredDocument:
    """One document's gold and suggested codes of one kind (diagnoses or procedures)."""

    doc_id: str
    setting: str
    gold: frozenset[str]
    predicted: frozenset[str]


@dataclass(frozen=True, slots=True)
class Scores:
    documents: int
    gold: int
    predicted: int
    true_positives: int
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_precision: float
    macro_recall: float
    macro_f1: float

    def to_json(self) -> dict[str, Any]:
        return {name: (round(value, 4) if isinstance(value, float) else value)
                for name, value in ((f, getattr(self, f)) for f in self.__slots__)}


@dataclass(frozen=True, slots=True)
class Error:
    doc_id: str
    code: str


@dataclass(slots=True)
class Errors:
    """What a reviewer works from: every miss and false positive, and the ones seen most."""

    misses: list[Error] = field(default_factory=list)
    false_positives: list[Error] = field(default_factory=list)
    # a miss and a false positive of the same category in one document: the wrong specificity
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)

    def to_json(self, top: int = TOP_ERRORS) -> dict[str, Any]:
        return {
            "misses": [{"doc_id": e.doc_id, "code": e.code} for e in self.misses],
            "false_positives": [{"doc_id": e.doc_id, "code": e.code} for e in self.false_positives],
            "most_missed": _most_common(Counter(e.code for e in self.misses), top),
            "most_false_positive": _most_common(Counter(e.code for e in self.false_positives), top),
            "most_confused": [{"gold": gold, "predicted": predicted, "count": count}
                              for (gold, predicted), count in self.confusions.most_common(top)],
        }


def _most_common(counter: Counter[str], top: int) -> list[dict[str, Any]]:
    return [{"code": code, "count": count} for code, count in counter.most_common(top)]


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score(documents: Sequence[ScoredDocument], level: str = "code") -> Scores:
    """Micro and macro precision, recall and F1 of ``documents`` at ``level``.

    An empty gold and empty suggestions score 0 (nothing to agree on), never a division error.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    per_code: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    tp = gold_total = predicted_total = 0
    for document in documents:
        gold, predicted = at_level(document.gold, level), at_level(document.predicted, level)
        gold_total += len(gold)
        predicted_total += len(predicted)
        tp += len(gold & predicted)
        for code in gold & predicted:
            per_code[code][0] += 1
        for code in predicted - gold:
            per_code[code][1] += 1
        for code in gold - predicted:
            per_code[code][2] += 1
    precision, recall = _ratio(tp, predicted_total), _ratio(tp, gold_total)
    macro_p = [_ratio(c[0], c[0] + c[1]) for c in per_code.values()]
    macro_r = [_ratio(c[0], c[0] + c[2]) for c in per_code.values()]
    macro_f = [_f1(p, r) for p, r in zip(macro_p, macro_r)]
    return Scores(len(documents), gold_total, predicted_total, tp, precision, recall,
                  _f1(precision, recall), _mean(macro_p), _mean(macro_r), _mean(macro_f))


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def errors(documents: Sequence[ScoredDocument]) -> Errors:
    """Code-level misses and false positives, in document order, codes in canonical form."""
    found = Errors()
    for document in documents:
        gold, predicted = at_level(document.gold, "code"), at_level(document.predicted, "code")
        missed, extra = sorted(gold - predicted), sorted(predicted - gold)
        found.misses += [Error(document.doc_id, code) for code in missed]
        found.false_positives += [Error(document.doc_id, code) for code in extra]
        for code in missed:
            for other in extra:
                if category(other) == category(code):
                    found.confusions[(code, other)] += 1
    return found


def by_setting(documents: Sequence[ScoredDocument]) -> dict[str, list[ScoredDocument]]:
    """``all`` and one group per setting present, in a stable order."""
    groups: dict[str, list[ScoredDocument]] = {ALL: list(documents)}
    for document in documents:
        groups.setdefault(document.setting, []).append(document)
    return groups


@dataclass(frozen=True, slots=True)
class KindReport:
    """One kind (diagnoses or procedures): scores per setting and level, and the errors."""

    scores: dict[str, dict[str, Scores]]  # setting -> level -> scores
    errors: Errors

    def to_json(self, top: int = TOP_ERRORS, listed: bool = True) -> dict[str, Any]:
        answer: dict[str, Any] = {setting: {level: s.to_json() for level, s in levels.items()}
                                  for setting, levels in self.scores.items()}
        found = self.errors.to_json(top)
        if not listed:
            found = {k: v for k, v in found.items() if k not in ("misses", "false_positives")}
        answer["errors"] = found
        return answer


def kind_report(documents: Sequence[ScoredDocument]) -> KindReport:
    scores = {setting: {level: score(group, level) for level in LEVELS}
              for setting, group in by_setting(documents).items()}
    return KindReport(scores, errors(documents))


def evaluate(gold: Mapping[str, Mapping[str, Iterable[str]]],
             predicted: Mapping[str, Mapping[str, Iterable[str]]],
             settings: Mapping[str, str]) -> dict[str, KindReport]:
    """Every kind's report. ``gold`` and ``predicted`` map a kind to {doc_id: codes}; the
    documents are those of ``settings`` (doc_id -> setting), so a document with no gold code
    of a kind still counts its suggestions as false positives."""
    reports = {}
    for kind in KINDS:
        gold_codes, predicted_codes = gold.get(kind, {}), predicted.get(kind, {})
        documents = [ScoredDocument(doc_id, setting, frozenset(gold_codes.get(doc_id, ())),
                                    frozenset(predicted_codes.get(doc_id, ())))
                     for doc_id, setting in settings.items()]
        reports[kind] = kind_report(documents)
    return reports
