"""How much work a PDF from anyone may make qcode do: the bytes of page content pypdf parses for its text, weighed
before they are parsed (pdf_text in documents.py reads the text)."""

from __future__ import annotations

from pipeline.errors import TranscriptError

# Page content a PDF may make qcode parse, in bytes: pypdf reads content streams in Python (~1 MB a second), and a
# page may name one deflated stream many times, or draw one form thousands of times — a 14 KB file took four
# minutes. Real PDFs measured hold 0.05-4 bytes of page content per byte of file (5-33 KB a page), so a floor of
# 4 MB and 16 per byte leave room; a PDF beyond it is refused before its text is read.
PDF_CONTENT_FLOOR = 4_000_000
PDF_CONTENT_PER_BYTE = 16
MAX_PDF_OBJECTS = 10_000   # pictures and forms a PDF's pages name: a page has a few; more is a file made to be slow


class TooMuchWork(BaseException):
    """Raised from inside pypdf's text extraction: a BaseException, so pypdf's `except Exception` around a form's
    text does not swallow it and go on with the next form."""


class ContentBudget:
    """Bytes of content a PDF's text extraction parses: every page's streams (one stream named by many pages counts
    for each), weighed before any is parsed; each form or picture a page draws (`Do`) costs the largest form's
    bytes, charged before pypdf parses it."""

    def __init__(self, source_file: str, limit: int):
        self.source_file, self.limit, self.spent, self.form = source_file, limit, 0, 0

    def charge(self, size: int) -> None:
        self.spent += size
        if self.spent > self.limit:
            raise TooMuchWork

    def weigh(self, pages) -> None:
        seen: set[int] = set()
        for page in pages:
            contents = page.get("/Contents")
            contents = contents.get_object() if contents is not None else None
            for stream in (contents if isinstance(contents, list) else [contents]):
                stream = stream.get_object() if stream is not None else None
                if hasattr(stream, "get_data"):
                    self.charge(len(stream.get_data()))
            self.form = max(self.form, largest_form(page.get("/Resources"), seen, self.source_file))

    def visit(self, operator, operands, cm, tm) -> None:
        if operator == b"Do":
            self.charge(max(self.form, 1))


def largest_form(resources, seen: set[int], source_file: str) -> int:
    """The bytes of the largest form (a drawing with its own content) reachable from a page's resources, walked
    without recursion; forms already `seen` on an earlier page are not weighed again."""
    largest, stack = 0, [resources]
    while stack:
        held = stack.pop()
        held = held.get_object() if held is not None else None
        objects = held.get("/XObject") if hasattr(held, "get") else None
        objects = objects.get_object() if objects is not None else None
        for reference in (objects.values() if hasattr(objects, "values") else ()):
            drawn = reference.get_object()
            if id(drawn) in seen or not hasattr(drawn, "get"):
                continue
            seen.add(id(drawn))
            if len(seen) > MAX_PDF_OBJECTS:
                raise TranscriptError(source_file, f"names more than {MAX_PDF_OBJECTS:,} pictures and forms, more "
                                      "than a transcript holds", hint="print it to PDF again, or give the "
                                                                      "transcript as .docx or .txt")
            if drawn.get("/Subtype") == "/Form":
                largest = max(largest, len(drawn.get_data()))
                stack.append(drawn.get("/Resources"))
    return largest
