"""The README as a tour: every `$ qcode …` line of its code blocks is run, in order, in a fresh folder, and what
the README shows after it is what it prints.

How to read (and write) the README's code blocks, as this test does:

- A command is a code-block line `$ qcode ARGS` (ARGS split as a shell splits them). It runs through CliRunner
  in a new, empty working folder, as a researcher who has just installed qcode would type it: no `transcripts/`
  or `codebooks/` there (qcode finds its embedded sample itself), an empty segmentation cache, and each command
  after the ones before it (the tour's order makes `outputs/sample` exist before `qcode sample` reads it).
- The lines after a command, up to the next command or the end of the block, are its output, line for line,
  stdout and stderr as a terminal shows them; the command must exit 0.
- `...` alone on a line stands for output lines left out (any number, none included).
- Two placeholders stand for what differs between runs: `<date>` for the time stamp in a default output name
  (`2026-01-31_120000`) and `<path>` for a path on this machine (the cache folder). Nothing else varies.
- `<!-- not run here: REASON -->` before a code block (blank lines between allowed): its commands are not run
  (R, SPSS, a cluster). Any other code-block line starting `qcode ` is a failure: a command the README shows is
  either run here or marked.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import REPO

from pipeline.cli import main

README = (REPO / "README.md").read_text(encoding="utf-8")
NOT_RUN = re.compile(r"^<!-- not run here: .+ -->$")
PLACEHOLDERS = {"<date>": r"\d{4}-\d{2}-\d{2}_\d{6}", "<path>": r"[^\n]+"}
GAP = "..."


@dataclass
class Step:
    line: int                   # the command's line in README.md, 1-based
    args: list[str]
    shown: list[str] = field(default_factory=list)


@dataclass
class Block:
    first_line: int
    lines: list[str]
    run: bool


def code_blocks(text: str) -> list[Block]:
    """The README's code blocks: fenced (```) and indented (4 spaces, after a blank line), in order."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i, marked = 0, False
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            blocks.append(Block(i + 2, lines[i + 1:end], run=not marked))
            i, marked = end + 1, False
            continue
        if line.startswith("    ") and (i == 0 or not lines[i - 1].strip() or NOT_RUN.match(lines[i - 1])):
            end = i
            while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
                end += 1
            body = [x[4:] for x in lines[i:end]]
            while body and not body[-1].strip():
                body.pop()
            blocks.append(Block(i + 1, body, run=not marked))
            i, marked = end, False
            continue
        if NOT_RUN.match(line):
            marked = True
        elif line.strip():
            marked = False
        i += 1
    return blocks


def tour_steps(text: str) -> list[Step]:
    steps: list[Step] = []
    for block in code_blocks(text):
        current = None
        for offset, line in enumerate(block.lines):
            if line.startswith("$ qcode "):
                assert block.run, f"README.md:{block.first_line + offset}: a `$ qcode` command in a not-run block"
                current = Step(block.first_line + offset, shlex.split(line[len("$ qcode "):]))
                steps.append(current)
            elif current is not None:
                current.shown.append(line.rstrip())
            else:
                assert not (block.run and line.startswith("qcode ")), (
                    f"README.md:{block.first_line + offset}: `{line}` is neither run (`$ qcode …`) nor in a block "
                    "marked <!-- not run here: … -->")
    return steps


def shown_pattern(shown: list[str]) -> re.Pattern:
    parts = []
    for line in shown:
        if line == GAP:
            parts.append(r"(?:[^\n]*\n)*?")
            continue
        escaped = re.escape(line)
        for placeholder, pattern in PLACEHOLDERS.items():
            escaped = escaped.replace(re.escape(placeholder), pattern)
        parts.append(escaped + r"\n")
    return re.compile("".join(parts))


STEPS = tour_steps(README)


def test_the_tour_runs_every_command_qcode_has():
    assert [step.args[0] for step in STEPS][:2] == ["init", "run"]      # start your own project, then code
    assert {step.args[0] for step in STEPS} == set(main.commands)


def test_the_placeholders_are_few_and_every_shown_output_is_checked():
    uses = sum(line.count(p) for step in STEPS for line in step.shown for p in PLACEHOLDERS)
    assert uses <= 3
    assert all(step.shown for step in STEPS)


def test_the_readme_tour_prints_what_it_shows(tmp_path, tmp_path_factory, monkeypatch):
    home = tmp_path / "researcher"
    home.mkdir()
    monkeypatch.chdir(home)
    monkeypatch.setenv("QCODE_CACHE", str(tmp_path_factory.mktemp("tour-cache")))   # cold, as on a new machine
    runner = CliRunner()
    for step in STEPS:
        result = runner.invoke(main, step.args)
        printed = result.output if result.output.endswith("\n") or not result.output else result.output + "\n"
        where = f"README.md:{step.line}: qcode {shlex.join(step.args)}"
        assert result.exit_code == 0, f"{where} exited {result.exit_code}:\n{printed}{result.exception or ''}"
        if not shown_pattern(step.shown).fullmatch(printed):
            pytest.fail(f"{where} printed what the README does not show.\n--- README shows:\n"
                        + "\n".join(step.shown) + "\n--- qcode printed:\n" + printed)
    check_pasted_tables(home)


def check_pasted_tables(home):
    """The tables the README pastes from the tour's files (not printed, so not checked above) match them."""
    sheet = pd.read_excel(home / "outputs/sample/codebook.xlsx", sheet_name="Codebook").set_index("code")
    rows = re.findall(r"^    ([a-z_]+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$", README, flags=re.M)
    assert len(rows) == len(sheet) == 8
    for code, *numbers in rows:
        row = sheet.loc[code]
        assert [int(n) for n in numbers] == [row.mentions, row.interviewees, row["Policy Maker"],
                                             row["Impacted Community"], row["Developer"]], code
    table = pd.read_csv(home / "outputs/sample-compare/compare.csv", encoding="utf-8-sig").set_index(["group", "code"])
    shown = re.findall(r"^    (Policy Maker|Developer) +([a-z_]+) +(\d+) +(\d+) +(\d+) +(\d+) +([\d.]+) +(-?[\d.]+)"
                       r" +([\d.]+) +([\d.]+) +([\d.]+)$", README, flags=re.M)
    assert len(shown) == 4
    for group, code, *values in shown:
        row = table.loc[(group, code)]
        assert [int(x) for x in values[:4]] == [row.interviewees_mentioning, row.group_size, row.mentions,
                                               row.respondent_words]
        assert [float(x) for x in values[4:]] == [round(row[c], 3) for c in ("per_1000_words", "log_ratio",
                                                                             "fisher_p", "g2_p", "g2_p_adj")]
    assignment = dict(re.findall(r"^    (\w+) +(\S+)$", README.split("exact place in the original file")[1]
                                 .split("**Options of `run`")[0], flags=re.M))
    desk = pd.read_csv(home / "outputs/sample/assignments.csv", encoding="utf-8-sig", dtype=str)
    row = desk.set_index("assignment_id").loc[assignment.pop("assignment_id")]
    assert {key: row[key] for key in assignment} == assignment
