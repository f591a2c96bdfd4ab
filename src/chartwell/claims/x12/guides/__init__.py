"""The implementation guides (TR3s) we read and validate, one module per transaction and version,
each written by hand from the guide's published structure (loops, segments, elements, usage,
repeats, code values)."""
