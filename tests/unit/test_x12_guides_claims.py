"""The 837 institutional (005010X223A2) and 835 (005010X221A1) guides, checked as data: every loop
is entered by a segment, the uses of one segment id among siblings are told apart by disjoint
qualifiers, usages and lengths are well formed, the code values fit their elements, every
segment id that occurs in a valid sample has a place in the guide, and on the shared samples our
validator faults exactly the segments pyx12 (the reference validator) faults."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import pytest
import support

from chartwell.claims.x12.guide import (Element, Guide, LoopRule, SegmentRule, element_refs,
                                      iter_loops, iter_segment_rules)
from chartwell.claims.x12.guides.x221a1_835 import GUIDE as REMITTANCE
from chartwell.claims.x12.guides.x223a2_837i import GUIDE as INSTITUTIONAL
from chartwell.claims.x12.lexer import read_segments

GUIDES = [pytest.param(INSTITUTIONAL, id="837I"), pytest.param(REMITTANCE, id="835")]
USAGES = {"R", "S", "N"}
TYPES = {"AN", "ID", "DT", "TM", "N0", "N2", "R", "B", ""}


def find_loop(guide: Guide, loop_id: str) -> LoopRule:
    return next(each for each in iter_loops(guide.transaction_set) if each.id == loop_id)


def segment_ids(guide: Guide) -> set[str]:
    return {segment.id for _, segment in iter_segment_rules(guide.transaction_set)}


# -- identity ---------------------------------------------------------------------------------

def test_institutional_guide_identity():
    assert (INSTITUTIONAL.transaction, INSTITUTIONAL.version, INSTITUTIONAL.functional_id) == (
        "837", "005010X223A2", "HC")


def test_remittance_guide_identity():
    assert (REMITTANCE.transaction, REMITTANCE.version, REMITTANCE.functional_id) == (
        "835", "005010X221A1", "HP")


@pytest.mark.parametrize("guide", GUIDES)
def test_transaction_set_is_framed_by_st_and_se_without_envelope(guide):
    children = guide.transaction_set.children
    assert guide.transaction_set.id == "ST_LOOP"
    assert children[0].id == "ST" and children[-1].id == "SE"
    assert children[0].elements[0].codes == {guide.transaction}
    assert not {"ISA", "GS", "GE", "IEA"} & segment_ids(guide)


# -- shape ------------------------------------------------------------------------------------

@pytest.mark.parametrize("guide", GUIDES)
def test_every_loop_starts_with_a_segment(guide):
    for each in iter_loops(guide.transaction_set):
        assert each.children, each.id
        assert isinstance(each.children[0], SegmentRule), each.id


@pytest.mark.parametrize("guide", GUIDES)
def test_loop_ids_are_unique_except_the_claim_loop_under_two_levels(guide):
    """The 837's claim loop (and so its whole subtree) hangs under the subscriber and under the
    patient; the two must be the same loop, every other id once."""
    shapes = defaultdict(set)
    for each in iter_loops(guide.transaction_set):
        shapes[each.id].add(each.children)
    assert all(len(children) == 1 for children in shapes.values())


def _siblings(rule: LoopRule):
    """Each child's segment as the walker sees it among its siblings (a child loop by its
    trigger), grouped by segment id."""
    by_id = defaultdict(list)
    for child in rule.children:
        segment = child if isinstance(child, SegmentRule) else child.trigger
        by_id[segment.id].append((child, segment))
    return by_id


@pytest.mark.parametrize("guide", GUIDES)
def test_siblings_sharing_a_segment_id_have_disjoint_qualifiers(guide):
    for each in iter_loops(guide.transaction_set):
        for segment_id, uses in _siblings(each).items():
            if len(uses) < 2:
                continue
            for (_, first), (_, second) in combinations(uses, 2):
                where = f"{each.id} {segment_id}: {first.name} / {second.name}"
                assert first.qualifier and second.qualifier, where
                if first.qualifier[0] == second.qualifier[0]:
                    assert not first.qualifier[1] & second.qualifier[1], where


@pytest.mark.parametrize("guide", GUIDES)
def test_child_loop_trigger_differs_from_its_parents_trigger(guide):
    """A child loop entered by the same use of a segment as its parent could never be told from
    the parent's next repeat."""
    for each in iter_loops(guide.transaction_set):
        for child in each.children[1:]:
            if isinstance(child, LoopRule) and child.trigger.id == each.trigger.id:
                assert each.trigger.qualifier and child.trigger.qualifier, child.id
                assert not each.trigger.qualifier[1] & child.trigger.qualifier[1], child.id


@pytest.mark.parametrize("guide", GUIDES)
def test_usages_repeats_and_lengths_are_well_formed(guide):
    for each in iter_loops(guide.transaction_set):
        assert each.usage in USAGES and each.max_repeat >= 1, each.id
    for each, segment in iter_segment_rules(guide.transaction_set):
        assert segment.usage in USAGES and segment.max_use >= 1, (each.id, segment.name)
        assert segment.elements, (each.id, segment.name)
        for place, element in element_refs(segment):
            assert element.usage in USAGES, (each.id, place)
            assert element.data_type in TYPES, (each.id, place)
            assert element.min_length <= element.max_length, (each.id, place)
            if element.usage != "N" and not element.is_composite:
                assert element.max_length >= 1, (each.id, place)


@pytest.mark.parametrize("guide", GUIDES)
def test_code_values_fit_their_elements(guide):
    for each, segment in iter_segment_rules(guide.transaction_set):
        for place, element in element_refs(segment):
            if element.codes:
                assert element.data_type == "ID", (each.id, place)
                for code in element.codes:
                    assert element.min_length <= len(code) <= element.max_length, (
                        each.id, place, code)


def _qualifying_element(segment: SegmentRule) -> Element:
    element = segment.elements[segment.qualifier[0] - 1]
    return element.components[0] if element.is_composite else element


@pytest.mark.parametrize("guide", GUIDES)
def test_qualifier_values_are_codes_the_qualifying_element_allows(guide):
    for each, segment in iter_segment_rules(guide.transaction_set):
        if segment.qualifier is None:
            continue
        element = _qualifying_element(segment)
        assert element.usage == "R", (each.id, segment.name)
        assert segment.qualifier[1] == element.codes, (each.id, segment.name)


@pytest.mark.parametrize("guide", GUIDES)
def test_syntax_notes_name_existing_elements(guide):
    for each, segment in iter_segment_rules(guide.transaction_set):
        for note in segment.syntax:
            assert note.kind in {"P", "R", "C", "E", "L"}, (each.id, segment.name)
            assert all(1 <= position <= len(segment.elements) for position in note.positions)


# -- content the TR3s require -----------------------------------------------------------------

def _ids(rule: LoopRule) -> list[str]:
    return [child.id for child in rule.children]


def test_institutional_header_and_hierarchy():
    root = INSTITUTIONAL.transaction_set
    assert _ids(root) == ["ST", "BHT", "1000A", "1000B", "2000A", "SE"]
    assert _ids(find_loop(INSTITUTIONAL, "2000A"))[-1] == "2000B"
    assert _ids(find_loop(INSTITUTIONAL, "2000B"))[-2:] == ["2300", "2000C"]
    for loop_id in ("2010AA", "2010AB", "2010AC", "2010BA", "2010BB", "2010CA", "2310A", "2310F",
                    "2320", "2330A", "2330I", "2400", "2410", "2420A", "2420D", "2430"):
        assert find_loop(INSTITUTIONAL, loop_id)


def test_institutional_claim_requires_statement_dates_principal_diagnosis_and_lines():
    claim = find_loop(INSTITUTIONAL, "2300")
    required = {(child.id, tuple(sorted(child.qualifier[1])) if isinstance(child, SegmentRule)
                 and child.qualifier else None) for child in claim.children if child.usage == "R"}
    assert ("CLM", None) in required
    assert ("DTP", ("434",)) in required
    assert ("HI", ("ABK", "BK")) in required
    assert ("2400", None) in required


@pytest.mark.parametrize("qualifier", ["ABK", "ABJ", "APR", "ABN", "DR", "ABF", "BBR", "CAH",
                                       "BBQ", "BI", "BH", "BE", "BG", "TC"])
def test_each_hi_code_family_has_its_own_segment(qualifier):
    claim = find_loop(INSTITUTIONAL, "2300")
    his = [child for child in claim.children if isinstance(child, SegmentRule) and child.id == "HI"
           and child.matches([[qualifier, "X"]])]
    assert len(his) == 1


def test_institutional_facility_code_qualifier_is_a_and_related_causes_unused():
    clm = find_loop(INSTITUTIONAL, "2300").children[0]
    assert clm.elements[4].components[1].codes == {"A"}
    assert clm.elements[10].usage == "N"


def test_remittance_header_and_detail():
    root = REMITTANCE.transaction_set
    assert _ids(root) == ["ST", "BPR", "TRN", "CUR", "REF", "REF", "DTM", "1000A", "1000B",
                          "2000", "PLB", "SE"]
    assert _ids(find_loop(REMITTANCE, "2000")) == ["LX", "TS3", "TS2", "2100"]
    claim = find_loop(REMITTANCE, "2100")
    names = {child.qualifier[1] for child in claim.children
             if isinstance(child, SegmentRule) and child.id == "NM1"}
    assert names == {frozenset({code}) for code in ("QC", "IL", "74", "82", "TT", "PR", "GB")}
    assert find_loop(REMITTANCE, "2110").children[0].id == "SVC"


def test_remittance_codes_from_the_tr3():
    root = REMITTANCE.transaction_set
    bpr = root.children[1]
    assert bpr.elements[0].codes == {"C", "D", "H", "I", "P", "X"}
    clp = find_loop(REMITTANCE, "2100").children[0]
    assert {"1", "2", "3", "4", "22"} <= clp.elements[1].codes
    cas = find_loop(REMITTANCE, "2100").children[1]
    assert cas.elements[0].codes == {"CO", "OA", "PI", "PR"}


# -- the samples -------------------------------------------------------------------------------

VALID_SAMPLES = {
    "837": ["stupidedi/X223-HC837/X223-HC837_ex1.valid.x12",
            "stupidedi/X223-HC837/X223-HC837_ex2.valid.x12",
            "stupidedi/X223-HC837/X223-HC837_ex3.valid.x12",
            "stupidedi/X223-HC837/X223-HC837_ex4.valid.x12",
            "stupidedi/X223-HC837/X223-HC837_ex5.valid.x12",
            "lfh/837_005010X223A3/two-claims-single-provider.837i"],
    "835": ["stupidedi/X221-HP835/X221-HP835_ex1.valid.x12",
            "stupidedi/X221-HP835/X221-HP835_ex3b.valid.x12",
            "stupidedi/X221-HP835/X221-HP835_ex3c.valid.x12",
            "lfh/835_005010X221A1/medicare-part-a.835",
            "pyx12/835_mult_loops.txt"],
}
# Listed as valid in INDEX.csv, but their bodies use ">" as the component separator while ISA16
# says ":" (pyx12 rejects them too): only their segment ids are checked.
MISDELIMITED_SAMPLES = {
    "837": ["lfh/837_005010X223A3/out-of-network-repriced-claim.837i",
            "lfh/837_005010X223A3/ppo-repriced-claim.837i"],
    "835": ["lfh/835_005010X221A1/cob-contractural-adjustment.835",
            "lfh/835_005010X221A1/tertiary-payment.835"],
}
ENVELOPE = {"ISA", "GS", "GE", "IEA"}


@pytest.mark.shared_data
@pytest.mark.parametrize("transaction, sample", [
    pytest.param(transaction, sample, id=sample.rsplit("/", 1)[-1])
    for samples_by_transaction in (VALID_SAMPLES, MISDELIMITED_SAMPLES)
    for transaction, samples in samples_by_transaction.items() for sample in samples])
def test_every_segment_of_a_valid_sample_has_a_place_in_the_guide(transaction, sample):
    guide = INSTITUTIONAL if transaction == "837" else REMITTANCE
    path = support.shared_data(f"samples/x12/{sample}")
    _, found = read_segments(path.read_bytes(), str(path))
    assert {segment.id for segment in found} - ENVELOPE - segment_ids(guide) == set()


@pytest.mark.shared_data
@pytest.mark.parametrize("transaction, sample", [
    pytest.param(transaction, sample, id=sample.rsplit("/", 1)[-1])
    for transaction, samples in VALID_SAMPLES.items() for sample in samples])
def test_every_qualified_use_in_a_valid_sample_is_known(transaction, sample):
    """Every REF, DTP, DTM, AMT, QTY, HI, NM1 and N1 of a valid sample matches some qualified
    use of that segment id in the guide (a qualifier the guide forgot would leave it unplaced)."""
    guide = INSTITUTIONAL if transaction == "837" else REMITTANCE
    path = support.shared_data(f"samples/x12/{sample}")
    delimiters, found = read_segments(path.read_bytes(), str(path))
    rules = defaultdict(list)
    for _, rule in iter_segment_rules(guide.transaction_set):
        rules[rule.id].append(rule)
    for segment in found:
        if segment.id not in {"REF", "DTP", "DTM", "AMT", "QTY", "HI", "NM1", "N1", "HL", "PER"}:
            continue
        values = [value.split(delimiters.component) for value in segment.elements]
        assert any(rule.matches(values) for rule in rules[segment.id]), (
            sample, segment.index, segment.id)


# -- agreement with pyx12, the reference validator ---------------------------------------------

# pyx12 has maps for exactly 005010X223A2 and 005010X221A1; the samples say X223A1/A3 and X221,
# which our registry reads with the same guides. pyx12 is given a copy relabelled to its version.
PYX12_VERSION = {"837": "005010X223A2", "835": "005010X221A1"}
AGREEMENT_SAMPLES = [
    *[f"stupidedi/X223-HC837/X223-HC837_ex{number}.{kind}.x12"
      for number in range(1, 6) for kind in ("valid", "invalid")],
    "lfh/837_005010X223A3/out-of-network-repriced-claim.837i",
    "lfh/837_005010X223A3/ppo-repriced-claim.837i",
    "lfh/837_005010X223A3/two-claims-single-provider.837i",
    *[f"stupidedi/X221-HP835/X221-HP835_ex{number}.{kind}.x12"
      for number in ("1", "3b", "3c") for kind in ("valid", "invalid")],
    "lfh/835_005010X221A1/medicare-part-a.835",
    "lfh/835_005010X221A1/cob-contractural-adjustment.835",
    "lfh/835_005010X221A1/tertiary-payment.835",
    "pyx12/835_mult_loops.txt",
    "databricks/835/plb_sample.txt",
    "databricks/835/sample.txt",
    "databricks/835/sample_no_cas.txt",
    "databricks/835/sample_services.txt",
]
CONTROL_SEGMENTS = {"ISA", "GS", "ST", "SE", "GE", "IEA"}


def _relabelled(text: str, tmp_path) -> str:
    """A copy whose GS08/ST03 name the version pyx12 has a map for (GS01 too, where the sample
    damaged it on purpose), as a file path for pyx12."""
    delimiters, found = read_segments(text)
    transaction = next(segment.element(1) for segment in found if segment.id == "ST")
    lines = []
    for segment in found:
        elements = list(segment.elements)
        if segment.id == "GS":
            elements[0] = {"837": "HC", "835": "HP"}[transaction]
            elements[7] = PYX12_VERSION[transaction]
        if segment.id == "ST" and len(elements) >= 3:
            elements[2] = PYX12_VERSION[transaction]
        lines.append(delimiters.element.join([segment.id, *elements]) + delimiters.segment)
    path = tmp_path / "relabelled.x12"
    path.write_text("\n".join(lines))
    return str(path)


def _pyx12_error_places(path: str) -> set[tuple[str, int]]:
    """(ST02, segment position counted from the ST) of every segment pyx12 finds fault with."""
    import io
    import json

    import pyx12.params
    import pyx12.x12n_document

    report = io.StringIO()
    pyx12.x12n_document.x12n_document(pyx12.params.params(), path, None, None, None, report)
    places = set()
    for interchange in json.loads(report.getvalue())["interchanges"]:
        for group in interchange["groups"]:
            for transaction in group["transactions"]:
                for segment in transaction["segments"]:
                    if segment["seg_id"] not in CONTROL_SEGMENTS and segment["seg_count"]:
                        places.add((transaction["trn_set_control_num"], segment["seg_count"]))
    return places


def _our_error_places(text: str) -> set[tuple[str, int]]:
    from chartwell.claims.x12.validator import validate

    _, found = read_segments(text)
    starts = {segment.index: segment.element(2) for segment in found if segment.id == "ST"}
    places = set()
    for error in validate(text).errors:
        if error.segment_id in CONTROL_SEGMENTS or error.loop in {"ISA", "GS"}:
            continue
        start = max(index for index in starts if index <= error.segment_index)
        places.add((starts[start], error.segment_index - start + 1))
    return places


@pytest.mark.shared_data
@pytest.mark.parametrize("sample", AGREEMENT_SAMPLES, ids=lambda sample: sample.rsplit("/", 1)[-1])
def test_our_validator_faults_the_segments_pyx12_faults(sample, tmp_path):
    """Same verdict, segment by segment: every segment (by its place in its transaction set) that
    pyx12 reports an error on, we report one on, and no other."""
    text = support.shared_data(f"samples/x12/{sample}").read_bytes().decode("utf-8-sig")
    assert _our_error_places(text) == _pyx12_error_places(_relabelled(text, tmp_path))
