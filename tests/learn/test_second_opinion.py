"""`qcode run --suggest-from`: a second opinion learned from a reviewer's verdicts, listed on the Suggested sheet,
never counted until accepted."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import Desk, qcode, write
from openpyxl import load_workbook

CODEBOOK = """\
name: second opinion test
version: "1"
codes:
  - id: inclusiveness
    label: Inclusiveness
    terms:
      en: [inclusion]
  - id: privacy
    label: Privacy
    terms:
      en: [privacy]
"""

# Three reviewed files: the keyword rows accepted, and the passages about older and disabled people that no
# keyword finds added by the reviewer (5 positive units of inclusiveness, 7 negative ones).
TRAINING = {
    "a.txt": ["Ann: Inclusion is our first value.", "Many elderly people cannot use the apps.",
              "The weather was cold in March.", "We had noodles for lunch."],
    "b.txt": ["Bo: Old people and disabled people are left out of online services.",
              "Our office moved to a new building.", "Privacy is important.", "The train was late again."],
    "c.txt": ["Cy: Inclusion of rural villages needs broadband.",
              "Elderly citizens struggle with the apps and online services.", "My cat sleeps all day.",
              "The football match ended in a draw."],
}
ADDED = [("a.txt", 2), ("b.txt", 1), ("c.txt", 2)]
NEW = ["Di: The bakery opened at nine.", "Elderly neighbours cannot use the online services and apps.",
       "We watched a football match.", "Inclusion helps everyone.", "Privacy matters too."]


def passage(source_file: str, line: int) -> str:
    text = TRAINING[source_file][line - 1]
    return text.split(": ", 1)[1] if line == 1 else text


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A reviewed training run and a new folder to code: (root, reviewed workbook, codebook, new folder)."""
    root = tmp_path_factory.mktemp("second-opinion")
    codebook = write(root, "codebook.yaml", CODEBOOK)
    for name, lines in TRAINING.items():
        write(root / "train", name, "\n".join(lines) + "\n")
    write(root / "new", "d.txt", "\n".join(NEW) + "\n")
    assert qcode("run", root / "train", "--codebook", codebook, "--out", root / "train-run", "-j", "1",
                 "-q").exit_code == 0
    desk = Desk(root / "train-run" / "codebook.xlsx")
    for row in range(2, desk.sheet.max_row + 1):
        desk.sheet.cell(row, desk.col("decision")).value = "accept"
    for source_file, line in ADDED:
        desk.add(source_file=source_file, line=line, code="inclusiveness", matched_text=passage(source_file, line),
                 decision="add", reviewer="Li")
    return root, desk.save(root / "reviewed.xlsx"), codebook, root / "new"


def suggest(study, out, *more):
    root, reviewed, codebook, new = study
    result = qcode("run", new, "--codebook", codebook, "--out", out, "-j", "1", "--suggest-from", reviewed, *more)
    assert result.exit_code == 0, result.output
    return out


def suggested(out) -> pd.DataFrame:
    return pd.read_excel(out / "codebook.xlsx", sheet_name="Suggested", dtype=str).fillna("")


def test_the_passage_like_the_added_ones_ranks_first(study, tmp_path):
    sheet = suggested(suggest(study, tmp_path / "out"))
    first = sheet.iloc[0]
    assert (first.code, first.source_file, first.line) == ("inclusiveness", "d.txt", "2")
    assert first.matched_text == "Elderly neighbours cannot use the online services and apps."
    assert "elderly" in first.drivers.split(", ") and 0.5 <= float(first.score) <= 1
    # line 4 says "Inclusion": coded already, so never suggested; privacy had one example only: no model
    assert "4" not in set(sheet.line) and set(sheet.code) == {"inclusiveness"}


def test_same_seed_gives_the_same_suggested_sheet(study, tmp_path):
    one = suggested(suggest(study, tmp_path / "one"))
    two = suggested(suggest(study, tmp_path / "two"))
    assert len(one) and one.equals(two)


def test_suggestions_never_change_a_tally(study, tmp_path):
    root, _, codebook, new = study
    plain = tmp_path / "plain"
    assert qcode("run", new, "--codebook", codebook, "--out", plain, "-j", "1", "-q").exit_code == 0
    with_opinion = suggest(study, tmp_path / "suggested")
    names = sorted(p.name for p in plain.glob("*.csv"))
    assert "assignments.csv" in names and names == sorted(p.name for p in with_opinion.glob("*.csv"))
    for name in names:
        assert (plain / name).read_bytes() == (with_opinion / name).read_bytes(), name
    sheets = [pd.read_excel(f / "codebook.xlsx", sheet_name=None) for f in (plain, with_opinion)]
    assert [t for t in sheets[1] if t not in sheets[0]] == ["Suggested"]
    for title in sheets[0]:
        if title not in ("Run", "Run record"):          # the run's record says it had a second opinion
            pd.testing.assert_frame_equal(sheets[0][title], sheets[1][title])


def test_run_json_and_run_sheet_record_the_model_its_data_and_figures(study, tmp_path):
    out = suggest(study, tmp_path / "out")
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))["second_opinion"]
    assert record["model"]["parameters"]["seed"] == 0 and "LogisticRegression" in record["model"]["kind"]
    import hashlib
    assert record["training"][0]["sha256"] == hashlib.sha256(study[1].read_bytes()).hexdigest()
    assert record["training"][0]["fully_reviewed_files"] == 3
    inclusiveness = record["codes"]["inclusiveness"]
    # 5 positive units (2 accepted keyword rows, 3 added), 7 negative (the other sentences of the 3 files)
    assert (inclusiveness["positives"], inclusiveness["negatives"], inclusiveness["files"]) == (5, 7, 3)
    assert inclusiveness["cv_folds"] == 3            # one fold per file: never a file in training and test both
    assert inclusiveness["cv_true_positives"] + inclusiveness["cv_false_negatives"] == 5
    assert record["codes"]["privacy"]["skipped"].startswith("too few reviewed units (1 positive")
    run = pd.read_excel(out / "codebook.xlsx", sheet_name="Run", dtype=str)
    said = list(run.loc[run.key == "second opinion", "value"])
    assert said[0].startswith("logistic regression per code")
    assert said[1].startswith("no model for 1 code(s)") and "privacy (1+ / 11−)" in said[1]
    assert said[2].startswith("inclusiveness: 5 positive")


def decide(workbook, path, decision: str):
    book = load_workbook(workbook)
    sheet = book["Suggested"]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, header.index("decision") + 1).value = decision
    sheet.cell(2, header.index("reviewer") + 1).value = "Li"
    book.save(path)
    return path


def mentions(folder, code: str) -> int:
    table = pd.read_csv(folder / "by_interviewee.csv", encoding="utf-8-sig")
    return int(table.loc[table.code == code, "mentions"].sum())


def test_an_accepted_suggestion_counts_on_audit_like_an_added_row(study, tmp_path):
    out = suggest(study, tmp_path / "out")
    undecided = qcode("audit", out / "codebook.xlsx", "--out", tmp_path / "undecided", "-j", "1")
    assert undecided.exit_code == 0, undecided.output
    assert mentions(tmp_path / "undecided", "inclusiveness") == 1          # "Inclusion helps everyone." only
    accepted = decide(out / "codebook.xlsx", tmp_path / "accepted.xlsx", "accept")
    audited = qcode("audit", accepted, "--out", tmp_path / "audited", "-j", "1")
    assert audited.exit_code == 0, audited.output
    assert mentions(tmp_path / "audited", "inclusiveness") == 2
    decisions = pd.read_csv(tmp_path / "audited" / "decisions.csv", encoding="utf-8-sig")
    assert list(zip(decisions.decision, decisions.line, decisions.reviewer, strict=True)) == [("add", 2, "Li")]
    agreement = pd.read_csv(tmp_path / "audited" / "agreement.csv", encoding="utf-8-sig").set_index("code")
    assert agreement.loc["inclusiveness", "added"] == 1


def test_a_rejected_suggestion_counts_nowhere(study, tmp_path):
    out = suggest(study, tmp_path / "out")
    rejected = decide(out / "codebook.xlsx", tmp_path / "rejected.xlsx", "reject")
    assert qcode("audit", rejected, "--out", tmp_path / "audited", "-j", "1").exit_code == 0
    assert mentions(tmp_path / "audited", "inclusiveness") == 1
    assert len(pd.read_csv(tmp_path / "audited" / "decisions.csv", encoding="utf-8-sig")) == 0


def test_an_accepted_suggestion_is_carried_by_run_reviewed_as_an_added_row(study, tmp_path):
    out = suggest(study, tmp_path / "out")
    accepted = decide(out / "codebook.xlsx", tmp_path / "accepted.xlsx", "accept")
    _, _, codebook, new = study
    again = qcode("run", new, "--codebook", codebook, "--out", tmp_path / "again", "-j", "1", "--reviewed",
                  accepted)
    assert again.exit_code == 0, again.output
    desk = pd.read_excel(tmp_path / "again" / "codebook.xlsx", sheet_name="Assignments", dtype=str).fillna("")
    added = desk[desk.decision == "add"]
    assert list(zip(added.line, added.code, added.matched_text, strict=True)) == [
        ("2", "inclusiveness", "Elderly neighbours cannot use the online services and apps.")]


def test_a_rejected_suggestion_teaches_the_next_model_a_negative(study, tmp_path):
    root, reviewed, codebook, _ = study
    rejected = decide(suggest(study, tmp_path / "out") / "codebook.xlsx", tmp_path / "rejected.xlsx", "reject")
    result = qcode("run", root / "train", "--codebook", codebook, "--out", tmp_path / "next", "-j", "1",
                   "--suggest-from", reviewed, "--suggest-from", rejected)
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "next" / "run.json").read_text(encoding="utf-8"))["second_opinion"]
    # the new run's one file is not fully reviewed: only the rejected suggestion teaches (one more negative)
    assert record["codes"]["inclusiveness"]["negatives"] == 8
    assert record["skipped_training_files"] == 3     # the fully reviewed training files are not scored again


@pytest.mark.parametrize("value, message", [
    ("maybe", "sheet 'Suggested', row 2: unknown decision 'maybe' for a suggestion"),
    ("=1+1", "sheet 'Suggested', row 2: the decision cell holds a formula"),
])
def test_a_hostile_suggestion_decision_is_refused_naming_sheet_and_row(study, tmp_path, value, message):
    out = suggest(study, tmp_path / "out")
    bad = decide(out / "codebook.xlsx", tmp_path / "bad.xlsx", value)
    result = qcode("audit", bad, "--out", tmp_path / "audited", "-j", "1")
    assert result.exit_code == 1 and message in result.output, result.output
    assert not (tmp_path / "audited").exists()


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.set("a.txt", "Inclusion", decision="perhaps"), "unknown decision 'perhaps'"),
    (lambda d: d.add(source_file="a.txt", line="two", code="inclusiveness", matched_text="x", decision="add"),
     "line 'two' is not a number"),
    (lambda d: d.add(source_file="a.txt", line=2, code="inclusiveness", matched_text="not in the file",
                     decision="add"), "'not in the file' is not on line 2 of a.txt"),
])
def test_a_hostile_training_workbook_is_refused_with_a_clear_message(study, tmp_path, edit, message):
    root, reviewed, codebook, new = study
    desk = Desk(reviewed)
    edit(desk)
    bad = desk.save(tmp_path / "bad.xlsx")
    result = qcode("run", new, "--codebook", codebook, "--out", tmp_path / "out", "-j", "1", "--suggest-from", bad)
    assert result.exit_code == 1 and message in result.output and "bad.xlsx" in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_a_training_file_that_is_not_a_qcode_workbook_is_refused(study, tmp_path):
    from openpyxl import Workbook

    stranger = tmp_path / "stranger.xlsx"
    Workbook().save(stranger)
    root, _, codebook, new = study
    result = qcode("run", new, "--codebook", codebook, "--out", tmp_path / "out", "--suggest-from", stranger)
    assert result.exit_code == 1 and "is not a qcode workbook (no Run sheet)" in result.output


def test_too_few_verdicts_is_a_note_and_an_empty_suggested_sheet(tmp_path):
    codebook = write(tmp_path, "codebook.yaml", CODEBOOK)
    write(tmp_path / "t", "a.txt", "Ann: Inclusion is our first value.\nWe had noodles.\n")
    assert qcode("run", tmp_path / "t", "--codebook", codebook, "--out", tmp_path / "r", "-j", "1").exit_code == 0
    desk = Desk(tmp_path / "r" / "codebook.xlsx")
    desk.set("a.txt", "Inclusion", decision="accept")
    reviewed = desk.save(tmp_path / "reviewed.xlsx")
    result = qcode("run", tmp_path / "t", "--codebook", codebook, "--out", tmp_path / "out", "-j", "1",
                   "--suggest-from", reviewed)
    assert result.exit_code == 0 and "no code has enough reviewed units for a second opinion" in result.output
    assert suggested(tmp_path / "out").empty
