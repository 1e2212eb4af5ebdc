"""`qcode run` and `qcode audit` on every input a researcher has: .pdf .odt .rtf beside .txt, the files not coded
listed once with the reason, the numbered Transcripts sheet, and a missed passage added by its text alone."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import Desk, qcode, sheet_rows, write
from read.test_documents import CASES, odt_bytes, pdf_bytes

RTF = r"{\rtf1\ansi Interviewer: And equity?\par Dana: Equity is about fairness.\par}"


def odt_interview(document):
    from odf.text import H, P

    document.text.addElement(H(outlinelevel=1, text="Interview with Chen"))
    document.text.addElement(P(text="Interviewer: Is privacy a worry?"))
    document.text.addElement(P(text="Chen: Privacy is my worry, and tech for good."))


@pytest.fixture
def mixed_folder(tmp_path, codebook_file):
    """A folder as a researcher receives it: transcripts in four formats, a scan, a .doc, a photo, a file the
    roster forgot, and the clutter an office leaves (lock files, .DS_Store, a README)."""
    folder = tmp_path / "transcripts"
    write(folder, "a.txt", "Anna: Privacy first. Then fairness.\n")
    (folder / "b.pdf").write_bytes(pdf_bytes([["Interviewer: What about privacy?", "Bo: Privacy matters."],
                                              ["Bo: Equity too, and privacy."]]))
    (folder / "c.odt").write_bytes(odt_bytes(odt_interview))
    write(folder, "d.rtf", RTF)
    shutil.copy(CASES / "scanned_interview.pdf", folder / "scan.pdf")
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 a Word 97 file")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    write(folder, "extra.txt", "Eve: privacy.\n")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / "~$c.docx").write_bytes(b"lock")
    write(folder, "README.md", "How these interviews were collected.\n")
    write(folder, ".git/config", "[core]\n")
    write(folder, "roster.csv", "interviewee_id,file,stakeholder_groups\na,a.txt,G1\nb,b.pdf,G1\nc,c.odt,G2\n"
                                "d,d.rtf,G2\ns,scan.pdf,G2\n")
    out = tmp_path / "run"
    result = qcode("run", folder, "--codebook", codebook_file, "--out", out, "-j", "1")
    assert result.exit_code == 0, result.output
    return folder, out, result


def test_every_file_not_coded_is_named_once_with_its_reason(mixed_folder):
    _, out, result = mixed_folder
    lines = result.output.splitlines()
    for name, reason in [("old.doc", "legacy Word .doc is not read"), ("photo.jpg", "an image, not text"),
                         ("extra.txt", "not in the roster")]:
        said = [line for line in lines if line.startswith(f"note: {name}:")]
        assert said == [f"note: {name}: not coded: {reason}" + said[0].split(reason, 1)[1]], name
    assert sum(line.startswith("problem: scan.pdf: has no text layer") for line in lines) == 1
    assert "not coded: 4 file(s), each named above with the reason" in lines
    assert "coded 4 file(s)" in result.output
    named = [line.split(": ")[1] for line in lines if line.startswith(("note: ", "problem: "))]
    assert not {".DS_Store", "~$c.docx", "README.md", ".git/config", "roster.csv"} & set(named)
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert sorted(e["file"] for e in manifest["not_coded"]) == ["extra.txt", "old.doc", "photo.jpg", "scan.pdf"]
    assert [f["source_file"] for f in manifest["files"]] == ["a.txt", "b.pdf", "c.odt", "d.rtf"]


def test_run_sheet_counts_the_files_not_coded_and_lists_each(mixed_folder):
    _, out, _ = mixed_folder
    rows = {}
    for key, value in sheet_rows(out / "codebook.xlsx", "Run"):
        rows.setdefault(key, []).append(value)
    assert rows["files not coded"][0].startswith("4 ")
    listed = [v for v in rows["note"] + rows["problem"] if ": not coded: " in v or "no text layer" in v]
    assert sorted(v.split(":")[0] for v in listed) == ["extra.txt", "old.doc", "photo.jpg", "scan.pdf"]


def test_pdf_mentions_carry_page_and_a_line_through_the_file(mixed_folder):
    _, out, _ = mixed_folder
    frame = pd.read_csv(out / "assignments.csv", encoding="utf-8-sig")
    pdf = frame[frame.source_file == "b.pdf"]
    # page 1: "Bo: Privacy matters." (line 2); page 2: "Bo: Equity too, and privacy." (line 3)
    assert list(zip(pdf.matched_text, pdf.line, pdf.page, strict=True)) == [
        ("Privacy", 2, 1), ("Equity", 3, 2), ("privacy", 3, 2)]
    assert frame[frame.source_file != "b.pdf"]["page"].isna().all()
    odt = frame[frame.source_file == "c.odt"]
    assert list(zip(odt.matched_text, odt.line, strict=True)) == [("Privacy", 3), ("tech for good", 3)]
    rtf = frame[frame.source_file == "d.rtf"]
    assert list(zip(rtf.matched_text, rtf.line, strict=True)) == [("Equity", 2), ("fairness", 2)]


def test_transcripts_sheet_shows_each_line_numbered_as_the_desk(mixed_folder):
    _, out, _ = mixed_folder
    names = sheet_rows(out / "codebook.xlsx")[0]
    assert names.index("Transcripts") == names.index("Assignments") + 1
    rows = sheet_rows(out / "codebook.xlsx", "Transcripts")
    assert rows[0] == ("source_file", "page", "line", "text")
    assert [r for r in rows if r[0] == "b.pdf"] == [
        ("b.pdf", 1, 1, "Interviewer: What about privacy?"), ("b.pdf", 1, 2, "Bo: Privacy matters."),
        ("b.pdf", 2, 3, "Bo: Equity too, and privacy.")]
    assert [r[2:] for r in rows if r[0] == "c.odt"] == [
        (1, "Interview with Chen"), (2, "Interviewer: Is privacy a worry?"),
        (3, "Chen: Privacy is my worry, and tech for good.")]
    desk = pd.read_excel(out / "codebook.xlsx", sheet_name="Assignments")
    shown = {(r[0], r[2]): r[3] for r in rows[1:]}
    for row in desk.itertuples():               # every desk row's passage is on the line the sheet numbers
        assert row.matched_text in shown[(row.source_file, row.line)]


def test_folder_without_a_transcript_qcode_reads_names_what_it_holds(tmp_path, codebook_file):
    folder = tmp_path / "t"
    (folder / "x").mkdir(parents=True)
    (folder / "p01.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "x" / "p02.pages").write_bytes(b"PK")
    result = qcode("run", folder, "--codebook", codebook_file, "--out", tmp_path / "o")
    assert result.exit_code == 1
    assert "no transcripts (.txt .md .docx .odt .rtf .pdf .vtt .srt) in the folder; 2 other file(s) not coded" \
        in result.output
    assert "p01.doc: legacy Word .doc is not read" in result.output
    assert "x/p02.pages: Apple Pages documents are not read" in result.output


def test_one_interview_in_two_formats_is_coded_once_without_a_roster(tmp_path, codebook_file):
    folder = tmp_path / "t"
    write(folder, "p01.txt", "Anna: privacy.\n")
    (folder / "p01.pdf").write_bytes(pdf_bytes([["Anna: privacy."]]))
    out = tmp_path / "o"
    result = qcode("run", folder, "--codebook", codebook_file, "--out", out)
    assert result.exit_code == 0, result.output
    assert "note: p01.pdf: not coded: the same name as p01.txt, which is coded" in result.output
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert [f["source_file"] for f in manifest["files"]] == ["p01.txt"]


# Added rows: the passage alone, found once, several times or never — through `qcode audit`.

@pytest.fixture
def repeated_run(tmp_path, codebook_file):
    folder = tmp_path / "t"
    write(folder, "a.txt", "Interviewer: Data rules?\nAnna: Open data is good.\nAnna: Rules matter.\n"
                           "Anna: Rules matter.\n")
    (folder / "b.pdf").write_bytes(pdf_bytes([["Bo: We want open", "government now."], ["Bo: Fine."]]))
    write(folder, "roster.csv", "interviewee_id,file,stakeholder_groups\na,a.txt,G1\nb,b.pdf,G1\n")
    out = tmp_path / "run"
    assert qcode("run", folder, "--codebook", codebook_file, "--out", out, "-q", "-j", "1").exit_code == 0
    return out


def audited(run, tmp_path, *rows):
    desk = Desk(run / "codebook.xlsx")
    for row in rows:
        desk.add(decision="add", reviewer="Li", **row)
    result = qcode("audit", desk.save(tmp_path / "reviewed.xlsx"), "--out", tmp_path / "audited")
    return result, tmp_path / "audited"


def test_added_row_with_its_passage_alone_is_found_where_it_occurs_once(repeated_run, tmp_path):
    result, out = audited(repeated_run, tmp_path, {"source_file": "a.txt", "code": "good", "matched_text": "Open data"},
                          {"source_file": "b.pdf", "code": "good", "matched_text": "open government"})
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out / "assignments.csv", encoding="utf-8-sig")
    added = frame[frame.code == "good"]
    # "Open data" is on line 2 of a.txt (offset 25); "open\ngovernment" wraps from line 1 to 2 of page 1 of b.pdf
    assert list(zip(added.source_file, added.line, added.page.fillna(0), added.char_start, added.matched_text,
                    strict=True)) == [("a.txt", 2, 0, 31, "Open data"), ("b.pdf", 1, 1, 12, "open\ngovernment")]


def test_added_passage_occurring_twice_names_the_lines_to_choose_from(repeated_run, tmp_path):
    result, out = audited(repeated_run, tmp_path, {"source_file": "a.txt", "code": "good",
                                                   "matched_text": "Rules matter"})
    assert result.exit_code == 1 and not out.exists()
    assert "'Rules matter' occurs 2 times in the coded speech of a.txt: line 3, line 4; give the line of the one " \
           "you mean" in result.output


def test_added_passage_occurring_twice_is_taken_on_the_line_given(repeated_run, tmp_path):
    result, out = audited(repeated_run, tmp_path, {"source_file": "a.txt", "code": "good", "line": 4,
                                                   "matched_text": "Rules matter"})
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out / "assignments.csv", encoding="utf-8-sig")
    assert list(frame[frame.code == "good"].line) == [4]


def test_added_passage_that_never_occurs_is_refused(repeated_run, tmp_path):
    result, _ = audited(repeated_run, tmp_path, {"source_file": "a.txt", "code": "good",
                                                 "matched_text": "closed data"})
    assert result.exit_code == 1
    assert "added row: 'closed data' does not occur in a.txt" in result.output


def test_added_passage_only_in_an_interviewer_turn_is_refused_with_its_line(repeated_run, tmp_path):
    result, _ = audited(repeated_run, tmp_path, {"source_file": "a.txt", "code": "good",
                                                 "matched_text": "Data rules"})
    assert result.exit_code == 1
    assert "'Data rules' is not in the coded speech of a.txt (it is on line 1" in result.output


def test_added_passage_on_a_pdf_page_names_page_and_line(repeated_run, tmp_path):
    result, _ = audited(repeated_run, tmp_path, {"source_file": "b.pdf", "code": "good", "page": 2,
                                                 "matched_text": "open government"})
    assert result.exit_code == 1
    assert "'open government' is not on page 2 of b.pdf; it is on p. 1, line 1" in result.output


def test_run_with_kept_pdf_codes_chinese_on_page_two(tmp_path, codebook_file):
    folder = tmp_path / "t"
    folder.mkdir()
    shutil.copy(CASES / "interview_zh_en.pdf", folder / "zh.pdf")
    out = tmp_path / "o"
    assert qcode("run", folder, "--codebook", codebook_file, "--out", out, "-q", "-j", "1").exit_code == 0
    frame = pd.read_csv(out / "assignments.csv", encoding="utf-8-sig")
    # Anna's turns: "Privacy … Fairness" on page 1 (line 2), "公平 … 隐私" on page 2 (line 4)
    assert list(zip(frame.matched_text, frame.page, frame.line, strict=True)) == [
        ("Privacy", 1, 2), ("Fairness", 1, 2), ("公平", 2, 4), ("隐私", 2, 4)]


def test_cases_folder_is_kept_small():
    assert sum(p.stat().st_size for p in Path(CASES).iterdir()) < 100_000
