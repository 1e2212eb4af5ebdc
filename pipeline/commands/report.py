"""What a command tells the researcher: the lines to print (on stdout or stderr) and the exit code.

Every command returns a Report; `cli.py` only prints `report.lines(quiet)` and exits with
`report.exit_code` (as Black's report decides Black's exit code).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import PipelineError, Problem

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


@dataclass(frozen=True)
class Line:
    text: str
    err: bool = False          # stderr (problems, notes, warnings) rather than stdout (results)


# What a terminal would act on rather than show: C0 controls but tab (ESC starts an escape sequence; CR and a bare
# LF would forge a line of their own), DEL, C1, and the bidi embeddings, overrides and isolates that reorder what
# follows them (Trojan Source). An LF followed by two spaces stays: it starts the `  → hint` line of a problem.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\n(?!  )")
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_SHORT = {"\n": "\\n", "\r": "\\r"}


def printable(text: str) -> str:
    """Text to print on a terminal: file names and cell text from received files escaped where a terminal would
    act on them (`\\x1b`, `\\u202e`, `\\n`), so that what is printed is what the file says, never a command."""
    return _UNPRINTABLE.sub(lambda m: _escaped(m.group()), text)


def one_line(text: str) -> str:
    """Text from a received file folded to one printable line (line breaks become spaces), e.g. for a comment."""
    return printable(_LINE_BREAKS.sub(" ", text).replace("\t", " "))


def _escaped(character: str) -> str:
    if character in _SHORT:
        return _SHORT[character]
    code = ord(character)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


SHOWN = 50                     # problems or notes printed one by one; the rest are counted (the record lists all)


def said(issues: Iterable[Problem], label: str | None = None, limit: int = SHOWN) -> Iterator[Line]:
    """Problems and notes as stderr lines: `problem: file:line: …` (label: the issue's kind by default); past
    `limit`, one line counts the rest, so a file of a million bad rows prints fifty, not two million lines."""
    issues = list(issues)
    for issue in issues[:limit]:
        yield Line(f"{label or issue.kind}: {issue}", err=True)
    if len(issues) > limit:
        kinds = sorted({label or issue.kind for issue in issues[limit:]})
        yield Line(f"… and {len(issues) - limit:,} more {' or '.join(kinds)}(s) not shown", err=True)


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
