"""The grouper's claim built from a coded stay, as a bulk run builds it again and again: the
entries worked out once per code (and POA) must give the same claim every time, the notes of a
code that needs one must be said for every stay that has it, and a shared entry must never be
changed by what is built from a claim (the CDI regrouping adds a diagnosis)."""

from __future__ import annotations

from datetime import date

from chartwell.domain.coded import CodedDiagnosis, CodedEncounter, CodedProcedure, Setting, Sex
from chartwell.grouping.drg import build_claim, version_for


def encounter(diagnoses, procedures=()) -> CodedEncounter:
    return CodedEncounter(
        setting=Setting.INPATIENT, sex=Sex.FEMALE, birth_date=date(1950, 2, 1),
        diagnoses=tuple(CodedDiagnosis(code, poa) for code, poa in diagnoses),
        procedures=tuple(CodedProcedure(code, system) for code, system in procedures),
        admit_date=date(2026, 1, 3), discharge_date=date(2026, 1, 7), discharge_status="01")


def claim_of(stay: CodedEncounter):
    return build_claim(stay, version_for(stay.discharge_date))


MIXED = encounter(
    [("I50.23", "Y"), ("E11.65", "X"), ("N17.9", "1"), ("J96.01", None), ("1234", "Y"),
     ("E11.65", "N")],
    [("02703DZ", "icd10pcs"), ("99213", "cpt"), ("0BH1", "icd10pcs"), ("02703DZ", "icd10pcs")])


def test_the_same_stay_builds_the_same_claim_and_notes_every_time():
    first, second = claim_of(MIXED), claim_of(MIXED)
    assert first.document == second.document
    assert first.notes == second.notes
    assert len(first.notes) == 4  # the bad POA, the code that is not one, the CPT, the short PCS
    assert any("diagnoses[1].poa 'X'" in note for note in first.notes)
    assert any("diagnoses[4] '1234'" in note for note in first.notes)
    assert any("procedures[1] 99213 is CPT" in note for note in first.notes)
    assert any("procedures[2] '0BH1'" in note for note in first.notes)


def test_what_each_code_becomes_for_the_grouper():
    claim = claim_of(MIXED)
    assert claim.document["pdx"] == {"code": "I5023", "poa": "Y"}
    assert claim.document["sdx"] == [
        {"code": "E1165", "poa": " "}, {"code": "N179", "poa": " "}, {"code": "J9601", "poa": " "},
        {"code": "E1165", "poa": "N"}]
    assert claim.document["procedures"] == [{"code": "02703DZ"}, {"code": "02703DZ"}]
    assert claim.diagnosis_fields == {"E1165": "diagnoses[1]", "N179": "diagnoses[2]",
                                      "J9601": "diagnoses[3]"}  # the first place of a code
    assert claim.spelling["E1165"] == (1, "E11.65")
    assert claim.procedure_fields == {"02703DZ": "procedures[0]"}
    assert claim.codes == {"I5023", "E1165", "N179", "J9601"}


def test_a_principal_diagnosis_that_cannot_be_a_code_goes_blank_each_time():
    stay = encounter([("12", "Y"), ("E11.65", "Y")])
    for _ in range(2):
        claim = claim_of(stay)
        assert claim.document["pdx"] == {"code": "", "poa": "Y"}
        assert [note for note in claim.notes if note.startswith("diagnoses[0]")]


def test_a_claim_with_one_more_diagnosis_leaves_the_shared_entries_alone():
    claim = claim_of(MIXED)
    regrouped = claim.with_secondary("K72.00")
    assert regrouped["sdx"][-1] == {"code": "K7200", "poa": "Y"}
    again = claim_of(MIXED)
    assert again.document["sdx"] == claim.document["sdx"]
    assert {"code": "K7200", "poa": "Y"} not in again.document["sdx"]
