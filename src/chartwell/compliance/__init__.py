"""Users, roles, the audit chain, disclosures, de-identification and crypto."""
