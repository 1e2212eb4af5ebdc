"""Zips from strangers (.docx, .xlsx, .qdpx): bombs, damaged parts and swarms of parts are refused by name.

Each bomb is built here, small on disk and hundreds of MB unpacked; the command that meets it runs in
a child process with its address space capped (conftest.qcode_in_bounded_memory), where the code
before the archive check ran out of memory.
"""

import json
import re
import struct
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import qcode, qcode_in_bounded_memory, sheet_rows, write
from openpyxl import Workbook

from pipeline.errors import RosterError
from pipeline.read.archives import MAX_PARTS
from pipeline.read.sheets import read_rows

MB = 1024 * 1024
SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
BOMB_ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'       # rows without numbers: openpyxl counts


def write_repeated(part, unit: bytes, total: int) -> None:
    """Write `unit` over and over into an open zip part, `total` bytes or a little more, a block at a time."""
    block = unit * (MB // len(unit))
    for _ in range(total // len(block) + 1):
        part.write(block)


def rebuild(source: Path, target: Path, replace: dict) -> Path:
    """Copy a zip part by part; `replace[name](part)` writes that part anew (deflated)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename in replace:
                with new.open(info.filename, "w") as part:
                    replace[info.filename](part)
            else:
                new.writestr(info, old.read(info))
    return target


def data_offset(path: Path, name: str) -> tuple[int, int]:
    """Where a part's (compressed) bytes start in the zip file, and how many there are."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    raw = path.read_bytes()
    name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
    return info.header_offset + 30 + name_length + extra_length, info.compress_size


def damage(path: Path, name: str, how: str) -> None:
    """Spoil one part of a zip: `crc` changes a byte of its (stored) data, `zlib` overwrites its deflate stream."""
    start, length = data_offset(path, name)
    raw = bytearray(path.read_bytes())
    if how == "crc":
        raw[start + length // 2] ^= 0x01
    else:
        raw[start + 2:start + length - 2] = b"\xff" * (length - 4)
    path.write_bytes(bytes(raw))


def make_docx(path: Path, paragraphs: list[str], store: bool = False) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)
    if store:                                  # word/document.xml stored, so a changed byte is only a bad CRC
        with zipfile.ZipFile(path) as old:
            parts = [(info, old.read(info)) for info in old.infolist()]
        with zipfile.ZipFile(path, "w") as new:
            for info, data in parts:
                info.compress_type = zipfile.ZIP_STORED
                new.writestr(info, data)
    return path


def roster_workbook(path: Path, rows: list[list]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def two_transcripts(folder: Path) -> None:
    write(folder, "good.txt", "Anna: privacy and fairness matter.\n")
    write(folder, "roster.csv", "interviewee_id,file,stakeholder_groups\ng,good.txt,G1\nb,bad.docx,G2\n")


def coded_files(out: Path) -> list[str]:
    return [f["source_file"] for f in json.loads((out / "run.json").read_text(encoding="utf-8"))["files"]]


# --- .docx transcripts -------------------------------------------------------------------------------------

@pytest.mark.parametrize("how, message", [("crc", "Bad CRC-32"), ("zlib", "cannot be unpacked")])
def test_a_damaged_docx_is_a_problem_for_that_file_and_the_others_are_coded(tmp_path, codebook_file, how, message):
    folder = tmp_path / "t"
    two_transcripts(folder)
    bad = make_docx(folder / "bad.docx", ["Bo: equity " * 200], store=how == "crc")
    damage(bad, "word/document.xml", how)
    out = tmp_path / "run"
    result = qcode("run", folder, "--codebook", codebook_file, "--out", out, "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "bad.docx: is damaged: part word/document.xml cannot be unpacked" in result.output
    assert message in result.output
    assert coded_files(out) == ["good.txt"]


def test_a_truncated_docx_is_a_problem_for_that_file(tmp_path, codebook_file):
    folder = tmp_path / "t"
    two_transcripts(folder)
    bad = make_docx(folder / "bad.docx", ["Bo: equity"])
    bad.write_bytes(bad.read_bytes()[:-300])              # the central directory cut off
    out = tmp_path / "run"
    result = qcode("run", folder, "--codebook", codebook_file, "--out", out, "-q", "-j", "1")
    assert result.exit_code == 0 and "bad.docx: is not a Word .docx file" in result.output, result.output
    assert coded_files(out) == ["good.txt"]


def test_a_docx_bomb_is_refused_in_bounded_memory_and_the_others_are_coded(tmp_path, codebook_file):
    folder = tmp_path / "t"
    two_transcripts(folder)
    good = make_docx(tmp_path / "real.docx", ["Bo: equity"])
    text = b"<w:p><w:r><w:t>equity </w:t></w:r></w:p>"
    rebuild(good, folder / "bad.docx", {"word/document.xml": lambda part: (
        part.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                   b'wordprocessingml/2006/main"><w:body>'), write_repeated(part, text, 200 * MB),
        part.write(b"</w:body></w:document>"))})
    assert (folder / "bad.docx").stat().st_size < 2 * MB
    out = tmp_path / "run"
    result = qcode_in_bounded_memory("run", folder, "--codebook", codebook_file, "--out", out, "-q", "-j", "1")
    assert result.returncode == 0, result.output
    assert "bad.docx: refused: part word/document.xml would unpack to" in result.output
    assert coded_files(out) == ["good.txt"]


# --- .xlsx: rosters, codebooks, reviewed workbooks ------------------------------------------------------------

def test_a_roster_xlsx_bomb_is_refused_in_bounded_memory(tmp_path, codebook_file):
    folder = tmp_path / "t"
    write(folder, "good.txt", "Anna: privacy.\n")
    real = roster_workbook(tmp_path / "real.xlsx", [["interviewee_id", "file", "stakeholder_groups"],
                                                    ["g", "good.txt", "G1"]])
    roster = rebuild(real, folder / "roster.xlsx", {"xl/worksheets/sheet1.xml": lambda part: (
        part.write(SHEET_HEAD), write_repeated(part, BOMB_ROW, 300 * MB), part.write(b"</sheetData></worksheet>"))})
    assert roster.stat().st_size < 2 * MB
    result = qcode_in_bounded_memory("run", folder, "--codebook", codebook_file, "--out", tmp_path / "run",
                                     "-q", "-j", "1")
    assert result.returncode == 1
    assert f"{roster}: refused: part xl/worksheets/sheet1.xml would unpack to" in result.output
    assert "zip bomb" in result.output


def test_a_reviewed_workbook_bomb_is_refused_by_audit_in_bounded_memory(machine_run, tmp_path):
    workbook = machine_run / "codebook.xlsx"
    part = f"xl/worksheets/sheet{sheet_rows(workbook)[0].index('Assignments') + 1}.xml"
    with zipfile.ZipFile(workbook) as archive:
        sheet = archive.read(part)
    sheet = re.sub(rb"<dimension [^>]*/>", b"", sheet)             # else openpyxl stops at the declared last row
    head, tail = sheet.split(b"</sheetData>")
    reviewed = rebuild(workbook, tmp_path / "reviewed.xlsx", {part: lambda out: (
        out.write(head), write_repeated(out, BOMB_ROW, 300 * MB), out.write(b"</sheetData>" + tail))})
    assert reviewed.stat().st_size < 2 * MB
    result = qcode_in_bounded_memory("audit", reviewed, "--out", tmp_path / "audit", "-j", "1")
    assert result.returncode == 1
    assert f"{reviewed}: refused: part {part} would unpack to" in result.output
    assert not (tmp_path / "audit").exists()


def test_a_codebook_xlsx_with_a_damaged_part_is_refused(tmp_path):
    book = Workbook()
    book.active.append(["id", "label", "terms_en"])
    book.active.append(["equity", "Equity", "fairness"])
    path = tmp_path / "codebook.xlsx"
    book.save(path)
    damage(path, "xl/worksheets/sheet1.xml", "zlib")
    write(tmp_path / "t", "a.txt", "Anna: fairness.\n")
    result = qcode("run", tmp_path / "t", "--codebook", path, "--out", tmp_path / "run", "-q", "-j", "1")
    assert result.exit_code == 1
    assert f"{path}: is damaged: part xl/worksheets/sheet1.xml cannot be unpacked" in result.output


def test_an_xlsx_of_too_many_parts_is_refused(tmp_path):
    path = roster_workbook(tmp_path / "roster.xlsx", [["interviewee_id", "file"]])
    with zipfile.ZipFile(path, "a") as archive:
        for number in range(MAX_PARTS):
            archive.writestr(f"customXml/item{number}.xml", "")
        count = len(archive.infolist())
    with pytest.raises(RosterError, match=f"holds {count:,} parts, more than qcode opens"):
        read_rows(path, RosterError)


def test_a_sheet_claiming_a_row_beyond_excel_stays_bounded(tmp_path, codebook_file):
    """A row numbered 10⁹ (no dimension): openpyxl would fill a billion empty rows before it."""
    folder = tmp_path / "t"
    write(folder, "good.txt", "Anna: privacy.\n")
    real = roster_workbook(tmp_path / "real.xlsx", [["interviewee_id", "file", "stakeholder_groups"],
                                                    ["g", "good.txt", "G1"]])
    with zipfile.ZipFile(real) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    sheet = re.sub(rb"<dimension [^>]*/>", b"", sheet).replace(
        b"</sheetData>", b'<row r="999999999"><c r="XFD999999999" t="inlineStr"><is><t>x</t></is></c></row>'
                         b"</sheetData>")
    rebuild(real, folder / "roster.xlsx", {"xl/worksheets/sheet1.xml": lambda part: part.write(sheet)})
    result = qcode_in_bounded_memory("run", folder, "--codebook", codebook_file, "--out", tmp_path / "run",
                                     "-q", "-j", "1", timeout=120)
    assert result.returncode == 0, result.output
    assert coded_files(tmp_path / "run") == ["good.txt"]


def test_a_real_reviewed_workbook_still_passes_the_checks(machine_run, tmp_path):
    result = qcode("audit", machine_run / "codebook.xlsx", "--out", tmp_path / "audit", "-j", "1")
    assert result.exit_code == 0, result.output


# --- .qdpx projects ---------------------------------------------------------------------------------------------

PROJECT = ('<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="p" '
           'origin="Hand tool 2.0"><CodeBook><Codes><Code guid="c0000000-0000-4000-8000-000000000001" '
           'name="Equity" isCodable="true"/></Codes></CodeBook></Project>\n')


def test_a_qdpx_with_a_bad_crc_is_refused_by_import_codebook(tmp_path):
    path = tmp_path / "hand.qdpx"
    with zipfile.ZipFile(path, "w") as archive:                    # stored: a changed byte is a bad CRC only
        archive.writestr("project.qde", PROJECT)
    damage(path, "project.qde", "crc")
    result = qcode("import-codebook", path, "-o", tmp_path / "out.yaml")
    assert result.exit_code == 1
    assert f"{path}: is damaged: part project.qde cannot be unpacked (BadZipFile: Bad CRC-32" in result.output
    assert not (tmp_path / "out.yaml").exists()


def test_a_qdpx_bomb_is_refused_in_bounded_memory(tmp_path):
    """200 MB of codes in project.qde: under the XML limit, but the old reading ran out of memory."""
    path = tmp_path / "hand.qdpx"
    head, tail = PROJECT.encode().split(b"</Codes>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("project.qde", "w") as part:
        part.write(head)
        write_repeated(part, b'<Code name="x" isCodable="true"/>', 200 * MB)
        part.write(b"</Codes>" + tail)
    result = qcode_in_bounded_memory("import-codebook", path, "-o", tmp_path / "out.yaml")
    assert result.returncode == 1
    assert f"{path}: refused: part project.qde would unpack to" in result.output
    assert not (tmp_path / "out.yaml").exists()

