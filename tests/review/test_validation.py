"""Reading a corrected validation sample: a reviewer's edits (sorted, filtered, hidden rows) read back exactly; every
bad cell, changed row or deleted row is a problem naming where it is."""

import shutil
import subprocess

import pytest
from conftest import drawn_sample
from openpyxl import load_workbook

from pipeline.errors import ReviewError
from pipeline.review.validation import read_validation
from pipeline.review.validation_figures import validation_figures

# drawn_sample (conftest): two files, three sentences each. qcode codes: unit 1 privacy ("Privacy"), unit 3
# equity ("Fairness"), unit 4 good ("Tech for good"); units 2, 5 and 6 nothing.


class Reviewer:
    """The Sample sheet as a reviewer edits it in a spreadsheet."""

    def __init__(self, path):
        self.book = load_workbook(path)
        self.sheet = self.book["Sample"]
        self.header = [c.value for c in self.sheet[1]]

    def col(self, name):
        return self.header.index(name) + 1

    def row_of(self, sample_id):
        for row in range(2, self.sheet.max_row + 1):
            if self.sheet.cell(row, 1).value == sample_id:
                return row
        raise KeyError(sample_id)

    def set(self, sample_id, **values):
        for name, value in values.items():
            self.sheet.cell(self.row_of(sample_id), self.col(name)).value = value

    def sort_descending(self):
        """Sort the rows by sample_id, largest first, as a spreadsheet's sort rewrites them."""
        rows = [[c.value for c in row] for row in self.sheet.iter_rows(min_row=2, max_row=self.sheet.max_row)]
        rows.sort(key=lambda r: -r[0])
        for number, values in enumerate(rows, start=2):
            for column, value in enumerate(values, start=1):
                self.sheet.cell(number, column).value = value

    def save(self, path):
        self.book.save(path)
        return path


def reviewed(tmp_path):
    """The review the figures below are counted from."""
    reviewer = Reviewer(drawn_sample(tmp_path))
    reviewer.sort_descending()
    reviewer.set(1, privacy=None)                  # qcode's privacy rejected (an emptied cell is 0)
    reviewer.set(5, equity=1, comment="respect: equal treatment")       # a unit qcode missed
    reviewer.set(6, equity="0")                    # a typed text 0
    reviewer.set(2, privacy=0.0)                   # a number 0 as LibreOffice saves it
    reviewer.sheet.auto_filter.ref = f"A1:K{reviewer.sheet.max_row}"
    reviewer.sheet.row_dimensions[3].hidden = True                     # … filtered out of view
    return reviewer.save(tmp_path / "reviewed.xlsx")


def test_sorted_and_filtered_review_is_read_unit_by_unit(tmp_path):
    sample = read_validation(reviewed(tmp_path))
    assert [u.sample_id for u in sample.units] == [1, 2, 3, 4, 5, 6]
    by_id = {u.sample_id: u for u in sample.units}
    assert by_id[1].qcode == {"equity": 0, "privacy": 1, "good": 0} and by_id[1].reviewer["privacy"] == 0
    assert by_id[5].reviewer == {"equity": 1, "privacy": 0, "good": 0} and not by_id[5].qcode_coded
    assert (by_id[5].text, by_id[5].source_file, by_id[5].line, by_id[5].comment) == \
        ("People deserve respect.", "c.txt", 1, "respect: equal treatment")
    assert sample.changed_cells() == 2                      # privacy of unit 1, equity of unit 5


def test_review_gives_the_hand_counted_figures(tmp_path):
    figures = validation_figures(read_validation(reviewed(tmp_path))).set_index("code")
    equity = figures.loc["equity"]
    # qcode: unit 3; reviewer: units 3 and 5 → both 1, precision 1/1, recall 1/2, F1 2·1/(1+2)
    assert (equity.qcode_units, equity.reviewer_units, equity.both) == (1, 2, 1)
    assert (equity.precision, equity.recall) == (1.0, 0.5)
    assert equity.f1 == pytest.approx(2 / 3)
    # 6 units: observed agreement 5/6, chance (1/6·2/6 + 5/6·4/6) = 22/36 → kappa (30−22)/(36−22) = 4/7
    assert equity.kappa == pytest.approx(4 / 7)
    privacy = figures.loc["privacy"]
    # qcode coded unit 1, the reviewer nothing: precision 0/1, recall undefined, kappa 0 by prevalence
    assert privacy.precision == 0.0 and privacy.recall != privacy.recall
    assert privacy.kappa == 0.0 and privacy.kappa_note.startswith("prevalence: the reviewer gave 'not coded'")
    overall = figures.loc["overall"]
    # 18 unit×code cells: qcode 3 (privacy 1, equity 3, good 4), reviewer 3 (equity 3, 5, good 4), both 2
    assert (overall.precision, overall.recall) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert figures.f1_low.isna().all()              # two files: too few for a bootstrap over files


def problems_of(path):
    with pytest.raises(ReviewError) as caught:
        read_validation(path)
    return [str(p) for p in caught.value.problems]


def test_a_value_other_than_0_1_or_empty_names_sheet_row_and_column(tmp_path):
    reviewer = Reviewer(drawn_sample(tmp_path))
    reviewer.set(4, good="yes")
    row = reviewer.row_of(4)
    problems = problems_of(reviewer.save(tmp_path / "bad.xlsx"))
    assert len(problems) == 1
    assert f"sheet 'Sample', row {row}, column J (good): 'yes' is not 0, 1 or empty" in problems[0]


def test_a_2_and_a_formula_are_problems_too(tmp_path):
    reviewer = Reviewer(drawn_sample(tmp_path))
    reviewer.set(1, equity=2)
    reviewer.set(2, privacy="=1+0")
    problems = problems_of(reviewer.save(tmp_path / "bad.xlsx"))
    assert any("row 2, column H (equity): '2' is not 0, 1 or empty" in p for p in problems)
    assert any("row 3, column I (privacy): holds a formula" in p for p in problems)


def test_a_row_whose_text_changed_is_a_problem(tmp_path):
    reviewer = Reviewer(drawn_sample(tmp_path))
    reviewer.set(3, text="Fairness is everything.")
    problems = problems_of(reviewer.save(tmp_path / "bad.xlsx"))
    assert len(problems) == 1 and "row 4: unit 3 is no longer qcode's" in problems[0] and "a.txt:1" in problems[0]


def test_a_deleted_row_and_a_copied_row_are_problems(tmp_path):
    reviewer = Reviewer(drawn_sample(tmp_path))
    reviewer.sheet.delete_rows(reviewer.row_of(2))
    copy = [c.value for c in reviewer.sheet[reviewer.row_of(4)]]
    reviewer.sheet.append(copy)
    problems = problems_of(reviewer.save(tmp_path / "bad.xlsx"))
    assert any("unit 2 (a.txt:1) is missing" in p for p in problems)
    assert any("unit 4 is listed twice" in p for p in problems)


def test_a_renamed_code_column_is_refused(tmp_path):
    reviewer = Reviewer(drawn_sample(tmp_path))
    reviewer.sheet.cell(1, reviewer.col("good")).value = "Tech for good"
    with pytest.raises(ReviewError, match="has no column 'good'"):
        read_validation(reviewer.save(tmp_path / "bad.xlsx"))


def test_a_run_workbook_is_not_a_validation_sample(tmp_path):
    drawn_sample(tmp_path)
    with pytest.raises(ReviewError, match="is not a qcode validation sample"):
        read_validation(tmp_path / "run" / "codebook.xlsx")


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: the round trip is not tried")
def test_a_review_saved_by_libreoffice_reads_the_same(tmp_path):
    path = reviewed(tmp_path)
    folder = tmp_path / "lo"
    folder.mkdir()
    done = subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{folder}/profile",
                           "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(folder), str(path)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    first, second = read_validation(path), read_validation(folder / path.name)
    assert [(u.sample_id, u.text, u.reviewer, u.qcode) for u in first.units] == \
        [(u.sample_id, u.text, u.reviewer, u.qcode) for u in second.units]
