"""Word-processor and print files (.pdf .odt .rtf) from anyone → plain text, one line per paragraph or printed line.

What comes out is the text qcode codes and numbers: offsets and line numbers of these files count in it (as they
count in a .docx's paragraphs), never in the file's bytes. A PDF keeps one line number through the file and says
where each page starts, so a reviewer sees page and line. Each reader refuses what it cannot read — a damaged or
password-protected PDF, a scan with no text, a zip bomb dressed as .odt — with a TranscriptError naming the file.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import warnings
from bisect import bisect_right
from dataclasses import dataclass

from pipeline.errors import TranscriptError
from pipeline.read.archives import MAX_DOCX_UNPACKED, open_archive
from pipeline.read.pdf_limits import PDF_CONTENT_FLOOR, PDF_CONTENT_PER_BYTE, ContentBudget, TooMuchWork

# A transcript of 500 pages is a very long interview; 5,000 is a book, or a file made to keep qcode busy.
MAX_PDF_PAGES = 5_000
# Text taken out of one document, in characters: as much as the largest text file qcode codes (16 MB).
MAX_TEXT = 16_000_000
OCR_HINT = ("run OCR on it first (e.g. `ocrmypdf --language eng+chi_sim scan.pdf text.pdf`, then code text.pdf), "
            "or give the transcript as .docx or .txt")


_SAVE_AS = "open it in Word or LibreOffice and save it as .docx (or .odt, .rtf, .txt)"
# Files a transcripts folder often holds that qcode does not read, by suffix: (why, what to do).
UNSUPPORTED = {
    ".doc": ("legacy Word .doc is not read: no well-kept Python library reads it without running another program "
             "on the file", _SAVE_AS + "; `soffice --headless --convert-to docx FILE.doc` converts many at once"),
    ".wps": ("Works/WPS documents are not read", _SAVE_AS),
    ".pages": ("Apple Pages documents are not read", "export it from Pages as .docx or PDF"),
    ".fodt": ("flat OpenDocument (.fodt) is not read", "save it as .odt or .docx"),
    ".html": ("web pages are not read as transcripts", "save the transcript as .txt or .docx"),
    ".htm": ("web pages are not read as transcripts", "save the transcript as .txt or .docx"),
    **{s: ("an image, not text", "run OCR on it (e.g. ocrmypdf, which writes a PDF with a text layer)")
       for s in (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".heic", ".webp")},
    **{s: ("a recording, not a transcript", "transcribe it first and code the .txt, .vtt or .srt")
       for s in (".mp3", ".m4a", ".wav", ".aac", ".flac", ".ogg", ".wma", ".mp4", ".mov", ".avi", ".mkv", ".webm")},
    **{s: ("a table, not a transcript", "the roster goes in roster.csv or roster.xlsx; save transcripts as .txt "
                                        "or .docx") for s in (".xlsx", ".xls", ".ods", ".csv", ".tsv")},
}
TRANSCRIPT_TYPES = ".txt .md .docx .odt .rtf .pdf .vtt .srt"


_SYSTEM_FILES = {"thumbs.db", "desktop.ini", "__macosx", "icon\r"}
# Data a project keeps beside its transcripts (rosters, score sheets, codebooks, settings): never a transcript.
DATA_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xls", ".ods", ".yaml", ".yml", ".json")


def is_silent(name: str) -> bool:
    """A file or folder name a transcripts folder holds without anyone putting it there for coding, passed over
    without a word: hidden (.DS_Store, .git, LibreOffice's .~lock.x.odt#), Office lock files (~$x.docx), editor
    backups (x.txt~), temporary files (.tmp), the system's own (Thumbs.db, desktop.ini, __MACOSX) and a project's
    data (DATA_SUFFIXES: a roster, a score sheet, a codebook)."""
    lower = name.lower()
    return lower.startswith((".", "~$")) or lower.endswith(("~", ".tmp", *DATA_SUFFIXES)) or lower in _SYSTEM_FILES


def unsupported(suffix: str) -> tuple[str, str] | None:
    """(why, what to do) for a file type qcode knows it does not read; None for the others."""
    return UNSUPPORTED.get(suffix.lower())


def not_read_reason(suffix: str) -> tuple[str, str]:
    """Why a file of a type that is not a transcript type is not coded, and what to do."""
    return unsupported(suffix) or (f"{suffix or 'a file without an extension'}: not a transcript type qcode reads "
                                   f"({TRANSCRIPT_TYPES})", "save it as .txt or .docx to code it")


@dataclass(frozen=True)
class DocumentText:
    """A document's text, and where each page starts in it (PDF; empty for formats without fixed pages)."""

    text: str
    pages: tuple[int, ...] = ()
    blank_pages: tuple[int, ...] = ()      # 1-based numbers of pages without text (scanned pages among text)


def page_of(pages: tuple[int, ...], offset: int) -> int | None:
    """The 1-based page holding a text offset, given where the pages start; None for a file without pages."""
    return bisect_right(pages, offset) if pages else None


# Characters that end a line for str.splitlines but not for qcode's line numbers (which count "\n"): each becomes
# "\n", so a line in the numbered view is a line on the desk. Other C0 controls become spaces (never text).
_LINE_ENDS = re.compile("\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f]")


def plain(text: str) -> str:
    """Extracted text as qcode numbers it: "\\n" line ends only, no control characters, no lone surrogates
    (RTF writes characters past U+FFFF as two \\u escapes; an unpaired one is replaced, never written)."""
    if any("\ud800" <= c <= "\udfff" for c in text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _CONTROLS.sub(" ", _LINE_ENDS.sub("\n", text))


def pdf_text(data: bytes, source_file: str) -> DocumentText:
    """The text layer of a PDF, page after page (each page's lines, then the next page's)."""
    if b"%PDF-" not in data[:1024]:
        raise TranscriptError(source_file, "is not a PDF file (no %PDF- header)",
                              hint="check the file; save it again as PDF, .docx or .txt")
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import DependencyError, PdfReadWarning

    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)      # pypdf logs every repaired cross-reference; qcode reports what matters
    budget = ContentBudget(source_file, PDF_CONTENT_FLOOR + PDF_CONTENT_PER_BYTE * len(data))
    try:
        # jbig2dec_binary=None: pypdf never runs another program on a received file
        with warnings.catch_warnings(), apply_configuration(jbig2dec_binary=None):
            warnings.filterwarnings("ignore", category=PdfReadWarning)
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                try:
                    opened = reader.decrypt("")        # many PDFs are "encrypted" with an empty password
                except DependencyError:
                    opened = False
                if not opened:
                    raise TranscriptError(source_file, "is password-protected (encrypted); qcode cannot read it",
                                          hint="save a copy without the password (e.g. print it to PDF), or "
                                               "give the transcript as .docx or .txt")
            count = len(reader.pages)
            if count > MAX_PDF_PAGES:
                raise TranscriptError(source_file, f"has {count:,} pages, more than qcode reads from one PDF "
                                      f"({MAX_PDF_PAGES:,})", hint="split it into one file per interview")
            budget.weigh(reader.pages)
            pages: list[str] = []
            total = 0
            for page in reader.pages:
                text = plain(page.extract_text(visitor_operand_before=budget.visit)).rstrip("\n")
                total += len(text) + 1
                if total > MAX_TEXT:
                    raise TranscriptError(source_file, f"holds more than {MAX_TEXT:,} characters of text, more "
                                          "than qcode codes in one piece", hint="split it into one file per interview")
                pages.append(text)
    except TranscriptError:
        raise
    except TooMuchWork:
        raise TranscriptError(source_file, f"would make qcode parse more than {budget.limit:,} bytes of page "
                              f"content from a file of {len(data):,} bytes (pages or forms that repeat one "
                              "stream many times: a file made to keep qcode busy?)",
                              hint="print it to PDF again, or give the transcript as .docx or .txt") from None
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types (and RecursionError) for a damaged file
        raise TranscriptError(source_file, f"is not a readable PDF ({type(exc).__name__})",
                              hint="open it in a PDF reader and save (or print) it again as PDF, or give the "
                                   "transcript as .docx or .txt") from None
    finally:
        pypdf_log.setLevel(level)
    blank = tuple(number for number, text in enumerate(pages, start=1) if not text.strip())
    if len(blank) == len(pages):
        raise TranscriptError(source_file, f"has no text layer: its {len(pages)} page(s) hold no text qcode can "
                              "read (a scanned document, pictures of pages?)", hint=OCR_HINT)
    starts, offset = [], 0
    for text in pages:
        starts.append(offset)
        offset += len(text) + 1
    return DocumentText("\n".join(pages), tuple(starts), blank)


ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# The parts odfpy parses. It skips one that is not well-formed XML with a message on stdout (the part, whole) and
# goes on, which would code a cut-short content.xml as the whole document: each is checked here first.
ODT_XML_PARTS = ("META-INF/manifest.xml", "settings.xml", "meta.xml", "content.xml", "styles.xml")


def _well_formed(xml: bytes, name: str, source_file: str) -> None:
    """A TranscriptError naming the part, line and column where `xml` stops being well-formed XML (DTDs were
    refused with the archive; expat without namespaces, so only the XML itself is judged)."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as exc:
        raise TranscriptError(source_file, f"its {name} is not well-formed XML (line {exc.lineno}, column "
                              f"{exc.offset + 1}: {expat.ErrorString(exc.code)}): a damaged or cut-short file",
                              hint="open it in LibreOffice and save it again as .odt or .docx") from None


def odt_text(data: bytes, source_file: str) -> str:
    """Paragraphs and headings of an OpenDocument text, in order, one per line (as .docx paragraphs are);
    list items and table cells are paragraphs too. Notes, comments and tracked deletions are not the text."""
    def refuse(message: str):
        if "not a zip" in message:
            raise TranscriptError(source_file, "is not an OpenDocument .odt file (" + message.removeprefix("is ")
                                  + ")", hint="open it in LibreOffice or Word and save it again as .odt or .docx")
        raise TranscriptError(source_file, message, hint="save the document again from a word processor")

    with open_archive(io.BytesIO(data), refuse, "LibreOffice", MAX_DOCX_UNPACKED) as archive:
        names = set(archive.namelist())
        mimetype = archive.read("mimetype").strip() if "mimetype" in names else b""
        if mimetype and not mimetype.startswith(ODT_MIMETYPE) or not mimetype and "content.xml" not in names:
            kind = mimetype.decode("ascii", "replace").rsplit(".", 1)[-1] if mimetype else "OpenDocument"
            raise TranscriptError(source_file, f"is a zip archive but not an OpenDocument text ({kind})",
                                  hint="save the transcript as .odt or .docx from a word processor")
        for name in ODT_XML_PARTS:
            if name in names:
                _well_formed(archive.read(name), name, source_file)
        missing = [name for name in ("content.xml", "META-INF/manifest.xml") if name not in names]
        if missing:                     # odfpy would raise a bare KeyError
            raise TranscriptError(source_file, f"is an OpenDocument text without its {' and '.join(missing)}: a "
                                  "damaged or cut-short file", hint="open it in LibreOffice and save it again as "
                                                                     ".odt or .docx")
    from odf.opendocument import load

    try:
        with contextlib.redirect_stdout(io.StringIO()):     # odfpy prints a part it cannot parse, whole
            document = load(io.BytesIO(data))
        return plain("\n".join(_odt_paragraphs(document.text)))
    except Exception as exc:  # noqa: BLE001 - odfpy raises many types (and XML errors) for a broken package
        raise TranscriptError(source_file, f"is not a readable OpenDocument text ({type(exc).__name__})",
                              hint="open it in LibreOffice and save it again as .odt or .docx") from None


_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_PARAGRAPHS = {(_TEXT, "p"), (_TEXT, "h")}
# Not the transcript's running text: footnotes, comments, deleted text kept for tracked changes, frames (images,
# text boxes), field declarations, forms.
_LEFT_OUT = {(_TEXT, "note"), (_OFFICE, "annotation"), (_OFFICE, "annotation-end"), (_TEXT, "tracked-changes"),
             (_TEXT, "sequence-decls"), (_TEXT, "variable-decls"), (_TEXT, "user-field-decls"), (_OFFICE, "forms"),
             (_DRAW, "frame"), (_DRAW, "a"), (_TEXT, "bookmark-ref")}
_MAX_SPACES = 1000          # <text:s text:c="…"/>: a run of spaces; a hostile count must not fill the memory


def _document_order(node, enter):
    """(qname, node) of every node under `node`, in document order, entering a child only where `enter(qname)`
    (walked without recursion: a hostile file may nest ten thousand levels deep). Text nodes have qname None."""
    stack = [iter(node.childNodes)] if node is not None else []
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        name = getattr(child, "qname", None)
        yield name, child
        if name is not None and enter(name):
            stack.append(iter(child.childNodes))


def _odt_paragraphs(body) -> list[str]:
    """Each text:p / text:h under `body`, in document order."""
    return [_odt_inline(node) for name, node in
            _document_order(body, lambda name: name not in _LEFT_OUT and name not in _PARAGRAPHS)
            if name in _PARAGRAPHS]


_INLINE_MARKS = {(_TEXT, "s"), (_TEXT, "tab"), (_TEXT, "line-break")}


def _odt_inline(paragraph) -> str:
    parts: list[str] = []
    for name, node in _document_order(paragraph, lambda name: name not in _LEFT_OUT and name not in _PARAGRAPHS
                                      and name not in _INLINE_MARKS):
        if name is None:
            parts.append(getattr(node, "data", "") or "")
        elif name == (_TEXT, "s"):
            count = node.attributes.get((_TEXT, "c"), "1")
            parts.append(" " * min(int(count) if str(count).isdigit() else 1, _MAX_SPACES))
        elif name == (_TEXT, "tab"):
            parts.append("\t")
        elif name == (_TEXT, "line-break"):
            parts.append("\n")
    return "".join(parts)


_CODE_PAGE = re.compile(rb"\\ansicpg(\d{1,5})")
# striprtf reads the font table with a pattern whose time grows with the square of the table: a word processor's
# table is a few KB (LibreOffice: 1 KB for ten fonts); 32 KB takes striprtf a second.
MAX_FONT_TABLE = 32_000
_FIELD = re.compile(r"(\\field)\{", re.IGNORECASE)         # striprtf's hyperlink pattern ignores case too


def rtf_text(data: bytes, source_file: str) -> str:
    """The text of an RTF file, a line per paragraph (`\\par`) or line break (`\\line`), as a .txt has lines."""
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        raise TranscriptError(source_file, "is not an RTF file (it does not start with {\\rtf)",
                              hint="check the file; save it again as .rtf, .docx or .txt")
    data = _without_binary(data, source_file)
    _groups_closed(data, source_file)
    page = _CODE_PAGE.search(data[:4096])
    encoding = f"cp{int(page.group(1))}" if page else "cp1252"
    try:
        source = data.decode("ascii")          # RTF is 7-bit: other characters are \'xx and \uN escapes
    except UnicodeDecodeError:
        try:                                   # … but some writers put the code page's bytes in as they are
            source = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise TranscriptError(source_file, f"holds bytes that are not text in its code page ({encoding})",
                                  hint="open it in a word processor and save it again as .docx or .txt") from None
    from striprtf.striprtf import font_table_group, rtf_to_text

    if len(font_table_group(source)) > MAX_FONT_TABLE:
        raise TranscriptError(source_file, f"has a font table of more than {MAX_FONT_TABLE:,} characters, far more "
                              "than a word processor writes (a file made to be slow to read?)",
                              hint="open it in a word processor and save it again as .docx or .txt")
    # striprtf rewrites hyperlink fields with a pattern whose time grows with the cube of a run of unclosed
    # fields (33 KB took 8 s); a space after `\field` means the same to RTF and keeps that pattern from starting.
    source = _FIELD.sub(r"\1 {", source)
    try:
        text = rtf_to_text(source, encoding="cp1252", errors="strict")
    except (UnicodeDecodeError, LookupError):
        raise TranscriptError(source_file, f"has characters that are not text in its code page ({encoding})",
                              hint="open it in a word processor and save it again as .docx or .txt") from None
    except (ValueError, OverflowError, IndexError, KeyError, RecursionError) as exc:
        raise TranscriptError(source_file, f"is not a readable RTF file ({type(exc).__name__})",
                              hint="open it in a word processor and save it again as .rtf, .docx or .txt") from None
    if len(text) > MAX_TEXT:
        raise TranscriptError(source_file, f"holds more than {MAX_TEXT:,} characters of text, more than qcode codes "
                              "in one piece", hint="split it into one file per interview")
    return plain(text)


_BINARY = re.compile(rb"\\\\|\\bin(-?\d{1,10}) ?")          # an escaped backslash, or \binN and its space


def _without_binary(data: bytes, source_file: str) -> bytes:
    """The RTF without its `\\binN` data (N raw bytes: pictures, objects), which striprtf would take for text."""
    if b"\\bin" not in data:
        return data
    kept, cursor, at = [], 0, 0
    while (m := _BINARY.search(data, at)) is not None:
        at = m.end()
        if m.group(1) is None:
            continue
        size = int(m.group(1))
        if size < 0 or m.end() + size > len(data):
            raise TranscriptError(source_file, f"says {size:,} bytes of binary data follow (\\bin{size}) where "
                                  f"{len(data) - m.end():,} do: a damaged or cut-short file",
                                  line=data.count(b"\n", 0, m.start()) + 1,
                                  hint="open it in a word processor and save it again as .rtf, .docx or .txt")
        kept.append(data[cursor:m.start()])
        cursor = at = m.end() + size
    return b"".join(kept) + data[cursor:]


_BRACES = re.compile(rb"\\[\\{}]|[{}]")


def _groups_closed(data: bytes, source_file: str) -> None:
    """A TranscriptError for an RTF that ends inside a group (a `{` without its `}`): a file cut short, whose
    last part striprtf would drop without a word."""
    opened: list[int] = []
    for m in _BRACES.finditer(data):
        if m.group() == b"{":
            opened.append(m.start())
        elif m.group() == b"}" and opened:
            opened.pop()
    if opened:
        raise TranscriptError(source_file, f"ends inside {len(opened):,} group(s) that are not closed (a {{ "
                              "without its }): the file was cut short?", line=data.count(b"\n", 0, opened[-1]) + 1,
                              hint="get the whole file again, or open it in a word processor and save it again")

