"""ICD-10-PCS: readers for the CMS order file, tables, definitions and index XML, and the
character-by-character explanation of a code against its table. Pure parsers: no database."""
