"""`qcode report`: the quotes report of the sample run read back with python-docx; reviewed decisions honoured."""

import re

import pandas as pd
from conftest import Desk, qcode
from docx import Document

from pipeline.write.folder import read_csv_table


def sections(path):
    """{heading: (paragraph texts, table rows)} of each code's section (Heading 1), read back with python-docx."""
    document = Document(str(path))
    found, current = {}, None
    body = document.element.body
    tables = iter(document.tables)
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = next(p for p in document.paragraphs if p._p is child)
            if paragraph.style.name == "Heading 1":
                current = found.setdefault(paragraph.text, ([], []))
            elif current is not None:
                current[0].append((paragraph.style.name, paragraph.text))
        elif tag == "tbl" and current is not None:
            table = next(tables)
            current[1].extend([[cell.text for cell in row.cells] for row in table.rows])
    return found


def test_report_has_a_section_per_code_with_counts_from_the_by_group_table(sample_run, tmp_path):
    out = tmp_path / "quotes.docx"
    result = qcode("report", sample_run, "-o", out)
    assert result.exit_code == 0, result.output
    found = sections(out)
    codebook = pd.read_excel(sample_run / "codebook.xlsx", sheet_name="Codebook")
    by_group = read_csv_table(sample_run / "by_group.csv")
    assert len(found) == len(codebook) == 8
    equity = found["Equity · 公平"]
    rows = {row[0]: row[1:] for row in equity[1][1:]}
    for g in by_group[by_group.code == "equity"].itertuples():
        assert rows[g.stakeholder_group] == [f"{g.interviewees} / {g.group_size}", g.mentions, g.units]
    # the sample: 8 of the 12 interviewees said equity, 16 mentions in 13 sentences (by_interviewee.csv)
    assert rows["All interviewees"] == ["8 / 12", "16", "13"]


def test_quotes_are_the_segments_as_written_with_who_file_and_line(sample_run, tmp_path):
    out = tmp_path / "quotes.docx"
    qcode("report", sample_run, "-o", out)
    paragraphs = sections(out)["Equity · 公平"][0]
    quotes = [text for style, text in paragraphs if style == "Quote"]
    attributions = [text for style, text in paragraphs if text.startswith("— ")]
    assert len(quotes) == len(attributions) == 5                       # the default cap
    assignments = read_csv_table(sample_run / "assignments.csv")
    equity = assignments[assignments.code == "equity"]
    for quote, attribution in zip(quotes, attributions, strict=True):
        who, file, line = re.match(r"— interviewee (\w+), .* · (\S+), line (\d+) · coded on: ", attribution).groups()
        rows = equity[(equity.interviewee_id == who) & (equity.source_file == file) & (equity.line == line)]
        assert quote in set(rows.segment_text)
    # p12 is a Taiwan transcript: quoted in traditional characters, as written, not converted
    assert "第一個是公平。" in quotes
    # rounds over groups: the five quotes come from five different interviewees
    assert len({re.match(r"— interviewee (\w+)", a).group(1) for a in attributions}) == 5


def test_cap_and_rule_are_stated(sample_run, tmp_path):
    out = tmp_path / "quotes.docx"
    qcode("report", sample_run, "-o", out, "--per-code", "2")
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "At most 2 quotes per code" in text and "quoted once before anyone is quoted twice" in text
    assert "2 of 13 passage(s) quoted, from 8 interviewee(s)." in text       # equity: 13 sentences, 8 people
    for _, (paragraphs, _) in sections(out).items():
        assert sum(style == "Quote" for style, _ in paragraphs) <= 2


def test_same_run_gives_the_same_quotes(sample_run, tmp_path):
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    qcode("report", sample_run, "-o", first)
    qcode("report", sample_run, "-o", second)
    assert first.read_bytes() == second.read_bytes()
    assert "> 第一個是公平。" in first.read_text(encoding="utf-8")


def test_out_is_never_overwritten_without_force(sample_run, tmp_path):
    out = tmp_path / "quotes.docx"
    assert qcode("report", sample_run, "-o", out).exit_code == 0
    refused = qcode("report", sample_run, "-o", out)
    assert refused.exit_code == 1 and "already exists" in refused.output
    assert qcode("report", sample_run, "-o", out, "--force").exit_code == 0


def test_force_never_replaces_a_report_someone_saved(sample_run, tmp_path):
    out = tmp_path / "quotes.docx"
    qcode("report", sample_run, "-o", out)
    document = Document(str(out))
    document.add_paragraph("my notes")                     # the researcher edits and saves it
    document.save(str(out))
    refused = qcode("report", sample_run, "-o", out, "--force")
    assert refused.exit_code == 1 and "saved since" in refused.output
    assert "my notes" in [p.text for p in Document(str(out)).paragraphs]
    notes = tmp_path / "notes.md"
    notes.write_text("# my own notes\n", encoding="utf-8")
    assert qcode("report", sample_run, "-o", notes, "--force").exit_code == 1
    assert notes.read_text(encoding="utf-8") == "# my own notes\n"


def test_other_suffixes_are_refused(sample_run, tmp_path):
    result = qcode("report", sample_run, "-o", tmp_path / "quotes.pdf")
    assert result.exit_code == 1 and ".docx" in result.output and not (tmp_path / "quotes.pdf").exists()


def review(run, tmp_path):
    desk = Desk(run / "codebook.xlsx")
    desk.set("a.txt", "fairness", decision="reject", reviewer="Li")
    desk.add(source_file="c.txt", line=1, code="privacy", matched_text="Tech for good", decision="add",
             reviewer="Li")
    return desk.save(tmp_path / "reviewed.xlsx")


def test_reviewed_decisions_are_honoured(machine_run, tmp_path):
    out = tmp_path / "reviewed.docx"
    result = qcode("report", machine_run, "--reviewed", review(machine_run, tmp_path), "-o", out, "-j", "1")
    assert result.exit_code == 0, result.output
    found = sections(out)
    equity = [text for style, text in found["Equity"][0] if style == "Quote"]
    privacy = [text for style, text in found["Privacy"][0] if style == "Quote"]
    # a.txt's "fairness" was rejected: its sentence is no equity quote; c.txt's added passage is a privacy quote
    assert equity == ["equity matters."]
    assert "Tech for good too." in privacy
    rows = {row[0]: row[1:] for row in found["Equity"][1][1:]}
    assert rows["All interviewees"] == ["1 / 2", "1", "1"]
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "Reviewed by: Li" in text


def test_report_of_an_audit_folder_matches_report_with_reviewed(machine_run, tmp_path):
    reviewed = review(machine_run, tmp_path)
    assert qcode("audit", reviewed, "--out", tmp_path / "audited", "-j", "1").exit_code == 0
    qcode("report", tmp_path / "audited", "-o", tmp_path / "audited.docx")
    qcode("report", machine_run, "--reviewed", reviewed, "-o", tmp_path / "direct.docx", "-j", "1")
    assert sections(tmp_path / "audited.docx") == sections(tmp_path / "direct.docx")


def test_review_of_another_run_is_refused(machine_run, sample_run, tmp_path):
    result = qcode("report", sample_run, "--reviewed", review(machine_run, tmp_path), "-o", tmp_path / "q.docx")
    assert result.exit_code == 1 and "review of another run" in result.output
    assert not (tmp_path / "q.docx").exists()
