"""Run folders × a roster column → groups, shared codes, rates and tests per code; the compare workbook."""
