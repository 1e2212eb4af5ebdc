"""The Transcripts sheet: lines numbered as the desk numbers them, read back from a real saved workbook."""

from openpyxl import Workbook, load_workbook

from pipeline.coding.code_file import LineIndex
from pipeline.write.numbered import PIECE, TranscriptsSheet, numbered_lines
from pipeline.write.streamed import save_workbook


def test_lines_are_numbered_as_the_desk_numbers_offsets_and_empty_lines_are_left_out():
    text = "Q: privacy?\r\n\r\nA: yes, privacy.\r\n"
    lines = list(numbered_lines(text))
    assert lines == [(None, 1, "Q: privacy?"), (None, 3, "A: yes, privacy.")]
    assert LineIndex(text).line_of(text.index("yes")) == 3


def test_a_file_with_only_carriage_returns_is_numbered_by_them():
    assert [n for _, n, _ in numbered_lines("one\rtwo\rthree")] == [1, 2, 3]


def test_pdf_lines_carry_their_page_and_run_on_through_the_file():
    text = "p1 a\np1 b\np2 a"
    assert list(numbered_lines(text, (0, 10))) == [(1, 1, "p1 a"), (1, 2, "p1 b"), (2, 3, "p2 a")]


def test_a_line_longer_than_a_cell_continues_under_the_same_number():
    rows = list(numbered_lines("x" * (PIECE + 5) + "\nend"))
    assert [(n, len(t)) for _, n, t in rows] == [(1, PIECE), (1, 5), (2, 3)]


def saved(tmp_path, fill, max_rows=1_048_576):
    workbook = Workbook(write_only=True)
    desk = workbook.create_sheet("Assignments")
    sheet = TranscriptsSheet(workbook, max_rows)
    fill(sheet)
    desk.append(["desk"])
    workbook.create_sheet("Suggested")
    counts = sheet.finish()
    workbook.create_sheet("By group")
    save_workbook(workbook, tmp_path / "t.xlsx")         # the streamed rows spliced into the saved sheets
    return load_workbook(tmp_path / "t.xlsx"), counts


def test_sheet_is_placed_after_the_desk_and_text_stays_text(tmp_path):
    book, counts = saved(tmp_path, lambda s: s.add("a.txt", "=SUM(A1)\n@cmd\nAnna: fine"))
    assert book.sheetnames == ["Assignments", "Suggested", "Transcripts", "By group"]
    rows = [[c.value for c in row] for row in book["Transcripts"].iter_rows()]
    assert rows == [["source_file", "page", "line", "text"], ["a.txt", None, 1, "=SUM(A1)"], ["a.txt", None, 2, "@cmd"],
                    ["a.txt", None, 3, "Anna: fine"]]
    assert book["Transcripts"]["D2"].data_type == "s"       # a line starting with = is text, never a formula
    assert counts == [("Transcripts", 3)]


def test_sheet_continues_past_the_row_limit(tmp_path):
    book, counts = saved(tmp_path, lambda s: s.add("a.txt", "1\n2\n3\n4\n5"), max_rows=3)
    assert counts == [("Transcripts", 2), ("Transcripts (2)", 2), ("Transcripts (3)", 1)]
    assert book.sheetnames == ["Assignments", "Suggested", "Transcripts", "Transcripts (2)", "Transcripts (3)",
                              "By group"]
    assert [c.value for c in book["Transcripts (3)"][2]] == ["a.txt", None, 5, "5"]
