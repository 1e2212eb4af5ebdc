"""Shared fixtures: tiny real inputs written into tmp_path, and paths to the shipped ones."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    """Code one small file through the real stages; returns the FileResult."""
    from pipeline.codebook import load_codebook
    from pipeline.coding import FileJob, Settings, code_file
    from pipeline.match import Matcher

    cb_path = folder / "cb.yaml"
    cb_path.write_text(codebook, encoding="utf-8")
    path = write(folder, name, text, encoding)
    job = FileJob(path=str(path), source_file=name, interviewee_id="p1", stakeholder_groups="g",
                  language=language, region=region, respondent_labels=labels)
    return code_file(job, Settings(unit=unit, include_interviewer=include_interviewer),
                     Matcher(load_codebook(cb_path)))


def found(result) -> list[tuple[str, str]]:
    """(code, matched_text) of each respondent mention, in order."""
    return [(a.code, a.matched_text) for a in result.assignments if a.speaker_role == "respondent"]
