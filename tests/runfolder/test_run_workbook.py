"""codebook.xlsx written for real (Desk + write_workbook) and read back with openpyxl."""

import json

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock

from pipeline.models import ASSIGNMENT_COLUMNS, Assignment, Code, Codebook, Interviewee, Roster, Term
from pipeline.runfolder.run_sheet import MANIFEST_KEY, MANIFEST_PART, RECORD_SHEET
from pipeline.runfolder.tally import Mention, tally
from pipeline.runfolder.workbook import (
    DECISIONS,
    LISTS_SHEET,
    REVIEW_COLUMNS,
    Desk,
    codebook_sheet_table,
    display_labels,
    highlighted,
    write_workbook,
)

CODES = ["equity", "privacy"]
CODEBOOK = Codebook("cb", "1", [Code("equity", "Equity", terms=[Term("equity", "fairness", "en")]),
                                Code("privacy", "Privacy", terms=[Term("privacy", "privacy", "en")])])
ROSTER = Roster([Interviewee("a", "a.txt", ("G1",)), Interviewee("b", "b.txt", ("G2",))])
TEXT = "Anna: Privacy first. Then fairness and privacy.\n"


def assignment(n, code, start, end, segment_start, segment, **review):
    """An assignment of `TEXT[start:end]` in the unit `segment` starting at `segment_start`."""
    return Assignment(f"id{n}", "a", "G1", "a.txt", 1, start, end, "Anna", "respondent", code, code,
                      TEXT[start:end], segment, "", "", unit=0, segment_start=segment_start, **review)


FAIRNESS = assignment(1, "equity", 26, 34, 21, "Then fairness and privacy.")
PRIVACY = assignment(2, "privacy", 6, 13, 6, "Privacy first.", decision="accept", note="ok")


def manifest(**extra):
    return {"format_version": 1, "coding": "machine", "created": "2024-01-01T00:00:00+00:00",
            "qcode_version": "0", "options": {"unit": "sentence"}, "codebook": {"name": "cb"}, **extra}


def book(tmp_path, assignments, max_rows=None, the_manifest=None):
    """Write a workbook holding `assignments` on its desk; (sheets returned, workbook read back)."""
    desk = Desk(CODES) if max_rows is None else Desk(CODES, max_rows=max_rows)
    desk.add(assignments)
    mentions = [Mention(a.interviewee_id, a.code, a.term) for a in assignments]
    tallies = tally(mentions, ROSTER, CODEBOOK, {"a": 8, "b": 5}, [("a.txt", 0, ("equity", "privacy"))])
    path = tmp_path / "codebook.xlsx"
    sheets = write_workbook(path, tallies, desk, the_manifest or manifest())
    return sheets, load_workbook(path, rich_text=True)


def rows(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_sheets_in_order_with_the_lists_sheet_hidden(tmp_path):
    _, workbook = book(tmp_path, [FAIRNESS])
    assert workbook.sheetnames == ["Codebook", "Assignments", "By interviewee", "Presence", "Units", "By group",
                                   "By term", "Co-occurrence", "Run", RECORD_SHEET, "Chart", LISTS_SHEET]
    assert workbook[LISTS_SHEET].sheet_state == workbook[RECORD_SHEET].sheet_state == "hidden"


def test_desk_columns_are_the_assignment_then_the_review_columns(tmp_path):
    _, workbook = book(tmp_path, [FAIRNESS, PRIVACY])
    desk = workbook["Assignments"]
    assert rows(desk)[0] == ASSIGNMENT_COLUMNS + REVIEW_COLUMNS
    assert desk.freeze_panes == "B2"
    values = dict(zip(rows(desk)[0], rows(desk)[2], strict=True))
    assert (values["assignment_id"], values["matched_text"], values["char_start"]) == ("id2", "Privacy", 6)
    assert (values["decision"], values["note"], values["recode_to"], values["reviewer"]) == ("accept", "ok", None, None)


def test_matched_words_are_bold_red_inside_the_segment(tmp_path):
    _, workbook = book(tmp_path, [FAIRNESS])
    desk = workbook["Assignments"]
    cell = desk.cell(2, ASSIGNMENT_COLUMNS.index("segment_text") + 1)
    assert isinstance(cell.value, CellRichText)
    assert str(cell.value) == "Then fairness and privacy."
    (bold,) = [part for part in cell.value if isinstance(part, TextBlock)]
    assert bold.text == "fairness"
    assert bold.font.b and bold.font.color.rgb == "FFC00000"
    assert [p for p in cell.value if not isinstance(p, TextBlock)] == ["Then ", " and privacy."]


def test_match_at_the_start_of_the_segment_has_no_empty_leading_text(tmp_path):
    _, workbook = book(tmp_path, [PRIVACY])
    value = workbook["Assignments"].cell(2, ASSIGNMENT_COLUMNS.index("segment_text") + 1).value
    assert [type(p).__name__ for p in value] == ["TextBlock", "str"]
    assert value[0].text == "Privacy"


def test_highlighted_leaves_a_span_outside_the_segment_plain():
    assert highlighted("short", 2, 9) == "short"
    assert highlighted("short", 3, 3) == "short"


def test_highlighted_replaces_control_characters_keeping_positions():
    value = highlighted("bad\x01 fairness", 5, 13)
    assert str(value) == "bad\ufffd fairness"
    assert value[1].text == "fairness"


def test_decision_and_recode_to_validations_point_at_the_hidden_lists(tmp_path):
    _, workbook = book(tmp_path, [FAIRNESS, PRIVACY])
    desk = workbook["Assignments"]
    header = rows(desk)[0]
    letter = {name: chr(ord("A") + header.index(name)) for name in ("decision", "recode_to")}
    found = {v.formula1: str(v.sqref) for v in desk.data_validations.dataValidation}
    # two assignment rows, then room for 2,000 rows a reviewer adds: rows 2..2003
    assert found == {f"{LISTS_SHEET}!$A$2:$A$4": f"{letter['decision']}2:{letter['decision']}2003",
                     f"{LISTS_SHEET}!$B$2:$B$3": f"{letter['recode_to']}2:{letter['recode_to']}2003"}
    lists = rows(workbook[LISTS_SHEET])
    assert [r[0] for r in lists[1:4]] == DECISIONS
    assert [r[1] for r in lists[1:3]] == CODES


def test_segment_starting_with_equals_is_text_not_a_formula(tmp_path):
    text_start = "=SUM(1,2) and fairness"
    formula = Assignment("f", "a", "G1", "a.txt", 1, 14, 22, "Anna", "respondent", "equity", "fairness",
                         "fairness", text_start, "=1+1", "-2", segment_start=0)
    _, workbook = book(tmp_path, [formula])
    desk = workbook["Assignments"]
    segment = desk.cell(2, ASSIGNMENT_COLUMNS.index("segment_text") + 1)
    assert segment.data_type == "s" and str(segment.value) == text_start
    for column, value in (("context_before", "=1+1"), ("context_after", "-2")):
        cell = desk.cell(2, ASSIGNMENT_COLUMNS.index(column) + 1)
        assert (cell.data_type, cell.value) == ("s", value)


def test_segment_starting_with_equals_without_a_match_inside_is_text(tmp_path):
    outside = Assignment("o", "a", "G1", "a.txt", 1, 40, 48, "Anna", "respondent", "equity", "fairness",
                         "fairness", "=A1*2", "", "", segment_start=0)
    _, workbook = book(tmp_path, [outside])
    segment = workbook["Assignments"].cell(2, ASSIGNMENT_COLUMNS.index("segment_text") + 1)
    assert (segment.data_type, segment.value) == ("s", "=A1*2")


def test_desk_continues_on_numbered_sheets_past_max_rows(tmp_path):
    many = [assignment(n, "equity", 26, 34, 21, "Then fairness and privacy.") for n in range(5)]
    # max_rows 3 = header + 2 assignments per sheet: 2 + 2 + 1
    sheets, workbook = book(tmp_path, many, max_rows=3)
    assert sheets == [("Assignments", 2), ("Assignments (2)", 2), ("Assignments (3)", 1)]
    ids = [r[0] for title, _ in sheets for r in rows(workbook[title])[1:]]
    assert ids == ["id0", "id1", "id2", "id3", "id4"]
    for title, _ in sheets:
        assert rows(workbook[title])[0] == ASSIGNMENT_COLUMNS + REVIEW_COLUMNS
        assert len(workbook[title].data_validations.dataValidation) == 2


def test_run_sheet_records_desk_sheets_and_the_overflow(tmp_path):
    many = [assignment(n, "equity", 26, 34, 21, "Then fairness and privacy.") for n in range(3)]
    _, workbook = book(tmp_path, many, max_rows=3)
    run = dict(rows(workbook["Run"])[1:])
    assert run["sheet: Assignments"] == "2 assignment rows"
    assert run["sheet: Assignments (2)"] == "1 assignment rows"
    assert "Assignments (2)" in run["overflow"]


def test_a_desk_with_no_assignment_still_has_its_sheet(tmp_path):
    sheets, workbook = book(tmp_path, [])
    assert sheets == [("Assignments", 0)]
    assert rows(workbook["Assignments"]) == [ASSIGNMENT_COLUMNS + REVIEW_COLUMNS]


def joined_manifest(workbook) -> dict:
    parts = {}
    for key, value in rows(workbook[RECORD_SHEET])[1:]:
        if key.startswith(MANIFEST_KEY + " "):
            index, total = key.split(" ", 1)[1].split("/")
            parts[int(index)] = (int(total), value)
    totals = {total for total, _ in parts.values()}
    assert totals == {len(parts)} and sorted(parts) == list(range(1, len(parts) + 1))
    return json.loads("".join(parts[i][1] for i in sorted(parts)))


def test_run_sheet_manifest_rows_join_back_to_the_manifest(tmp_path):
    written = manifest(files=[{"source_file": "a.txt", "sha256": "0" * 64}], inputs={"transcripts": "/t"})
    _, workbook = book(tmp_path, [FAIRNESS], the_manifest=written)
    assert joined_manifest(workbook) == written


@pytest.mark.parametrize("size", [MANIFEST_PART - 100, 2 * MANIFEST_PART + 5])
def test_a_long_manifest_is_split_in_parts_that_join_back(tmp_path, size):
    # Chinese text and an odd length, so parts are cut in the middle of a JSON string
    written = manifest(codebook={"name": "cb", "yaml": ("公平 " * size)[:size]})
    _, workbook = book(tmp_path, [FAIRNESS], the_manifest=written)
    keys = [r[0] for r in rows(workbook[RECORD_SHEET]) if r[0].startswith(MANIFEST_KEY + " ")]
    assert len(keys) == len(json.dumps(written, ensure_ascii=False)) // MANIFEST_PART + 1
    assert joined_manifest(workbook) == written


def test_run_sheet_lists_files_and_problems(tmp_path):
    written = manifest(files=[{"source_file": "a.txt", "sha256": "abc", "interviewee_id": "a", "language": "en",
                               "respondent_words": 8, "mentions": 2, "encoding": "utf-8"}],
                       problems=[{"kind": "problem", "file": "b.txt", "line": 3, "problem": "odd", "hint": "fix"}],
                       notes=[{"kind": "note", "file": "a.txt", "line": None, "problem": "fyi", "hint": ""}])
    _, workbook = book(tmp_path, [FAIRNESS], the_manifest=written)
    run = rows(workbook["Run"])
    assert ["file: a.txt", "interviewee a, en (no conversion), utf-8, 8 respondent words, 2 mentions, "
                           "sha256 abc…"] in run
    assert ["problem", "b.txt:3: odd → fix"] in run
    assert ["note", "a.txt: fyi"] in run


def test_tables_around_the_desk_hold_the_tallies_with_each_codes_label_beside_its_id(tmp_path):
    _, workbook = book(tmp_path, [FAIRNESS, PRIVACY])
    by_group = rows(workbook["By group"])
    assert by_group[0] == ["stakeholder_group", "code", "label", "mentions", "units", "interviewees", "group_size"]
    assert ["G1", "equity", "Equity", 1, 1, 1, 1] in by_group
    assert ["G2", "privacy", "Privacy", 0, 0, 0, 1] in by_group
    by_term = [r[:3] for r in rows(workbook["By term"])[:2]]
    assert by_term == [["code", "label", "term"], ["equity", "Equity", "fairness"]]
    assert rows(workbook["Co-occurrence"]) == [["code", "label", "equity", "privacy"], ["equity", "Equity", 1, 1],
                                               ["privacy", "Privacy", 1, 1]]


def test_chart_sheet_shows_the_share_of_each_groups_interviewees_not_counts(tmp_path):
    _, workbook = book(tmp_path, [FAIRNESS, PRIVACY])
    sheet = workbook["Chart"]
    # a (G1, one interviewee) mentions both codes; b (G2, one interviewee) neither: shares 100 % and 0 %
    assert rows(sheet)[:3] == [["code", "label", "G1 (n=1)", "G2 (n=1)"], ["equity", "Equity", 1, 0],
                               ["privacy", "Privacy", 1, 0]]
    assert sheet.cell(2, 3).number_format == "0%"
    (chart,) = sheet._charts
    assert chart.y_axis.title.tx.rich.p[0].r[0].t == "share of the group's interviewees"
    assert chart.y_axis.scaling.max == 1


def test_codebook_sheet_heads_each_groups_interviewees_with_the_groups_name(tmp_path):
    _, workbook = book(tmp_path, [FAIRNESS, PRIVACY])
    header = rows(workbook["Codebook"])[0]
    assert header[-3:] == ["interviewees", "G1", "G2"]


def test_a_group_named_like_a_column_keeps_the_interviewees_prefix():
    table = pd.DataFrame({"code": ["equity"], "mentions": [3], "interviewees: mentions": [1], "interviewees: G": [2]})
    assert list(codebook_sheet_table(table).columns) == ["code", "mentions", "interviewees: mentions", "G"]


def test_labels_show_the_chinese_label_after_the_english_one():
    table = pd.DataFrame({"code": ["equity", "privacy", "x"], "label": ["Equity", "Privacy", ""],
                          "label_zh": ["公平", "", ""]})
    assert display_labels(table) == {"equity": "Equity 公平", "privacy": "Privacy", "x": "x"}


def test_machine_run_workbook_desk_matches_its_assignments_csv(machine_run):
    frame = pd.read_csv(machine_run / "assignments.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    workbook = load_workbook(machine_run / "codebook.xlsx", rich_text=True)
    desk = rows(workbook["Assignments"])
    assert desk[0] == ASSIGNMENT_COLUMNS + REVIEW_COLUMNS
    assert [r[0] for r in desk[1:]] == list(frame["assignment_id"])
    manifest_on_disk = json.loads((machine_run / "run.json").read_text(encoding="utf-8"))
    in_workbook = joined_manifest(workbook)
    # run.json adds the desk sheets, timings and the workbook's checksum once the workbook is written
    added = {"sheets", "timings", "workbook_sha256"}
    assert in_workbook == {k: v for k, v in manifest_on_disk.items() if k not in added}


def test_run_sheet_names_the_segmenter_and_the_chinese_converter(tmp_path):
    written = manifest(segmenter={"zh": "jieba", "version": "0.42.1", "why": "asked for"},
                       converter={"name": "opencc", "version": "0.1.7", "why": "asked for"})
    _, workbook = book(tmp_path, [FAIRNESS], the_manifest=written)
    run = dict(rows(workbook["Run"])[1:])
    assert run["segmenter"] == "jieba 0.42.1 (asked for)"
    assert run["Chinese converter"] == "opencc 0.1.7 (asked for)"
