"""The public Python API: lazy re-exports, code_corpus equal to `qcode run`, load_run, code_transcript."""

import subprocess
import sys

import pandas as pd
from conftest import REPO, SAMPLE, qcode

import pipeline
from pipeline.write.folder import read_csv_table


def test_importing_pipeline_imports_neither_spacy_nor_pandas():
    code = ("import sys, pipeline; assert 'code_corpus' in dir(pipeline); "
            "print(sorted(m for m in ('spacy', 'pandas', 'openpyxl', 'jieba') if m in sys.modules))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert shown.stdout.strip() == "[]"


def test_every_name_in_all_is_importable():
    for name in pipeline.__all__:
        assert getattr(pipeline, name) is not None, name


def test_code_corpus_gives_the_run_folders_assignments_and_tallies_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                 # anything written to the current folder would show here
    coded = pipeline.code_corpus(SAMPLE, jobs=1)
    assert list(tmp_path.iterdir()) == []
    out = tmp_path / "run"
    assert qcode("run", SAMPLE, "--out", out, "-q", "-j", "1").exit_code == 0
    csv = read_csv_table(out / "assignments.csv")       # qcode's reader: text as coded (a `'` before = + - @ gone)
    assert len(coded.assignments) == 69         # the sample's mentions, as the README's tour shows
    pd.testing.assert_frame_equal(coded.assignments.astype(str), csv)
    by_group = pd.read_csv(out / "by_group.csv", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(coded.tallies.by_group.reset_index(drop=True), by_group, check_dtype=False)
    assert coded.problems == [] and coded.codebook.ids[0] == "equity"


def test_load_run_reads_a_run_folders_tables(machine_run):
    run = pipeline.load_run(machine_run)
    assert run.coding == "machine"
    assert set(run.roster["interviewee_id"]) == {"a", "c"}
    assignments = run.table("assignments")
    assert len(assignments) == run.counts["mentions"].sum()


def test_commands_are_callable_with_their_options_and_return_reports(tmp_path):
    report = pipeline.run_corpus(pipeline.RunOptions(transcripts=SAMPLE, out=tmp_path / "r", jobs=1, no_cache=True))
    assert report.exit_code == 0 and report.files_coded == 12
    lines = [line.text for line in report.lines()]
    assert lines[0].startswith("coded 12 file(s): 69 mention(s)") and lines[-1].endswith("codebook.xlsx")


def test_code_transcript_codes_one_file(tmp_path):
    result = pipeline.code_transcript(SAMPLE / "p12_taiwan_consultant.md", language="zh-Hant-TW", region="Taiwan")
    assert result.profile == "tw2sp"
    assert ("transparency", "開放資料") in [(a.code, a.matched_text) for a in result.assignments]
