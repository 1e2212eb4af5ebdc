"""Workshop score sheets → statistics per case and pillar, and the scores workbook."""
