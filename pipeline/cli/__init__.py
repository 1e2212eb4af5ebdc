"""The `qcode` command line: one click group (group.py) and its commands, by stage of the work (coding,
review, outputs); each command is a thin wrapper that calls pipeline.commands and prints its Report."""

from pipeline.cli import coding, outputs, review  # noqa: F401  (registers the commands on the group)
from pipeline.cli.group import main

__all__ = ["main"]
