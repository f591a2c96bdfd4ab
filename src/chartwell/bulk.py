"""What bulk work shares: the cyclic garbage collector paused while a long list or a large file
is worked on. Bulk runs build hundreds of thousands of young containers that live to the end (the
answers, the segments of an X12 file) and hold no reference cycles; the collector, triggered by
the allocation count, rescanned them again and again (a third to a half of the time)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused(long: bool, *, kept: bool = False) -> Iterator[None]:
    """Paused while ``long`` work runs (reference counting still frees what dies); switched
    back on after, if it was on.

    ``kept``: what the work made is handed back to the caller (answers, and the tables it read
    as it went), so it is moved to the oldest generation as the pause ends, without the scan of
    every young object the collector would otherwise make at its next run (a tenth of a second
    per 20,000 encounters). Not done where the process has frozen objects of its own
    (``gc.freeze``): moving ours means unfreezing theirs."""
    if not long or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if kept and gc.get_freeze_count() == 0:
            gc.freeze()  # every tracked object to the permanent generation (no scan) ...
            gc.unfreeze()  # ... and from there to the oldest one, where full collections see it
        gc.enable()
