"""Drawing and writing a validation sample: a seeded draw, every respondent unit of a file, qcode's coding as 0/1,
text never a formula, the record kept on a hidden sheet."""

from conftest import SMALL_CODEBOOK, code_text
from openpyxl import load_workbook

from pipeline.read.codebook import codebook_from_yaml
from pipeline.review.validation_sample import (
    draw_files,
    draw_units,
    respondent_units,
    sample_record,
    text_digest,
    write_sample,
)

FILES = [{"source_file": f"f{n:02d}.txt", "respondent_words": 10} for n in range(20)]


def test_the_same_seed_draws_the_same_files_and_another_seed_others():
    assert draw_files(FILES, 5, 7) == draw_files(list(reversed(FILES)), 5, 7)      # order of the record aside
    assert draw_files(FILES, 5, 7) != draw_files(FILES, 5, 8)
    assert len(draw_files(FILES, 50, 7)) == 20


def test_a_file_without_respondent_speech_is_never_drawn():
    files = FILES[:3] + [{"source_file": "silent.txt", "respondent_words": 0}]
    assert "silent.txt" not in draw_files(files, 4, 1)


def interview(tmp_path):
    text = ("Interviewer: What matters?\n"
            "Anna: Privacy matters. =SUM(A1) is not a formula.\n"
            "Interviewer: And then?\n"
            "Anna: Fairness and privacy both.\n")
    return code_text(tmp_path, text, SMALL_CODEBOOK, name="a.txt", language="en")


def keep_units(tmp_path):
    import pipeline as qcode

    interview(tmp_path)
    return qcode.code_transcript(tmp_path / "a.txt", tmp_path / "cb.yaml", language="en", keep_units=True)


def test_every_respondent_unit_with_qcode_codes_and_lines(tmp_path):
    units = respondent_units(keep_units(tmp_path))
    assert [(u.line, u.text, u.codes) for u in units] == [
        (2, "Privacy matters.", ("privacy",)), (2, "=SUM(A1) is not a formula.", ()),
        (4, "Fairness and privacy both.", ("equity", "privacy"))]
    assert units[2].before == "=SUM(A1) is not a formula." and units[0].after == units[1].text
    assert [units[2].text[a:b] for a, b in units[2].marks] == ["Fairness", "privacy"]


def test_units_drawn_by_the_seed_are_numbered_in_file_order(tmp_path):
    units = respondent_units(keep_units(tmp_path))
    drawn = draw_units(list(units), 2, 11)
    assert len(drawn) == 2 and [u.sample_id for u in drawn] == [1, 2]
    assert [u.unit for u in drawn] == sorted(u.unit for u in drawn)
    again = draw_units(respondent_units(keep_units(tmp_path)), 2, 11)
    assert [u.text for u in again] == [u.text for u in drawn]


def test_the_workbook_holds_0_1_cells_text_as_text_and_a_hidden_record(tmp_path):
    units = draw_units(respondent_units(keep_units(tmp_path)), None, 1)
    codebook = codebook_from_yaml(SMALL_CODEBOOK, "cb.yaml")
    manifest = {"codebook": {"name": "test", "version": "1", "codes": codebook.ids},
                "inputs": {"codebook": {"path": "/x/cb.yaml", "sha256": "ab" * 32}}, "options": {"unit": "sentence"}}
    record = sample_record(units, manifest, "/x/run", 1, {"files": 1})
    out = write_sample(tmp_path / "s.xlsx", units, codebook, record)
    book = load_workbook(out)
    assert book.sheetnames == ["Instructions", "Sample", "Codes", "qcode record"]
    assert book["qcode record"].sheet_state == "hidden"
    sheet = book["Sample"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][7:] == ("equity", "privacy", "good", "comment")
    assert [r[7:10] for r in rows[1:]] == [(None, 1, None), (None, None, None), (1, 1, None)]
    assert sheet.cell(3, 6).data_type == "s" and sheet.cell(3, 6).value == "=SUM(A1) is not a formula."
    rules = sheet.data_validations.dataValidation
    assert len(rules) == 1 and rules[0].type == "whole" and str(rules[0].sqref) == "H2:J4"
    assert record["units"][2] == [3, "a.txt", units[2].unit, 4, text_digest("Fairness and privacy both."),
                                  ["equity", "privacy"]]


def test_the_text_digest_survives_line_ends_and_spaces_a_spreadsheet_may_change():
    assert text_digest("Fairness\r\nand  privacy ") == text_digest("Fairness\nand privacy")
    assert text_digest("Fairness") != text_digest("Fairness!")
