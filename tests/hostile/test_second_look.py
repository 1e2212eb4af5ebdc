"""Attacks found by a second, independent look at qcode's inputs (after the first round of fixes): run
records naming files outside their folder, damaged sheet XML, numbers too long for Python, lines that made
the label and cue patterns quadratic, a roster with 200,000 columns, a DTD in UTF-16, and desks whose
columns were copied or cells merged."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import Desk, qcode, write
from openpyxl import Workbook
from test_received_paths import every_output_text, set_record

REPO = Path(__file__).resolve().parents[2]
SECRET = "TOP SECRET api_key=hunter2"


def test_a_run_json_naming_a_file_outside_its_folder_is_refused_by_export_project(tmp_path, machine_run):
    write(tmp_path / "secretdir", "secret.txt", SECRET)
    data = (tmp_path / "secretdir" / "secret.txt").read_bytes()
    manifest = machine_run / "run.json"
    record = json.loads(manifest.read_text(encoding="utf-8"))
    record["files"].append({"source_file": "../../secretdir/secret.txt", "interviewee_id": "a",
                            "sha256": hashlib.sha256(data).hexdigest(), "language": "en"})
    manifest.write_text(json.dumps(record), encoding="utf-8")
    result = qcode("export-project", machine_run, "-o", tmp_path / "p.qdpx")
    assert result.exit_code == 1
    assert "names a transcript '../../secretdir/secret.txt' outside its transcripts folder" in result.output
    assert SECRET not in every_output_text(tmp_path)


def test_a_run_sheet_naming_an_absolute_path_is_refused_before_anything_is_read(tmp_path, machine_run):
    reviewed = tmp_path / "reviewed.xlsx"
    reviewed.write_bytes((machine_run / "codebook.xlsx").read_bytes())
    set_record(reviewed, lambda r: r["files"].append({"source_file": "/etc/shadow", "sha256": "0" * 64}))
    result = qcode("audit", reviewed, "--out", tmp_path / "audit", "-j", "1")
    assert result.exit_code == 1 and "'/etc/shadow' outside its transcripts folder" in result.output
    assert "changed since the run" not in result.output          # never hashed, never looked at


def damaged_sheet(source: Path, target: Path, edit) -> Path:
    """A copy of an .xlsx whose first sheet's XML is edited."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info.filename, edit(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return target


def test_damaged_sheet_xml_in_a_roster_or_codebook_is_a_message(tmp_path, codebook_file):
    folder = tmp_path / "t"
    write(folder, "a.txt", "Anna: privacy.\n")
    book = Workbook()
    book.active.append(["interviewee_id", "file", "stakeholder_groups"])
    book.active.append(["a", "a.txt", "G"])
    book.save(tmp_path / "good.xlsx")
    for name, edit in {"row": lambda d: d.replace(b'<row r="2"', b'<row r="abc"'),
                       "cell": lambda d: d.replace(b'r="A2"', b'r="ZZZZZZ2"'),
                       "xml": lambda d: d.replace(b"</worksheet>", b"<row>")}.items():
        roster = damaged_sheet(tmp_path / "good.xlsx", tmp_path / f"roster-{name}.xlsx", edit)
        result = qcode("run", folder, "--roster", roster, "--codebook", codebook_file, "--out", tmp_path / name)
        assert result.exit_code == 1, (name, result.output)
        assert f"roster-{name}.xlsx: its sheet 'Sheet' is damaged and cannot be read" in result.output, name
    codebook = Workbook()
    codebook.active.append(["id", "terms_en"])
    codebook.active.append(["privacy", "privacy"])
    codebook.save(tmp_path / "cb.xlsx")
    bad = damaged_sheet(tmp_path / "cb.xlsx", tmp_path / "cb-bad.xlsx",
                        lambda d: d.replace(b'<row r="2"', b'<row r="x"'))
    result = qcode("check", bad)
    assert result.exit_code == 1 and "cb-bad.xlsx: its sheet 'Sheet' is damaged" in result.output


def test_an_added_row_whose_line_is_infinite_and_a_one_column_run_sheet_are_messages(tmp_path, machine_run):
    desk = Desk(machine_run / "codebook.xlsx")
    desk.add(source_file="a.txt", line="1e400", code="equity", matched_text="first", decision="add")
    result = qcode("audit", desk.save(tmp_path / "r1.xlsx"), "--out", tmp_path / "a1", "-j", "1")
    assert result.exit_code == 1 and "line '1e400' is not a number" in result.output
    desk = Desk(machine_run / "codebook.xlsx")
    desk.book["Run record"].delete_cols(2, 10)
    result = qcode("audit", desk.save(tmp_path / "r2.xlsx"), "--out", tmp_path / "a2", "-j", "1")
    assert result.exit_code == 1 and "has no readable run record" in result.output


def test_a_number_too_long_for_python_is_a_yaml_message_in_a_codebook_and_in_front_matter(tmp_path, codebook_file):
    codebook = write(tmp_path, "cb.yaml", "version: " + "1" * 5000 + "\ncodes:\n  - id: a\n    terms: {en: [x]}\n")
    result = qcode("check", codebook)
    assert result.exit_code == 1 and "cb.yaml:1: YAML syntax error: a number of 5,000 digits" in result.output
    folder = tmp_path / "t"
    write(folder, "good.txt", "Anna: privacy.\n")
    write(folder, "bad.md", "---\nregion: " + "9" * 5000 + "\n---\nBo: equity.\n")
    out = tmp_path / "run"
    result = qcode("run", folder, "--codebook", codebook_file, "--out", out, "-j", "1", "--no-cache")
    assert result.exit_code == 0 and "bad.md" in result.output and "front matter" in result.output
    assert (out / "assignments.csv").is_file()


def run_in_time(tmp_path, folder: Path, *extra) -> subprocess.CompletedProcess:
    """`qcode run` in a child process, which must end well within a minute (it ran for hours before)."""
    return subprocess.run([sys.executable, "-m", "pipeline", "run", str(folder), "--out", str(tmp_path / "out"),
                           "-j", "1", "--no-cache", "-q", *map(str, extra)], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})


def test_a_line_of_200000_spaces_and_a_cue_of_60000_voices_are_coded_in_linear_time(tmp_path):
    folder = tmp_path / "t"
    write(folder, "spaces.txt", "Respondent: privacy\n" + "a" + " " * 200_000 + "x\n")
    write(folder, "heading.md", "### Respondent:\nprivacy\n### a" + " " * 200_000 + "x\n")
    write(folder, "voices.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n" + "<v " * 60_000 + "\n")
    done = run_in_time(tmp_path, folder)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "assignments.csv").is_file()


def test_a_roster_csv_of_200000_columns_is_refused_at_once(tmp_path):
    folder = tmp_path / "t"
    write(folder, "a.txt", "Anna: privacy.\n")
    header = ["interviewee_id", "file", "stakeholder_groups"] + [f"c{n}" for n in range(200_000)]
    write(folder, "roster.csv", ",".join(header) + "\na,a.txt,G" + "," * 200_000 + "\n")
    done = run_in_time(tmp_path, folder)
    assert done.returncode == 1 and "has 200,003 columns on one line" in done.stderr


def test_a_dtd_in_a_utf16_codebook_is_refused(tmp_path):
    qdc = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE CodeBook [<!ENTITY x "INJECTED">]>'
           '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="x"><Codes>'
           '<Code guid="00000000-0000-0000-0000-000000000001" name="&x;Equity" isCodable="true"/>'
           '</Codes></CodeBook>')
    path = tmp_path / "dtd16.qdc"
    path.write_bytes(qdc.encode("utf-16"))
    result = qcode("import-codebook", path, "-o", tmp_path / "out.yaml")
    assert result.exit_code == 1 and "DTD" in result.output
    assert not (tmp_path / "out.yaml").exists()


def test_a_desk_with_a_copied_decision_column_or_merged_cells_is_refused(tmp_path, machine_run):
    desk = Desk(machine_run / "codebook.xlsx")
    column = desk.sheet.max_column + 1
    desk.sheet.cell(1, column).value = "decision"
    for row in range(2, desk.sheet.max_row + 1):
        desk.sheet.cell(row, column).value = "reject"
    result = qcode("audit", desk.save(tmp_path / "twice.xlsx"), "--out", tmp_path / "a1", "-j", "1")
    assert result.exit_code == 1 and "has two columns named 'decision'" in result.output
    desk = Desk(machine_run / "codebook.xlsx")
    decision = desk.col("decision")
    desk.sheet.cell(2, decision).value = "reject"
    desk.sheet.merge_cells(start_row=2, start_column=decision, end_row=4, end_column=decision)
    result = qcode("audit", desk.save(tmp_path / "merged.xlsx"), "--out", tmp_path / "a2", "-j", "1")
    assert result.exit_code == 1 and "has merged cells" in result.output
