"""The 837P / 837I writer: every claim kind the TR3s name passes pyx12's validation (run
in-process as the reference validator), and reads back to the same claims."""

from __future__ import annotations

import io
import logging
from dataclasses import replace
from datetime import datetime

import pytest

from chartwell.claims.x12.writer import Envelope, Party, isa_segment
from chartwell.claims.x837 import Submission, read_837, write_837
from chartwell.domain.claims import ClaimKind
from chartwell.errors import InvalidInput
from chartwell.synth.claims import (
    bulk_professional_claims,
    institutional_variants,
    professional_variants,
)

CREATED = datetime(2026, 4, 1, 9, 30)
SUBMISSION = Submission("Riverside Billing", "SUB123", "Billing Office", "2175550100",
                        "Example Clearinghouse", "RCV456", "B1", CREATED)
ENVELOPE = Envelope(Party("SUB123", "SUB123"), Party("RCV456", "RCV456"), CREATED, usage="T")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def pyx12_errors(text: str) -> list[str]:
    """pyx12's validation of ``text``: its error messages (empty when valid)."""
    import pyx12.params
    import pyx12.x12n_document

    handler, logger = _Collect(), logging.getLogger("pyx12")
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        valid = pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text),
                                                  None, None, fd_json=io.StringIO())
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    if not valid and not handler.messages:
        return ["pyx12 reports the interchange invalid"]
    return handler.messages


def assert_valid(text: str) -> None:
    errors = pyx12_errors(text)
    assert not errors, "pyx12:\n" + "\n".join(errors)


def write(claims, kind, control=1):
    return write_837(claims, kind=kind, submission=SUBMISSION, envelope=ENVELOPE,
                     interchange_control=control, group_control=control)


PROFESSIONAL = professional_variants()
INSTITUTIONAL = institutional_variants()


@pytest.mark.parametrize("name", sorted(PROFESSIONAL))
def test_each_professional_claim_kind_passes_pyx12(name):
    text = write([PROFESSIONAL[name]], ClaimKind.PROFESSIONAL)
    assert_valid(text)
    assert read_837(text) == [PROFESSIONAL[name]]


@pytest.mark.parametrize("name", sorted(INSTITUTIONAL))
def test_each_institutional_claim_kind_passes_pyx12(name):
    text = write([INSTITUTIONAL[name]], ClaimKind.INSTITUTIONAL)
    assert_valid(text)
    assert read_837(text) == [INSTITUTIONAL[name]]


def test_a_batch_of_every_kind_round_trips_in_order():
    for kind, claims in ((ClaimKind.PROFESSIONAL, list(PROFESSIONAL.values())),
                         (ClaimKind.INSTITUTIONAL, list(INSTITUTIONAL.values()))):
        text = write(claims, kind, control=7)
        assert_valid(text)
        assert read_837(text) == claims


def test_the_envelope_counts_and_control_numbers():
    claims = list(PROFESSIONAL.values())
    text = write(claims, ClaimKind.PROFESSIONAL, control=42)
    segments = [line.rstrip("~") for line in text.splitlines()]
    assert len(segments[0]) == 105 and text.index("~") == 105  # ISA is fixed width (106 with ~)
    assert segments[0].split("*")[13] == "000000042"
    assert segments[1].split("*")[6] == "42"
    st, se = segments.index(next(s for s in segments if s.startswith("ST*"))), \
        segments.index(next(s for s in segments if s.startswith("SE*")))
    assert se - st + 1 == int(segments[se].split("*")[1])
    assert segments[-2] == "GE*1*42" and segments[-1] == "IEA*1*000000042"
    assert sum(s.startswith("CLM*") for s in segments) == len(claims)


def test_large_batches_split_into_transaction_sets_of_5000_claims():
    claims = bulk_professional_claims(5003)
    text = write(claims, ClaimKind.PROFESSIONAL)
    assert text.count("~\nST*837*") == 2 and "GE*2*1~" in text
    assert read_837(text) == claims


def test_delimiters_inside_values_cannot_break_the_file():
    claim = PROFESSIONAL["original"]
    person = replace(claim.subscriber.person, family_name="O*Brien~Smith:Jr^")
    claim = replace(claim, subscriber=replace(claim.subscriber, person=person))
    text = write([claim], ClaimKind.PROFESSIONAL)
    assert_valid(text)
    assert read_837(text)[0].subscriber.person.family_name == "O Brien Smith Jr"


def test_a_claim_of_the_wrong_kind_is_refused_naming_it():
    with pytest.raises(InvalidInput) as refused:
        write([PROFESSIONAL["original"], INSTITUTIONAL["inpatient"]], ClaimKind.PROFESSIONAL)
    assert refused.value.position.resource == "claim 2"


def test_an_isa_id_too_long_is_refused_naming_the_element():
    envelope = replace(ENVELOPE, sender=Party("X" * 16, "X"))
    with pytest.raises(InvalidInput) as refused:
        isa_segment(envelope, 1)
    assert refused.value.position.field == "ISA06"


def test_pyx12_harness_catches_a_broken_claim():
    """A near miss: the same file without its required CL1 is reported by pyx12."""
    text = write([INSTITUTIONAL["inpatient"]], ClaimKind.INSTITUTIONAL)
    broken = text.replace("CL1*1*7*01~\n", "")
    assert any("CL1" in message for message in pyx12_errors(broken))


# -- reading through the X12 engine: what refuses a file, naming the segment ------------------


def _segment_number(text: str, prefix: str) -> int:
    segments = [line.rstrip("~") for line in text.splitlines()]
    return next(index for index, segment in enumerate(segments, 1) if segment.startswith(prefix))


def test_an_amount_that_is_not_a_number_names_the_segment_and_element():
    text = write([PROFESSIONAL["original"]], ClaimKind.PROFESSIONAL)
    clm = next(line for line in text.splitlines() if line.startswith("CLM*"))
    fields = clm.split("*")
    damaged = text.replace(clm, "*".join([fields[0], fields[1], "12O", *fields[3:]]))
    with pytest.raises(InvalidInput) as refused:
        read_837(damaged, "batch.837")
    position = refused.value.position
    assert (position.file, position.segment, position.field) == \
        ("batch.837", _segment_number(text, "CLM*"), "CLM02")
    assert fields[1] not in str(refused.value)  # the account number is not repeated


def test_a_segment_out_of_its_loop_is_refused_by_the_engine():
    """A CLM moved before the subscriber's name: the subscriber's NM1 then comes inside the
    claim, where it has no place, and the file is refused there."""
    text = write([PROFESSIONAL["original"]], ClaimKind.PROFESSIONAL)
    lines = text.splitlines()
    clm = next(index for index, line in enumerate(lines) if line.startswith("CLM*"))
    sbr = next(index for index, line in enumerate(lines) if line.startswith("SBR*"))
    moved = lines[:sbr + 1] + [lines[clm]] + [each for each in lines[sbr + 1:] if each != lines[clm]]
    with pytest.raises(InvalidInput) as refused:
        read_837("\n".join(moved) + "\n")
    assert refused.value.position.segment == sbr + 3  # SBR, the CLM, then the NM1*IL
    assert refused.value.message.startswith("NM1: the file is not a valid 837")


def test_an_envelope_miscount_is_refused_at_the_trailer():
    text = write([PROFESSIONAL["original"]], ClaimKind.PROFESSIONAL)
    with pytest.raises(InvalidInput) as refused:
        read_837(text.replace("GE*1*1~", "GE*2*1~"))
    assert (refused.value.position.segment, refused.value.position.field) == \
        (_segment_number(text, "GE*"), "GE01")


def test_a_group_of_another_guide_is_refused_at_gs08():
    text = write([PROFESSIONAL["original"]], ClaimKind.PROFESSIONAL)
    with pytest.raises(InvalidInput) as refused:
        read_837(text.replace("*005010X222A1~", "*005010X222A2~"))
    assert (refused.value.position.segment, refused.value.position.field) == (2, "GS08")
