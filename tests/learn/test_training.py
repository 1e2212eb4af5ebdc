"""Labelled units for the second opinion: a corrected validation sample labels every unit it holds, for every code,
with the reviewer's 1 or 0; its files, read whole, are not scored again."""

from conftest import SMALL_CODEBOOK, qcode, sheet_rows, write
from openpyxl import load_workbook

from pipeline.learn.training import read_training

# Two files, three sentences each; qcode codes a.txt's first (privacy) and last (equity) sentence and c.txt's
# first (good).
A = "Anna: Privacy matters to me. The weather is nice. Fairness is key.\n"
C = "Bo: Tech for good is our aim. People deserve respect. Nothing else.\n"


def corrected(tmp_path, *, files: int | None = 2, units: int | None = None):
    """A sample of the run, corrected as a reviewer would: privacy emptied on "Privacy matters to me.", equity typed
    on "People deserve respect.", a 0 typed over qcode's 1 nowhere else."""
    folder = tmp_path / "t"
    write(folder, "a.txt", A)
    write(folder, "c.txt", C)
    codebook = write(tmp_path, "cb.yaml", SMALL_CODEBOOK)
    assert qcode("run", folder, "--codebook", codebook, "-o", tmp_path / "run", "-q", "-j", "1").exit_code == 0
    size = ["--files", files] if units is None else ["--units", units]
    result = qcode("sample", tmp_path / "run", *size, "--seed", "3", "-o", tmp_path / "sample.xlsx", "-j", "1")
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "sample.xlsx")
    sheet = book["Sample"]
    header = [c.value for c in sheet[1]]
    for row in range(2, sheet.max_row + 1):
        text = sheet.cell(row, header.index("text") + 1).value
        if str(text) == "Privacy matters to me.":
            sheet.cell(row, header.index("privacy") + 1).value = None
        if text == "People deserve respect.":
            sheet.cell(row, header.index("equity") + 1).value = 1
    sheet.row_dimensions[3].hidden = True                    # a filtered view is read all the same
    book.save(tmp_path / "corrected.xlsx")
    return tmp_path / "corrected.xlsx"


def labels_of(training) -> dict[tuple[str, int], dict[str, int]]:
    return {(e.unit.source_file, e.unit.index): e.labels for e in training.examples}


def test_every_sampled_unit_is_labelled_for_every_code(tmp_path):
    training = read_training([corrected(tmp_path)], jobs=1)
    none = {"equity": 0, "privacy": 0, "good": 0}
    assert labels_of(training) == {
        ("a.txt", 0): none,                                  # qcode's privacy, emptied by the reviewer
        ("a.txt", 1): none,
        ("a.txt", 2): {**none, "equity": 1},                 # qcode's equity, kept
        ("c.txt", 0): {**none, "good": 1},
        ("c.txt", 1): {**none, "equity": 1},                 # typed by the reviewer: qcode missed it
        ("c.txt", 2): none,
    }
    assert len(training.reviewed_files) == 2                 # both files read whole: never suggested from again
    assert training.sources[0]["units"] == 6 and training.sources[0]["kind"] == "validation sample"


def test_a_sample_of_units_labels_only_those_units(tmp_path):
    training = read_training([corrected(tmp_path, units=3)], jobs=1)
    assert len(training.examples) == 3                       # 3 of 6 units drawn
    assert all(set(e.labels) == {"equity", "privacy", "good"} for e in training.examples)
    assert not training.reviewed_files                       # no file read whole: all may still be scored


def test_qcode_run_suggests_from_a_validation_sample(tmp_path):
    sample = corrected(tmp_path)
    write(tmp_path / "new", "d.txt", "Di: Everyone deserves respect. The bus was late.\n")
    result = qcode("run", tmp_path / "new", "--codebook", tmp_path / "cb.yaml", "-o", tmp_path / "out", "-j", "1",
                   "--suggest-from", sample)
    assert result.exit_code == 0, result.output
    assert "Suggested" in sheet_rows(tmp_path / "out" / "codebook.xlsx")[0]
