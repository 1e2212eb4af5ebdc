"""read_reviewed: a reviewer's desk read back from the saved workbook, and what it refuses."""

import pytest
from conftest import Desk
from openpyxl import Workbook, load_workbook

from pipeline.errors import ReviewError
from pipeline.review.reviewed_workbook import read_reviewed


def review(run, tmp_path, edit, name="reviewed.xlsx"):
    desk = Desk(run / "codebook.xlsx")
    edit(desk)
    return desk.save(tmp_path / name)


def by_text(workbook, source_file, matched_text):
    return next(r for r in workbook.rows if (r.source_file, r.matched_text) == (source_file, matched_text))


def problems(info) -> list[str]:
    return [p.problem for p in info.value.problems]


def test_unreviewed_desk_is_read_with_every_machine_row_and_no_decision(machine_run):
    workbook = read_reviewed(machine_run / "codebook.xlsx")
    # a.txt: Privacy, fairness, privacy; c.txt: equity, Tech for good
    assert sorted((r.source_file, r.matched_text) for r in workbook.rows) == [
        ("a.txt", "Privacy"), ("a.txt", "fairness"), ("a.txt", "privacy"),
        ("c.txt", "Tech for good"), ("c.txt", "equity")]
    assert not any(r.reviewed for r in workbook.rows)
    assert all(r.assignment_id and r.line == 1 for r in workbook.rows)


def test_manifest_of_the_run_is_read_from_the_run_sheet(machine_run):
    workbook = read_reviewed(machine_run / "codebook.xlsx")
    assert workbook.code_ids == ["equity", "privacy", "good"]
    assert sorted(f["source_file"] for f in workbook.manifest["files"]) == ["a.txt", "c.txt"]


def test_decisions_are_read_back_in_lower_case(machine_run, tmp_path):
    path = review(machine_run, tmp_path, lambda d: (d.set("a.txt", "Privacy", decision="Accept"),
                                                    d.set("a.txt", "fairness", decision="REJECT")))
    workbook = read_reviewed(path)
    assert by_text(workbook, "a.txt", "Privacy").decision == "accept"
    assert by_text(workbook, "a.txt", "fairness").decision == "reject"
    assert not by_text(workbook, "a.txt", "privacy").reviewed


def test_recode_to_alone_makes_a_row_reviewed(machine_run, tmp_path):
    path = review(machine_run, tmp_path, lambda d: d.set("a.txt", "privacy", recode_to="equity"))
    row = by_text(read_reviewed(path), "a.txt", "privacy")
    assert (row.decision, row.recode_to, row.reviewed, row.added) == ("", "equity", True, False)


def test_note_and_sheet_row_are_read_with_the_decision(machine_run, tmp_path):
    desk = Desk(machine_run / "codebook.xlsx")
    number = desk.row_of("c.txt", "equity")
    desk.set("c.txt", "equity", decision="reject", note="about shares", reviewer="Li")
    row = by_text(read_reviewed(desk.save(tmp_path / "r.xlsx")), "c.txt", "equity")
    assert (row.sheet, row.row, row.note, row.reviewer) == ("Assignments", number, "about shares", "Li")


def test_added_row_is_read_with_its_line_as_an_integer(machine_run, tmp_path):
    # a spreadsheet may store the typed line number as a float
    path = review(machine_run, tmp_path, lambda d: d.add(source_file="a.txt", line=1.0, code="good",
                                                         matched_text="first", decision="Add", reviewer="Li"))
    row = by_text(read_reviewed(path), "a.txt", "first")
    assert (row.added, row.assignment_id, row.line, row.code, row.reviewer) == (True, "", 1, "good", "Li")


def test_reviewers_are_the_names_on_reviewed_rows_sorted_once_each(machine_run, tmp_path):
    def edit(d):
        d.set("a.txt", "Privacy", decision="accept", reviewer="Wang")
        d.set("a.txt", "fairness", decision="reject", reviewer="Li")
        d.set("c.txt", "equity", decision="accept", reviewer="Wang")
        d.set("c.txt", "Tech for good", reviewer="Zhao")          # a name without a decision is not a review
    assert read_reviewed(review(machine_run, tmp_path, edit)).reviewers() == ["Li", "Wang"]


def test_deleted_and_sorted_rows_are_read_from_where_they_are(machine_run, tmp_path):
    def edit(d):
        d.sort_by("matched_text")
        d.delete("c.txt", "Tech for good")
    workbook = read_reviewed(review(machine_run, tmp_path, edit))
    assert len(workbook.rows) == 4
    assert [r.row for r in workbook.rows] == [2, 3, 4, 5]
    assert "Tech for good" not in {r.matched_text for r in workbook.rows}


def test_blank_row_between_rows_is_skipped(machine_run, tmp_path):
    def edit(d):
        d.sheet.insert_rows(3)
    assert len(read_reviewed(review(machine_run, tmp_path, edit)).rows) == 5


def test_unknown_decision_is_reported_naming_sheet_and_row(machine_run, tmp_path):
    desk = Desk(machine_run / "codebook.xlsx")
    number = desk.row_of("a.txt", "Privacy")
    desk.set("a.txt", "Privacy", decision="maybe")
    with pytest.raises(ReviewError) as info:
        read_reviewed(desk.save(tmp_path / "bad.xlsx"))
    assert problems(info) == [f"sheet 'Assignments', row {number}: unknown decision 'maybe'"]


def test_recode_to_an_unknown_code_is_reported_naming_sheet_and_row(machine_run, tmp_path):
    desk = Desk(machine_run / "codebook.xlsx")
    number = desk.row_of("a.txt", "privacy")
    desk.set("a.txt", "privacy", recode_to="justice")
    with pytest.raises(ReviewError) as info:
        read_reviewed(desk.save(tmp_path / "bad.xlsx"))
    assert problems(info) == [f"sheet 'Assignments', row {number}: recode_to 'justice' is not a code id of the "
                              "codebook"]
    assert "equity, good, privacy" in info.value.problems[0].hint


def test_every_bad_row_is_reported_at_once(machine_run, tmp_path):
    def edit(d):
        d.set("a.txt", "Privacy", decision="maybe")
        d.set("c.txt", "equity", recode_to="justice")
        d.add(source_file="a.txt", line=1, code="nope", matched_text="first", decision="add")
    with pytest.raises(ReviewError) as info:
        read_reviewed(review(machine_run, tmp_path, edit))
    assert len(info.value.problems) == 3
    assert "3 problem(s)" in info.value.problem


def test_added_row_with_an_unknown_code_is_reported(machine_run, tmp_path):
    path = review(machine_run, tmp_path, lambda d: d.add(source_file="a.txt", line=1, code="nope",
                                                         matched_text="first", decision="add"))
    with pytest.raises(ReviewError) as info:
        read_reviewed(path)
    assert problems(info) == ["sheet 'Assignments', row 7: code 'nope' is not a code id of the codebook"]


def test_added_row_without_a_line_is_read_for_its_passage_alone(machine_run, tmp_path):
    path = review(machine_run, tmp_path, lambda d: d.add(source_file="a.txt", code="good", matched_text="first",
                                                         decision="add"))
    added = read_reviewed(path).rows[-1]
    assert (added.added, added.line, added.page, added.matched_text) == (True, None, None, "first")


def test_added_row_without_its_passage_is_reported(machine_run, tmp_path):
    path = review(machine_run, tmp_path, lambda d: d.add(source_file="a.txt", code="good", line=1, decision="add"))
    with pytest.raises(ReviewError) as info:
        read_reviewed(path)
    assert problems(info) == ["sheet 'Assignments', row 7: an added row needs matched_text"]


def test_added_row_with_a_page_that_is_not_a_number_is_reported(machine_run, tmp_path):
    path = review(machine_run, tmp_path, lambda d: d.add(source_file="a.txt", code="good", page="two",
                                                         matched_text="first", decision="add"))
    with pytest.raises(ReviewError) as info:
        read_reviewed(path)
    assert problems(info) == ["sheet 'Assignments', row 7: page 'two' is not a number"]


def test_add_on_a_row_qcode_wrote_is_reported(machine_run, tmp_path):
    path = review(machine_run, tmp_path, lambda d: d.set("a.txt", "Privacy", decision="add"))
    with pytest.raises(ReviewError) as info:
        read_reviewed(path)
    assert "`add` is for rows you type for a missed passage" in problems(info)[0]


def test_typed_row_without_id_must_be_an_add(machine_run, tmp_path):
    path = review(machine_run, tmp_path, lambda d: d.add(source_file="a.txt", line=1, code="good",
                                                         matched_text="first", decision="accept"))
    with pytest.raises(ReviewError) as info:
        read_reviewed(path)
    assert problems(info) == ["sheet 'Assignments', row 7: a row without assignment_id must have decision `add`"]


def test_line_that_is_not_a_number_is_reported(machine_run, tmp_path):
    path = review(machine_run, tmp_path, lambda d: d.set("a.txt", "Privacy", line="one"))
    with pytest.raises(ReviewError) as info:
        read_reviewed(path)
    assert "line 'one' is not a number" in problems(info)[0]


def test_same_assignment_listed_twice_is_reported_with_both_places(machine_run, tmp_path):
    desk = Desk(machine_run / "codebook.xlsx")
    first = desk.row_of("a.txt", "Privacy")
    values = [c.value for c in desk.sheet[first]]
    desk.sheet.append(values)
    with pytest.raises(ReviewError) as info:
        read_reviewed(desk.save(tmp_path / "twice.xlsx"))
    assert problems(info) == [f"sheet 'Assignments', row 7: assignment {values[0]} is listed twice "
                              f"(also sheet 'Assignments', row {first})"]


def test_desk_without_a_required_column_is_refused(machine_run, tmp_path):
    path = review(machine_run, tmp_path, lambda d: d.sheet.delete_cols(d.col("recode_to")))
    with pytest.raises(ReviewError, match="sheet 'Assignments' has no column 'recode_to'"):
        read_reviewed(path)


def old_layout(machine_run, tmp_path):
    """The workbook as qcode wrote it before the Run record sheet: the manifest in `manifest i/n` rows at the
    top of the Run sheet (a reviewer may bring a desk written then)."""
    book = load_workbook(machine_run / "codebook.xlsx")
    record = [[c.value for c in row] for row in book["Run record"].iter_rows(min_row=2)]
    del book["Run record"]
    run = book["Run"]
    run.insert_rows(2, len(record))
    for index, (key, value) in enumerate(record, start=2):
        run.cell(index, 1).value, run.cell(index, 2).value = key, value
    desk = book["Assignments"]
    header = [c.value for c in desk[1]]
    desk.cell(2, header.index("decision") + 1).value = "reject"
    book.save(tmp_path / "old.xlsx")
    return tmp_path / "old.xlsx"


def test_a_workbook_of_the_previous_layout_is_read_from_its_run_sheet(machine_run, tmp_path):
    new = read_reviewed(machine_run / "codebook.xlsx")
    old = read_reviewed(old_layout(machine_run, tmp_path))
    assert old.manifest == new.manifest
    assert [r.decision for r in old.rows if r.reviewed] == ["reject"]


def test_the_run_record_is_on_a_hidden_sheet_and_the_run_sheet_reads_as_rows(machine_run):
    book = load_workbook(machine_run / "codebook.xlsx")
    assert book["Run record"].sheet_state == "hidden"
    run = {key: value for key, value in book["Run"].iter_rows(min_row=2, values_only=True)}
    assert (run["coding"], run["files coded"], run["mentions"]) == ("machine", "2", "5")
    assert not any(str(key).startswith("manifest ") for key in run)


def test_workbook_that_is_not_qcodes_is_refused(tmp_path):
    Workbook().save(tmp_path / "other.xlsx")
    with pytest.raises(ReviewError, match=r"is not a qcode workbook \(no Run sheet\)"):
        read_reviewed(tmp_path / "other.xlsx")


def test_run_sheet_without_a_run_record_is_refused(tmp_path):
    book = Workbook()
    book.active.title = "Run"
    book["Run"].append(["key", "value"])
    book["Run"].append(["created", "today"])
    book.save(tmp_path / "run-sheet.xlsx")
    with pytest.raises(ReviewError, match="its Run sheet has no readable run record"):
        read_reviewed(tmp_path / "run-sheet.xlsx")


def test_workbook_without_a_desk_is_refused(machine_run, tmp_path):
    book = load_workbook(machine_run / "codebook.xlsx")
    del book["Assignments"]
    book.save(tmp_path / "no-desk.xlsx")
    with pytest.raises(ReviewError, match="has no Assignments sheet"):
        read_reviewed(tmp_path / "no-desk.xlsx")


def test_missing_workbook_is_refused(tmp_path):
    with pytest.raises(ReviewError, match="does not exist"):
        read_reviewed(tmp_path / "nowhere.xlsx")


def test_file_that_is_not_a_workbook_is_refused(tmp_path):
    (tmp_path / "text.xlsx").write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ReviewError, match="cannot be opened as an Excel workbook"):
        read_reviewed(tmp_path / "text.xlsx")
