"""Errors and problems a researcher can act on: each names a file, a line and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches


@dataclass(frozen=True)
class Problem:
    """Something wrong with an input; `kind` is "problem" (bad input) or "note" (information)."""

    file: str
    problem: str
    hint: str = ""
    line: int | None = None
    kind: str = "problem"

    def location(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or "(run)"

    def __str__(self) -> str:
        text = f"{self.location()}: {self.problem}"
        if self.hint:
            text += f"\n  → {self.hint}"
        return text

    def as_dict(self) -> dict:
        return {"kind": self.kind, "file": self.file, "line": self.line,
                "problem": self.problem, "hint": self.hint}


def note(file: str, message: str, hint: str = "", line: int | None = None) -> Problem:
    return Problem(file=file, problem=message, hint=hint, line=line, kind="note")


class PipelineError(Exception):
    """An input qcode cannot use at all; carries file, line and a hint."""

    def __init__(self, file, problem: str, hint: str = "", line: int | None = None):
        self.file = str(file) if file is not None else ""
        self.problem = problem
        self.hint = hint
        self.line = line
        super().__init__(str(self.as_problem()))

    def as_problem(self) -> Problem:
        return Problem(file=self.file, problem=self.problem, hint=self.hint, line=self.line)

    def __reduce__(self):
        # Picklable, so that an error raised in a worker process reaches the parent intact.
        return (self.__class__, (self.file, self.problem, self.hint, self.line))


class TranscriptError(PipelineError):
    """A transcript cannot be read as text."""


class RosterError(PipelineError):
    """The roster cannot be read or is missing a required column."""


class CodebookError(PipelineError):
    """The codebook cannot be read or holds an invalid entry."""


class OutputError(PipelineError):
    """The output folder cannot be written safely."""


class ProblemsError(PipelineError):
    """Input with several problems, all listed in `problems`, so that each can be fixed at once."""

    def __init__(self, file, problem: str, hint: str = "", problems: list | None = None, line: int | None = None):
        super().__init__(file, problem, hint, line)
        self.problems = problems or []

    def __reduce__(self):
        return (self.__class__, (self.file, self.problem, self.hint, self.problems, self.line))


class StrictModeError(ProblemsError):
    """--strict was given and the inputs have problems."""


class ReviewError(ProblemsError):
    """A reviewed workbook qcode cannot use as it is."""


class RunFolderError(PipelineError):
    """A folder is not a qcode run folder this version can read."""


class CompareError(PipelineError):
    """Runs or groups that cannot be compared as asked."""


class ScoresError(PipelineError):
    """A workshop score sheet qcode cannot use."""


class ExchangeError(ProblemsError):
    """A REFI-QDA codebook or project (.qdc, .qdpx, .qde) cannot be read or written."""


class RunInputsError(ProblemsError):
    """The transcripts of a run folder are not as the run coded them (moved, changed, unreadable)."""


class CappedProblems(list):
    """A list of problems that keeps the first `cap` and only counts the rest (`total`): a file of a million
    bad rows costs a thousand Problems of memory, and the message still says how many there were."""

    def __init__(self, cap: int = 1000):
        super().__init__()
        self.cap = cap
        self.dropped = 0

    def append(self, problem) -> None:
        if len(self) < self.cap:
            super().append(problem)
        else:
            self.dropped += 1

    @property
    def total(self) -> int:
        return len(self) + self.dropped


def did_you_mean(typed: str, choices, cutoff: float = 0.6) -> str:
    """The closest of `choices` to what a researcher typed (case-insensitive), or "" when none is close."""
    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(str(choice).casefold(), str(choice))
    close = get_close_matches(str(typed).casefold(), list(by_folded), n=1, cutoff=cutoff)
    return by_folded[close[0]] if close else ""
