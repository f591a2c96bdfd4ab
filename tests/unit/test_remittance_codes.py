"""The CARC and RARC lists as copied from x12.org: read with their dates; looked up by code and
date; recognised by ``codesets install``."""

from __future__ import annotations

import io
from datetime import date

import pytest

from chartwell.codesets.adjustment_codes import (
    NOT_INSTALLED,
    AdjustmentCode,
    describe,
    list_version,
    read_carc,
    read_rarc,
)
from chartwell.codesets.install import Kind, recognise
from chartwell.codesets.model import TableSet
from chartwell.errors import InvalidInput
from support import shared_data

CARC = ("code,description,start,last_modified,stop,notes,status\n"
        "16,Claim/service lacks information.,01/01/1995,03/01/2018,,,current\n"
        '15,"The authorization number is missing.",01/01/1995,11/01/2017,05/01/2018,,deactivated\n')
RARC = ('code,description,last_modified\n'
        '"M33","Missing UPIN.Start: 01/01/1997 | Stop: 08/01/2004Notes: Consider using M68","x"\n'
        '"N56","Procedure code billed is not correct.Start: 01/01/2000 | Last Modified: 03/01/2016","x"\n')


def test_read_carc_with_dates():
    codes = {c.code: c for c in read_carc(io.StringIO(CARC))}
    assert codes["16"] == AdjustmentCode("16", "Claim/service lacks information.", date(1995, 1, 1))
    assert codes["15"].stop == date(2018, 5, 1)


def test_read_rarc_takes_the_dates_out_of_the_text():
    codes = {c.code: c for c in read_rarc(io.StringIO(RARC))}
    assert codes["M33"] == AdjustmentCode("M33", "Missing UPIN.", date(1997, 1, 1),
                                          date(2004, 8, 1), "Consider using M68")
    assert codes["N56"].description == "Procedure code billed is not correct."


def test_a_bad_row_names_its_line():
    with pytest.raises(InvalidInput) as bad:
        list(read_carc(io.StringIO(CARC + "16,x,13/45/2020,,,,current\n")))
    assert "line 4" in str(bad.value) or bad.value.position.line == 4


def test_describe_by_code_and_date():
    codes = {c.code: c for c in read_carc(io.StringIO(CARC))}
    assert describe(None, "16") == NOT_INSTALLED
    assert describe(codes, "16", date(2026, 1, 1)) == "Claim/service lacks information."
    assert describe(codes, "15", date(2026, 1, 1)).endswith("(deactivated 2018-05-01)")
    assert describe(codes, "15", date(2017, 1, 1)) == "The authorization number is missing."
    assert describe(codes, "Z9") == "not a code of the installed list"


@pytest.mark.shared_data
def test_the_shared_lists():
    folder = shared_data("codesets/x12-codes")
    carc = recognise(folder / "carc_codes_from_html.csv")
    rarc = recognise(folder / "rarc_codes.csv")
    assert (carc.kind, carc.system, carc.version) == (Kind.CARC_CSV, TableSet.CARC, "2025")
    assert (rarc.kind, rarc.system, rarc.version) == (Kind.RARC_CSV, TableSet.RARC, "2026")
    assert recognise(folder / "carc_codes_full.html") is None
    with (folder / "carc_codes_from_html.csv").open(encoding="utf-8") as stream:
        codes = list(read_carc(stream))
    assert len(codes) == 407 and sum(c.stop is not None for c in codes) == 110
    with (folder / "rarc_codes.csv").open(encoding="utf-8") as stream:
        remarks = list(read_rarc(stream))
    assert len(remarks) == 1197 and sum(c.stop is not None for c in remarks) == 79
    assert list_version(TableSet.RARC, folder / "rarc_codes.csv") == "2026"
