"""Optional re-ranking of the encoder search's answers by meaning: each answer's search score
plus a small share of the cosine similarity between the mention's words and the code's title,
both embedded with all-MiniLM-L6-v2 (:mod:`chartwell.cac.embeddings`).

**Why only a small share.** The search's score says which of the mention's words a code's index
path and title account for, with the index's own cross references: it is right far more often
than a general-purpose sentence model trained on web text. The similarity is a tie-breaker: with
:data:`WEIGHT` 0.1 it can overturn answers whose scores lie within a few hundredths of each
other, never a clear winner. The scores themselves are left as the search gave them, so the
coder's thresholds (:data:`chartwell.cac.pipeline.MIN_SCORE`) keep their meaning.

**Off by default, because it does not measurably help.** Measured by
``bench/bench_cac_embeddings.py`` (diagnoses, code-level micro-F1, search alone -> re-ranked):
development set 0.8600 -> 0.8606 (one more right code of 949), CodiEsp 0.4881 -> 0.4888
(category level unchanged on both), whatever the weight from 0.05 to 0.3, while coding is 5 to
15 times slower on the CPU. The first answer changes in about one query in eight, but mostly
for a one-word fragment of a narrative ("crusted", "meningeal") whose answer scores under the
coder's threshold either way: where an answer is decisive, the words already decide it.
Turned on by the setting ``cac_embeddings`` (``CHARTWELL_CAC_EMBEDDINGS=1``) and used only if
the model package is installed; on the CPU unless PyTorch and a GPU are present
(``CHARTWELL_CAC_EMBEDDINGS_DEVICE``: auto, cpu, gpu).

**Wiring.** :class:`EmbeddingRerankedSearch` wraps the ICD-10-CM search index the
:class:`~chartwell.cac.pipeline.Coder` is given: the same ``search(text, limit=)`` answering
re-ranked hits, everything else (``lexicon``, ``read`` ...) the wrapped index's own.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from chartwell.cac import embeddings

log = logging.getLogger(__name__)

WEIGHT = 0.1  # the similarity's share in the ranking key (score + WEIGHT * cosine)
POOL = 5  # at least this many answers are asked of the search and re-ranked
CACHED_QUERIES = 20_000  # query vectors kept (oldest forgotten first)
SAVE_EVERY = 2048  # new title vectors written to the cache file this often


class TitleVectors:
    """Code titles' vectors, computed when first asked for, kept in memory and, when a file is
    given, saved there (and read back by the next process). A file holds one release's titles
    for one model; it is keyed by title, so a title edited between releases gets a new vector.
    """

    def __init__(self, encoder: embeddings.Encoder, file: Path | None = None):
        self.encoder = encoder
        self.file = file
        self._vectors: dict[str, np.ndarray] = {}
        self._unsaved = 0
        self._lock = threading.Lock()
        if file is not None and file.exists():
            self._read(file)

    def __len__(self) -> int:
        return len(self._vectors)

    def known(self, title: str) -> bool:
        return title in self._vectors

    def add(self, titles: Sequence[str], vectors: np.ndarray) -> None:
        with self._lock:
            for title, vector in zip(titles, vectors, strict=True):
                if title not in self._vectors:
                    self._vectors[title] = vector
                    self._unsaved += 1
            due = self.file is not None and self._unsaved >= SAVE_EVERY
        if due:
            self.save()

    def vectors(self, titles: Sequence[str]) -> np.ndarray:
        """The titles' vectors, in order (those not yet known computed in one batch)."""
        missing = sorted({title for title in titles if title not in self._vectors})
        if missing:
            self.add(missing, self.encoder.encode(missing))
        return np.stack([self._vectors[title] for title in titles])

    def save(self) -> None:
        """Write the vectors to the file (atomically: a reader never sees half a file)."""
        if self.file is None:
            return
        with self._lock:
            titles = list(self._vectors)
            matrix = (np.stack([self._vectors[title] for title in titles]) if titles
                      else np.zeros((0, self.encoder.dimension), dtype=np.float32))
            self._unsaved = 0
        self.file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.file.with_name(self.file.name + ".partial")
        with partial.open("wb") as stream:
            np.savez(stream, titles=np.array(titles, dtype=str), vectors=matrix)
        partial.replace(self.file)

    def _read(self, file: Path) -> None:
        """A cache file that cannot be read (another model's, or cut short) is ignored and
        rewritten: it holds nothing that cannot be computed again."""
        try:
            with np.load(file, allow_pickle=False) as saved:
                titles, matrix = saved["titles"], saved["vectors"]
        except (OSError, ValueError, KeyError):
            log.warning("the title vector cache %s could not be read: it is rebuilt", file.name)
            return
        if matrix.ndim != 2 or matrix.shape != (len(titles), self.encoder.dimension):
            log.warning("the title vector cache %s is of another model: it is rebuilt", file.name)
            return
        self._vectors.update(zip((str(title) for title in titles),
                                 matrix.astype(np.float32), strict=True))


class EmbeddingRerankedSearch:
    """A search index whose ``search`` answers are re-ranked by the mention's similarity to
    each code's title; any other attribute is the wrapped index's."""

    def __init__(self, search: Any, titles: TitleVectors, *, weight: float = WEIGHT,
                 pool: int = POOL):
        self.wrapped = search
        self.titles = titles
        self.encoder = titles.encoder
        self.weight = weight
        self.pool = pool
        self._queries: dict[str, np.ndarray] = {}
        self.reranked = 0  # answers re-ranked ...
        self.changed = 0  # ... and of them, those whose first answer changed

    def __getattr__(self, name: str) -> Any:
        if name == "wrapped":  # not yet set (copying, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.wrapped, name)

    def search(self, text: str, *, limit: int = 10, min_score: float = 0.0) -> list:
        """The wrapped search's answers for ``text`` (at least :data:`POOL` asked for, none
        scoring under ``min_score``), re-ranked, the first ``limit`` of them."""
        if limit <= 0:
            return []
        hits = self.wrapped.search(text, limit=max(limit, self.pool), min_score=min_score)
        return self.rerank(text, hits)[:limit]

    def rerank(self, text: str, hits: Sequence[Any]) -> list:
        """``hits`` (anything with ``score``, ``title`` and ``matched``) ordered by
        ``score + weight * cosine(text, title)``, ties kept in the search's order. A code
        typed as a query (``matched == "code"``) is answered as it is."""
        hits = list(hits)
        if len(hits) < 2 or any(hit.matched == "code" for hit in hits) \
                or not self._can_reorder(hits):
            return hits
        similarity = self.similarities(text, [hit.title for hit in hits])
        keys = [hit.score + self.weight * float(cosine) for hit, cosine in zip(
            hits, similarity, strict=True)]
        order = sorted(range(len(hits)), key=lambda number: (-keys[number], number))
        self.reranked += 1
        self.changed += order[0] != 0
        return [hits[number] for number in order]

    def _can_reorder(self, hits: Sequence[Any]) -> bool:
        """Whether any two neighbours lie within ``2 * weight`` of each other (a cosine is
        between -1 and 1): answers further apart keep their order whatever the similarities,
        and nothing need be embedded."""
        reach = 2.0 * self.weight
        return any(first.score - second.score <= reach
                   for first, second in zip(hits, hits[1:]))

    def similarities(self, text: str, titles: Sequence[str]) -> np.ndarray:
        """Cosine similarity of ``text`` to each title (the query and the titles not yet
        known are embedded in one batch)."""
        query = self._queries.get(text)
        missing = sorted({title for title in titles if not self.titles.known(title)})
        if query is None or missing:
            asked = ([text] if query is None else []) + missing
            vectors = self.encoder.encode(asked)
            if query is None:
                query, vectors = vectors[0], vectors[1:]
                if len(self._queries) >= CACHED_QUERIES:
                    self._queries.pop(next(iter(self._queries)))
                self._queries[text] = query
            if missing:
                self.titles.add(missing, vectors)
        return self.titles.vectors(titles) @ query


# -- the setting -----------------------------------------------------------------------------


def enabled() -> bool:
    """Whether the CAC re-ranks with embeddings: the setting ``cac_embeddings`` (environment
    ``CHARTWELL_CAC_EMBEDDINGS``), off by default."""
    from chartwell.settings import get_settings
    return get_settings().cac_embeddings


def device() -> str:
    from chartwell.settings import get_settings
    return get_settings().cac_embeddings_device.strip().lower() or "auto"


def cache_file(release: str | None, data_dir: Path | None) -> Path | None:
    """Where a release's title vectors are kept: the data folder's ``cache/`` (none without a
    data folder or a release)."""
    if data_dir is None or not release:
        return None
    stamp = embeddings.model_stamp()
    safe = "".join(char if char.isalnum() or char in "-_." else "_" for char in release)
    return Path(data_dir) / "cache" / f"cac-title-vectors-{stamp}-{safe}.npz"


def with_embeddings(search: Any, *, release: str | None = None, data_dir: Path | None = None,
                    device_name: str = "auto", weight: float = WEIGHT) -> EmbeddingRerankedSearch:
    """``search`` wrapped to re-rank with the embedding model (loaded once per process)."""
    encoder = embeddings.load_encoder(device_name)
    titles = TitleVectors(encoder, cache_file(release, data_dir))
    if titles.file is not None:
        atexit.register(_save_at_exit, titles)  # what this process computed, for the next
    return EmbeddingRerankedSearch(search, titles, weight=weight)


def _save_at_exit(titles: TitleVectors) -> None:
    if not titles._unsaved:
        return
    try:
        titles.save()
    except OSError as error:
        log.warning("the title vector cache could not be written (%s)", type(error).__name__)


def maybe_wrap(search: Any, *, release: str | None = None) -> Any:
    """``search`` re-ranked when the setting is on and the model installed; else itself (a
    warning is logged when the setting is on and the model is absent)."""
    if search is None or not enabled():
        return search
    if not embeddings.model_installed():
        log.warning("CHARTWELL_CAC_EMBEDDINGS is on but the model is not installed (%s): "
                    "answers are not re-ranked", embeddings.INSTALL_HINT)
        return search
    from chartwell.settings import get_settings
    return with_embeddings(search, release=release, data_dir=get_settings().data_dir,
                           device_name=device())
