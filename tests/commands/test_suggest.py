"""`qcode suggest`: on a hand-built case whose right exclusion and right term are known, the reviewers' verdicts
propose them, with the assignments each would remove or add counted; `--apply` writes the next codebook version
beside the old, never over a file, and a re-run with `--reviewed` keeps every earlier decision."""

import shutil

import pandas as pd
import pytest
from conftest import qcode, write
from openpyxl import load_workbook

from pipeline.read.codebook import load_codebook

CODEBOOK = """\
# a small codebook for the suggestion tests
name: Small
version: "1"
codes:
  - id: equity
    label: Equity
    terms:
      en: [fair, equality]
      zh: [公平]
  - id: inclusiveness
    label: Inclusiveness
    terms:
      en: [inclusion]
      zh: [包容]
"""

# a.txt: "fair" four times in the sense of "a fair amount" (rejected), twice about fairness (accepted); three
# sentences say who is left out without a keyword (the reviewer adds them, and one of b.txt's). b.txt's rows are
# left unreviewed.
A_TXT = ("Interviewer: How was the project?\n"
         "Anna: We collected a fair amount of data. The system treats poor people in a way that is not fair. "
         "We spent a fair amount of money on servers. A fair amount of time went into the app. "
         "Fair treatment of workers matters to us. Older people are not tech savvy, so they never use the app. "
         "Many villagers are not tech savvy and nobody helps them. The app was built for young users in the city.\n")
B_TXT = ("Interviewer: And the clinic?\n"
         "Bo: The clinic did a fair amount of work on records. Equality of access matters. "
         "Grandparents are rarely tech savvy and the forms are online only. "
         "The nurses liked the new scheduling tool. Migrants are seldom tech savvy either. "
         "We talked about budgets and servers.\n")
ADDED = (("a.txt", "Older people are not tech savvy"), ("a.txt", "Many villagers are not tech savvy"),
         ("b.txt", "Migrants are seldom tech savvy"))


def review(run, out):
    """The desk as a reviewer leaves it: a.txt's rows decided by their sense, three missed passages added."""
    book = load_workbook(run / "codebook.xlsx")
    sheet = book["Assignments"]
    col = {c.value: i + 1 for i, c in enumerate(sheet[1])}
    for r in range(2, sheet.max_row + 1):
        if sheet.cell(r, col["source_file"]).value == "a.txt":
            amount = "amount" in sheet.cell(r, col["segment_text"]).value
            sheet.cell(r, col["decision"]).value = "reject" if amount else "accept"
            sheet.cell(r, col["reviewer"]).value = "Li"
    for source_file, passage in ADDED:
        row = sheet.max_row + 1
        for name, value in dict(source_file=source_file, line=2, code="inclusiveness", matched_text=passage,
                                decision="add", reviewer="Li").items():
            sheet.cell(row, col[name]).value = value
    book.save(out)
    return out


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    base = tmp_path_factory.mktemp("suggest")
    folder = base / "t"
    write(folder, "a.txt", A_TXT)
    write(folder, "b.txt", B_TXT)
    write(folder, "roster.csv", "interviewee_id,file,stakeholder_groups\na,a.txt,G1\nb,b.txt,G2\n")
    codebook = write(base, "small.yaml", CODEBOOK)
    result = qcode("run", folder, "--codebook", codebook, "--out", base / "run", "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    workbook = review(base / "run", base / "reviewed.xlsx")
    result = qcode("suggest", workbook, "-o", base / "suggestions.xlsx", "-j", "1")
    assert result.exit_code == 0, result.output
    return base


def sheet(path, name):
    return pd.read_excel(path, sheet_name=name, dtype={"take": str})


def tick(path, out, sheet_name, column, value, take="yes"):
    book = load_workbook(path)
    rows = book[sheet_name]
    col = {c.value: i + 1 for i, c in enumerate(rows[1])}
    for r in range(2, rows.max_row + 1):
        if rows.cell(r, col[column]).value == value:
            rows.cell(r, col["take"]).value = take
    book.save(out)
    return out


def test_the_rejected_sense_of_a_term_is_proposed_as_an_exclusion(reviewed):
    exclusions = sheet(reviewed / "suggestions.xlsx", "Exclusions")
    assert list(exclusions.exclude) == ["fair amount"]              # one proposal: the others remove the same
    row = exclusions.iloc[0]
    assert (row.code, row.term, row.kind) == ("equity", "fair", "phrase")
    # fair in a.txt: 5 reviewed, 3 rejected (all "a fair amount"), 2 accepted
    assert (row.term_reviewed, row.term_rejected, row.term_accepted) == (5, 3, 2)
    # it would cancel the 3 rejected and b.txt's unreviewed "a fair amount of work", no accepted one
    assert (row.removes, row.removes_rejected, row.removes_accepted, row.removes_unreviewed) == (4, 3, 0, 1)
    assert row.example_1.startswith("rejected: a.txt:2:") and "【fair】 amount" in row.example_1


def test_words_of_added_passages_are_proposed_as_terms_with_what_they_would_add(reviewed):
    terms = sheet(reviewed / "suggestions.xlsx", "Terms").set_index("term")
    savvy = terms.loc["tech savvy"]
    assert savvy.code == "inclusiveness"
    # three added units (of two files) hold "tech savvy" (3 times); one other unit has it (b.txt's Grandparents)
    assert (savvy.target_freq, savvy.target_units, savvy.reference_freq) == (3, 3, 1)
    assert savvy.g2 >= 3.84 and savvy.log_ratio >= 1
    # it finds 4 units: the 3 added ones and b.txt's "Grandparents are rarely tech savvy", which it would add
    assert (savvy.finds_units, savvy.already_coded, savvy.finds_added, savvy.would_add) == (4, 0, 3, 1)
    assert "b.txt:2:" in savvy.example_1 and "【tech savvy】" in savvy.example_1
    # savvy and tech are never said apart from "tech savvy" here: the phrase alone is proposed
    assert list(terms.index) == ["tech savvy"]


def test_apply_writes_the_next_version_beside_the_codebook_and_it_loads(reviewed, tmp_path):
    codebook = shutil.copy(reviewed / "small.yaml", tmp_path / "small.yaml")
    before = (tmp_path / "small.yaml").read_bytes()
    ticked = tick(reviewed / "suggestions.xlsx", tmp_path / "s1.xlsx", "Exclusions", "exclude", "fair amount")
    ticked = tick(ticked, ticked, "Terms", "term", "tech savvy", take="x")
    result = qcode("suggest", "--apply", ticked, "--codebook", codebook)
    assert result.exit_code == 0, result.output
    new = tmp_path / "small.v2.yaml"
    assert (tmp_path / "small.yaml").read_bytes() == before                    # the old version is untouched
    book = load_codebook(new)
    assert book.version == "2" and not [n for n in book.notes if n.kind == "problem"]
    equity, inclusiveness = book.code("equity"), book.code("inclusiveness")
    assert [t.text for t in equity.excludes] == ["fair amount"]
    assert [t.text for t in inclusiveness.terms] == ["inclusion", "tech savvy", "包容"]
    text = new.read_text(encoding="utf-8")
    assert "# a small codebook for the suggestion tests" in text and "s1.xlsx" in text   # comments kept, source named
    assert qcode("check", new).exit_code == 0


def test_apply_never_writes_over_a_file(reviewed, tmp_path):
    codebook = shutil.copy(reviewed / "small.yaml", tmp_path / "small.yaml")
    ticked = tick(reviewed / "suggestions.xlsx", tmp_path / "s1.xlsx", "Exclusions", "exclude", "fair amount")
    taken = write(tmp_path, "taken.yaml", "mine\n")
    result = qcode("suggest", "--apply", ticked, "--codebook", codebook, "-o", taken)
    assert result.exit_code == 1 and "already exists" in result.output
    assert taken.read_text(encoding="utf-8") == "mine\n"
    result = qcode("suggest", "--apply", ticked, "--codebook", codebook, "-o", codebook)
    assert result.exit_code == 1 and load_codebook(codebook).code("equity").excludes == []
    for _ in range(2):                                     # beside the codebook: the next name not taken
        assert qcode("suggest", "--apply", ticked, "--codebook", codebook).exit_code == 0
    assert sorted(p.name for p in tmp_path.glob("small.v*.yaml")) == ["small.v2.yaml", "small.v3.yaml"]
    assert load_codebook(tmp_path / "small.v3.yaml").version == "3"


def test_a_take_cell_that_is_no_answer_is_a_problem_naming_its_row(reviewed, tmp_path):
    codebook = shutil.copy(reviewed / "small.yaml", tmp_path / "small.yaml")
    ticked = tick(reviewed / "suggestions.xlsx", tmp_path / "s1.xlsx", "Exclusions", "exclude", "fair amount",
                  take="maybe")
    result = qcode("suggest", "--apply", ticked, "--codebook", codebook)
    assert result.exit_code == 1 and "sheet 'Exclusions', row 2: take 'maybe'" in result.output
    assert not (tmp_path / "small.v2.yaml").exists()


def test_force_never_replaces_a_ticked_suggestions_workbook(reviewed, tmp_path):
    ticked = tick(reviewed / "suggestions.xlsx", tmp_path / "s1.xlsx", "Exclusions", "exclude", "fair amount")
    before = ticked.read_bytes()
    result = qcode("suggest", reviewed / "reviewed.xlsx", "-o", ticked, "--force", "-j", "1")
    assert result.exit_code == 1 and ticked.read_bytes() == before
    untouched = shutil.copy(reviewed / "suggestions.xlsx", tmp_path / "s2.xlsx")
    assert qcode("suggest", reviewed / "reviewed.xlsx", "-o", untouched, "--force", "-j", "1").exit_code == 0


def test_a_rerun_with_the_new_version_keeps_every_earlier_decision(reviewed, tmp_path):
    codebook = shutil.copy(reviewed / "small.yaml", tmp_path / "small.yaml")
    ticked = tick(reviewed / "suggestions.xlsx", tmp_path / "s1.xlsx", "Exclusions", "exclude", "fair amount")
    ticked = tick(ticked, ticked, "Terms", "term", "tech savvy")
    assert qcode("suggest", "--apply", ticked, "--codebook", codebook).exit_code == 0
    out = tmp_path / "rerun"
    result = qcode("run", reviewed / "t", "--codebook", tmp_path / "small.v2.yaml", "--reviewed",
                   reviewed / "reviewed.xlsx", "--out", out, "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    desk = pd.read_excel(out / "codebook.xlsx", sheet_name="Assignments", dtype=str)
    decided = desk[desk.decision.notna()]
    # the two accepted "fair" rows are carried; the three added passages too
    assert sorted(decided[decided.decision == "accept"].segment_text.str[:20]) == [
        "Fair treatment of wo", "The system treats po"]
    assert sorted(decided[decided.decision == "add"].matched_text) == sorted(p for _, p in ADDED)
    # the three rejected "a fair amount" rows: the exclusion removed their assignments; their decisions are kept
    orphans = pd.read_csv(out / "orphaned_decisions.csv", encoding="utf-8-sig")
    assert list(orphans.decision) == ["reject"] * 3 and set(orphans.matched_text) == {"fair"}
    # the exclusion cancels b.txt's "fair amount"; the new term codes "tech savvy" in its two sentences (one of them
    # the passage the reviewer added, which is carried as added beside it)
    b = desk[desk.source_file == "b.txt"]
    assert sorted(b.matched_text) == ["Equality", "Migrants are seldom tech savvy", "tech savvy", "tech savvy"]
