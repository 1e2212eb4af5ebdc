"""Sheets written row by row: styled frozen header, text that stays text, Excel's limits, numbers as numbers."""

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from pipeline.write.excel import MAX_CELL, SheetWriter, clean, plain, write_frame


def saved(tmp_path, fill):
    """A write-only workbook filled by `fill(workbook)`, saved and opened again."""
    workbook = Workbook(write_only=True)
    fill(workbook)
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    return load_workbook(path)


def test_header_is_bold_filled_frozen_and_filterable(tmp_path):
    frame = pd.DataFrame({"code": ["equity", "privacy"], "mentions": [3, 1]})
    sheet = saved(tmp_path, lambda wb: write_frame(wb, "Counts", frame))["Counts"]
    header = [sheet.cell(1, c) for c in (1, 2)]
    assert [c.value for c in header] == ["code", "mentions"]
    assert all(c.font.b for c in header)
    assert {c.fill.fgColor.rgb for c in header} == {"FFDDEBF7"}
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:B3"
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [["equity", 3], ["privacy", 1]]


@pytest.mark.parametrize("text", ["=SUM(A1:A2)", "+1", "-2", "@x", "#N/A", "=HYPERLINK(\"http://x\")"])
def test_text_that_looks_like_a_formula_stays_a_string(tmp_path, text):
    frame = pd.DataFrame({"id": ["a"], "text": [text]})
    cell = saved(tmp_path, lambda wb: write_frame(wb, "T", frame))["T"].cell(2, 2)
    assert cell.data_type == "s"
    assert cell.value == text


def test_formula_like_text_in_a_wrapped_column_stays_a_string(tmp_path):
    frame = pd.DataFrame({"definition": ["=1+1"]})
    cell = saved(tmp_path, lambda wb: write_frame(wb, "T", frame))["T"].cell(2, 1)
    assert (cell.data_type, cell.value) == ("s", "=1+1")
    assert cell.alignment.wrap_text


def test_control_characters_are_replaced_and_line_breaks_kept():
    assert clean("a\x01b\x0bc\x1f") == "a\ufffdb\ufffdc\ufffd"
    assert clean("line\nnext\ttab\r") == "line\nnext\ttab\r"


def test_control_characters_do_not_break_the_saved_workbook(tmp_path):
    frame = pd.DataFrame({"text": ["bell\x07 here"]})
    cell = saved(tmp_path, lambda wb: write_frame(wb, "T", frame))["T"].cell(2, 1)
    assert cell.value == "bell\ufffd here"


def test_over_long_text_is_cut_to_excels_cell_limit_with_an_ellipsis():
    cut = clean("x" * 40_000)
    assert len(cut) == MAX_CELL == 32_767
    assert cut.endswith("x…")


def test_text_at_the_cell_limit_is_kept_whole():
    text = "y" * MAX_CELL
    assert clean(text) == text


def test_over_long_text_reads_back_at_the_cell_limit(tmp_path):
    frame = pd.DataFrame({"text": ["z" * 50_000]})
    value = saved(tmp_path, lambda wb: write_frame(wb, "T", frame))["T"].cell(2, 1).value
    assert len(value) == MAX_CELL and value.endswith("…")


def test_numpy_scalars_are_written_as_numbers(tmp_path):
    frame = pd.DataFrame({"n": pd.Series([np.int64(7), np.float64(2.5), np.bool_(True)], dtype=object)})
    sheet = saved(tmp_path, lambda wb: write_frame(wb, "T", frame))["T"]
    cells = [sheet.cell(r, 1) for r in (2, 3, 4)]
    assert [c.value for c in cells] == [7, 2.5, True]
    assert [c.data_type for c in cells] == ["n", "n", "b"]


def test_plain_turns_a_numpy_scalar_into_the_python_value():
    assert type(plain(np.int64(3))) is int
    assert type(plain(np.float32(0.5))) is float
    assert plain("text") == "text" and plain(None) is None


def test_missing_values_are_empty_cells(tmp_path):
    frame = pd.DataFrame({"id": ["a", "b"], "x": [1.5, np.nan]})
    sheet = saved(tmp_path, lambda wb: write_frame(wb, "T", frame))["T"]
    assert sheet.cell(3, 2).value is None


def test_index_becomes_the_first_column(tmp_path):
    frame = pd.DataFrame({"equity": [3]}, index=pd.Index(["privacy"], name="code"))
    sheet = saved(tmp_path, lambda wb: write_frame(wb, "T", frame, index=True))["T"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["code", "equity"], ["privacy", 3]]


def test_position_puts_the_sheet_before_the_others(tmp_path):
    frame = pd.DataFrame({"a": [1]})

    def fill(workbook):
        write_frame(workbook, "Second", frame)
        write_frame(workbook, "First", frame, position=0)

    assert saved(tmp_path, fill).sheetnames == ["First", "Second"]


def test_color_columns_get_a_color_scale_over_their_rows(tmp_path):
    frame = pd.DataFrame({"id": ["a", "b"], "equity": [1, 2], "privacy": [0, 3]})
    sheet = saved(tmp_path, lambda wb: write_frame(wb, "T", frame, color_columns=["equity", "privacy"]))["T"]
    (rule_range,) = [str(r.sqref) for r in sheet.conditional_formatting]
    assert rule_range == "B2:C3"


def test_sheet_writer_counts_rows_and_applies_number_formats(tmp_path):
    def fill(workbook):
        writer = SheetWriter(workbook, "S", ["id", "share"], formats={"share": "0.0%"})
        writer.append(["a", 0.25])
        writer.append(["b", None])
        writer.finish()
        assert writer.rows == 2

    sheet = saved(tmp_path, fill)["S"]
    assert sheet.cell(2, 2).number_format == "0.0%" and sheet.cell(2, 2).value == 0.25
    assert sheet.auto_filter.ref == "A1:B3"

