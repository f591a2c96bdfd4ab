"""``chartwell cac`` and ``POST /api/cac`` on the session's reference store (FY2026 ICD-10-CM),
the coder built once from its artifact and the encoder's cached FY2026 search index and kept
for the process (as ``services.cac`` keeps every coder it builds)."""

from __future__ import annotations

from cli_runner import chartwell
import pytest
from support import load_test_module

from chartwell.services import cac as service

pytestmark = pytest.mark.shared_data

NOTE = ("ASSESSMENT:\n1. Essential hypertension.\n2. Possible pneumonia.\n"
        "FAMILY HISTORY:\nMother with breast cancer.\n")


@pytest.fixture(scope="module")
def kept_coder(request, reference_data):
    coder = load_test_module("unit/test_cac_pipeline.py").build_coder(request, reference_data)
    service.keep_coder(coder)
    yield coder


def test_cac_one_note_as_json(references, kept_coder, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text(NOTE)
    code, document, output = chartwell("cac", str(note), "--date", "2026-03-01", "--json")
    assert code == 0, output
    assert [item["code"] for item in document["suggestions"]] == ["I10"]
    first = document["suggestions"][0]
    assert set(first) >= {"code", "system", "title", "spans", "section", "assertion", "path",
                          "confidence", "guideline"}
    assert NOTE[first["spans"][0]["start"]:first["spans"][0]["end"]] == first["spans"][0]["text"]
    reasons = {item["assertion"] for item in document["not_coded"]}
    assert {"possible", "family"} <= reasons


def test_cac_a_folder_inpatient_keyed_by_file_name(references, kept_coder, tmp_path):
    (tmp_path / "a.txt").write_text(NOTE)
    (tmp_path / "b.txt").write_text("")
    (tmp_path / "c.txt").write_bytes(b"\x00\xff\x01" * 100)
    code, document, output = chartwell("cac", str(tmp_path), "--setting", "inpatient",
                                       "--date", "2026-03-01", "--json")
    assert code == 0, output
    assert set(document) == {"a.txt", "b.txt", "c.txt"}
    assert {item["code"] for item in document["a.txt"]["suggestions"]} >= {"I10", "J18.9"}
    assert document["b.txt"]["suggestions"] == [] and document["b.txt"]["warnings"]
    assert document["c.txt"]["suggestions"] == [] and document["c.txt"]["warnings"]


def test_cac_text_output_and_bad_arguments(references, kept_coder, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text(NOTE)
    code, _, output = chartwell("cac", str(note), "--date", "2026-03-01")
    assert code == 0 and "I10" in output and "path:" in output
    code, _, _ = chartwell("cac", str(note), "--setting", "professional")
    assert code == 2
    code, document, _ = chartwell("cac", str(tmp_path / "missing.txt"), "--json")
    assert code == 2 and "error" in document
