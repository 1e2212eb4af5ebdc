"""Reading the evidence suggestions learn from: a corrected validation sample counts as a desk whose sampled units
were all reviewed — qcode's mentions accepted or rejected by the reviewer's 1 or 0, a 1 qcode missed added."""

import pytest
from conftest import drawn_sample, qcode
from openpyxl import load_workbook

from pipeline.errors import ReviewError
from pipeline.learn.evidence import ACCEPTED, REJECTED, is_validation_sample, read_evidence

# drawn_sample (conftest): two files, three sentences each. qcode codes: a.txt unit 0 privacy ("Privacy"),
# a.txt unit 2 equity ("Fairness"), c.txt unit 0 good ("Tech for good"); the other three units nothing.


def corrected(tmp_path):
    """The sample as a reviewer leaves it: rows sorted by text, qcode's privacy emptied (0), equity typed on
    "People deserve respect.", the rest as qcode wrote it."""
    book = load_workbook(drawn_sample(tmp_path))
    sheet = book["Sample"]
    header = [c.value for c in sheet[1]]
    rows = sorted(([c.value for c in row] for row in sheet.iter_rows(min_row=2)), key=lambda r: r[5])
    for number, values in enumerate(rows, start=2):
        text = values[header.index("text")]
        if text == "Privacy matters to me.":
            values[header.index("privacy")] = None
        if text == "People deserve respect.":
            values[header.index("equity")] = 1
        for column, value in enumerate(values, start=1):
            sheet.cell(number, column).value = value
    book.save(tmp_path / "corrected.xlsx")
    return tmp_path / "corrected.xlsx"


def test_a_validation_sample_gives_accepted_rejected_and_added_units(tmp_path):
    path = corrected(tmp_path)
    assert is_validation_sample(path) and not is_validation_sample(tmp_path / "run" / "codebook.xlsx")
    evidence = read_evidence([path], jobs=1)
    name = path.name
    verdicts = {(v.assignment.source_file, v.assignment.unit, v.assignment.code): v.verdict
                for v in evidence.verdicts}
    # the three mentions qcode found, each judged by its unit's cell
    assert verdicts == {("a.txt", 0, "privacy"): REJECTED, ("a.txt", 2, "equity"): ACCEPTED,
                        ("c.txt", 0, "good"): ACCEPTED}
    assert evidence.positives == {"equity": {(name, "a.txt", 2), (name, "c.txt", 1)}, "good": {(name, "c.txt", 0)}}
    assert evidence.added == {"equity": {(name, "c.txt", 1)}}
    assert evidence.rejected_units == {"privacy": {(name, "a.txt", 0)}}
    assert evidence.coded == {"equity": {(name, "a.txt", 2), (name, "c.txt", 1)}, "good": {(name, "c.txt", 0)}}
    assert len(evidence.units) == 6                          # every respondent unit of both files, with its words
    assert [w.surface for w in evidence.units[(name, "c.txt", 1)].words] == ["people", "deserve", "respect"]
    # decided rows: 3 of qcode's mentions + 1 added unit
    assert [r.decision for r in evidence.runs[0].review.rows] == ["reject", "accept", "accept", "add"]


def test_qcode_suggest_reads_a_validation_sample(tmp_path):
    result = qcode("suggest", corrected(tmp_path), "-o", tmp_path / "suggestions.xlsx", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "4 reviewed row(s) in 1 workbook(s)" in result.output
    assert load_workbook(tmp_path / "suggestions.xlsx").sheetnames[:2] == ["Exclusions", "Terms"]


def test_a_sample_and_a_desk_of_the_same_run_are_refused(tmp_path):
    path = corrected(tmp_path)
    with pytest.raises(ReviewError, match="would count twice"):
        read_evidence([path, tmp_path / "run" / "codebook.xlsx"], jobs=1)
