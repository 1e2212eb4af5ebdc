"""One file → FileResult: the fast converter and OpenCC itself give the same assignments and word counts."""

from dataclasses import asdict
from pathlib import Path

from conftest import CORPORA, DEFAULT_CODEBOOK, SAMPLE, needs_shared

from pipeline.coding.code_file import FileJob, Settings, code_file
from pipeline.coding.match import Matcher
from pipeline.read.codebook import load_codebook


def coded(path: Path, language: str, converter: str):
    job = FileJob(path=str(path), source_file=path.name, interviewee_id="x", stakeholder_groups="g",
                  language=language)
    return code_file(job, Settings(segmenter="rjieba", converter=converter), Matcher(load_codebook(DEFAULT_CODEBOOK)))


def same_coding(path: Path, language: str) -> int:
    reference, fast = coded(path, language, "opencc"), coded(path, language, "fast")
    assert [asdict(a) for a in fast.assignments] == [asdict(a) for a in reference.assignments]
    assert (fast.respondent_words, fast.interviewer_words, fast.units) == \
        (reference.respondent_words, reference.interviewer_words, reference.units)
    return len(reference.assignments)


def test_taiwan_and_hong_kong_sample_files_code_the_same_with_either_converter():
    assert same_coding(SAMPLE / "p12_taiwan_consultant.md", "zh-Hant-TW") > 0
    assert same_coding(SAMPLE / "p05_hong_kong_ngo.txt", "zh-Hant-HK") > 0


@needs_shared
def test_real_taiwan_interviews_code_the_same_with_either_converter():
    files = sorted((CORPORA / "zh-interviews" / "audreyt-zh").glob("*.md"))[::12]
    assert sum(same_coding(path, "zh-Hant-TW") for path in files) > 50
