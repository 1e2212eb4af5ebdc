"""`qcode audit`: a reviewer edits the real workbook; decisions, tallies and agreement come back."""

import hashlib
import math

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import Desk, write
from openpyxl import load_workbook

from pipeline.cli import main


def first_review(run, tmp_path):
    desk = Desk(run / "codebook.xlsx")
    desk.sort_by("code")                                            # reviewers sort …
    desk.set("a.txt", "Privacy", decision="accept", reviewer="Li")
    desk.set("a.txt", "fairness", decision="Reject", reviewer="Li", note="not about equity")
    desk.set("a.txt", "privacy", recode_to="equity", reviewer="Li")
    desk.set("c.txt", "equity", decision="accept", reviewer="Li")
    desk.delete("c.txt", "Tech for good")                          # … and delete rows
    desk.sheet.row_dimensions[2].hidden = True                       # … and filter
    desk.add(source_file="a.txt", line=1, code="good", matched_text="first", decision="add", reviewer="Li")
    return desk.save(tmp_path / "reviewed.xlsx")


def audit(*args):
    result = CliRunner().invoke(main, ["audit", *map(str, args)])
    assert "Traceback" not in result.output
    return result


def test_audit_recomputes_tallies_from_the_reviewed_coding(machine_run, tmp_path):
    reviewed = first_review(machine_run, tmp_path)
    before = hashlib.sha256(reviewed.read_bytes()).hexdigest()
    result = audit(reviewed, "--out", tmp_path / "audited")
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(reviewed.read_bytes()).hexdigest() == before      # the reviewed file is only read
    out = tmp_path / "audited"
    long = pd.read_csv(out / "by_interviewee.csv", encoding="utf-8-sig")
    counts = {(r.interviewee_id, r.code): r.mentions for r in long.itertuples()}
    # a.txt: Privacy accepted, fairness rejected, privacy recoded to equity, "first" added as good
    assert (counts[("a", "privacy")], counts[("a", "equity")], counts[("a", "good")]) == (1, 1, 1)
    # c.txt: equity accepted; the deleted "Tech for good" row keeps the machine's coding
    assert (counts[("c", "equity")], counts[("c", "good")]) == (1, 1)
    import json
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["coding"] == "reviewed" and manifest["review"]["reviewers"] == ["Li"]
    assignments = pd.read_csv(out / "assignments.csv", encoding="utf-8-sig")
    added = assignments[assignments.matched_text == "first"].iloc[0]
    assert (added.code, added.line, added.char_start, added.speaker) == ("good", 1, 14, "Anna")


def test_agreement_figures_match_hand_counts(machine_run, tmp_path):
    audit(first_review(machine_run, tmp_path), "--out", tmp_path / "audited")
    table = pd.read_csv(tmp_path / "audited" / "agreement.csv", encoding="utf-8-sig").set_index("code")
    # privacy: 2 machine rows, 1 accepted, 1 recoded → precision 1/2; recall 1/(1 + 0 added + 0 recoded in)
    privacy = table.loc["privacy"]
    assert (privacy.reviewed, privacy.accepted, privacy.recoded, privacy.unreviewed) == (2, 1, 1, 0)
    assert (privacy.precision, privacy.recall) == (0.5, 1.0)
    # equity: accepted 1, rejected 1; one row recoded into it → recall 1/(1 + 1) = 0.5
    equity = table.loc["equity"]
    assert (equity.accepted, equity.rejected, equity.precision, equity.recall) == (1, 1, 0.5, 0.5)
    # good: its one machine row was deleted (unreviewed); one passage added → recall 0
    good = table.loc["good"]
    assert (good.reviewed, good.unreviewed, good.added, good.recall) == (0, 1, 1, 0.0)
    assert math.isnan(good.precision)
    overall = table.loc["overall"]
    assert (overall.reviewed, overall.accepted, overall.rejected, overall.recoded, overall.added,
            overall.unreviewed) == (4, 2, 1, 1, 1, 1)
    # Kappa over a.txt only (c.txt has a deleted row): 2 sentences × 3 codes.
    # machine: u0 {privacy}, u1 {equity, privacy}; reviewed: u0 {privacy, good}, u1 {equity}
    # equity [0,1] vs [0,1] → 1; privacy [1,1] vs [1,0] → 0; good [0,0] vs [1,0] → 0
    # overall: agreement 4/6, both raters 3/6 present → pe 0.5 → kappa (2/3 − 1/2)/(1/2) = 1/3
    assert (equity.kappa, privacy.kappa, good.kappa) == (1.0, 0.0, 0.0)
    assert overall.kappa == pytest.approx(1 / 3)
    assert (overall.kappa_units, overall.files_fully_reviewed) == (6, 1)
    sheet = pd.read_excel(tmp_path / "audited" / "codebook.xlsx", sheet_name="Agreement").set_index("code")
    assert sheet.loc["overall", "kappa"] == pytest.approx(1 / 3)


def test_second_reviewer_agreement_and_disagreements(machine_run, tmp_path):
    first = first_review(machine_run, tmp_path)
    desk = Desk(machine_run / "codebook.xlsx")
    desk.set("a.txt", "Privacy", decision="accept", reviewer="Wang")
    desk.set("a.txt", "fairness", decision="accept", reviewer="Wang")
    desk.set("a.txt", "privacy", recode_to="equity", reviewer="Wang")
    desk.set("c.txt", "equity", decision="accept", reviewer="Wang")
    desk.set("c.txt", "Tech for good", decision="reject", reviewer="Wang")   # first reviewer deleted it
    second = desk.save(tmp_path / "second.xlsx")
    result = audit(first, "--second", second, "--out", tmp_path / "both")
    assert result.exit_code == 0, result.output
    between = pd.read_csv(tmp_path / "both" / "reviewer_agreement.csv", encoding="utf-8-sig").set_index("code")
    overall = between.loc["overall"]
    # compared: Privacy acc/acc, fairness reject/accept, privacy recode/recode, equity acc/acc, "first" add/absent
    assert (overall.rows, overall.percent_agreement) == (5, 0.6)
    # kappa: pe = (2·3 + 1·1)/25 = 0.28 → (0.6 − 0.28)/0.72
    assert overall.kappa == pytest.approx(0.32 / 0.72)
    # alpha: n = 10, disagreeing coincidences 4, Σ n_c·n_k (c≠k) = 100 − (25+1+4+1+1) = 68 → 1 − 9·4/68
    assert overall.alpha == pytest.approx(1 - 36 / 68)
    disagreements = pd.read_csv(tmp_path / "both" / "disagreements.csv", encoding="utf-8-sig")
    assert sorted(zip(disagreements.matched_text, disagreements["first"], disagreements["second"],
                      strict=True)) == [("fairness", "reject", "accept"), ("first", "add", "absent")]
    # the summary says it too: 5 rows, 60 % agreement, kappa 0.32/0.72 = 0.444, alpha 1 − 36/68 = 0.471
    assert ("between the two reviewers: 5 row(s) both decided, agreement 0.600, kappa 0.444, alpha 0.471"
            in result.output)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.set("a.txt", "Privacy", decision="maybe"), "unknown decision 'maybe'"),
    (lambda d: d.set("a.txt", "Privacy", recode_to="justice"), "recode_to 'justice' is not a code id"),
    (lambda d: d.add(source_file="a.txt", line=1, code="good", matched_text="absent words", decision="add"),
     "'absent words' is not on line 1 of a.txt"),
    (lambda d: d.add(assignment_id=d.sheet.cell(2, 1).value, source_file="a.txt", line=1, code="privacy",
                     matched_text="x"), "is listed twice"),
    (lambda d: d.sheet.delete_cols(d.col("decision")), "has no column 'decision'"),
])
def test_bad_reviews_are_refused_with_sheet_and_row(machine_run, tmp_path, edit, message):
    desk = Desk(machine_run / "codebook.xlsx")
    edit(desk)
    reviewed = desk.save(tmp_path / "bad.xlsx")
    result = audit(reviewed, "--out", tmp_path / "o")
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "o").exists()


def test_workbook_that_is_not_qcodes_is_refused(tmp_path):
    from openpyxl import Workbook

    Workbook().save(tmp_path / "other.xlsx")
    result = audit(tmp_path / "other.xlsx", "--out", tmp_path / "o")
    assert result.exit_code == 1 and "is not a qcode workbook" in result.output


def test_changed_transcript_is_refused(machine_run, tmp_path):
    reviewed = first_review(machine_run, tmp_path)
    write(tmp_path / "t", "a.txt", "Anna: Privacy first. Then fairness and privacy!\n")
    result = audit(reviewed, "--out", tmp_path / "o")
    assert result.exit_code == 1
    assert "a.txt: the transcript changed since the run" in result.output
    assert not (tmp_path / "o").exists()


def test_rerun_with_reviewed_carries_decisions_and_orphans_the_rest(machine_run, tmp_path, codebook_file):
    reviewed = first_review(machine_run, tmp_path)
    # The codebook is edited: `good` goes; fairness is no longer an equity term.
    edited = codebook_file.read_text(encoding="utf-8").replace("equity, fairness,", "equity,")
    edited = edited[:edited.index("  - id: good")]
    new_codebook = write(tmp_path, "edited.yaml", edited)
    out = tmp_path / "rerun"
    result = CliRunner().invoke(main, ["run", str(tmp_path / "t"), "--codebook", str(new_codebook), "--out", str(out),
                                       "-q", "--reviewed", str(reviewed)])
    assert result.exit_code == 0, result.output
    desk = Desk(out / "codebook.xlsx")
    decision = {desk.sheet.cell(r, desk.col("matched_text")).value: desk.sheet.cell(r, desk.col("decision")).value
                for r in range(2, desk.sheet.max_row + 1)}
    recoded = {desk.sheet.cell(r, desk.col("matched_text")).value: desk.sheet.cell(r, desk.col("recode_to")).value
               for r in range(2, desk.sheet.max_row + 1)}
    assert decision["Privacy"] == "accept" and decision["equity"] == "accept"
    assert recoded["privacy"] == "equity"
    orphans = pd.read_csv(out / "orphaned_decisions.csv", encoding="utf-8-sig")
    # fairness's row is gone (no longer a term); the added `good` row's code is gone
    assert sorted(orphans.matched_text) == ["fairness", "first"]
    assert "Orphaned decisions" in load_workbook(out / "codebook.xlsx").sheetnames
    # the carried review audits: Privacy accepted, privacy recoded to equity
    audited = CliRunner().invoke(main, ["audit", str(out / "codebook.xlsx"), "--out", str(tmp_path / "audited")])
    assert audited.exit_code == 0, audited.output


def test_numeric_ids_are_numbers_on_the_desk_and_an_edited_desk_still_audits(tmp_path):
    # the sample's ids are 1…12: the desk stores them as numbers like the summary sheets; audit reads it back
    run = tmp_path / "run"
    assert CliRunner().invoke(main, ["run", "--out", str(run), "-q", "-j", "1"]).exit_code == 0
    book = load_workbook(run / "codebook.xlsx")
    desk = book["Assignments"]
    header = [c.value for c in desk[1]]
    assert all(isinstance(desk.cell(r, header.index("interviewee_id") + 1).value, int) for r in range(2, 10))
    desk.cell(2, header.index("decision") + 1).value = "reject"
    book.save(tmp_path / "reviewed.xlsx")
    result = audit(str(tmp_path / "reviewed.xlsx"), "--out", str(tmp_path / "audited"))
    assert result.exit_code == 0, result.output
    assert "1 reviewed row(s)" in result.output and "1 rejected" in result.output
