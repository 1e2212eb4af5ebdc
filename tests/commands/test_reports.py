"""Every command returns a Report: the lines the CLI prints (stdout or stderr) and the exit code it exits with."""

from conftest import SAMPLE, write

from pipeline.commands.check import CheckOptions, run_check
from pipeline.commands.report import Failure, Interrupted
from pipeline.commands.run import RunOptions, run_corpus
from pipeline.errors import CodebookError, Problem


def test_strict_run_returns_a_failure_report_with_exit_1_and_writes_nothing(tmp_path):
    folder = tmp_path / "t"
    write(folder, "a.txt", "Anna: privacy.\n")
    write(folder, "roster.csv", "interviewee_id,file,stakeholder_groups\na,a.txt,G\nb,missing.txt,G\n")
    report = run_corpus(RunOptions(transcripts=folder, out=tmp_path / "out", strict=True, jobs=1, no_cache=True))
    assert isinstance(report, Failure) and report.exit_code == 1
    lines = list(report.lines())
    assert all(line.err for line in lines)
    assert lines[0].text.startswith("problem: ") and "missing.txt" in lines[0].text
    assert "nothing written (--strict)" in lines[-1].text
    assert not (tmp_path / "out").exists() and [p.name for p in tmp_path.iterdir()] == ["t"]


def test_quiet_run_report_prints_only_problems_and_the_workbook(tmp_path):
    report = run_corpus(RunOptions(transcripts=SAMPLE, out=tmp_path / "o", jobs=1, no_cache=True))
    assert report.exit_code == 0
    assert [line.text for line in report.lines(quiet=True)] == [f"workbook: {tmp_path / 'o' / 'codebook.xlsx'}"]


def test_check_report_exits_1_only_when_the_codebook_has_a_problem(tmp_path):
    good = write(tmp_path, "good.yaml", "codes:\n  - id: equity\n    terms: {en: [fairness]}\n")
    bad = write(tmp_path, "bad.yaml", "codes:\n  - id: Equity!\n    terms: {en: [fairness]}\n"
                                      "  - id: privacy\n    terms: {en: [privacy]}\n")
    assert run_check(CheckOptions(good)).exit_code == 0
    report = run_check(CheckOptions(bad))
    assert report.exit_code == 1
    assert any(line.err and line.text.startswith("problem: ") for line in report.lines())


def test_failure_and_interrupted_reports_say_what_happened():
    error = CodebookError("cb.yaml", "not YAML", hint="fix it", line=3)
    error.problems = [Problem("cb.yaml", "first", line=1)]
    failure = Failure(error)
    assert [line.text for line in failure.lines()] == ["problem: cb.yaml:1: first", str(error.as_problem())]
    assert Interrupted().exit_code == 130
    assert [line.text for line in Interrupted().lines()] == ["interrupted: nothing was written"]


def test_check_prints_a_blank_line_before_each_code_never_an_escaped_line_break():
    from conftest import qcode

    from pipeline.defaults import default_codebook

    printed = qcode("check", default_codebook()).output.splitlines()
    assert not any("\\n" in line for line in printed)
    assert printed[printed.index("equity  Equity / 公平") - 1] == ""
