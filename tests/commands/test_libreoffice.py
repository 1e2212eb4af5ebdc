"""The workbook opens in LibreOffice, and a review saved by LibreOffice audits like one saved by Excel."""

import shutil
import subprocess

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import Desk
from openpyxl import load_workbook

from pipeline.cli import main

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                "`apt-get install libreoffice-calc-nogui` to run the round trip")


def through_libreoffice(path, folder):
    """Open the workbook in headless LibreOffice and save it again as .xlsx."""
    folder.mkdir()
    done = subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{folder}/profile",
                           "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(folder), str(path)],
                          capture_output=True, text=True, timeout=180)
    saved = folder / path.name
    assert done.returncode == 0 and saved.is_file(), done.stderr
    return saved


def test_workbook_round_trips_through_libreoffice(machine_run, tmp_path):
    saved = through_libreoffice(machine_run / "codebook.xlsx", tmp_path / "lo")
    workbook = load_workbook(saved)
    for name in ("Codebook", "Assignments", "By interviewee", "By group", "Run", "Chart"):
        assert name in workbook.sheetnames
    assert workbook["Assignments"].max_row == 6                 # header + 5 assignments
    assert len(workbook["Chart"]._charts) == 1
    assert workbook["Assignments"].data_validations.dataValidation


def test_review_saved_by_libreoffice_is_audited(machine_run, tmp_path):
    desk = Desk(machine_run / "codebook.xlsx")
    desk.set("a.txt", "fairness", decision="reject", reviewer="Li")
    reviewed = desk.save(tmp_path / "reviewed.xlsx")
    saved = through_libreoffice(reviewed, tmp_path / "lo")
    result = CliRunner().invoke(main, ["audit", str(saved), "--out", str(tmp_path / "audited")])
    assert result.exit_code == 0, result.output
    long = pd.read_csv(tmp_path / "audited" / "by_interviewee.csv", encoding="utf-8-sig")
    assert long[(long.interviewee_id == "a") & (long.code == "equity")].mentions.iloc[0] == 0
