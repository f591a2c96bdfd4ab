"""X12 validation throughput: a large synthetic 837P (005010X222A1) and 835 (005010X221A1),
validated end to end (bytes -> segments -> envelope -> loop walk -> every element rule), side by
side with pyx12, the reference validator, on a share of the same file in the same run.

The 837P is generated: one billing provider, CHARTWELL_BENCH_X12_CLAIMS subscribers each with a
claim of 1-4 service lines (valid against the guide, HL and LX numbered, counts fixed). The 835 is
the claim-payment loop of a valid sample (pyx12's 835_mult_loops) repeated with its counts fixed.
Target: >= 20x pyx12's segments per second.
"""

from __future__ import annotations

import io
import logging
import os
import random
import sys
import time
from pathlib import Path

CLAIMS = int(os.environ.get("CHARTWELL_BENCH_X12_CLAIMS", "20000"))
PEER_SHARE = 10  # pyx12 validates 1/PEER_SHARE of the file (it is ~20x slower)
TARGET = 20.0
ISA = ("ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260105*1200*^*00501*"
       "000000101*0*T*:")


def claim_837p(claims: int, seed: int = 837) -> str:
    rng = random.Random(seed)
    body = ["ST*837*0001*005010X222A1", "BHT*0019*00*BATCH1*20260105*1200*CH",
            "NM1*41*2*CHARTWELL CLINIC*****46*SUB123", "PER*IC*BILLING OFFICE*TE*5555550100",
            "NM1*40*2*PAYER CLEARINGHOUSE*****46*REC456", "HL*1**20*1",
            "NM1*85*2*CHARTWELL CLINIC*****XX*1234567893", "N3*1 MAIN ST",
            "N4*SPRINGFIELD*IL*627010000", "REF*EI*123456789"]
    for number in range(claims):
        day = f"202601{rng.randint(1, 28):02d}"
        body += [f"HL*{number + 2}*1*22*0", "SBR*P*18*GRP1******CI",
                 f"NM1*IL*1*PATIENT{number}*JANE****MI*M{number:09d}", "N3*2 ELM ST",
                 "N4*SPRINGFIELD*IL*62701", f"DMG*D8*19{rng.randint(30, 99)}0{rng.randint(1, 9)}15*F",
                 "NM1*PR*2*ACME HEALTH*****PI*PAYER1"]
        lines = rng.randint(1, 4)
        body += [f"CLM*PCN{number:08d}*{lines * 100}***11:B:1*Y*A*Y*Y", f"DTP*431*D8*{day}",
                 "REF*G1*AUTH1", "HI*ABK:E119*ABF:I10*ABF:Z794",
                 "NM1*82*1*SMITH*JOHN****XX*1234567893", "PRV*PE*PXC*207Q00000X"]
        for line in range(1, lines + 1):
            body += [f"LX*{line}", f"SV1*HC:9921{line}:25*100*UN*1***1:2", f"DTP*472*D8*{day}"]
    return _envelope("HC", "005010X222A1", body)


def remittance_835(repeats: int) -> str | None:
    sample = Path(os.environ.get("CHARTWELL_TEST_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
    path = sample / "samples/x12/pyx12/835_mult_loops.txt"
    if not path.exists():
        return None
    segments = [s.strip() for s in path.read_text().split("~") if s.strip()]
    st = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    se = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    first_claim = next(i for i, s in enumerate(segments) if s.startswith("CLP*"))
    header, claim = segments[st:first_claim], segments[first_claim:se]
    return _envelope("HP", "005010X221A1", header + claim * repeats)


def _envelope(functional_id: str, version: str, body: list[str]) -> str:
    segments = [ISA, f"GS*{functional_id}*SENDER*RECEIVER*20260105*1200*1*X*{version}", *body,
                f"SE*{len(body) + 1}*0001", "GE*1*1", "IEA*1*000000101"]
    return "~\n".join(segments) + "~\n"


def ours(text: str) -> tuple[float, int, bool]:
    from chartwell.claims.x12.validator import validate

    data = text.encode()
    started = time.perf_counter()
    report = validate(data)
    elapsed = time.perf_counter() - started
    return elapsed, report.segments, report.valid


def peer(text: str) -> tuple[float, int, bool] | None:
    try:
        import pyx12.params
        import pyx12.x12n_document
    except ImportError:
        print("note: pyx12 is not installed; no peer figure")
        return None
    logging.getLogger("pyx12").disabled = True
    started = time.perf_counter()
    valid = pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text), None,
                                              None, fd_json=io.StringIO())
    elapsed = time.perf_counter() - started
    return elapsed, text.count("~"), bool(valid)


def measure(label: str, full: str, share: str) -> None:
    from chartwell.claims.x12.validator import validate

    validate(share)  # warm: guide compiled, caches filled
    elapsed, segments, valid = ours(full)
    megabytes = len(full) / 1e6
    rate = segments / elapsed
    print(f"{label} ours: {segments:,} segments, {megabytes:.1f} MB in {elapsed:.2f} s = "
          f"{rate:,.0f} segments/s, {megabytes / elapsed:.1f} MB/s (valid: {valid})")
    measured = peer(share)
    if measured:
        peer_elapsed, peer_segments, peer_valid = measured
        peer_rate = peer_segments / peer_elapsed
        print(f"{label} pyx12: {peer_segments:,} segments, {len(share) / 1e6:.1f} MB in "
              f"{peer_elapsed:.2f} s = {peer_rate:,.0f} segments/s, "
              f"{len(share) / 1e6 / peer_elapsed:.2f} MB/s (valid: {peer_valid})")
        ratio = rate / peer_rate
        print(f"{label} ours / pyx12 = {ratio:.1f}x; target >= {TARGET:.0f}x: "
              f"{'met' if ratio >= TARGET else 'NOT met'}")


def main() -> int:
    measure("837P", claim_837p(CLAIMS), claim_837p(max(CLAIMS // PEER_SHARE, 1)))
    full_835 = remittance_835(CLAIMS)
    if full_835 is None:
        print("835: shared sample absent (set CHARTWELL_TEST_DATA); not measured")
    else:
        measure("835", full_835, remittance_835(max(CLAIMS // PEER_SHARE, 1)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
