"""Writing 10,000 professional claims as one 837P interchange (005010X222A1), side by side with
the peer that reads the same kind of file: pyx12 validating it (the reference validator; no peer
here writes 837s from a claim model). Target: >= 5,000 claims/s written.

Ours is the whole writing path: Claim objects -> segments -> ISA/GS/ST..SE/GE/IEA text with
counts and control numbers. The claims are synthetic (chartwell.synth.claims), one to four lines
each. pyx12 runs on the first CHARTWELL_BENCH_PYX12 claims of the same claims (default 1,000)
and its rate is given in claims/s, with the ratio.
"""

from __future__ import annotations

import io
import logging
import os
import time
from datetime import datetime

COUNT = int(os.environ.get("CHARTWELL_BENCH_CLAIMS", "10000"))
PEER_COUNT = int(os.environ.get("CHARTWELL_BENCH_PYX12", "1000"))
TARGET = 5_000


def main() -> int:
    from chartwell.claims.x12.writer import Envelope, Party
    from chartwell.claims.x837 import Submission, write_837
    from chartwell.domain.claims import ClaimKind
    from chartwell.synth.claims import bulk_professional_claims

    created = datetime(2026, 4, 1, 9, 30)
    submission = Submission("Riverside Billing", "SUB123", "Billing Office", "2175550100",
                            "Example Clearinghouse", "RCV456", "B1", created)
    envelope = Envelope(Party("SUB123", "SUB123"), Party("RCV456", "RCV456"), created)
    claims = bulk_professional_claims(COUNT)

    def write(batch):
        return write_837(batch, kind=ClaimKind.PROFESSIONAL, submission=submission,
                         envelope=envelope, interchange_control=1, group_control=1)

    write(claims[:500])  # warm
    best = None
    for _ in range(3):
        started = time.perf_counter()
        text = write(claims)
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    rate = COUNT / best
    segments = text.count("~")
    print(f"ours, 837P writer: {COUNT:,} claims ({segments:,} segments, {len(text) / 1e6:.1f} MB) "
          f"in {best:.2f} s = {rate:,.0f} claims/s")
    peer = pyx12_rate(write(claims[:PEER_COUNT]), PEER_COUNT)
    if peer:
        print(f"pyx12 validating the same claims ({PEER_COUNT:,}): {peer:,.0f} claims/s; "
              f"ours / peer = {rate / peer:.1f}")
    print(f"target >= {TARGET:,}/s: {'met' if rate >= TARGET else 'NOT met'}")
    return 0


def pyx12_rate(text: str, count: int) -> float | None:
    try:
        import pyx12.params
        import pyx12.x12n_document
    except ImportError:
        print("note: pyx12 is not installed; no peer figure")
        return None
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    started = time.perf_counter()
    valid = pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text), None,
                                              None, fd_json=io.StringIO())
    elapsed = time.perf_counter() - started
    if not valid:
        print("note: pyx12 found errors in the file (see tests/unit/test_claims_837.py)")
    return count / elapsed


if __name__ == "__main__":
    raise SystemExit(main())
