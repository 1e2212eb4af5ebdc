"""REFI-QDA exchange (.qdc, .qdpx): codebook and project export, import, agreement with hand coding."""
