"""The acknowledgment, eligibility and claim-status guides (999 X231A1, 277CA X214, 270/271
X279A1, 276/277 X212), checked as data -- every loop entered by a segment, the uses of one
segment id among siblings told apart by disjoint qualifiers, usages and lengths well formed,
code values that fit their elements -- and against the sample files: every segment id of a valid
sample has a place in its guide, the valid samples walk without a guide error, and known
mistakes in the published TR3 examples are caught."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import pytest
import support

from chartwell.claims.x12.guide import (Guide, LoopRule, SegmentRule, element_refs, iter_loops,
                                      iter_segment_rules)
from chartwell.claims.x12.guides.x212_276 import GUIDE as STATUS_REQUEST
from chartwell.claims.x12.guides.x212_277 import GUIDE as STATUS_RESPONSE
from chartwell.claims.x12.guides.x214_277ca import GUIDE as CLAIM_ACKNOWLEDGMENT
from chartwell.claims.x12.guides.x231a1_999 import GUIDE as IMPLEMENTATION_ACKNOWLEDGMENT
from chartwell.claims.x12.guides.x279a1_270 import GUIDE as ELIGIBILITY_INQUIRY
from chartwell.claims.x12.guides.x279a1_271 import GUIDE as ELIGIBILITY_RESPONSE
from chartwell.claims.x12.lexer import read_segments
from chartwell.claims.x12.registry import guide_for
from chartwell.claims.x12.validator import validate

BY_NAME = {
    "999": IMPLEMENTATION_ACKNOWLEDGMENT,
    "277CA": CLAIM_ACKNOWLEDGMENT,
    "270": ELIGIBILITY_INQUIRY,
    "271": ELIGIBILITY_RESPONSE,
    "276": STATUS_REQUEST,
    "277": STATUS_RESPONSE,
}
GUIDES = [pytest.param(guide, id=name) for name, guide in BY_NAME.items()]
IDENTITIES = {
    "999": ("999", "005010X231A1", "FA"),
    "277CA": ("277", "005010X214", "HN"),
    "270": ("270", "005010X279A1", "HS"),
    "271": ("271", "005010X279A1", "HB"),
    "276": ("276", "005010X212", "HR"),
    "277": ("277", "005010X212", "HN"),
}
USAGES = {"R", "S", "N"}
TYPES = {"AN", "ID", "DT", "TM", "N0", "N2", "R", "B", ""}

# Samples (under ../shared/data/samples/x12) that are valid by the TR3, with their guide. The
# INDEX also labels imsweb/277_5010/x12_277_x212.txt valid, but it sends STC03 (action code)
# in 2200D, which the X212 277 does not use; the oop 271 files cannot be lexed (ISA11 = ISA16).
VALID_SAMPLES = {
    "imsweb/837_5010/x12_999_accepted.txt": "999",
    "imsweb/837_5010/x12_999_rejected.txt": "999",
    "stupidedi/X231-FA999/X231-FA999_ex1.valid.x12": "999",
    "stupidedi/X214-HN277/X214-HN277_ex1.valid.x12": "277CA",
    "stupidedi/X214-HN277/X214-HN277_ex2.valid.x12": "277CA",
    "stupidedi/X214-HN277/X214-HN277_ex3.valid.x12": "277CA",
    "stupidedi/X214-HN277/X214-HN277_ex4.valid.x12": "277CA",
    "lfh/270_005010X279A1/subscriber-health-benefit-check.270": "270",
    "stupidedi/X279-HS270/X279-HS270_ex1.valid.x12": "270",
    "oop/270/5010/Example1_IG.txt": "270",
    "oop/270/5010/From_georgiosd.txt": "271",  # a 271, despite its folder
    "lfh/271_005010X279A1/subscriber-health-benefit-check.271": "271",
    "stupidedi/X279-HB271/X279-HB271_ex1.valid.x12": "271",
    "lfh/276_005010X212/claim-level-status.276": "276",
    "lfh/276_005010X212/information-receiver-level-status.276": "276",
    "lfh/276_005010X212/provider-level-status.276": "276",
    "stupidedi/X212-HR276/X212-HR276_ex1.valid.x12": "276",
    "stupidedi/X212-HR276/X212-HR276_ex2.valid.x12": "276",
    "stupidedi/X212-HR276/X212-HR276_ex3.valid.x12": "276",
    "lfh/277_005010X212/claim-level-status.277": "277",
    "lfh/277_005010X212/information-receiver-level-status.277": "277",
    "lfh/277_005010X212/provider-level-status.277": "277",
    "stupidedi/X212-HN277/X212-HN277_ex1.valid.x12": "277",
    "stupidedi/X212-HN277/X212-HN277_ex2.valid.x12": "277",
    "stupidedi/X212-HN277/X212-HN277_ex3.valid.x12": "277",
}


def segment_ids(guide: Guide) -> set[str]:
    return {segment.id for _, segment in iter_segment_rules(guide.transaction_set)}


def loop_ids(guide: Guide) -> set[str]:
    return {each.id for each in iter_loops(guide.transaction_set)}


def find_loop(guide: Guide, loop_id: str) -> LoopRule:
    return next(each for each in iter_loops(guide.transaction_set) if each.id == loop_id)


def deciding_segment(child: SegmentRule | LoopRule) -> SegmentRule:
    return child if isinstance(child, SegmentRule) else child.trigger


# -- identity and framing ---------------------------------------------------------------------

@pytest.mark.parametrize("name", IDENTITIES)
def test_guide_identity_and_registration(name):
    guide = BY_NAME[name]
    transaction, version, functional_id = IDENTITIES[name]
    assert (guide.transaction, guide.version, guide.functional_id) == (
        transaction, version, functional_id)
    assert guide_for(transaction, version).compiled.guide is guide


@pytest.mark.parametrize("guide", GUIDES)
def test_transaction_set_is_framed_by_st_and_se_without_envelope(guide):
    children = guide.transaction_set.children
    assert guide.transaction_set.id == "ST_LOOP"
    assert children[0].id == "ST" and children[-1].id == "SE"
    assert children[0].elements[0].codes == {guide.transaction}
    assert not {"ISA", "GS", "GE", "IEA", "TA1"} & segment_ids(guide)


# -- shape ------------------------------------------------------------------------------------

@pytest.mark.parametrize("guide", GUIDES)
def test_every_loop_starts_with_a_segment(guide):
    for each in iter_loops(guide.transaction_set):
        assert each.children, each.id
        assert isinstance(each.children[0], SegmentRule), each.id


@pytest.mark.parametrize("guide", GUIDES)
def test_loop_ids_are_unique(guide):
    seen = [each.id for each in iter_loops(guide.transaction_set)]
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("guide", GUIDES)
def test_siblings_sharing_a_segment_id_have_disjoint_qualifiers(guide):
    """Uses of one segment id in one loop (or loops triggered by it) are told apart by the
    qualifier; at most one may go without, as the last of them (a catch-all such as the 999's
    business unit CTX after its SITUATIONAL TRIGGER ones)."""
    for each in iter_loops(guide.transaction_set):
        by_id = defaultdict(list)
        for child in each.children[1:]:
            by_id[deciding_segment(child).id].append(deciding_segment(child))
        for segment_id, uses in by_id.items():
            if len(uses) < 2:
                continue
            unqualified = [use for use in uses if use.qualifier is None]
            assert not unqualified or (len(unqualified) == 1 and uses[-1] is unqualified[0]), (
                each.id, segment_id)
            qualified = [use for use in uses if use.qualifier is not None]
            for first, second in combinations(qualified, 2):
                assert first.qualifier[0] == second.qualifier[0], (each.id, segment_id)
                assert not first.qualifier[1] & second.qualifier[1], (
                    each.id, segment_id, first.qualifier[1] & second.qualifier[1])


@pytest.mark.parametrize("guide", GUIDES)
def test_hierarchical_levels_are_told_apart_by_their_level_code(guide):
    for each in iter_loops(guide.transaction_set):
        if each.children[0].id == "HL":
            assert each.children[0].qualifier[0] == 3, each.id


@pytest.mark.parametrize("guide", GUIDES)
def test_usages_counts_and_lengths_are_well_formed(guide):
    for each in iter_loops(guide.transaction_set):
        assert each.usage in USAGES and each.max_repeat >= 1, each.id
    for each, segment in iter_segment_rules(guide.transaction_set):
        assert segment.usage in USAGES and segment.max_use >= 1, (each.id, segment.id)
        for ref, element in element_refs(segment):
            assert element.usage in USAGES, (each.id, ref)
            assert element.data_type in TYPES, (each.id, ref)
            assert element.repeat >= 1, (each.id, ref)
            if not element.is_composite and element.usage != "N":
                assert 1 <= element.min_length <= element.max_length, (each.id, ref)


@pytest.mark.parametrize("guide", GUIDES)
def test_code_values_fit_their_elements(guide):
    for each, segment in iter_segment_rules(guide.transaction_set):
        for ref, element in element_refs(segment):
            for code in element.codes:
                assert element.min_length <= len(code) <= element.max_length, (each.id, ref, code)


@pytest.mark.parametrize("guide", GUIDES)
def test_qualifiers_are_codes_of_the_element_they_name(guide):
    for each, segment in iter_segment_rules(guide.transaction_set):
        if segment.qualifier is None:
            continue
        position, values = segment.qualifier
        element = segment.elements[position - 1]
        if element.is_composite:
            element = element.components[0]
        assert element.usage == "R", (each.id, segment.id)
        if element.codes:
            assert values <= element.codes, (each.id, segment.id)


@pytest.mark.parametrize("guide", GUIDES)
def test_syntax_notes_name_existing_elements(guide):
    for each, segment in iter_segment_rules(guide.transaction_set):
        for note in segment.syntax:
            assert note.kind in "PRCEL", (each.id, segment.id)
            assert all(1 <= position <= len(segment.elements) for position in note.positions), (
                each.id, segment.id)


# -- what the TR3s say, spot-checked ------------------------------------------------------------

def test_999_enumerates_its_acknowledgment_and_error_codes():
    ik5 = next(s for _, s in iter_segment_rules(IMPLEMENTATION_ACKNOWLEDGMENT.transaction_set)
               if s.id == "IK5")
    ak9 = next(s for _, s in iter_segment_rules(IMPLEMENTATION_ACKNOWLEDGMENT.transaction_set)
               if s.id == "AK9")
    ik3 = find_loop(IMPLEMENTATION_ACKNOWLEDGMENT, "2100").children[0]
    ik4 = find_loop(IMPLEMENTATION_ACKNOWLEDGMENT, "2110").children[0]
    assert ik5.elements[0].codes == {"A", "E", "M", "R", "W", "X"}
    assert ak9.elements[0].codes == {"A", "E", "M", "P", "R", "W", "X"}
    assert {"1", "2", "3", "8", "I4", "I6", "I9"} <= ik3.elements[3].codes
    assert {"1", "4", "5", "7", "8", "I10", "I12", "I13"} <= ik4.elements[2].codes
    assert loop_ids(IMPLEMENTATION_ACKNOWLEDGMENT) == {"ST_LOOP", "2000", "2100", "2110"}


def test_hierarchies_nest_in_tr3_order():
    def chain(guide, top):
        found, current = [], find_loop(guide, top)
        while current is not None:
            found.append(current.id)
            current = next((child for child in current.children
                            if isinstance(child, LoopRule) and child.children[0].id == "HL"),
                           None)
        return found

    assert chain(CLAIM_ACKNOWLEDGMENT, "2000A") == ["2000A", "2000B", "2000C", "2000D"]
    assert chain(STATUS_REQUEST, "2000A") == ["2000A", "2000B", "2000C", "2000D", "2000E"]
    assert chain(STATUS_RESPONSE, "2000A") == ["2000A", "2000B", "2000C", "2000D", "2000E"]
    assert chain(ELIGIBILITY_INQUIRY, "2000A") == ["2000A", "2000B", "2000C", "2000D"]
    assert chain(ELIGIBILITY_RESPONSE, "2000A") == ["2000A", "2000B", "2000C", "2000D"]


def test_271_benefit_related_entities_sit_between_ls_and_le():
    benefit = find_loop(ELIGIBILITY_RESPONSE, "2110C")
    ids = [child.id for child in benefit.children]
    assert ids.index("LS") + 1 == ids.index("2120C") == ids.index("LE") - 1
    assert {"2115C", "2120C", "2115D", "2120D"} <= loop_ids(ELIGIBILITY_RESPONSE)


# -- against the samples ----------------------------------------------------------------------

def transaction_sets(path):
    """The segment ids of each ST..SE in a file."""
    _, found = read_segments(path.read_bytes(), str(path))
    sets, current = [], None
    for segment in found:
        if segment.id == "ST":
            current = []
        if current is not None:
            current.append(segment.id)
        if segment.id == "SE" and current is not None:
            sets.append(current)
            current = None
    return sets


@pytest.mark.shared_data
@pytest.mark.parametrize("relative", sorted(VALID_SAMPLES))
def test_every_segment_of_a_valid_sample_has_a_place_in_its_guide(relative):
    guide = BY_NAME[VALID_SAMPLES[relative]]
    path = support.shared_data(f"samples/x12/{relative}")
    sets = transaction_sets(path)
    assert sets
    for ids in sets:
        assert set(ids) <= segment_ids(guide), set(ids) - segment_ids(guide)


def guide_errors(relative: str, guide: Guide):
    """The validator's errors inside the transaction sets' loops (the envelope -- ISA padding,
    control numbers -- is the envelope guide's business, not this one's)."""
    path = support.shared_data(f"samples/x12/{relative}")
    report = validate(path.read_bytes(), relative)
    ours = loop_ids(guide)
    return [(error.segment_index, error.segment_id, error.loop, error.element, error.message)
            for error in report.errors if error.loop in ours]


@pytest.mark.shared_data
@pytest.mark.parametrize("relative", sorted(VALID_SAMPLES))
def test_valid_sample_walks_without_guide_errors(relative):
    assert guide_errors(relative, BY_NAME[VALID_SAMPLES[relative]]) == []


@pytest.mark.shared_data
def test_277ca_tr3_example_as_published_has_its_known_mistakes():
    """Business scenario 3 as printed in the TR3: a name suffix on the receiver (NM107 is not
    used in 2100B), an employer id (24) for the billing provider, and DTP*232 where the 277CA
    has only the 472 service date."""
    errors = guide_errors("stupidedi/X214-HN277/X214-HN277_ex3.invalid.x12", CLAIM_ACKNOWLEDGMENT)
    places = {(segment_id, loop, element) for _, segment_id, loop, element, _ in errors}
    assert ("NM1", "2100B", "NM107") in places
    assert ("NM1", "2100C", "NM108") in places
    assert sum(1 for _, segment_id, loop, _, _ in errors
               if (segment_id, loop) == ("DTP", "2200D")) == 4


@pytest.mark.shared_data
def test_277ca_provider_level_trace_is_current_not_referenced():
    """2200C TRN01 is 1 (the TR3 example 4 as published sends 2 and puts STC02 there)."""
    errors = guide_errors("stupidedi/X214-HN277/X214-HN277_ex4.invalid.x12", CLAIM_ACKNOWLEDGMENT)
    assert any(segment_id == "TRN" for _, segment_id, _, _, _ in errors)


@pytest.mark.shared_data
def test_999_rejects_a_short_transaction_control_number():
    errors = guide_errors("oop/Acknowledgments/999/DHS_Wisconsin_Sample.txt",
                          IMPLEMENTATION_ACKNOWLEDGMENT)
    assert ("AK2", "2000", "AK202") in {(e[1], e[2], e[3]) for e in errors}


@pytest.mark.shared_data
def test_277_action_code_is_not_used_in_a_claim_status():
    errors = guide_errors("imsweb/277_5010/x12_277_x212.txt", STATUS_RESPONSE)
    assert errors and {element for _, _, _, element, _ in errors} == {"STC03"}
