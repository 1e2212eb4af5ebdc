"""The README's promises: its two set-up commands and the examples it shows still hold."""

import re

import pandas as pd
from click.testing import CliRunner
from conftest import REPO

from pipeline.cli import main

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_top_shows_the_two_setup_commands_and_ci_runs_the_second():
    commands = re.findall(r"^    (python3 -m venv .*)$", README, flags=re.M)
    assert len(commands) == 2
    assert commands[0].endswith("qcode run") and commands[1].endswith("python -m pytest")
    assert commands[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_sample_run_example_holds(tmp_path):
    out = tmp_path / "sample"
    result = CliRunner().invoke(main, ["run", "--out", str(out)])
    assert result.exit_code == 0
    summary = result.output.splitlines()[0]
    assert summary in README
    shown = re.search(r"^    equity\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", README, flags=re.M)
    sheet = pd.read_excel(out / "codebook.xlsx", sheet_name="Codebook").set_index("code")
    equity = sheet.loc["equity"]
    assert [int(x) for x in shown.groups()] == [equity.mentions, equity.interviewees,
                                                equity["interviewees: Policy Maker"],
                                                equity["interviewees: Impacted Community"],
                                                equity["interviewees: Developer"]]


def test_readme_check_example_holds():
    result = CliRunner().invoke(main, ["check", str(REPO / "codebooks" / "data_justice.yaml")])
    assert result.exit_code == 0
    last = result.output.strip().splitlines()[-1]
    assert f"    {last}" in README
    assert "      zh  大数据杀熟  jieba: 大 | 数据 | 杀熟" in README


def test_readme_compare_example_holds(tmp_path):
    run = tmp_path / "sample"
    assert CliRunner().invoke(main, ["run", "--out", str(run), "-q"]).exit_code == 0
    result = CliRunner().invoke(main, ["compare", str(run), "--groups", "Policy Maker,Developer",
                                       "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 0
    for line in result.stdout.splitlines()[:2]:
        assert f"    {line}" in README
    table = pd.read_csv(tmp_path / "cmp" / "compare.csv", encoding="utf-8-sig").set_index(["group", "code"])
    shown = re.search(r"^    Developer\s+equity\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+(-?[\d.]+)\s+([\d.]+)"
                      r"\s+([\d.]+)\s+([\d.]+)$", README, flags=re.M).groups()
    row = table.loc[("Developer", "equity")]
    assert [int(x) for x in shown[:4]] == [row.interviewees_mentioning, row.group_size, row.mentions,
                                          row.respondent_words]
    assert [float(x) for x in shown[4:]] == [round(row[c], 3) for c in ("per_1000_words", "log_ratio", "fisher_p",
                                                                         "g2_p", "g2_p_adj")]


def test_readme_scores_example_holds(tmp_path):
    result = CliRunner().invoke(main, ["scores", "--out", str(tmp_path / "s")])
    assert result.exit_code == 0
    for line in result.stdout.splitlines()[:-1]:
        assert f"    {line}" in README


def test_readme_export_project_example_holds(tmp_path):
    run = tmp_path / "sample"
    assert CliRunner().invoke(main, ["run", "--out", str(run), "-q"]).exit_code == 0
    result = CliRunner().invoke(main, ["export-project", str(run)])
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0]
    assert f"    {first}" in README and (run / "project.qdpx").is_file()


def test_readme_from_python_example_runs_and_prints_what_it_says(monkeypatch, capsys):
    block = re.search(r"## From Python\n.*?```python\n(.*?)```", README, flags=re.S).group(1)
    monkeypatch.chdir(REPO)                     # the example names the sample's folder as a researcher would
    exec(compile(block, "README.md (From Python)", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "69"                    # the comment in the README says so
    shown = re.findall(r"^# (.*)$", block, flags=re.M)
    assert printed[1:-1] == shown                # the by_group table, as pasted in the README
    assert printed[-1] == "tw2sp ['公平', '利益分配', '透明']"
