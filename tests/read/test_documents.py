"""The .pdf, .odt and .rtf readers on real small files, written here or kept in tests/cases/, and hostile ones."""

import io
import zipfile
from pathlib import Path

import pytest

from pipeline.errors import TranscriptError
from pipeline.read.documents import is_silent, odt_text, page_of, pdf_text, plain, rtf_text
from pipeline.read.transcripts import read_transcript

CASES = Path(__file__).resolve().parent.parent / "cases"


def pdf_bytes(pages: list[list[str]], password: str | None = None) -> bytes:
    """A real PDF whose pages hold these lines of text (Helvetica, one text line per line), written by pypdf."""
    from pypdf import PdfWriter
    from pypdf.generic import ContentStream, DictionaryObject, NameObject

    writer = PdfWriter()
    for lines in pages:
        page = writer.add_blank_page(612, 792)
        font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                                 NameObject("/BaseFont"): NameObject("/Helvetica")})
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject("/F1"): font})})
        ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
        ops += [f"({line.replace('(', '[').replace(')', ']')}) Tj T*" for line in lines]
        content = ContentStream(None, writer)
        content.set_data("\n".join([*ops, "ET"]).encode("latin-1"))
        page.replace_contents(content)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def odt_bytes(build) -> bytes:
    """A real .odt written by odfpy; `build(document)` adds its body."""
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_pdf_pages_follow_each_other_and_say_where_they_start():
    data = pdf_bytes([["Interviewer: What about privacy?", "Anna: Privacy first."], ["Anna: fairness too."]])
    document = pdf_text(data, "p.pdf")
    assert document.text == "Interviewer: What about privacy?\nAnna: Privacy first.\nAnna: fairness too."
    assert document.pages == (0, 54)          # 32 + 1 + 20 + 1 characters of page 1
    assert page_of(document.pages, 53) == 1 and page_of(document.pages, 54) == 2
    assert document.blank_pages == ()


def test_pdf_kept_in_cases_reads_chinese_and_english_with_labels():
    transcript = read_transcript(CASES / "interview_zh_en.pdf", "interview_zh_en.pdf")
    assert transcript.text.splitlines()[2:] == ["Interviewer: 你怎么看公平？", "Anna：公平很重要，隐私也是。"]
    assert transcript.pages == (0, 87)
    assert [(t.speaker, t.role, t.line) for t in transcript.turns] == [
        ("Interviewer", "interviewer", 1), ("Anna", "respondent", 2), ("Interviewer", "interviewer", 3),
        ("Anna", "respondent", 4)]
    assert transcript.encoding == "pdf"


def test_scanned_pdf_is_a_problem_suggesting_ocr():
    with pytest.raises(TranscriptError) as info:
        read_transcript(CASES / "scanned_interview.pdf", "scanned_interview.pdf")
    assert "has no text layer" in info.value.problem and "ocrmypdf" in info.value.hint


def test_pdf_with_a_blank_page_among_text_pages_is_coded_with_a_note():
    data = pdf_bytes([["Anna: privacy."], [], ["Anna: equity."]])
    transcript = read_transcript(Path("p.pdf"), "p.pdf", data=data)
    assert transcript.text == "Anna: privacy.\n\nAnna: equity."
    assert [n.problem for n in transcript.notes] == ["page(s) 2 hold no text (scanned pages?); not coded"]


def test_password_protected_pdf_is_refused_by_name():
    with pytest.raises(TranscriptError) as info:
        pdf_text(pdf_bytes([["Anna: secret."]], password="s3cret"), "locked.pdf")
    assert info.value.problem == "is password-protected (encrypted); qcode cannot read it"


def test_pdf_encrypted_with_an_empty_password_is_read():
    assert pdf_text(pdf_bytes([["Anna: open."]], password=""), "open.pdf").text == "Anna: open."


@pytest.mark.parametrize("data, problem", [
    (b"%PDF-1.7\n" + b"\x00garbage" * 100, "is not a readable PDF"),
    (b"just text with a .pdf name", "is not a PDF file (no %PDF- header)"),
])
def test_damaged_or_false_pdf_is_a_problem_not_a_traceback(data, problem):
    with pytest.raises(TranscriptError) as info:
        pdf_text(data, "bad.pdf")
    assert info.value.problem.startswith(problem)


def test_truncated_pdf_is_a_problem():
    data = (CASES / "interview_zh_en.pdf").read_bytes()
    with pytest.raises(TranscriptError):
        pdf_text(data[: len(data) // 3], "cut.pdf")


def test_odt_paragraphs_headings_lists_and_cells_are_lines_and_notes_are_left_out():
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, LineBreak, List, ListItem, Note, NoteBody, P, S, Span, Tab

    def build(document):
        document.text.addElement(H(outlinelevel=1, text="Interview 3"))
        answer = P(text="Anna: Privacy")
        answer.addElement(S(c=3))
        answer.addText("first.")
        answer.addElement(Tab())
        note = Note(noteclass="footnote")
        body = NoteBody()
        body.addElement(P(text="A FOOTNOTE"))
        note.addElement(body)
        answer.addElement(note)
        answer.addElement(Span(text="and fairness"))
        answer.addElement(LineBreak())
        answer.addText("next line")
        document.text.addElement(answer)
        items = List()
        item = ListItem()
        item.addElement(P(text="item one"))
        items.addElement(item)
        document.text.addElement(items)
        table = Table()
        table.addElement(TableColumn())
        row = TableRow()
        cell = TableCell()
        cell.addElement(P(text="cell text"))
        row.addElement(cell)
        table.addElement(row)
        document.text.addElement(table)

    text = odt_text(odt_bytes(build), "i.odt")
    assert text == "Interview 3\nAnna: Privacy   first.\tand fairness\nnext line\nitem one\ncell text"


def opendocument(content, mimetype="application/vnd.oasis.opendocument.text", compression=zipfile.ZIP_STORED):
    """A zip with an OpenDocument mimetype and `content` as its content.xml, as bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("mimetype", mimetype)
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def test_odt_zip_bomb_is_refused_before_parsing():
    bomb = opendocument(b"<a>" + b" " * 80_000_000 + b"</a>", compression=zipfile.ZIP_DEFLATED)
    with pytest.raises(TranscriptError) as info:
        odt_text(bomb, "bomb.odt")
    assert "zip bomb" in info.value.problem


def test_odt_declaring_entities_is_refused():
    with pytest.raises(TranscriptError) as info:
        odt_text(opendocument('<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'), "dtd.odt")
    assert "declares a DTD" in info.value.problem


def test_opendocument_spreadsheet_named_odt_is_refused():
    with pytest.raises(TranscriptError) as info:
        odt_text(opendocument("<x/>", mimetype="application/vnd.oasis.opendocument.spreadsheet"), "sheet.odt")
    assert info.value.problem == "is a zip archive but not an OpenDocument text (spreadsheet)"


def test_odt_missing_its_content_or_manifest_names_the_missing_part():
    whole = odt_bytes(lambda doc: None)
    for missing in ("content.xml", "META-INF/manifest.xml"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(whole)) as source, zipfile.ZipFile(buffer, "w") as target:
            for item in source.infolist():
                if item.filename != missing:
                    target.writestr(item, source.read(item.filename))
        with pytest.raises(TranscriptError) as info:
            odt_text(buffer.getvalue(), "cut.odt")
        assert info.value.problem == f"is an OpenDocument text without its {missing}: a damaged or cut-short file"


def test_not_a_zip_odt_is_refused():
    with pytest.raises(TranscriptError) as info:
        odt_text(b"plain text", "x.odt")
    assert info.value.problem.startswith("is not an OpenDocument .odt file")


RTF = (r"{\rtf1\ansi\ansicpg936\deff0{\fonttbl{\f0\fnil\fcharset134 SimSun;}}"
       r"{\*\generator Test;}\f0 Interviewer: What about privacy?\par "
       r"Anna: \'b9\'ab\'c6\'bd and \uc1\u38544?\u31169? matter.\line next\par "
       r'{\field{\*\fldinst{HYPERLINK "http://x"}}{\fldrslt{a link}}}\par '
       r"emoji \u-10179?\u-8704? lone \u-10179?.}")


def test_rtf_paragraphs_are_lines_with_code_page_and_unicode_escapes():
    text = rtf_text(RTF.encode("ascii"), "i.rtf")
    assert text.split("\n") == ["Interviewer: What about privacy?", "Anna: 公平 and 隐私 matter.", "next", "a link",
                                "emoji \U0001f600 lone \ufffd."]


def test_rtf_turns_are_read_like_a_txt():
    transcript = read_transcript(Path("i.rtf"), "i.rtf", data=RTF.encode("ascii"))
    assert [(t.speaker, t.line) for t in transcript.turns] == [("Interviewer", 1), ("Anna", 2)]


def test_rtf_made_to_be_slow_is_read_quickly_or_refused():
    fields = ("{\\rtf1 " + '{\\FIELD{\\*\\fldinst{ HYPERLINK "a"' * 5000 + "}" * 15_001).encode()
    assert rtf_text(fields, "f.rtf") == ""                  # was cubic in striprtf: 33 KB took 8 s
    with pytest.raises(TranscriptError, match="not closed"):  # the same fields left open: a file cut short
        rtf_text(fields[:-15_001], "f.rtf")
    fonts = ("{\\rtf1{\\fonttbl" + "\\f1" * 20_000 + "}hello}").encode()
    with pytest.raises(TranscriptError) as info:
        rtf_text(fonts, "fonts.rtf")
    assert "font table" in info.value.problem


@pytest.mark.parametrize("data", [b"no rtf here", b"{\\rtf1 \\u99999999999? x}", b"{\\rtf1 {\\pict\\bin x}}"])
def test_bad_rtf_is_a_problem(data):
    with pytest.raises(TranscriptError):
        rtf_text(data, "bad.rtf")


def test_legacy_doc_is_refused_with_save_as_docx():
    with pytest.raises(TranscriptError) as info:
        read_transcript(Path("old.doc"), "old.doc", data=b"\xd0\xcf\x11\xe0 binary")
    assert info.value.problem.startswith("legacy Word .doc is not read") and "save it as .docx" in info.value.hint


def test_extracted_text_has_only_newline_line_ends():
    assert plain("a\r\nb\rc\x0cd\u2028e\x00f") == "a\nb\nc\nd\ne f"


@pytest.mark.parametrize("name, silent", [(".DS_Store", True), ("~$p01.docx", True), (".~lock.p01.odt#", True),
                                          ("p01.txt~", True), ("Thumbs.db", True), ("__MACOSX", True),
                                          ("scores.csv", True), ("codebook.yaml", True), ("p01.doc", False),
                                          ("p01.pdf", False)])
def test_hidden_lock_and_system_files_are_silent(name, silent):
    assert is_silent(name) is silent
