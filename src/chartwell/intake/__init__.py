"""Intake: records arriving from other systems, read and mapped into domain record batches.

``sources`` finds and reads the files; ``fhir`` validates FHIR R4 resources and maps them
(``fhir_mappers`` holds one mapper per resource type, ``fhir_values`` the small conversions and
code tables they share). Nothing here writes to the store: the intake service does that.
"""
