"""apply_review, locate_added and decisions_table on a real small run, wired as `qcode audit` wires them."""

import pytest
from conftest import Desk, qcode, write

from pipeline.errors import Problem, ReviewError
from pipeline.review.apply import apply_review, decisions_table, locate_added
from pipeline.review.reviewed_workbook import read_reviewed
from pipeline.runfolder.recode import recode_run


def reviewed(run, tmp_path, edit):
    """The desk edited and saved, read back, and the run re-coded from its manifest (as audit does)."""
    desk = Desk(run / "codebook.xlsx")
    edit(desk)
    review = read_reviewed(desk.save(tmp_path / "reviewed.xlsx"))
    return review, recode_run(review.manifest, review.path, None, 1)


def applied(run, tmp_path, edit):
    return apply_review(*reviewed(run, tmp_path, edit))


def coding(result) -> list[tuple[str, str, str]]:
    """(file, passage, code) of the reviewed coding, in order."""
    return [(a.source_file, a.matched_text, a.code) for a in result.final]


MACHINE = [("a.txt", "Privacy", "privacy"), ("a.txt", "fairness", "equity"), ("a.txt", "privacy", "privacy"),
           ("c.txt", "equity", "equity"), ("c.txt", "Tech for good", "good")]


def added_row(desk, **values):
    desk.add(**{"source_file": "a.txt", "line": 1, "code": "good", "decision": "add", "reviewer": "Li", **values})


@pytest.fixture
def interview_run(tmp_path, codebook_file):
    """A run whose transcript opens with an interviewer's question (not coded)."""
    folder = tmp_path / "iv"
    write(folder, "q.txt", "Interviewer: Is privacy a worry?\nAnna: Privacy first.\n")
    out = tmp_path / "iv-run"
    result = qcode("run", folder, "--codebook", codebook_file, "--out", out, "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    return out


def test_unreviewed_desk_keeps_the_machines_coding(machine_run, tmp_path):
    result = applied(machine_run, tmp_path, lambda d: None)
    assert coding(result) == MACHINE
    assert [a.assignment_id for a in result.final] == [a.assignment_id for a in result.machine]
    assert result.added == []


def test_rejected_row_is_removed(machine_run, tmp_path):
    result = applied(machine_run, tmp_path, lambda d: d.set("a.txt", "fairness", decision="reject"))
    assert coding(result) == [m for m in MACHINE if m[1] != "fairness"]


def test_recoded_row_moves_to_the_other_code_on_the_same_span(machine_run, tmp_path):
    result = applied(machine_run, tmp_path, lambda d: d.set("a.txt", "privacy", recode_to="equity", reviewer="Li"))
    moved = next(a for a in result.final if a.matched_text == "privacy")
    machine = next(a for a in result.machine if a.matched_text == "privacy")
    assert (moved.code, moved.recode_to, moved.reviewer) == ("equity", "equity", "Li")
    assert (moved.assignment_id, moved.char_start, moved.char_end) == (machine.assignment_id, 39, 46)
    assert machine.code == "privacy"                                  # the machine's coding is left as it was


def test_recode_wins_over_a_reject_on_the_same_row(machine_run, tmp_path):
    result = applied(machine_run, tmp_path, lambda d: d.set("a.txt", "privacy", decision="reject",
                                                            recode_to="good"))
    assert ("a.txt", "privacy", "good") in coding(result)


def test_accepted_row_is_kept_with_its_decision_note_and_reviewer(machine_run, tmp_path):
    result = applied(machine_run, tmp_path, lambda d: d.set("c.txt", "equity", decision="accept", note="clear",
                                                            reviewer="Li"))
    kept = next(a for a in result.final if a.matched_text == "equity")
    assert (kept.code, kept.decision, kept.note, kept.reviewer) == ("equity", "accept", "clear", "Li")
    assert coding(result) == MACHINE


def test_deleted_row_keeps_the_machines_coding(machine_run, tmp_path):
    result = applied(machine_run, tmp_path, lambda d: d.delete("c.txt", "Tech for good"))
    assert ("c.txt", "Tech for good", "good") in coding(result)
    assert all(a.assignment_id in {m.assignment_id for m in result.machine} for a in result.final)
    assert len(result.rows) == 4                       # the desk rows present, by id


def test_note_without_a_decision_is_kept_and_the_coding_unchanged(machine_run, tmp_path):
    result = applied(machine_run, tmp_path, lambda d: d.set("a.txt", "Privacy", note="check later"))
    noted = next(a for a in result.final if a.matched_text == "Privacy")
    assert (noted.decision, noted.note) == ("", "check later")
    assert coding(result) == MACHINE


def test_added_row_is_located_on_its_line(machine_run, tmp_path):
    result = applied(machine_run, tmp_path, lambda d: added_row(d, matched_text="first", note="a missed one"))
    [added] = result.added
    # "Anna: Privacy first." — "first" starts after "Anna: Privacy " (14 characters), in sentence 0
    assert (added.char_start, added.char_end, added.line, added.unit) == (14, 19, 1, 0)
    assert (added.speaker, added.speaker_role, added.segment_text) == ("Anna", "respondent", "Privacy first.")
    assert (added.interviewee_id, added.decision, added.note, added.reviewer) == ("a", "add", "a missed one", "Li")


def test_added_row_comes_after_the_files_machine_rows(machine_run, tmp_path):
    result = applied(machine_run, tmp_path, lambda d: added_row(d, matched_text="first"))
    assert coding(result) == MACHINE[:3] + [("a.txt", "first", "good")] + MACHINE[3:]


def test_added_row_id_is_the_id_qcode_would_give_that_span(machine_run, tmp_path):
    from pipeline.coding.code_file import assignment_id

    result = applied(machine_run, tmp_path, lambda d: added_row(d, matched_text="first"))
    assert result.added[0].assignment_id == assignment_id("a.txt", "good", 14, 19)


def test_added_row_not_on_its_line_is_refused(machine_run, tmp_path):
    review, recoded = reviewed(machine_run, tmp_path, lambda d: added_row(d, source_file="c.txt",
                                                                          matched_text="first"))
    located = locate_added(review.rows[-1], recoded, review.path)
    assert isinstance(located, Problem)
    assert located.problem.endswith("added row: 'first' is not on line 1 of c.txt")
    with pytest.raises(ReviewError) as info:
        apply_review(review, recoded)
    assert [p.problem for p in info.value.problems] == [located.problem]


def test_added_row_on_a_line_the_file_lacks_is_refused(machine_run, tmp_path):
    review, recoded = reviewed(machine_run, tmp_path, lambda d: added_row(d, line=5, matched_text="first"))
    located = locate_added(review.rows[-1], recoded, review.path)
    assert isinstance(located, Problem) and "a.txt has no line 5" in located.problem


def test_added_row_in_a_file_not_in_the_run_is_refused(machine_run, tmp_path):
    review, recoded = reviewed(machine_run, tmp_path, lambda d: added_row(d, source_file="z.txt",
                                                                          matched_text="first"))
    located = locate_added(review.rows[-1], recoded, review.path)
    assert isinstance(located, Problem) and "'z.txt' is not a transcript of this run" in located.problem


def test_added_row_in_an_interviewer_turn_is_refused(interview_run, tmp_path):
    review, recoded = reviewed(interview_run, tmp_path, lambda d: added_row(d, source_file="q.txt",
                                                                            matched_text="worry"))
    located = locate_added(review.rows[-1], recoded, review.path)
    assert isinstance(located, Problem)
    assert "'worry' is not in the coded speech of q.txt" in located.problem


def test_added_row_on_a_speaker_label_is_refused(interview_run, tmp_path):
    review, recoded = reviewed(interview_run, tmp_path, lambda d: added_row(d, source_file="q.txt", line=2,
                                                                            matched_text="Anna"))
    located = locate_added(review.rows[-1], recoded, review.path)
    assert isinstance(located, Problem) and "not in the coded speech" in located.problem


def test_added_row_in_the_respondents_turn_after_a_question_is_located(interview_run, tmp_path):
    result = applied(interview_run, tmp_path, lambda d: added_row(d, source_file="q.txt", line=2,
                                                                  matched_text="first"))
    [added] = result.added
    # line 2 starts after "Interviewer: Is privacy a worry?\n" (33 characters); "Anna: Privacy " is 14 more
    assert (added.char_start, added.line, added.speaker) == (47, 2, "Anna")


def test_added_row_for_a_passage_qcode_already_coded_is_refused(machine_run, tmp_path):
    review, recoded = reviewed(machine_run, tmp_path, lambda d: added_row(d, code="privacy",
                                                                          matched_text="Privacy"))
    with pytest.raises(ReviewError) as info:
        apply_review(review, recoded)
    assert "qcode already coded this passage as 'privacy'" in info.value.problems[0].problem


def test_id_not_in_the_run_is_refused(machine_run, tmp_path):
    review, recoded = reviewed(machine_run, tmp_path, lambda d: d.set("a.txt", "Privacy",
                                                                      assignment_id="a0000000000000000"))
    with pytest.raises(ReviewError) as info:
        apply_review(review, recoded)
    [problem] = info.value.problems
    assert "assignment a0000000000000000 is not in this run's coding" in problem.problem
    assert "nothing written" in info.value.problem


def test_every_refused_row_is_reported_at_once(machine_run, tmp_path):
    def edit(d):
        d.set("a.txt", "Privacy", assignment_id="a0000000000000000")
        added_row(d, matched_text="absent words")
    review, recoded = reviewed(machine_run, tmp_path, edit)
    with pytest.raises(ReviewError) as info:
        apply_review(review, recoded)
    assert len(info.value.problems) == 2


def test_decisions_table_lists_decided_noted_and_added_rows_only(machine_run, tmp_path):
    def edit(d):
        d.set("a.txt", "Privacy", decision="accept", reviewer="Li")
        d.set("a.txt", "fairness", decision="reject", note="not about equity", reviewer="Li")
        d.set("a.txt", "privacy", recode_to="equity", reviewer="Li")
        d.set("c.txt", "equity", note="check")                   # a note alone is listed
        d.set("c.txt", "Tech for good", reviewer="Li")             # a name alone is not
        added_row(d, matched_text="first")
    table = decisions_table(applied(machine_run, tmp_path, edit))
    assert list(zip(table.matched_text, table.code, table.decision, table.recode_to, strict=True)) == [
        ("Privacy", "privacy", "accept", ""), ("fairness", "equity", "reject", ""),
        ("privacy", "privacy", "", "equity"), ("equity", "equity", "", ""), ("first", "good", "add", "")]
    assert table.loc[table.matched_text == "fairness", "note"].item() == "not about equity"


def test_decisions_table_of_an_unreviewed_desk_is_empty_with_its_columns(machine_run, tmp_path):
    table = decisions_table(applied(machine_run, tmp_path, lambda d: None))
    assert table.empty
    assert list(table.columns) == ["assignment_id", "source_file", "line", "code", "matched_text", "decision",
                                   "recode_to", "note", "reviewer"]
