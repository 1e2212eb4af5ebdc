"""Transcripts × codebook → assignments: one file at a time, the matcher, the segmentation cache, a corpus."""
