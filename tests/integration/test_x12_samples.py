"""Our X12 validator against pyx12 (the reference validator) on the shared sample files, and
every sample file read without a crash.

In scope for the verdict agreement are the files whose GS08 pyx12 has a map for among the
claim/remittance guides: 837P 005010X222A1, 837I 005010X223A2, 835 005010X221A1 (pyx12's maps
index lists those exact versions; neighbouring versions such as X222 or X223A1 have no pyx12 map
and are not compared). pyx12's verdict is the reference, not the file's label. Where pyx12
names segments in error, we must name most of the same segments (by 1-based position).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import logging
import lzma
import re

import pytest

import support
from chartwell.claims.x12.reader import read_interchanges
from chartwell.claims.x12.registry import guide_for
from chartwell.claims.x12.validator import validate
from chartwell.errors import ChartwellError, UnreadableInput

pytestmark = pytest.mark.shared_data

SAMPLES = "samples/x12"
IN_SCOPE = {("837", "005010X222A1"), ("837", "005010X223A2"), ("835", "005010X221A1")}
GUIDE_MODULES = {"005010X222A1": "x222a1_837p", "005010X223A2": "x223a2_837i",
                 "005010X221A1": "x221a1_835"}
# The share of pyx12's error segments we must name too. It is below 1 where the two validators
# notice the same fault at neighbouring segments (a missing required segment is reported at the
# segment where the walk noticed it) or report one fault once where pyx12 repeats it.
MIN_SHARED_SEGMENTS = 0.6


def _index() -> list[str]:
    root = support.test_data_root() / SAMPLES
    if not (root / "INDEX.csv").exists():
        return []
    with (root / "INDEX.csv").open(newline="") as stream:
        return [row["file"] for row in csv.DictReader(stream)]


def _data(name: str) -> bytes:
    data = support.shared_data(f"{SAMPLES}/{name}").read_bytes()
    return lzma.decompress(data) if name.endswith(".xz") else data


def _transaction_and_version(data: bytes) -> tuple[str, str]:
    version = re.search(rb"GS.(?:[^\r\n~]*?)(00[0-9]{4}X[0-9A-Z]+)", data[:4000])
    transaction = re.search(rb"ST.(\d{3})", data[:6000])
    return (transaction.group(1).decode() if transaction else "",
            version.group(1).decode() if version else "")


def _in_scope(name: str) -> bool:
    try:
        data = _data(name)
    except BaseException:  # absent data: decided by the test itself
        return False
    return _transaction_and_version(data) in IN_SCOPE


ALL_FILES = _index()
IN_SCOPE_FILES = [name for name in ALL_FILES if _in_scope(name)]


def pyx12_verdict(data: bytes) -> tuple[bool, set[int]]:
    """pyx12's verdict and the segment positions (1-based in the file) it names in errors;
    run in-process, its JSON error document read back."""
    import pyx12.params
    import pyx12.x12n_document

    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # pyx12 reads ASCII only: give it the file without the byte-order mark
    out = io.StringIO()
    logging.getLogger("pyx12").disabled = True
    valid = pyx12.x12n_document.x12n_document(pyx12.params.params(),
                                              io.StringIO(data.decode("latin-1")), None, None,
                                              fd_json=out)
    segments: set[int] = set()

    def collect(node) -> None:
        if isinstance(node, dict):
            if "seg_id" in node:
                has_error = node.get("errors") or any(e.get("errors") for e in node.get("elements", []))
                if has_error and node.get("cur_line"):
                    segments.add(int(node["cur_line"]))
                return
            for key, value in node.items():
                collect(value)
        elif isinstance(node, list):
            for each in node:
                collect(each)

    text = out.getvalue()
    if text:
        collect(json.loads(text))
    return bool(valid), segments


def _guide_present(version: str) -> bool:
    module = GUIDE_MODULES[version]
    return importlib.util.find_spec(f"chartwell.claims.x12.guides.{module}") is not None


@pytest.mark.parametrize("name", IN_SCOPE_FILES or ["(no samples)"])
def test_verdict_and_error_segments_match_pyx12(name):
    if name == "(no samples)":
        support.unavailable("the X12 samples (../shared/data/samples/x12) are absent")
    data = _data(name)
    transaction, version = _transaction_and_version(data)
    if not _guide_present(version):
        pytest.skip(f"no guide module yet for {transaction} {version}")
    try:
        report = validate(data, source=name)
        ours_valid, ours = report.valid, {error.segment_index for error in report.errors}
    except UnreadableInput:
        ours_valid, ours = False, set()
    theirs_valid, theirs = pyx12_verdict(data)
    assert ours_valid == theirs_valid, f"{name}: ours {ours_valid}, pyx12 {theirs_valid}"
    assert guide_for(transaction, version).version == version
    if theirs and ours:
        shared = len(theirs & ours) / len(theirs)
        assert shared >= MIN_SHARED_SEGMENTS, (
            f"{name}: we name {len(theirs & ours)} of pyx12's {len(theirs)} error segments "
            f"(missing {sorted(theirs - ours)[:10]})")


@pytest.mark.parametrize("name", ALL_FILES or ["(no samples)"])
def test_every_sample_reads_and_validates_without_a_crash(name):
    if name == "(no samples)":
        support.unavailable("the X12 samples (../shared/data/samples/x12) are absent")
    data = _data(name)
    try:
        interchanges = read_interchanges(data, source=name)
    except UnreadableInput as error:  # no ISA, or delimiters that cannot be determined
        assert error.position is not None and error.position.file == name
        return
    except ChartwellError as error:  # a segment without an id: named by its position
        assert error.position is not None and error.position.segment
        interchanges = None
    report = validate(data, source=name)
    assert report.segments > 0
    for error in report.errors:
        assert error.segment_index >= 0 and error.message
    if interchanges:
        for interchange in interchanges:
            for transaction in interchange.transactions:
                assert transaction.root.segments[0].id == "ST"
                # a transaction with a guide gets one; the note says when it is a neighbour's
                if transaction.guide is None:
                    assert transaction.note


def test_cli_validate_and_read(tmp_path):
    from cli_runner import chartwell

    valid = "stupidedi/X222-HC837/X222-HC837_ex10a.valid.x12"
    invalid = "imsweb/837_5010/x12_segment_errors.txt"
    path = support.shared_data(f"{SAMPLES}/{valid}")
    code, document, _ = chartwell("x12", "validate", str(path), "--json")
    assert code == 0 and document["valid"] is True
    assert document["transactions"][0]["guide"] == "005010X222A1"
    code, document, _ = chartwell("x12", "validate", str(support.shared_data(f"{SAMPLES}/{invalid}")),
                                  "--json")
    assert code == 1 and document["valid"] is False
    assert {"segment_index", "segment_id", "loop", "message", "element", "transaction"} <= set(document["errors"][0])
    assert (10, "N3", "2010AA") in {(e["segment_index"], e["segment_id"], e["loop"]) for e in document["errors"]}
    code, document, _ = chartwell("x12", "read", str(path), "--json")
    assert code == 0
    root = document["interchanges"][0]["groups"][0]["transactions"][0]["root"]
    assert [loop["loop"] for loop in root["loops"]] == ["1000A", "1000B", "2000A"]
    bad = tmp_path / "empty.x12"
    bad.write_bytes(b"")
    code, document, _ = chartwell("x12", "validate", str(bad), "--json")
    assert code == 2 and "error" in document
    code, _, output = chartwell("x12", "validate", str(tmp_path / "missing.x12"))
    assert code == 2 and "missing.x12" in output
