"""A run folder: tallies, the run workbook and its desk, publishing, loading a run, re-coding it."""
