"""pipeline.scores.read: tiny score sheets (tidy and as typed from the paper forms) → scores, typed averages
and problems that name the row and the column."""

from __future__ import annotations

import pytest
from conftest import write
from openpyxl import Workbook

from pipeline.errors import ScoresError
from pipeline.scores.read import GENERAL, OVERALL, Score, read_scores


def sheet_of(tmp_path, text, name="s.csv"):
    return read_scores(write(tmp_path, name, text))


def values(sheet) -> dict[tuple, float]:
    """(case, group, pillar, measure) → score."""
    return {(s.case, s.group, s.pillar, s.measure): s.value for s in sheet.scores}


def problems(sheet) -> list[tuple[int, str]]:
    return [(p.line, p.problem) for p in sheet.problems]


# --- tidy: one row per group and pillar ---------------------------------------------------------------------

TIDY = "group,pillar,relevance,usability\nG1,Power,5,3\nG1,Equity,4,2\nG2,Power,3,1\nG2,Equity,2,2\n"


def test_tidy_sheet_is_recognised_by_its_header(tmp_path):
    sheet = sheet_of(tmp_path, TIDY)
    assert (sheet.shape, sheet.pillars, sheet.cases) == ("tidy", ["Power", "Equity"], [GENERAL])
    assert sheet.problems == [] and sheet.typed == []


def test_tidy_rows_give_one_score_per_measure_with_row_and_column(tmp_path):
    sheet = sheet_of(tmp_path, TIDY)
    assert sheet.scores[:2] == [Score("", GENERAL, "G1", "Power", "relevance", 5.0, 2, "C"),
                                Score("", GENERAL, "G1", "Power", "usability", 3.0, 2, "D")]
    assert len(sheet.scores) == 8                        # 4 rows × 2 measures


def test_tidy_header_is_matched_whatever_its_case_and_order(tmp_path):
    sheet = sheet_of(tmp_path, "Usability,Relevance,Pillar,Group\n3,5,Power,G1\n")
    assert values(sheet) == {(GENERAL, "G1", "Power", "relevance"): 5.0, (GENERAL, "G1", "Power", "usability"): 3.0}


def test_tidy_case_and_workshop_columns_are_kept(tmp_path):
    sheet = sheet_of(tmp_path, "workshop,case,group,pillar,relevance,usability\n"
                               "Beijing,,A,Voice,5,3\nTaipei,Case 1,A,Voice,4,4\n")
    assert sheet.cases == [GENERAL, "Case 1"]
    assert [(s.workshop, s.case) for s in sheet.scores] == [("Beijing", GENERAL)] * 2 + [("Taipei", "Case 1")] * 2


def test_tidy_average_rows_are_typed_averages_not_scores(tmp_path):
    sheet = sheet_of(tmp_path, TIDY + "Avg,Power,4,2\nOverall,Equity,3.0,2\n")
    assert len(sheet.scores) == 8
    assert [(t.case, t.pillar, t.measure, t.text, t.decimals, t.row, t.column) for t in sheet.typed] == [
        (GENERAL, "Power", "relevance", "4", 0, 6, "C"), (GENERAL, "Power", "usability", "2", 0, 6, "D"),
        (OVERALL, "Equity", "relevance", "3.0", 1, 7, "C"), (OVERALL, "Equity", "usability", "2", 0, 7, "D")]


def test_tidy_second_row_for_a_group_and_pillar_is_left_out(tmp_path):
    sheet = sheet_of(tmp_path, TIDY + "G1,Power,1,1\n")
    assert values(sheet)[(GENERAL, "G1", "Power", "relevance")] == 5.0
    assert problems(sheet) == [(6, "group 'G1' has a second row for Power (first on row 2): left out")]


def test_tidy_row_without_group_or_pillar_is_left_out(tmp_path):
    sheet = sheet_of(tmp_path, TIDY + ",Power,5,5\nG3,,5,5\n")
    assert len(sheet.scores) == 8
    assert [line for line, _ in problems(sheet)] == [6, 7]
    assert all(text == "a row needs a group and a pillar: left out" for _, text in problems(sheet))


def test_tidy_group_missing_a_pillar_is_reported(tmp_path):
    sheet = sheet_of(tmp_path, "group,pillar,relevance,usability\nG1,Power,5,3\nG1,Equity,4,4\nG2,Power,3,3\n")
    assert problems(sheet) == [(4, "group 'G2' has no row for pillar 'Equity': its average leaves the group out")]


def test_tidy_bad_cell_names_the_measure_column(tmp_path):
    sheet = sheet_of(tmp_path, "group,pillar,relevance,usability\nG1,Power,5,nine\n")
    assert problems(sheet) == [(2, "column D (usability): 'nine' is not a score: left out of the averages")]
    assert values(sheet) == {(GENERAL, "G1", "Power", "relevance"): 5.0}


# --- wide: one row per group, one column per pillar ---------------------------------------------------------

def test_wide_cells_hold_relevance_usability_pairs(tmp_path):
    sheet = sheet_of(tmp_path, ',Power,Equity\nG1,"5,4","4,2"\nG2,"3,1","2,5"\n')
    assert (sheet.shape, sheet.pillars) == ("wide", ["Power", "Equity"])
    assert values(sheet)[(GENERAL, "G2", "Equity", "usability")] == 5.0
    assert [(s.row, s.column) for s in sheet.scores if s.group == "G2" and s.pillar == "Equity"] == [(3, "C")] * 2


def test_wide_full_width_comma_separates_a_pair(tmp_path):
    sheet = sheet_of(tmp_path, ',Power\nG1,"5，1"\n')
    assert values(sheet) == {(GENERAL, "G1", "Power", "relevance"): 5.0, (GENERAL, "G1", "Power", "usability"): 1.0}


def test_wide_measure_prefixed_labels_give_one_measure_per_row(tmp_path):
    sheet = sheet_of(tmp_path, ",Power,Access\nRelevance-G1,5,4\nUsability-G1,2,3\nRelevance-Avg,5,4\n")
    assert values(sheet) == {(GENERAL, "G1", "Power", "relevance"): 5.0, (GENERAL, "G1", "Access", "relevance"): 4.0,
                             (GENERAL, "G1", "Power", "usability"): 2.0, (GENERAL, "G1", "Access", "usability"): 3.0}
    assert [(t.measure, t.pillar, t.value, t.label) for t in sheet.typed] == [
        ("relevance", "Power", 5.0, "Relevance-Avg"), ("relevance", "Access", 4.0, "Relevance-Avg")]


def test_wide_measure_column_in_chinese(tmp_path):
    sheet = sheet_of(tmp_path, "group,measure,Power\nG1,相关性,5\nG1,可用性,2\n")
    assert values(sheet) == {(GENERAL, "G1", "Power", "relevance"): 5.0, (GENERAL, "G1", "Power", "usability"): 2.0}


def test_wide_unknown_measure_leaves_the_row_out(tmp_path):
    sheet = sheet_of(tmp_path, "group,measure,Power\nG1,relevance,5\nG1,beauty,2\n")
    assert problems(sheet) == [(3, "column B (measure): measure 'beauty' is not relevance or usability: "
                                   "row left out")]
    assert len(sheet.scores) == 1


def test_wide_case_rows_close_blocks_of_groups(tmp_path):
    sheet = sheet_of(tmp_path, ',Power\nG1,"5,4"\nG2,"3,2"\nCase 1,"4,3"\nG1,"1,1"\nCase 2,"1,1"\nOverall,"2.5,2"\n')
    assert sheet.cases == ["Case 1", "Case 2"]
    assert values(sheet)[("Case 1", "G2", "Power", "relevance")] == 3.0
    assert values(sheet)[("Case 2", "G1", "Power", "relevance")] == 1.0          # G1 again: a new block
    assert {(t.case, t.label) for t in sheet.typed} == {("Case 1", "Case 1"), ("Case 2", "Case 2"),
                                                       (OVERALL, "Overall")}
    assert sheet.problems == []


def test_wide_groups_after_the_last_case_row_are_left_out(tmp_path):
    sheet = sheet_of(tmp_path, ',Power\nG1,"5,4"\nCase 1,"5,4"\nG1,"1,1"\nG2,"2,2"\n')
    assert {s.case for s in sheet.scores} == {"Case 1"}
    assert problems(sheet) == [(4, "group rows 4–5 come after the last case row (row 3) and no case row closes "
                                   "them: left out")]


def test_wide_second_row_for_a_group_is_left_out(tmp_path):
    sheet = sheet_of(tmp_path, ',Power\nG1,"5,4"\nG1,"1,1"\n')
    assert values(sheet)[(GENERAL, "G1", "Power", "relevance")] == 5.0
    assert problems(sheet) == [(3, "a second row for group 'G1' (first on row 2): left out")]


def test_wide_row_without_a_label_is_left_out(tmp_path):
    sheet = sheet_of(tmp_path, ',Power\nG1,"5,4"\n,"1,1"\n')
    assert problems(sheet) == [(3, "the row has no group label: left out")]


@pytest.mark.parametrize("cell, problem", [
    ('"5,6"', "column B (Power): '6' is outside 1–5: left out of the averages"),
    ('"0,3"', "column B (Power): '0' is outside 1–5: left out of the averages"),
    ('"a,3"', "column B (Power): 'a' is not a score: left out of the averages"),
    ('"5"', "column B (Power): '5' is not a relevance,usability pair: left out"),
    ('"5,4,3"', "column B (Power): '5,4,3' is not a relevance,usability pair: left out"),
    ("", "column B (Power): no score: left out of the averages"),
])
def test_wide_bad_cell_is_a_problem_naming_row_and_column(tmp_path, cell, problem):
    sheet = sheet_of(tmp_path, f',Power,Equity\nG1,"4,4","4,4"\nG2,{cell},"3,3"\n')
    assert problems(sheet) == [(3, problem)]
    assert sheet.problems[0].file.endswith("s.csv") and sheet.problems[0].kind == "problem"
    assert values(sheet)[(GENERAL, "G2", "Equity", "relevance")] == 3.0         # the row's other cells are kept


def test_wide_half_good_pair_keeps_the_good_score(tmp_path):
    sheet = sheet_of(tmp_path, ',Power\nG1,"5,9"\n')
    assert values(sheet) == {(GENERAL, "G1", "Power", "relevance"): 5.0}


def test_wide_two_scores_in_a_measure_row_are_refused(tmp_path):
    sheet = sheet_of(tmp_path, ',Power\nRelevance-G1,"5,4"\n')
    assert problems(sheet) == [(2, "column B (Power): '5,4' holds two scores in a relevance row: left out")]
    assert sheet.scores == []


def test_xlsx_sheet_is_chosen_by_name_and_problems_name_it(tmp_path):
    book = Workbook()
    book.active.title = "Intro"
    scores = book.create_sheet("Task 3")
    for row in [["group", "measure", "Power", "Equity"], ["G1", "relevance", 5, 4.0], ["G1", "usability", 3, "x"]]:
        scores.append(row)
    book.save(tmp_path / "w.xlsx")
    sheet = read_scores(tmp_path / "w.xlsx", "Task 3")
    assert sheet.sheet == "Task 3"
    assert values(sheet)[(GENERAL, "G1", "Equity", "relevance")] == 4.0          # a float 4.0 cell reads as 4
    assert problems(sheet) == [(3, "sheet Task 3, column D (Equity): 'x' is not a score: left out of the averages")]


def test_empty_sheet_is_refused(tmp_path):
    with pytest.raises(ScoresError, match="the sheet is empty"):
        sheet_of(tmp_path, ",,\n\n")


def test_header_without_pillars_is_refused(tmp_path):
    with pytest.raises(ScoresError, match="no pillar columns in the header row"):
        sheet_of(tmp_path, "group,measure\nG1,relevance\n")
