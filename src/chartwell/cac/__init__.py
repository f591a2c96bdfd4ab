"""Computer-assisted coding: a clinical note in, suggested codes out, each with the words in the
note it came from, the section and assertion, and the index path or rule that produced it."""
