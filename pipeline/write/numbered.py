"""Coded transcripts → the Transcripts sheet: each file's lines numbered as the desk numbers them [writes disk].

A reviewer who finds a passage qcode missed reads its `source_file`, `page` (PDF) and `line` here, beside the desk,
in the workbook they were sent. The sheet is written row by row as files are coded (never held whole); a line is
the desk's line (a paragraph of a .docx or .odt, a printed line of a PDF), empty lines are left out, and a line
longer than a cell holds continues on the next row under the same number.
"""

from __future__ import annotations

from openpyxl import Workbook

from pipeline.read.documents import page_of
from pipeline.write.excel import MAX_ROWS, SheetWriter

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
        for page, line, piece in numbered_lines(text, tuple(pages)):
            if not self.writers or self.writers[-1].rows >= self.max_rows - 1:
                self._new_sheet()
            self.writers[-1].append([source_file, page, line, piece])

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
