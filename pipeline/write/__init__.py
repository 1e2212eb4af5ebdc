"""Outputs on disk: the output folder written then renamed, Excel sheets, PNG plots [writes disk]."""
