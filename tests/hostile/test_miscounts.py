"""Counts a stranger's file cannot inflate or silently empty: repeated added rows, terms written with
full-width or invisible characters, one-character Chinese terms, review cells holding unsaved formulas,
and review files with more bad rows than a terminal can show."""

from __future__ import annotations

import json

import pandas as pd
from conftest import Desk, qcode, write


def audited(tmp_path, machine_run, edit) -> tuple:
    desk = Desk(machine_run / "codebook.xlsx")
    edit(desk)
    reviewed = desk.save(tmp_path / "reviewed.xlsx")
    out = tmp_path / "audit"
    return qcode("audit", reviewed, "--out", out, "-j", "1"), out


def test_a_passage_added_twice_counts_once_and_the_repeat_is_noted(tmp_path, machine_run):
    def add_three_times(desk):
        for _ in range(3):
            desk.add(source_file="a.txt", line=1, code="equity", matched_text="first", decision="add", reviewer="Li")

    result, out = audited(tmp_path, machine_run, add_three_times)
    assert result.exit_code == 0, result.output
    assert "2 added row(s) repeat a passage already added with the same code" in result.output
    counts = pd.read_csv(out / "by_interviewee.csv", encoding="utf-8-sig").set_index(["interviewee_id", "code"])
    assert counts.loc[("a", "equity"), "mentions"] == 2          # fairness (machine) + "first" once (added)
    notes = json.loads((out / "run.json").read_text(encoding="utf-8"))["notes"]
    assert any("repeat a passage" in n["problem"] for n in notes)


def test_terms_are_folded_as_text_is_and_the_researcher_is_told(tmp_path):
    folder = tmp_path / "t"
    write(folder, "a.txt", "Anna: privacy matters. 我们谈隐私。\n")
    codebook = write(tmp_path, "cb.yaml", "codes:\n  - id: privacy\n    terms:\n"
                                          "      en: [ｐｒｉｖａｃｙ]\n      zh: [\"隐\\u200b私\"]\n")
    out = tmp_path / "run"
    result = qcode("run", folder, "--codebook", codebook, "--out", out, "-j", "1", "--no-cache")
    assert result.exit_code == 0
    matched = pd.read_csv(out / "assignments.csv", encoding="utf-8-sig")["matched_text"].tolist()
    assert matched == ["privacy", "隐私"]                          # both terms match what the text says
    assert "term 'ｐｒｉｖａｃｙ' holds full-width, invisible or variant characters" in result.output
    checked = qcode("check", codebook)
    assert "it is matched as 'privacy'" in checked.output and "it is matched as '隐私'" in checked.output


def test_a_one_character_chinese_term_is_noted_in_run_and_check(tmp_path):
    folder = tmp_path / "t"
    write(folder, "a.txt", "Anna: 私人数据和私有化。\n")
    codebook = write(tmp_path, "cb.yaml", "codes:\n  - id: privacy\n    terms: {zh: [私]}\n")
    result = qcode("run", folder, "--codebook", codebook, "--out", tmp_path / "run", "-j", "1", "--no-cache")
    assert result.exit_code == 0
    assert "term '私' is a single Chinese character: it counts inside every word that holds it" in result.output
    assert "is a single Chinese character" in qcode("check", codebook).output


def test_a_review_cell_holding_an_unsaved_formula_is_a_problem_naming_the_cell(tmp_path, machine_run):
    def formula(desk):
        desk.set("a.txt", "Privacy", decision='=IF(1=1,"reject","accept")')   # typed, never calculated

    result, out = audited(tmp_path, machine_run, formula)
    assert result.exit_code == 1
    row = Desk(machine_run / "codebook.xlsx").row_of("a.txt", "Privacy")
    assert f"sheet 'Assignments', row {row}: the decision cell holds a formula" in result.output
    assert "whose value was never saved" in result.output and not out.exists()


def test_thousands_of_bad_review_rows_print_fifty_lines_and_a_count(tmp_path, machine_run):
    def many(desk):
        for n in range(3000):
            desk.add(assignment_id=f"bogus{n}", source_file="a.txt", code="equity", decision="maybe")

    result, _ = audited(tmp_path, machine_run, many)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert sum(line.startswith("problem: ") for line in lines) == 50
    assert any(line.startswith("… and 950 more problem(s) not shown") for line in lines)   # 1,000 kept, 50 shown
    assert "3,000 problem(s) in the reviewed workbook" in result.output
    assert len(lines) < 200


def test_a_cache_entry_that_cannot_be_read_or_replaced_only_costs_speed(tmp_path):
    folder = tmp_path / "t"
    write(folder, "a.txt", "Anna: privacy.\n")
    codebook = write(tmp_path, "cb.yaml", "codes:\n  - id: privacy\n    terms: {en: [privacy]}\n")
    cache = tmp_path / "cache"
    args = [folder, "--codebook", codebook, "--cache", cache, "-j", "1", "-q"]
    assert qcode("run", *args, "--out", tmp_path / "o1").exit_code == 0
    (entry,) = cache.rglob("*.entry")
    entry.unlink()
    entry.mkdir()                                     # neither a readable entry nor one that can be replaced
    result = qcode("run", *args, "--out", tmp_path / "o2")
    assert result.exit_code == 0
    assert (tmp_path / "o1" / "assignments.csv").read_bytes() == (tmp_path / "o2" / "assignments.csv").read_bytes()
