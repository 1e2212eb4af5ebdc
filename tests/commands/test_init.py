"""pipeline.commands.init: `qcode init FOLDER` starts a project that runs as it is, through the real CLI."""

from __future__ import annotations

import shlex

from conftest import qcode, sheet_rows

from pipeline.read.roster import KNOWN, REQUIRED, read_roster


def test_init_writes_a_project_whose_readme_commands_run_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = qcode("init", "my-study")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("project: my-study")          # the summary line ends it
    readme = (tmp_path / "my-study" / "README.txt").read_text(encoding="utf-8")
    commands = [shlex.split(line.strip())[1:] for line in readme.splitlines() if line.strip().startswith("qcode ")]
    assert [c[0] for c in commands] == ["check", "run", "audit"]                     # the next three commands
    for command in commands:
        done = qcode(*command, "-j", "1")
        assert done.exit_code == 0, (command, done.output)
    rows = sheet_rows(tmp_path / "outputs" / "first-run" / "codebook.xlsx", "Assignments")
    header = rows[0]
    codes = sorted(row[header.index("code")] for row in rows[1:])
    # the example's respondent says privacy, personal data, transparent, unfair, 大数据杀熟, accountability
    assert {"privacy", "equity", "transparency", "accountability"} <= set(codes)
    assert {row[header.index("interviewee_id")] for row in rows[1:]} == {"example"}
    assert (tmp_path / "outputs" / "first-run-reviewed" / "codebook.xlsx").is_file()


def test_the_roster_template_has_every_column_the_reader_knows_and_reads_without_problems(tmp_path):
    assert qcode("init", tmp_path / "p").exit_code == 0
    roster = read_roster(tmp_path / "p" / "transcripts" / "roster.csv")
    assert roster.problems == []
    assert [p.id for p in roster.interviewees] == ["example"]
    header = (tmp_path / "p" / "transcripts" / "roster.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(REQUIRED + KNOWN)
    marked = {line.split()[0]: line.split()[1]
              for line in (tmp_path / "p" / "roster-columns.txt").read_text(encoding="utf-8").splitlines()[3:]}
    assert marked == {**dict.fromkeys(REQUIRED, "required"), **dict.fromkeys(KNOWN, "optional")}


def test_the_example_says_it_is_illustrative_and_the_codebook_is_a_copy_to_edit(tmp_path):
    assert qcode("init", tmp_path / "p").exit_code == 0
    example = (tmp_path / "p" / "transcripts" / "example_interview.txt").read_text(encoding="utf-8")
    assert "illustrative only" in example.splitlines()[0]
    codebook = (tmp_path / "p" / "codebook.yaml").read_text(encoding="utf-8")
    assert codebook.startswith("# Copied by `qcode init`") and "id: equity" in codebook


def test_init_refuses_a_folder_that_holds_anything(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "notes.txt").write_text("mine", encoding="utf-8")
    result = qcode("init", tmp_path / "p")
    assert result.exit_code == 1
    assert "exists and is not an empty folder" in result.output
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["notes.txt"]
    assert (tmp_path / "p" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_init_fills_an_empty_folder(tmp_path):
    (tmp_path / "p").mkdir()
    assert qcode("init", tmp_path / "p", "-q").exit_code == 0
    assert (tmp_path / "p" / "transcripts" / "roster.csv").is_file()
