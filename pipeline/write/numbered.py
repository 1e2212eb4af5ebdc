"""Coded transcripts → the Transcripts sheet: each file's lines numbered as the desk numbers them [writes disk].

A reviewer who finds a passage qcode missed reads its `source_file`, `page` (PDF) and `line` here, beside the desk,
in the workbook they were sent. The sheet is written row by row as files are coded (never held whole); a line is
the desk's line (a paragraph of a .docx or .odt, a printed line of a PDF), empty lines are left out, and a line
longer than a cell holds continues on the next row under the same number.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.compat.strings import safe_string

from pipeline.read.documents import page_of
from pipeline.write.excel import MAX_ROWS, SheetWriter, clean
from pipeline.write.page_setup import lines_needed, points_of
from pipeline.write.streamed import inline_text

TRANSCRIPTS_SHEET = "Transcripts"
COLUMNS = ["source_file", "page", "line", "text"]
WIDTHS_SHOWN = (24.0, 8.0, 8.0, 100.0)
PIECE = 30_000                  # characters of a line per cell (Excel holds 32,767)


def numbered_lines(text: str, pages: tuple[int, ...] = ()):
    """(page, line, text) for every non-empty line, numbered as `coding.code_file.LineIndex` numbers offsets: by
    "\\n", or by "\\r" in a file with no "\\n"; a line ending "\\r\\n" is shown without its "\\r"."""
    newline = "\n" if "\n" in text or "\r" not in text else "\r"
    start = 0
    for number, line in enumerate(text.split(newline), start=1):
        shown = line.rstrip("\r") if newline == "\n" else line
        if shown.strip():
            page = page_of(pages, start)
            for cut in range(0, len(shown), PIECE):
                yield page, number, shown[cut:cut + PIECE]
        start += len(line) + 1


class TranscriptsSheet:
    """The Transcripts sheet of a run workbook (write-only), filled file by file; `Transcripts (2)` … past
    Excel's row limit."""

    def __init__(self, workbook: Workbook, max_rows: int = MAX_ROWS, streamed: bool = True):
        self.workbook = workbook
        self.max_rows = max_rows
        self.streamed = streamed            # rows written by write.streamed (False: cell by cell by openpyxl)
        self.writers: list[SheetWriter] = []

    def add(self, source_file: str, text: str, pages: tuple[int, ...] = ()) -> None:
        rows = None
        for page, line, piece in numbered_lines(text, tuple(pages)):
            if not self.writers or self.writers[-1].rows >= self.max_rows - 1:
                self._new_sheet()
                rows = None
            writer = self.writers[-1]
            if writer.stream is None:
                writer.append([source_file, page, line, piece])
                continue
            if rows is None:
                rows = _Rows(writer, source_file)
            rows.write(page, line, piece)


    def _new_sheet(self) -> None:
        title = TRANSCRIPTS_SHEET if not self.writers else f"{TRANSCRIPTS_SHEET} ({len(self.writers) + 1})"
        writer = SheetWriter(self.workbook, title, COLUMNS, wrap={"text"}, streamed=self.streamed,
                             widths=list(WIDTHS_SHOWN))         # the heights of wrapped rows follow these widths
        writer.sheet.freeze_panes = "D2"
        self.writers.append(writer)

    def finish(self) -> list[tuple[str, int]]:
        """Close the sheets and move them after the last sheet written so far (the desk, which begins once a file
        is coded); their titles and row counts."""
        if not self.writers:
            self._new_sheet()
        for writer in self.writers:
            writer.finish()
        mine = {w.sheet.title for w in self.writers}
        others = [n for n in self.workbook.sheetnames if n not in mine]
        if others:
            anchor = others[-1]
            for writer in self.writers:
                names = self.workbook.sheetnames
                title = writer.sheet.title
                wanted = [n for n in names if n != title].index(anchor) + 1     # its place once taken out
                self.workbook.move_sheet(title, wanted - names.index(title))
                anchor = title
        return [(w.sheet.title, w.rows) for w in self.writers]


class _Rows:
    """A file's rows of a streamed Transcripts sheet, written as `SheetWriter.append` writes them (the same XML,
    tests/write/test_streamed.py) without its per-cell dispatch: the file's name is cleaned and escaped once,
    and only the text column wraps."""

    def __init__(self, writer: SheetWriter, source_file: str):
        self.writer = writer
        self.file = writer.stream.file
        self.width = writer.widths[COLUMNS.index("text")]
        name = clean(source_file)
        self.name = inline_text(name) if name else ""
        self.styles = [[f' s="{style}"' if style else "" for style in styles] for styles in writer.style_ids]

    def write(self, page: int | None, line: int, piece: str) -> None:
        writer = self.writer
        row = writer.rows + 2
        lines = lines_needed(piece, self.width)         # of the text as given, as SheetWriter.append measures it
        piece = clean(piece)
        tall = lines > 1
        s_file, s_page, s_line, s_text = self.styles[tall]
        head = (f'<row r="{row}" ht="{safe_string(points_of(lines))}" customHeight="1">' if tall
                else f'<row r="{row}">')
        name = f'<c r="A{row}"{s_file} t="inlineStr"><is>{self.name}</is></c>' if self.name \
            else f'<c r="A{row}"{s_file} t="inlineStr"></c>'
        if page is not None:
            page_cell = f'<c r="B{row}"{s_page} t="n"><v>{page}</v></c>'
        else:
            page_cell = f'<c r="B{row}"{s_page} t="n"></c>' if s_page else ""
        text = f'<c r="D{row}"{s_text} t="inlineStr"><is>{inline_text(piece)}</is></c>' if piece \
            else f'<c r="D{row}"{s_text} t="inlineStr"></c>'
        self.file.write(f'{head}{name}{page_cell}<c r="C{row}"{s_line} t="n"><v>{line}</v></c>{text}</row>'
                        .encode())          # a page or line number is written as safe_string writes an int
        writer.rows += 1
