"""How an NCCI column 1 record is held once read: its line of column 2 codes searched as text,
then split into a set when asked about often, and a table read whole past a few hundred codes;
each way answers as the others do."""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path

from chartwell.codesets import build, install, ncci
from chartwell.codesets.artifact import Artifact
from chartwell.codesets.model import TableSet
from chartwell.bulk import gc_paused

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "ncci_cms_layout"
CODES = ["0030U", "13120", "0001U", "0053U", "13121", "99213"]


def tables(tmp_path: Path) -> ncci.NcciTables:
    [plan] = [plan for plan in install.scan([FIXTURES]).plans if plan.system is TableSet.NCCI]
    loaded = ncci.load(plan, lambda message: None)
    path = tmp_path / "ncci.sqlite"
    build.write_release(plan.system, plan.version, loaded, path, lambda message: None)
    return ncci.NcciTables(Artifact(path))


def test_a_record_answers_alike_searched_as_text_and_as_a_set(tmp_path):
    record = tables(tmp_path)._read("practitioner", "0001U")
    listed = sorted(record.column_2_codes)
    assert "0030U" in listed
    fresh = tables(tmp_path)._read("practitioner", "0001U")
    asked = ["0030U", "0030", "030U,", "99999", "0030U0", *listed[:3]]
    searched = [fresh.among(asked) for _ in range(ncci._SEARCHED)]
    assert fresh._codes is None  # still searched as text
    assert fresh.among(asked) == searched[0] == [code for code in asked if code in set(listed)]
    assert fresh._codes is not None  # asked often: split into a set
    assert fresh.get("0030") == () and fresh.get("0030U") == record.get("0030U") != ()


def test_a_table_read_whole_answers_as_one_read_code_by_code(tmp_path, monkeypatch):
    one_by_one = tables(tmp_path)
    expected = one_by_one.ptp_among(CODES, "professional", date(2024, 7, 15))
    monkeypatch.setattr(ncci, "_READ_ONE_BY_ONE", 0)
    whole = tables(tmp_path)
    assert whole.ptp_among(CODES, "professional", date(2024, 7, 15)) == expected
    assert "practitioner" in whole._packed
    assert whole._read("practitioner", "ZZZZZ") is ncci.NO_EDITS


def test_a_pause_whose_work_is_kept_leaves_the_collector_as_it_found_it():
    assert gc.isenabled()
    with gc_paused(True, kept=True):
        kept = [[number] for number in range(1000)]
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0 and len(kept) == 1000
