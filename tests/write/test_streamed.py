"""Sheets whose rows write.streamed writes read back exactly as openpyxl's own cell-by-cell writing reads back."""

import math
import zipfile

import pytest
from conftest import DEFAULT_CODEBOOK, SAMPLE
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from pipeline.coding.corpus import CodingOptions, code_files, coding_settings, load_inputs
from pipeline.coding.match import Matcher
from pipeline.runfolder.tally import Mention, tally
from pipeline.runfolder.workbook import Desk, write_workbook
from pipeline.write.excel import SheetWriter
from pipeline.write.numbered import TranscriptsSheet
from pipeline.write.streamed import discard_streams, escaped, save_workbook

RED = InlineFont(rFont="Calibri", b=True, color="FFC00000")
COLUMNS = ["text", "note", "number", "share", "plain"]
ROWS = [
    ["plain", "a note", 1, 0.25, "x"],
    ["  spaces at both ends  ", "   ", 0, 1.0, ""],
    ["=1+1", "#N/A", -3, math.nan, "=SUM(A1)"],
    ["a & b < c > d \"q\" 'q'", "tab\there", 10**14, 1e-9, "#REF!"],
    ["line one\r\nline two\rthree\nfour", None, None, None, None],
    ["中文：数据正义，公平與隱私。😀", "ｆｕｌｌ　ｗｉｄｔｈ", True, False, "\x01control\x1f"],
    [CellRichText(["before ", TextBlock(RED, "match"), " after"]), "x" * 300, 7, 2.5, "y"],
    [CellRichText([TextBlock(RED, " edge "), "  "]), "\ufffe odd \uffff", 3, -0.0, "z"],
    ["w" * 40_000, "", 5, math.inf, "\t"],
]


def write(path, streamed: bool):
    workbook = Workbook(write_only=True)
    writer = SheetWriter(workbook, "Data", COLUMNS, wrap={"text", "note"}, formats={"share": "0%"},
                         streamed=streamed)
    for row in ROWS:
        writer.append(list(row))
    writer.finish()
    writer.sheet.freeze_panes = "B2"
    other = SheetWriter(workbook, "Other", ["a"])            # a sheet openpyxl writes, beside the streamed one
    other.append(["kept"])
    other.finish()
    save_workbook(workbook, path)
    return load_workbook(path, rich_text=True)


def described(cell):
    return (type(cell.value).__name__, cell.value, repr(cell.font), repr(cell.alignment), cell.number_format,
            repr(cell.fill))


def same_workbooks(a, b) -> None:
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        x, y = a[name], b[name]
        assert (x.max_row, x.max_column) == (y.max_row, y.max_column), name
        for row_x, row_y in zip(x.iter_rows(), y.iter_rows(), strict=True):
            assert [described(c) for c in row_x] == [described(c) for c in row_y], name
        heights = [{k: d.height for k, d in s.row_dimensions.items() if d.height} for s in (x, y)]
        assert heights[0] == heights[1], name
        assert [(v.sqref, v.formula1) for v in x.data_validations.dataValidation] == \
            [(v.sqref, v.formula1) for v in y.data_validations.dataValidation]
        assert (x.auto_filter.ref, x.print_area, x.freeze_panes, x.print_title_rows, x.page_setup.orientation,
                x.sheet_state) == (y.auto_filter.ref, y.print_area, y.freeze_panes, y.print_title_rows,
                                   y.page_setup.orientation, y.sheet_state), name


def test_streamed_rows_read_back_as_openpyxls_own(tmp_path):
    old = write(tmp_path / "old.xlsx", streamed=False)
    new = write(tmp_path / "new.xlsx", streamed=True)
    same_workbooks(old, new)
    data = new["Data"]
    assert data["A2"].value == "plain" and data["A4"].value == "=1+1" and data["A4"].data_type == "s"
    assert data["A6"].value == "line one\r\nline two\rthree\nfour"
    assert data["A8"].value == CellRichText(["before ", TextBlock(RED, "match"), " after"])
    assert data["B3"].value == "   " and data["A3"].value == "  spaces at both ends  "
    assert len(data["A10"].value) == 32_767 and data["D3"].number_format == "0%"


def test_streamed_sheet_is_utf8_not_character_references(tmp_path):
    write(tmp_path / "new.xlsx", streamed=True)
    with zipfile.ZipFile(tmp_path / "new.xlsx") as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "数据正义" in xml and xml.count("</sheetData>") == 1
    assert "&amp;" in xml and "&#13;" in xml


def test_escaped_keeps_carriage_returns_and_drops_what_xml_cannot_hold():
    assert escaped("a&b<c>d\r\n") == "a&amp;b&lt;c&gt;d&#13;\n"
    assert escaped("\ud800x\ufffe") == "\ufffdx\ufffd"


def test_a_workbook_with_no_streamed_sheet_is_saved_as_openpyxl_saves_it(tmp_path):
    workbook = Workbook(write_only=True)
    writer = SheetWriter(workbook, "Only", ["a"])
    writer.append(["x"])
    save_workbook(workbook, tmp_path / "plain.xlsx")
    assert load_workbook(tmp_path / "plain.xlsx")["Only"]["A2"].value == "x"


def abandon(workbook) -> None:
    """A workbook never saved: its openpyxl sheets closed (as Desk.discard does), its streams discarded."""
    for sheet in workbook.worksheets:
        sheet.close()
    discard_streams(workbook)


def test_discarded_streams_are_closed():
    workbook = Workbook(write_only=True)
    writer = SheetWriter(workbook, "Data", ["a"], streamed=True)
    writer.append(["x"])
    abandon(workbook)
    assert writer.stream.file.closed


def test_a_streamed_sheet_refuses_a_value_it_cannot_write():
    workbook = Workbook(write_only=True)
    writer = SheetWriter(workbook, "Data", ["a"], streamed=True)
    with pytest.raises(TypeError):
        writer.append([object()])
    abandon(workbook)


def coded_sample():
    options = CodingOptions(transcripts=SAMPLE, codebook=DEFAULT_CODEBOOK)
    codebook, roster, jobs, _ = load_inputs(options)
    settings = coding_settings(options, keep_units=False)
    return codebook, roster, list(code_files(jobs, settings, Matcher(codebook), codebook))


def run_workbook(path, streamed: bool, coded, max_rows: int):
    codebook, roster, results = coded
    desk = Desk(codebook.ids, max_rows=max_rows, streamed=streamed)
    transcripts = TranscriptsSheet(desk.workbook, max_rows=max_rows, streamed=streamed)
    mentions = []
    for result in results:
        transcripts.add(result.source_file, result.text, result.pages)
        desk.add(result.assignments)
        mentions += [Mention(a.interviewee_id, a.code, a.term, a.speaker_role) for a in result.assignments]
    words = {r.interviewee_id: r.respondent_words for r in results}
    tallies = tally(mentions, roster, codebook, words, [], False)
    manifest = {"format_version": 1, "coding": "machine", "created": "2024-01-01T00:00:00+00:00",
                "qcode_version": "0", "options": {"unit": "sentence"}, "codebook": {"name": codebook.name}}
    sheets = write_workbook(path, tallies, desk, manifest, transcripts=transcripts)
    return sheets, load_workbook(path, rich_text=True)


@pytest.mark.parametrize("max_rows", [1_048_576, 40])
def test_the_run_workbook_of_the_sample_is_the_same_streamed_or_cell_by_cell(tmp_path, max_rows):
    coded = coded_sample()
    assert sum(len(r.assignments) for r in coded[2]) > 10
    old_sheets, old = run_workbook(tmp_path / "old.xlsx", False, coded, max_rows)
    new_sheets, new = run_workbook(tmp_path / "new.xlsx", True, coded, max_rows)
    assert old_sheets == new_sheets
    if max_rows == 40:
        assert "Assignments (2)" in new.sheetnames and "Transcripts (2)" in new.sheetnames
    same_workbooks(old, new)


TRANSCRIPT_FILES = [
    ("a & <b>.txt", "Interviewer: plain\n\n  Ana: spaces kept  \n=SUM(A1) is text\n" + "長" * 60 + "\n" + "x" * 70,
     ()),
    (" lead.pdf", "page one\x01control\nsecond page \ufffe\n" + "w" * 31_000 + "\r\n中文：数据正义", (0, 9)),
    ("", "a file without a name\rline two", ()),
]


def transcripts_workbook(path, streamed: bool):
    workbook = Workbook(write_only=True)
    sheet = TranscriptsSheet(workbook, streamed=streamed)
    for name, text, pages in TRANSCRIPT_FILES:
        sheet.add(name, text, pages)
    sheet.finish()
    save_workbook(workbook, path)
    return load_workbook(path, rich_text=True)


def test_the_transcripts_sheets_own_rows_read_back_as_openpyxls(tmp_path):
    """TranscriptsSheet writes its streamed rows itself (no per-cell dispatch): the same cells, styles and heights
    as openpyxl writes cell by cell, for names and lines XML, Excel and the wrap measure find hard."""
    old = transcripts_workbook(tmp_path / "old.xlsx", streamed=False)
    new = transcripts_workbook(tmp_path / "new.xlsx", streamed=True)
    same_workbooks(old, new)
    rows = list(new["Transcripts"].iter_rows(values_only=True))
    assert rows[1] == ("a & <b>.txt", None, 1, "Interviewer: plain")
    assert rows[4][3] == "長" * 60 and new["Transcripts"].row_dimensions[5].height == 32.0      # two lines
    assert [r[:3] for r in rows[6:10]] == [(" lead.pdf", 1, 1), (" lead.pdf", 2, 2), (" lead.pdf", 2, 3),
                                           (" lead.pdf", 2, 3)]     # the page; a long line goes on, same number
    assert rows[-1][0] is None and rows[-1][3] == "line two"
