"""X12 5010 of our own: the lexer (delimiters from the ISA), the implementation guides described
as data (:mod:`chartwell.claims.x12.guide`), the loop walker and validator, and the writer."""
