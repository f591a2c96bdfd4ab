"""Claims: assembly from a coded encounter, the scrubber, and X12 (reader, writer, validator)."""
