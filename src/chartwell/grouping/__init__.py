"""Grouping: MS-DRG assignment and CMS-HCC risk adjustment (``grouping.hcc``)."""
