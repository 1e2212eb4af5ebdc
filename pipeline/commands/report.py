"""What a command tells the researcher: the lines to print (on stdout or stderr) and the exit code.

Every command returns a Report; `cli.py` only prints `report.lines(quiet)` and exits with
`report.exit_code` (as Black's report decides Black's exit code).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import PipelineError, Problem

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


@dataclass(frozen=True)
class Line:
    text: str
    err: bool = False          # stderr (problems, notes, warnings) rather than stdout (results)


def said(issues: Iterable[Problem], label: str | None = None) -> Iterator[Line]:
    """Problems and notes as stderr lines: `problem: file:line: …` (label: the issue's kind by default)."""
    for issue in issues:
        yield Line(f"{label or issue.kind}: {issue}", err=True)


def shown(value: float) -> str:
    """A figure to three decimals, or n/a where it is not defined (NaN)."""
    return "n/a" if value != value else f"{value:.3f}"


@dataclass
class Report:
    """Base of every command's report."""

    exit_code: int = field(default=EXIT_OK, kw_only=True)

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        raise NotImplementedError


@dataclass
class Failure(Report):
    """A command stopped by bad input (or refused by --strict): nothing was written."""

    error: PipelineError
    exit_code: int = field(default=EXIT_FAILED, kw_only=True)

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        yield from said(getattr(self.error, "problems", []), "problem")
        yield Line(str(self.error.as_problem()), err=True)


@dataclass
class Interrupted(Report):
    """Ctrl-C: every command leaves nothing half-written."""

    exit_code: int = field(default=EXIT_INTERRUPTED, kw_only=True)

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        yield Line("interrupted: nothing was written", err=True)


def workbook_line(out: Path, name: str) -> Line:
    return Line(f"workbook: {out / name}")
