"""Coding edits: ICD-10-CM conventions, the Medicare Code Editor, NCCI and MUE, each rule a small
declared unit (:mod:`chartwell.edits.model`) run by :mod:`chartwell.edits.engine`."""
