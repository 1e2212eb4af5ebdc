"""Text from a stranger's file never becomes a formula: not in a workbook cell (body, header, chart), not in a
CSV cell a spreadsheet opens (the OWASP `'` prefix), and qcode reads its own CSVs back as the text was."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest
from conftest import qcode, write
from openpyxl import load_workbook

from pipeline.runfolder.load import load_run
from pipeline.runfolder.texts import read_assignments
from pipeline.write.excel import write_frame
from pipeline.write.folder import from_csv_cell, read_csv_table, to_csv_cell, write_csv

GROUP = '=HYPERLINK("http://evil","x")'          # the roster's stakeholder group (split at the comma: two groups)
PERSON = "+1+1"
EVIL_FILE = "@evil.txt"
CMD = "=cmd|' /C calc'!A0"
ROSTER = ('interviewee_id,file,stakeholder_groups,@region\n'
          f'{PERSON},{EVIL_FILE},"{GROUP.replace(chr(34), 2 * chr(34))}",-North\n'
          'b2,b.txt,Developer,South\n')
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?(e-?\d+)?")


@pytest.fixture
def hostile_run(tmp_path):
    """A run of the shipped codebook (its own term `=DEI`) over a roster, file names and lines made to be
    formulas."""
    folder = tmp_path / "hostile"
    write(folder, EVIL_FILE, f"Anna: Privacy matters and DEI matters.\n{CMD} privacy and DEI\n")
    write(folder, "b.txt", "Bo: Equity and fairness\x1b[31m, also DEI.\n")
    write(folder, "roster.csv", ROSTER)
    out = tmp_path / "run"
    result = qcode("run", folder, "--out", out, "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    return out


def formula_cells(path) -> list[str]:
    """Every cell of every sheet that a spreadsheet would compute (data type f), as sheet!cell."""
    book = load_workbook(path)
    return [f"{sheet.title}!{cell.coordinate}" for sheet in book.worksheets for row in sheet.iter_rows()
            for cell in row if cell.data_type == "f"]


def csv_cells(folder) -> dict[str, list[list[str]]]:
    """Every CSV file of a folder as the csv module reads it (header row included)."""
    tables = {}
    for path in sorted(folder.glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            tables[path.name] = list(csv.reader(handle))
    return tables


def unprefixed(tables: dict[str, list[list[str]]]) -> list[str]:
    """Cells that start like a formula without the `'` (a plain number such as -1.72 is a number, not text)."""
    return [f"{name}: {cell!r}" for name, rows in tables.items() for row in rows for cell in row
            if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell)]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2", "@x", "\tx", "\rx", "'=1", "''@x", "plain", "'quoted",
                                  "a=b", "", "-", "公平"])
def test_a_csv_cell_comes_back_as_written(text):
    cell = to_csv_cell(text)
    assert not cell.startswith(FORMULA_START)
    assert cell == (("'" + text) if re.match(r"'*[=+\-@\t\r]", text) else text)
    assert from_csv_cell(cell) == text


def test_csv_cells_lose_control_characters_but_numbers_stay_numbers(tmp_path):
    frame = pd.DataFrame({"=name": ["a\x00b\x1bc\td\ne", "-x", None], "log_ratio": [-1.5, 0.25, -3.0],
                          "count": [-2, 0, 1]})
    write_csv(tmp_path / "t.csv", frame)
    text = (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    assert text == ("'=name,log_ratio,count\n"
                    '"a\ufffdb\ufffdc\td\ne",-1.5,-2\n'
                    "'-x,0.25,0\n"
                    ",-3.0,1\n")
    back = read_csv_table(tmp_path / "t.csv")
    assert list(back.columns) == ["=name", "log_ratio", "count"] and back["=name"].tolist()[1] == "-x"


def test_a_header_cell_is_text_whatever_it_says(tmp_path):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    write_frame(book, "T", pd.DataFrame({"=1+1": [1], "#N/A": [2], "@x": [3], "bad\x01name": [4]}))
    book.save(tmp_path / "t.xlsx")
    header = list(load_workbook(tmp_path / "t.xlsx")["T"].iter_rows(max_row=1))[0]
    assert [(c.data_type, c.value) for c in header] == [("s", "=1+1"), ("s", "#N/A"), ("s", "@x"),
                                                         ("s", "bad\ufffdname")]


def test_no_sheet_of_the_run_workbook_holds_a_formula(hostile_run):
    book = load_workbook(hostile_run / "codebook.xlsx")
    assert "Chart" in book.sheetnames
    assert formula_cells(hostile_run / "codebook.xlsx") == []
    chart_header = [c.value for c in book["Chart"][1]]
    assert '=HYPERLINK("http://evil" (n=1)' in chart_header       # the group's name (and size), shown as text
    desk = book["Assignments"]
    texts = {c.value for row in desk.iter_rows(min_row=2) for c in row}
    assert {PERSON, EVIL_FILE, "=DEI"} <= texts


def test_every_csv_cell_that_looks_like_a_formula_is_prefixed(hostile_run):
    tables = csv_cells(hostile_run)
    assert unprefixed(tables) == []
    cells = {cell for rows in tables.values() for row in rows for cell in row}
    assert {"'" + PERSON, "'" + EVIL_FILE, "'@region", "'-North", f"'{CMD} privacy and DEI"} <= cells
    assert any(cell.startswith("'=HYPERLINK(") for cell in cells)
    assert ["inclusiveness", "'=DEI"] in [row[:2] for row in tables["by_term.csv"]]    # the shipped term
    raw = "".join((hostile_run / name).read_text(encoding="utf-8-sig") for name in tables)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", raw) and "\ufffd[31m" in raw    # ESC never in a CSV


def test_qcode_reads_its_own_csvs_back_as_the_text_was(hostile_run):
    tables = load_run(hostile_run)
    assert "@region" in tables.roster.columns
    person = tables.roster.set_index("interviewee_id").loc[PERSON]
    assert person["file"] == EVIL_FILE and person["@region"] == "-North"
    assert person["stakeholder_groups"].startswith('=HYPERLINK("http://evil"')
    assert PERSON in set(tables.counts["interviewee_id"])
    assignments = read_assignments(tables)
    mine = assignments[assignments["interviewee_id"] == PERSON]
    assert set(mine["source_file"]) == {EVIL_FILE}
    assert any(text.startswith(CMD) for text in [*mine["segment_text"], *mine["context_after"]])
    assert "=DEI" in set(tables.table("by_term")["term"])


def test_a_hostile_run_exports_with_its_spans_intact(hostile_run, tmp_path):
    result = qcode("export-project", hostile_run, "-o", tmp_path / "p.qdpx")     # every span checked again
    assert result.exit_code == 0, result.output


def test_compare_writes_no_formula_and_keeps_negative_numbers(hostile_run, tmp_path):
    for by in ("@region", "stakeholder_group"):
        out = tmp_path / f"cmp-{by}"
        result = qcode("compare", hostile_run, "--by", by, "--out", out)
        assert result.exit_code == 0, result.output
        assert formula_cells(out / "compare.xlsx") == []
        tables = csv_cells(out)
        assert unprefixed(tables) == []
    assert any(row[0].startswith("'=HYPERLINK(") for row in tables["compare.csv"][1:])
    regions = csv_cells(tmp_path / "cmp-@region")["compare.csv"]
    assert {row[0] for row in regions[1:]} == {"'-North", "South"}
    log_ratio = regions[0].index("log_ratio")                  # a negative number is written as a number
    assert any(NUMBER.fullmatch(row[log_ratio]) and float(row[log_ratio]) < 0 for row in regions[1:])


def test_scores_write_no_formula_for_a_pillar_named_like_one(tmp_path):
    sheet = write(tmp_path, "scores.csv", ',=1+1,Equity,@x\nG1,"5,4","4,2","3,3"\n-G2,"4,4","2,2","5,1"\n')
    out = tmp_path / "s"
    result = qcode("scores", sheet, "--out", out)
    assert result.exit_code == 0, result.output
    assert formula_cells(out / "scores.xlsx") == []
    table = load_workbook(out / "scores.xlsx")["Table"]
    assert [c.value for c in table[1]][2:] == ["=1+1", "Equity", "@x"]
    tables = csv_cells(out)
    assert unprefixed(tables) == []
    assert tables["scores_table.csv"][0][2:] == ["'=1+1", "Equity", "'@x"]
