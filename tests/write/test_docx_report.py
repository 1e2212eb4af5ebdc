"""The quotes report written as Word and Markdown: text from strangers shown literally, and recognised as qcode's."""

from docx import Document

from pipeline.write.docx_report import (
    CodeSection,
    Quote,
    QuotesDocument,
    md_text,
    report_written_by_qcode,
    write_report,
)


def content(text: str) -> QuotesDocument:
    table = [["Stakeholder group", "Interviewees", "Mentions", "Units"], ["G|1", "1 / 1", "1", "1"]]
    section = CodeSection("Equity · 公平", "equity", "", table, "1 of 1", [Quote(text, "interviewee 1 · a.txt")])
    return QuotesDocument("Quotes", [("Codebook", "test")], "At most 1 quote per code.", [section])


def test_markdown_shows_html_links_and_list_markers_literally():
    assert md_text("<img src=x onerror=alert(1)>") == "\\<img src=x onerror=alert(1)\\>"
    assert md_text("[a](javascript:x) *b*") == "\\[a\\](javascript:x) \\*b\\*"
    assert md_text("1. first\n- second\n# third") == "1\\. first\n\\- second\n\\# third"


def test_control_characters_in_a_quote_do_not_break_the_docx(tmp_path):
    path = write_report(tmp_path / "q.docx", content("bad\x00byte\r\nnext line"))
    quotes = [p for p in Document(str(path)).paragraphs if p.style.name == "Quote"]
    assert quotes[0].text == "bad\ufffdbyte\nnext line"


def test_a_report_is_recognised_as_qcodes_until_someone_saves_it(tmp_path):
    for name in ("q.docx", "q.md"):
        path = write_report(tmp_path / name, content("privacy"))
        assert report_written_by_qcode(path)
    document = Document(str(tmp_path / "q.docx"))
    document.add_paragraph("edited")
    document.save(str(tmp_path / "q.docx"))
    assert not report_written_by_qcode(tmp_path / "q.docx")
    markdown = tmp_path / "q.md"
    markdown.write_text(markdown.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    assert not report_written_by_qcode(markdown)
    (tmp_path / "other.docx").write_bytes(b"not a zip")
    assert not report_written_by_qcode(tmp_path / "other.docx")
