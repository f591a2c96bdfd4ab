"""X12 validation throughput: a large synthetic 837P (005010X222A1) and 835 (005010X221A1),
validated end to end (bytes -> segments -> envelope -> loop walk -> every element rule), side by
side with pyx12, the reference validator, on a fixed share (1/PEER_SHARE) of the same file in
the same run, in several rounds taken in turn; segments per second are compared (wall clock, the
CPU figure beside it for a busy machine), round by round: the target is met when every round's
ratio meets it.

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
import statistics
import sys
import time
from pathlib import Path

CLAIMS = int(os.environ.get("CHARTWELL_BENCH_X12_CLAIMS", "20000"))
PEER_SHARE = 20  # pyx12 validates 1/PEER_SHARE of the file (it is far slower); rates compared
ROUNDS = int(os.environ.get("CHARTWELL_BENCH_X12_ROUNDS", "3"))
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


def ours(data: bytes) -> tuple[float, float, int, bool]:
    """(wall seconds, CPU seconds, segments, valid) of validating the whole file."""
    from chartwell.claims.x12.validator import validate

    started, cpu = time.perf_counter(), time.process_time()
    report = validate(data)
    return (time.perf_counter() - started, time.process_time() - cpu, report.segments,
            report.valid)


def peer(text: str) -> tuple[float, float, int, bool] | None:
    try:
        import pyx12.params
        import pyx12.x12n_document
    except ImportError:
        return None
    logging.getLogger("pyx12").disabled = True
    started, cpu = time.perf_counter(), time.process_time()
    valid = pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text), None,
                                              None, fd_json=io.StringIO())
    return (time.perf_counter() - started, time.process_time() - cpu, text.count("~"),
            bool(valid))


def measure(label: str, full: str, share: str) -> float | None:
    """Ours on the whole file and pyx12 on 1/PEER_SHARE of it, ROUNDS times in turn (so that a
    busy moment of a shared machine hits both); each round's figures and ratio, then the median
    and the lowest ratio. Returns the median."""
    from chartwell.claims.x12.validator import validate

    validate(share)  # warm: guide compiled, caches filled
    data = full.encode()
    megabytes, share_megabytes = len(data) / 1e6, len(share) / 1e6
    best_ours = best_peer = None
    ratios: list[float] = []
    for round_number in range(1, ROUNDS + 1):
        wall, cpu, segments, valid = ours(data)
        rate = segments / wall
        print(f"{label} round {round_number} ours: {segments:,} segments, {megabytes:.1f} MB in "
              f"{wall:.2f} s = {rate:,.0f} segments/s, {megabytes / wall:.1f} MB/s "
              f"(CPU {segments / cpu:,.0f} segments/s; valid: {valid})")
        best_ours = max(best_ours or 0.0, rate)
        measured = peer(share)
        if measured is None:
            print("note: pyx12 is not installed; no peer figure")
            continue
        peer_wall, peer_cpu, peer_segments, peer_valid = measured
        peer_rate = peer_segments / peer_wall
        print(f"{label} round {round_number} pyx12: {peer_segments:,} segments (1/{PEER_SHARE} of "
              f"the file), {share_megabytes:.1f} MB in {peer_wall:.2f} s = {peer_rate:,.0f} "
              f"segments/s, {share_megabytes / peer_wall:.2f} MB/s (CPU {peer_segments / peer_cpu:,.0f} "
              f"segments/s; valid: {peer_valid}); ratio {rate / peer_rate:.1f}x "
              f"(CPU {(segments / cpu) / (peer_segments / peer_cpu):.1f}x)")
        best_peer = max(best_peer or 0.0, peer_rate)
        ratios.append(rate / peer_rate)
    if best_peer is None:
        return None
    ratio = statistics.median(ratios)
    print(f"{label} over {ROUNDS} rounds: ours {best_ours:,.0f} segments/s at best, pyx12 "
          f"{best_peer:,.0f} segments/s at best; ours / pyx12 = {ratio:.1f}x (median of the "
          f"rounds' ratios, lowest {min(ratios):.1f}x); target >= {TARGET:.0f}x: "
          f"{'met' if min(ratios) >= TARGET else 'NOT met'}")
    return ratio


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
