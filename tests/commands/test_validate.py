"""`qcode validate`: a corrected sample → figures with intervals in validation.json, shown on the Codebook sheet of
later runs of the same codebook (and only of the same codebook)."""

import json

import pandas as pd
import pytest
from conftest import SMALL_CODEBOOK, drawn_sample, qcode
from openpyxl import load_workbook

EQUITY = "validated on 2 file(s), 6 unit(s): precision 1.00 [0.21–1.00], recall 0.50 [0.09–0.91], F1 0.67, kappa 0.57"


def corrected(tmp_path):
    """A run of two files, a sample of both, corrected: unit 5 ("People deserve respect.") is equity too."""
    sample = drawn_sample(tmp_path)
    folder, codebook = tmp_path / "t", tmp_path / "cb.yaml"
    book = load_workbook(sample)
    sheet = book["Sample"]
    sheet["H6"] = 1                     # row 6 = sample_id 5, column H = equity
    book.save(sample)
    return folder, codebook, sample


def test_validate_writes_the_figures_with_intervals(tmp_path):
    _, _, sample = corrected(tmp_path)
    before = sample.read_bytes()
    result = qcode("validate", sample, "-o", tmp_path / "val")
    assert result.exit_code == 0, result.output
    assert sample.read_bytes() == before                               # the reviewer's file is only read
    assert "the reviewer changed 1 of 18 code cell(s)" in result.output
    assert "  equity   " + EQUITY.split(": ", 1)[1] in result.output
    data = json.loads((tmp_path / "val" / "validation.json").read_text(encoding="utf-8"))
    assert data["kind"] == "qcode validation" and data["seed"] == 1 and data["units"] == 6
    assert data["codebook"]["path"] == str((tmp_path / "cb.yaml").resolve())
    equity = data["codes"]["equity"]
    # recall 1 of 2: Wilson [0.0945, 0.9055]; F1 has no interval with two files
    assert (equity["recall"], round(equity["recall_low"], 4), round(equity["recall_high"], 4)) == (0.5, 0.0945,
                                                                                                    0.9055)
    assert equity["f1_low"] is None and data["overall"]["both"] == 3
    figures = pd.read_excel(tmp_path / "val" / "validation.xlsx", sheet_name="Figures").set_index("code")
    assert figures.loc["equity", "kappa"] == pytest.approx(4 / 7)
    disagreements = pd.read_csv(tmp_path / "val" / "disagreements.csv", encoding="utf-8-sig")
    assert list(disagreements.itertuples(index=False, name=None))[0][:6] == (5, "c.txt", 1, "equity", 0, 1)


def codebook_sheet(run):
    return pd.read_excel(run / "codebook.xlsx", sheet_name="Codebook").set_index("code")


def test_a_later_run_shows_the_figures_on_its_codebook_sheet(tmp_path):
    folder, codebook, sample = corrected(tmp_path)
    assert qcode("validate", sample, "-o", tmp_path / "val").exit_code == 0
    result = qcode("run", folder, "--codebook", codebook, "-o", tmp_path / "later", "-q", "-j", "1",
                   "--validation", tmp_path / "val" / "validation.json")
    assert result.exit_code == 0, result.output
    assert codebook_sheet(tmp_path / "later").loc["equity", "validated"] == EQUITY
    manifest = json.loads((tmp_path / "later" / "run.json").read_text(encoding="utf-8"))
    assert manifest["validation"]["codes"]["equity"] == EQUITY and manifest["validation"]["units"] == 6


def test_a_later_run_finds_the_validation_in_outputs_by_itself(tmp_path, monkeypatch):
    folder, codebook, sample = corrected(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = qcode("validate", sample)
    assert result.exit_code == 0 and "later `qcode run`s with this codebook show these figures" in result.output
    assert len(list((tmp_path / "outputs").glob("validate-*/validation.json"))) == 1
    assert qcode("run", folder, "--codebook", codebook, "-o", tmp_path / "later", "-q", "-j", "1").exit_code == 0
    assert codebook_sheet(tmp_path / "later").loc["equity", "validated"] == EQUITY


def test_a_sample_nobody_changed_is_not_shown_by_itself(tmp_path, monkeypatch):
    # an unchanged sample reads as perfect agreement: a later run does not pick it up unless it is named
    folder, codebook, _ = corrected(tmp_path)
    monkeypatch.chdir(tmp_path)
    untouched = tmp_path / "untouched.xlsx"
    assert qcode("sample", tmp_path / "run", "--files", 2, "--seed", 1, "-o", untouched, "-j", "1").exit_code == 0
    assert qcode("validate", untouched).exit_code == 0
    result = qcode("run", folder, "--codebook", codebook, "-o", tmp_path / "later", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "validated" not in codebook_sheet(tmp_path / "later").columns
    assert "its sample is as qcode filled it" in result.output
    named = next((tmp_path / "outputs").glob("validate-*/validation.json"))
    assert qcode("run", folder, "--codebook", codebook, "-o", tmp_path / "named", "-q", "-j", "1",
                 "--validation", named).exit_code == 0
    assert "validated" in codebook_sheet(tmp_path / "named").columns


def test_a_changed_codebook_does_not_show_an_earlier_validation(tmp_path, monkeypatch):
    folder, codebook, sample = corrected(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert qcode("validate", sample).exit_code == 0
    codebook.write_text(SMALL_CODEBOOK + "# edited\n", encoding="utf-8")
    result = qcode("run", folder, "--codebook", codebook, "-o", tmp_path / "later", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "validated" not in codebook_sheet(tmp_path / "later").columns
    assert "validated another version of this codebook (its sha256 differs)" in result.output


def test_validate_refuses_a_workbook_with_a_bad_cell_and_writes_nothing(tmp_path):
    _, _, sample = corrected(tmp_path)
    book = load_workbook(sample)
    book["Sample"]["I3"] = "x"
    book.save(sample)
    result = qcode("validate", sample, "-o", tmp_path / "val")
    assert result.exit_code == 1 and not (tmp_path / "val").exists()
    assert "sheet 'Sample', row 3, column I (privacy): 'x' is not 0, 1 or empty" in result.output
