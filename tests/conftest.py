"""Shared fixtures: tiny real inputs written into tmp_path, and paths to the shipped ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"
DEFAULT_CODEBOOK = REPO / "codebooks" / "data_justice.yaml"
SAMPLE = REPO / "transcripts"

needs_shared = pytest.mark.skipif(
    not CORPORA.is_dir(), reason="../shared/corpora is absent (a researcher's clone): real-corpus test skipped")

SMALL_CODEBOOK = """\
name: test codebook
version: "1"
codes:
  - id: equity
    label: Equity
    terms:
      en: [equity, fairness, "discriminat*", discriminatory pricing, "=data"]
      zh: [公平, 大数据杀熟, 平台]
    exclude:
      en: [private equity]
  - id: privacy
    label: Privacy
    terms:
      en: [privacy, personal data]
      zh: [隐私, 私隱, 数据]
  - id: good
    label: Tech for good
    terms:
      en: [tech for good]
"""


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory):
    """`qcode run` caches segmentation in the user's cache folder (signed with a key in the config folder) by
    default: tests use their own folders."""
    import os

    from pipeline.coding.cache import CONFIG_VARIABLE, ENV_VARIABLE

    os.environ[ENV_VARIABLE] = str(tmp_path_factory.mktemp("qcode-cache"))
    os.environ[CONFIG_VARIABLE] = str(tmp_path_factory.mktemp("qcode-config"))    # the cache's signing key
    yield
    os.environ.pop(ENV_VARIABLE, None)
    os.environ.pop(CONFIG_VARIABLE, None)


@pytest.fixture
def codebook_file(tmp_path: Path) -> Path:
    path = tmp_path / "codebook.yaml"
    path.write_text(SMALL_CODEBOOK, encoding="utf-8")
    return path


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def code_text(folder: Path, text: str, codebook: str = SMALL_CODEBOOK, name: str = "t.txt",
              language: str = "", region: str = "", labels: tuple[str, ...] = (), unit: str = "sentence",
              include_interviewer: bool = False, encoding: str = "utf-8"):
    """Code one small file through the real stages (the public API); returns the FileResult."""
    import pipeline as qcode

    cb_path = folder / "cb.yaml"
    cb_path.write_text(codebook, encoding="utf-8")
    path = write(folder, name, text, encoding)
    return qcode.code_transcript(path, cb_path, language=language, region=region, speaker_labels=labels,
                                 unit=unit, include_interviewer=include_interviewer)


def qcode(*args):
    """Run the real `qcode` command line; a traceback is never an acceptable answer."""
    from pipeline.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def sheet_rows(path: Path, title: str | None = None) -> list[tuple]:
    """The values of one sheet's rows (or, with no title, the sheet names as one row), the workbook closed after:
    a read-only workbook left open is a file the garbage collector closes later, in another test's time."""
    book = load_workbook(path, read_only=True)
    try:
        return [tuple(book.sheetnames)] if title is None else list(book[title].iter_rows(values_only=True))
    finally:
        book.close()


def same_outputs(a: Path, b: Path) -> None:
    """Two run folders hold the same results: every CSV and the codebook copy byte for byte, every sheet but Run."""
    import pandas as pd

    names = sorted(p.name for p in a.glob("*.csv"))
    assert "assignments.csv" in names and names == sorted(p.name for p in b.glob("*.csv"))
    for name in [*names, "codebook.yaml"]:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    sheets = [pd.read_excel(folder / "codebook.xlsx", sheet_name=None) for folder in (a, b)]
    assert list(sheets[0]) == list(sheets[1])
    for title in sheets[0]:
        if title not in ("Run", "Run record"):          # when and where it ran
            pd.testing.assert_frame_equal(sheets[0][title], sheets[1][title])


def found(result) -> list[tuple[str, str]]:
    """(code, matched_text) of each respondent mention, in order."""
    return [(a.code, a.matched_text) for a in result.assignments if a.speaker_role == "respondent"]


@pytest.fixture
def machine_run(tmp_path, codebook_file):
    folder = tmp_path / "t"
    write(folder, "a.txt", "Anna: Privacy first. Then fairness and privacy.\n")
    write(folder, "c.txt", "Bo: equity matters. Tech for good too.\n")
    write(folder, "roster.csv", "interviewee_id,file,stakeholder_groups\na,a.txt,G1\nc,c.txt,G2\n")
    out = tmp_path / "run"
    from pipeline.cli import main

    result = CliRunner().invoke(main, ["run", str(folder), "--codebook", str(codebook_file), "--out", str(out),
                                       "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    return out


class Desk:
    """The Assignments sheet as a reviewer edits it in a spreadsheet."""

    def __init__(self, path):
        self.book = load_workbook(path)
        self.sheet = self.book["Assignments"]
        self.header = [c.value for c in self.sheet[1]]

    def col(self, name):
        return self.header.index(name) + 1

    def row_of(self, source_file, matched_text):
        for row in range(2, self.sheet.max_row + 1):
            if self.sheet.cell(row, self.col("source_file")).value == source_file and \
                    self.sheet.cell(row, self.col("matched_text")).value == matched_text:
                return row
        raise KeyError(matched_text)

    def set(self, source_file, matched_text, **values):
        row = self.row_of(source_file, matched_text)
        for name, value in values.items():
            self.sheet.cell(row, self.col(name)).value = value

    def delete(self, source_file, matched_text):
        self.sheet.delete_rows(self.row_of(source_file, matched_text))

    def add(self, **values):
        row = self.sheet.max_row + 1
        for name, value in values.items():
            self.sheet.cell(row, self.col(name)).value = value

    def sort_by(self, column):
        rows = [[c.value for c in r] for r in self.sheet.iter_rows(min_row=2)]
        rows.sort(key=lambda r: str(r[self.col(column) - 1]), reverse=True)
        self.sheet.delete_rows(2, len(rows))
        for values in rows:
            self.sheet.append(values)

    def save(self, path):
        self.book.save(path)
        return path


# Address space for a command run under `qcode_in_bounded_memory`: a small `qcode run` needs ~400 MB
# (spaCy, jieba, openpyxl; measured with RLIMIT_AS), while the bombs of tests/hostile took 2-4 GB.
BOUNDED_MEMORY = 1024 ** 3


def qcode_in_bounded_memory(*args, limit: int = BOUNDED_MEMORY, timeout: int = 300):
    """Run `qcode ARGS` in a child process whose address space is capped at `limit` bytes.

    Returns the CompletedProcess; a traceback (a MemoryError among them) is never an acceptable answer.
    """
    import subprocess
    import sys

    program = ("import resource, sys\n"
               f"resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))\n"
               "from pipeline.cli import main\n"
               "main(sys.argv[1:], prog_name='qcode')\n")
    result = subprocess.run([sys.executable, "-c", program, *(str(a) for a in args)], capture_output=True,
                            text=True, timeout=timeout, cwd=REPO)
    result.output = result.stdout + result.stderr
    assert "Traceback" not in result.output and "MemoryError" not in result.output, result.output
    return result


# Two files, three sentences each, for validation samples. qcode codes with SMALL_CODEBOOK: a.txt's first sentence
# privacy ("Privacy"), its third equity ("Fairness"), c.txt's first good ("Tech for good"); the rest nothing.
SAMPLE_A = "Anna: Privacy matters to me. The weather is nice. Fairness is key.\n"
SAMPLE_C = "Bo: Tech for good is our aim. People deserve respect. Nothing else.\n"


def drawn_sample(tmp_path: Path) -> Path:
    """A run of the two files (transcripts in tmp_path/t, codebook tmp_path/cb.yaml, run tmp_path/run) and its
    validation sample of both files, seed 1: tmp_path/sample.xlsx."""
    write(tmp_path / "t", "a.txt", SAMPLE_A)
    write(tmp_path / "t", "c.txt", SAMPLE_C)
    codebook = write(tmp_path, "cb.yaml", SMALL_CODEBOOK)
    assert qcode("run", tmp_path / "t", "--codebook", codebook, "-o", tmp_path / "run", "-q", "-j", "1").exit_code == 0
    result = qcode("sample", tmp_path / "run", "--files", "2", "--seed", "1", "-o", tmp_path / "sample.xlsx",
                   "-j", "1")
    assert result.exit_code == 0, result.output
    return tmp_path / "sample.xlsx"


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """The embedded sample coded once per test module (a module may write into its run folder)."""
    out = tmp_path_factory.mktemp("sample") / "run"
    result = qcode("run", SAMPLE, "--out", out, "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    return out
