"""Files → plain data: transcripts (formats, decoding, turns), rosters, codebooks, sheets [reads disk]."""
