"""A codebook → how each of its terms is matched, with warnings (`qcode check`); exit 1 on a problem."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.coding.term_check import TermCheck, check_codebook
from pipeline.commands.report import EXIT_FAILED, EXIT_OK, Line, Report, said


@dataclass
class CheckOptions:
    codebook: Path


@dataclass
class CheckReport(Report):
    check: TermCheck

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        check = self.check
        yield from (Line(line) for line in check.lines)
        yield from said(check.problems, "problem")
        yield from (Line(f"warning: {warning}", err=True) for warning in check.warnings)
        yield Line(f"{check.codes} code(s), {check.terms} term(s): {len(check.problems)} problem(s), "
                   f"{len(check.warnings)} warning(s)")


def run_check(options: CheckOptions) -> CheckReport:
    check = check_codebook(options.codebook)
    return CheckReport(check, exit_code=EXIT_FAILED if check.problems else EXIT_OK)
