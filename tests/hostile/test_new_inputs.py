"""The inputs added with PDF/ODT/RTF transcripts, validation samples, suggestions and quotes reports, as a stranger
would craft them: each is a message naming the file and where, or read as it should be, never a traceback.

Every file is built here, small; the PDF and RTF bombs took minutes or coded binary data as text before.
"""

import io
import json
import os
import zipfile
import zlib

import docx
import pytest
from commands.test_validate import corrected
from conftest import SMALL_CODEBOOK, qcode, write
from openpyxl import Workbook, load_workbook
from read.test_documents import odt_bytes, pdf_bytes

from pipeline.read.codebook import load_codebook


def raw_pdf(streams: list[bytes], pages: list[str], forms: dict[str, int] | None = None) -> bytes:
    """A PDF written byte by byte: `streams` deflated as objects 4, 5, …; each page's /Contents is `pages[i]`
    (e.g. "4 0 R" or "[4 0 R 4 0 R]"); `forms` names streams drawn as forms (/X1 → object number)."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
               3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    for number, data in enumerate(streams, start=4):
        packed = zlib.compress(data, 9)
        kind = b" /Type /XObject /Subtype /Form /BBox [0 0 612 792]" if number in (forms or {}).values() else b""
        objects[number] = (b"<< /Length %d /Filter /FlateDecode%s /Resources << /Font << /F1 3 0 R >> >> >>\n"
                           b"stream\n" % (len(packed), kind) + packed + b"\nendstream")
    drawn = " ".join(f"/{name} {number} 0 R" for name, number in (forms or {}).items())
    kids = []
    for contents in pages:
        kids.append(max(objects) + 1)
        objects[kids[-1]] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R "
                             f">> /XObject << {drawn} >> >> /Contents {contents} >>").encode()
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    out, at = bytearray(b"%PDF-1.4\n"), {}
    for number in sorted(objects):
        at[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref, size = len(out), max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size + b"".join(b"%010d 00000 n \n" % at[n] for n in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def run_folder(tmp_path, files: dict[str, bytes]):
    """`qcode run` on a.txt plus `files`: (result, the lines of its output)."""
    folder = tmp_path / "t"
    write(folder, "a.txt", "Anna: Privacy matters.\n")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    codebook = write(tmp_path, "cb.yaml", SMALL_CODEBOOK)
    result = qcode("run", folder, "--codebook", codebook, "-o", tmp_path / "run", "-j", "1")
    return result, result.output.splitlines()


def problem_for(lines: list[str], name: str) -> str:
    found = [line for line in lines if line.startswith(f"problem: {name}")]
    assert len(found) == 1, lines
    return found[0]


def test_damaged_and_disguised_pdfs_are_problems_for_their_file_and_the_others_are_coded(tmp_path):
    good = pdf_bytes([["Bo: Fairness and privacy."]])
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    result, lines = run_folder(tmp_path, {
        "locked.pdf": pdf_bytes([["Bo: secret"]], password="pw"), "cut.pdf": good[:len(good) // 2],
        "page.pdf": b"<!DOCTYPE html><html><body>%PDF-1.4 not one</body></html>", "zip.pdf": archive.getvalue(),
        "ok.pdf": good})
    assert result.exit_code == 0, result.output
    assert "password-protected" in problem_for(lines, "locked.pdf")
    assert "is not a readable PDF" in problem_for(lines, "cut.pdf")
    assert "is not a readable PDF" in problem_for(lines, "page.pdf")
    assert "is not a PDF file (no %PDF- header)" in problem_for(lines, "zip.pdf")
    coded = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))["files"]
    assert [f["source_file"] for f in coded] == ["a.txt", "ok.pdf"]


def test_a_pdf_text_layer_of_formulas_and_control_characters_is_text(tmp_path):
    content = (b"BT /F1 12 Tf 72 720 Td 14 TL (=HYPERLINK\\(\"http://x\",\"privacy\"\\)) Tj T* "
               b"(Bo: privacy \x07\x1b[31m\x08 matters) Tj T* (@SUM\\(1\\)) Tj ET")
    result, _ = run_folder(tmp_path, {"f.pdf": raw_pdf([content], ["4 0 R"])})
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "run" / "codebook.xlsx")
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [str(c.value) for c in cells]
    assert any(t.startswith('=HYPERLINK("http://x"') for t in texts)          # kept as text, never a formula
    assert not any(ch in t for t in texts for ch in "\x07\x1b\x08")


def test_a_small_pdf_that_inflates_to_minutes_of_parsing_is_refused_at_once(tmp_path):
    # 14 KB: one deflated stream of 600,000 `(a) Tj` named by 50 pages took 237 s to refuse (at MAX_TEXT)
    shared = raw_pdf([b"BT /F1 12 Tf " + b"(a) Tj " * 600_000 + b"ET"], ["4 0 R"] * 50)
    # one page drawing a 4.5 MB form 5,000 times (pypdf parses it each time, ~9 s): refused before the first
    form = raw_pdf([b"BT /F1 12 Tf " + b"(a) Tj " * 650_000 + b"ET", b"/X1 Do " * 5000], ["5 0 R"], {"X1": 4})
    # one page whose contents are one stream listed 2,000 times
    listed = raw_pdf([b"0 0 m " * 200_000], ["[" + " ".join(["4 0 R"] * 2000) + "]"])
    assert max(map(len, (shared, form, listed))) < 40_000
    result, lines = run_folder(tmp_path, {"shared.pdf": shared, "form.pdf": form, "listed.pdf": listed})
    assert result.exit_code == 0, result.output
    for name in ("shared.pdf", "form.pdf", "listed.pdf"):
        assert "would make qcode parse more than" in problem_for(lines, name)


def odt_with(part: str, xml: bytes) -> bytes:
    from odf.text import P

    source = zipfile.ZipFile(io.BytesIO(odt_bytes(lambda d: d.text.addElement(P(text="Bo: privacy matters.")))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, xml if info.filename == part else source.read(info))
    return out.getvalue()


def test_hostile_odt_parts_are_problems_naming_the_part_and_line_and_print_nothing_of_them(tmp_path):
    from odf.text import P

    content = zipfile.ZipFile(io.BytesIO(odt_bytes(lambda d: d.text.addElement(P(text="Bo: x."))))).read(
        "content.xml").decode()
    head, tail = content.split("<text:p>Bo: x.</text:p>")
    lol = ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
           + head.split("?>", 1)[1] + "<text:p>&b;</text:p>" + tail)
    deep = (head + "<text:p>" + "<text:span>" * 20_000 + "Bo: privacy deep." + "</text:span>" * 20_000 + "</text:p>"
            + tail)
    result, lines = run_folder(tmp_path, {
        "cut.odt": odt_with("content.xml", content[:-60].encode()), "styles.odt": odt_with("styles.xml", b"<a>"),
        "lol.odt": odt_with("content.xml", lol.encode()), "deep.odt": odt_with("content.xml", deep.encode())})
    assert result.exit_code == 0, result.output
    assert "its content.xml is not well-formed XML (line 2, column" in problem_for(lines, "cut.odt")
    assert "its styles.xml is not well-formed XML (line 1, column 4" in problem_for(lines, "styles.odt")
    assert "declares a DTD or entities" in problem_for(lines, "lol.odt")
    assert "SAX FAILED" not in result.output and "office:document-content" not in result.output
    coded = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))["files"]
    assert [f["source_file"] for f in coded] == ["a.txt", "deep.odt"]          # 20,000 levels: read, no recursion


def test_rtf_binary_data_is_skipped_and_a_cut_short_rtf_is_a_problem_naming_its_line(tmp_path):
    picture = b"{\\*\\pict\\bin2000 " + bytes(range(256)) * 7 + b"\x00" * 208 + b"}"
    result, lines = run_folder(tmp_path, {
        "pic.rtf": b"{\\rtf1\\ansi Bo: privacy " + picture + b" and fairness.\\par}",
        "claims.rtf": b"{\\rtf1 Bo: privacy {\\pict\\bin999999999 " + b"\xff" * 100 + b"}}",
        "cut.rtf": b"{\\rtf1\\ansi Bo: privacy matters.\\par\n{\\b Bo: and the rest was cut",
        "deep.rtf": b"{\\rtf1 " + b"{" * 100_000 + b"Bo: privacy." + b"}" * 100_000 + b"}"})
    assert result.exit_code == 0, result.output
    assert "says 999,999,999 bytes of binary data follow" in problem_for(lines, "claims.rtf")
    assert "cut.rtf:2: ends inside 2 group(s) that are not closed" in problem_for(lines, "cut.rtf")
    numbered = load_workbook(tmp_path / "run" / "codebook.xlsx")["Transcripts"]
    text = {row[0]: row[-1] for row in numbered.iter_rows(min_row=2, values_only=True)}
    assert text["pic.rtf"] == "Bo: privacy  and fairness." and text["deep.rtf"] == "Bo: privacy."


def edited_sample(tmp_path, name, edit):
    _, _, sample = corrected(tmp_path)
    book = load_workbook(sample)
    edit(book)
    target = tmp_path / name
    book.save(target)
    return target


def record_rows(book, values):
    """The hidden record sheet made to hold `values` as (key, value) rows."""
    sheet = book["qcode record"]
    sheet.delete_rows(2, sheet.max_row)
    for key, value in values:
        sheet.append([key, value])


@pytest.mark.parametrize("rows", [
    [("record 1/2", "[" * 30_000), ("record 2/2", "]" * 30_000)],         # JSON 30,000 levels deep
    [("record " + "9" * 5000 + "/1", "{}")],                                # an index past Python's int limit
    [("record 1/1", json.dumps({"kind": "validation sample", "codebook": {"codes": "equity"}, "units": 5}))]])
def test_a_validation_record_made_deep_long_or_of_wrong_types_is_a_message(tmp_path, rows):
    sample = edited_sample(tmp_path, "edited.xlsx", lambda book: record_rows(book, rows))
    result = qcode("validate", sample, "-o", tmp_path / "val")
    assert result.exit_code == 1 and not (tmp_path / "val").exists()
    assert f"{sample}: its 'qcode record' sheet holds no readable sample record" in result.output
    result = qcode("run", tmp_path / "t", "--codebook", tmp_path / "cb.yaml", "-o", tmp_path / "r2", "-q", "-j", "1",
                   "--suggest-from", sample)
    assert result.exit_code == 1 and "holds no readable sample record" in result.output
    assert not (tmp_path / "r2").exists()


def test_a_validation_sample_with_a_formula_a_far_row_and_a_copied_row_names_each(tmp_path):
    def edit(book):
        sheet = book["Sample"]
        sheet["I3"] = "=1+0"
        sheet.append([c.value for c in sheet[4]])
        sheet.cell(1_000_000, 1).value = 99
    sample = edited_sample(tmp_path, "edited.xlsx", edit)
    result = qcode("validate", sample, "-o", tmp_path / "val")
    assert result.exit_code == 1 and not (tmp_path / "val").exists()
    assert "sheet 'Sample', row 3, column I (privacy): holds a formula" in result.output
    assert "sheet 'Sample', row 8: unit 3 is listed twice (also row 4)" in result.output
    assert "sheet 'Sample', row 1000000: sample_id '99' is not a unit of this sample" in result.output


def test_validation_json_found_by_looking_never_makes_qcode_read_elsewhere(tmp_path, monkeypatch):
    folder, codebook, sample = corrected(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert qcode("validate", sample, "-o", tmp_path / "outside").exit_code == 0
    real = json.loads((tmp_path / "outside" / "validation.json").read_text(encoding="utf-8"))
    outputs = tmp_path / "outputs"
    for name, text in {"deep": "[" * 200_000 + "]" * 200_000, "types": json.dumps({**real, "codes": [1, 2]}),
                       "paths": json.dumps({**real, "codes": {"equity": {"precision": "x"}}, "file": "/dev/zero",
                                            "codebook": {**real["codebook"], "path": str(tmp_path / "nope" / "x")},
                                            "sample": str(tmp_path / "nope")})}.items():
        write(outputs, f"{name}/validation.json", text)
    (outputs / "link").mkdir()
    (outputs / "link" / "validation.json").symlink_to(tmp_path / "outside" / "validation.json")
    (outputs / "pipe").mkdir()
    os.mkfifo(outputs / "pipe" / "validation.json")
    result = qcode("run", folder, "--codebook", codebook, "-o", tmp_path / "later", "-j", "1")
    assert result.exit_code == 0, result.output
    output = result.output
    assert "outputs/deep/validation.json: cannot be read as JSON (RecursionError); not shown" in output
    assert "outputs/types/validation.json: is a damaged qcode validation" in output
    assert "outputs/link/validation.json: is a symbolic link" in output
    assert "outputs/pipe/validation.json: is not a regular file; not shown" in output
    shown = json.loads((tmp_path / "later" / "run.json").read_text(encoding="utf-8"))["validation"]
    assert shown["file"] == str(outputs / "paths" / "validation.json")       # the file found, never what it names
    assert shown["codes"]["equity"].startswith("validated on 2 file(s), 6 unit(s): precision n/a")
    assert not (tmp_path / "nope").exists()


def suggestions(tmp_path, terms):
    book = Workbook()
    book.active.title = "About"
    book.active.append(["key", "value"])
    book.active.append(["reviewed 1", "r.xlsx\n- injected: [\n#"])
    sheet = book.create_sheet("Terms")
    sheet.append(["take", "code", "term"])
    for term in terms:
        sheet.append(["yes", "equity", term])
    book.save(tmp_path / "s.xlsx")
    return tmp_path / "s.xlsx"


def test_ticked_terms_that_would_break_or_hide_in_the_yaml_are_refused_by_row(tmp_path):
    codebook = write(tmp_path, "cb.yaml", SMALL_CODEBOOK)
    ticked = suggestions(tmp_path, ["a\nb: c", "x" * 10_000, "left\u202eright", "tab\there", "=A1&\"privacy\""])
    result = qcode("suggest", "--apply", ticked, "--codebook", codebook, "-o", tmp_path / "v2.yaml")
    assert result.exit_code == 1 and not (tmp_path / "v2.yaml").exists()
    assert "sheet 'Terms', row 2: its term holds a line break or an invisible control character (U+000A)" \
        in result.output
    assert "sheet 'Terms', row 3: its term is 10,000 characters long (at most 200)" in result.output
    assert "row 4: its term holds a line break or an invisible control character (U+202E)" in result.output
    assert "row 5: its term holds a line break or an invisible control character (U+0009)" in result.output
    assert "row 6: a ticked row needs its code and term" in result.output      # a formula never becomes a term


def test_ticked_terms_that_look_like_yaml_go_into_the_codebook_as_text(tmp_path):
    codebook = write(tmp_path, "cb.yaml", SMALL_CODEBOOK)
    terms = ["!!python/object/apply:os.system ['id']", 'data "quoted", {x: y}', "key: value"]
    result = qcode("suggest", "--apply", suggestions(tmp_path, terms), "--codebook", codebook,
                   "-o", tmp_path / "v2.yaml")
    assert result.exit_code == 0, result.output
    before, after = load_codebook(codebook), load_codebook(tmp_path / "v2.yaml")
    assert after.ids == before.ids
    assert [t.text for t in after.codes[0].terms if t.lang == "en"] == \
        [t.text for t in before.codes[0].terms if t.lang == "en"] + terms
    header = [line for line in (tmp_path / "v2.yaml").read_text(encoding="utf-8").splitlines()
              if "injected" in line]
    assert len(header) == 1 and header[0].startswith("# ")                   # folded into one comment line


def test_a_quotes_report_keeps_hostile_transcript_text_inert(tmp_path):
    folder = tmp_path / "t"
    write(folder, "a.txt", "[Anna](javascript:alert(1)): Privacy \x01\x02 matters <script>x</script> to me.\n"
                           "<b>Bo</b>: Fairness " + "word " * 20_000 + "and privacy.\n")
    codebook = write(tmp_path, "cb.yaml", SMALL_CODEBOOK)
    assert qcode("run", folder, "--codebook", codebook, "-o", tmp_path / "run", "-q", "-j", "1").exit_code == 0
    for suffix in ("md", "docx"):
        result = qcode("report", tmp_path / "run", "-o", tmp_path / f"r.{suffix}")
        assert result.exit_code == 0, result.output
    markdown = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "> \\[Anna\\](javascript:alert(1)): Privacy \ufffd\ufffd matters \\<script\\>x\\</script\\> to me." \
        in markdown.splitlines()
    assert "<b>" not in markdown and "\x01" not in markdown
    quotes = [p.text for p in docx.Document(tmp_path / "r.docx").paragraphs]
    assert "[Anna](javascript:alert(1)): Privacy \ufffd\ufffd matters <script>x</script> to me." in quotes
    assert any(q.startswith("<b>Bo</b>: Fairness word word") for q in quotes)   # the 100 KB unit, as text
    assert any(line.startswith("> \\<b\\>Bo\\</b\\>: Fairness word") for line in markdown.splitlines())
