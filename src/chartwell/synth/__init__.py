"""Deterministic synthetic patients, notes and coded encounters for demos and tests.

from chartwell.synth import generate
records = generate(seed=42, patients=100)
records.reference   # organizations, providers, payers (write first)
records.patients    # one RecordBatch per patient
"""

from chartwell.synth.generator import SyntheticRecords, generate

__all__ = ["SyntheticRecords", "generate"]
