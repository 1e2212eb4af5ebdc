"""One module per CLI command: Options → Report (the figures to print and the exit code)."""
