"""The 5010 interchange and functional group envelope: ISA/IEA, GS/GE, and the TA1.

Written by hand from ASC X12.5 (interchange control structures, version 00501) as every 5010 TR3
restates it in its appendix B: the ISA is fixed width, each element exactly its size (padded with
spaces); ISA11 is the repetition separator and ISA16 the component separator; the GS names the
functional group (GS01), its control number (GS06, at most nine digits) and the guide version
(GS08). These rules apply to any transaction; the transaction set's own ST/SE are in each guide.
"""

from __future__ import annotations

from chartwell.claims.x12.guide import AN, DT, ID, N0, TM, R, S, el, seg

__all__ = ["ISA", "IEA", "GS", "GE", "TA1", "ISA_WIDTH"]

ISA_WIDTH = 106  # characters, the segment terminator included

ISA = seg(
    "ISA", "Interchange Control Header", R, 1,
    el("Authorization Information Qualifier", R, ID, 2, 2, "00 03"),
    el("Authorization Information", R, AN, 10, 10),
    el("Security Information Qualifier", R, ID, 2, 2, "00 01"),
    el("Security Information", R, AN, 10, 10),
    el("Interchange ID Qualifier", R, ID, 2, 2, "01 14 20 27 28 29 30 33 ZZ"),
    el("Interchange Sender ID", R, AN, 15, 15),
    el("Interchange ID Qualifier", R, ID, 2, 2, "01 14 20 27 28 29 30 33 ZZ"),
    el("Interchange Receiver ID", R, AN, 15, 15),
    el("Interchange Date", R, DT, 6, 6),
    el("Interchange Time", R, TM, 4, 4),
    el("Repetition Separator", R, AN, 1, 1),
    # 00501; 00401 envelopes are the same shape (their transactions have no guide here)
    el("Interchange Control Version Number", R, ID, 5, 5, "00401 00501"),
    el("Interchange Control Number", R, N0, 9, 9),
    el("Acknowledgment Requested", R, ID, 1, 1, "0 1"),
    el("Interchange Usage Indicator", R, ID, 1, 1, "I P T"),
    el("Component Element Separator", R, AN, 1, 1))

IEA = seg(
    "IEA", "Interchange Control Trailer", R, 1,
    el("Number of Included Functional Groups", R, N0, 1, 5),
    el("Interchange Control Number", R, N0, 9, 9))

GS = seg(
    "GS", "Functional Group Header", R, 1,
    el("Functional Identifier Code", R, ID, 2, 2),
    el("Application Sender's Code", R, AN, 2, 15),
    el("Application Receiver's Code", R, AN, 2, 15),
    el("Date", R, DT, 8, 8),
    el("Time", R, TM, 4, 8),
    el("Group Control Number", R, N0, 1, 9),
    el("Responsible Agency Code", R, ID, 1, 2, "X"),
    el("Version / Release / Industry Identifier Code", R, AN, 1, 12))

GE = seg(
    "GE", "Functional Group Trailer", R, 1,
    el("Number of Transaction Sets Included", R, N0, 1, 6),
    el("Group Control Number", R, N0, 1, 9))

TA1 = seg(
    "TA1", "Interchange Acknowledgment", S, 1,
    el("Interchange Control Number", R, N0, 9, 9),
    el("Interchange Date", R, DT, 6, 6),
    el("Interchange Time", R, TM, 4, 4),
    el("Interchange Acknowledgment Code", R, ID, 1, 1, "A E R"),
    el("Interchange Note Code", R, ID, 3, 3,
       "000 001 002 003 004 005 006 007 008 009 010 011 012 013 014 015 016 017 018 019 020 "
       "021 022 023 024 025 026 027 028 029 030 031"))
