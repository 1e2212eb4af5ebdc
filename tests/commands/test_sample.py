"""`qcode sample`: a seeded, reproducible validation workbook of a run, never written over a reviewer's work."""

import pandas as pd
from conftest import SMALL_CODEBOOK, qcode, write
from openpyxl import load_workbook

TEXTS = {f"p{n}.txt": f"P{n}: Privacy is one thing. Fairness is another, number {n}. The weather is nice.\n"
         for n in range(1, 9)}


def run_of(tmp_path):
    folder = tmp_path / "t"
    for name, text in TEXTS.items():
        write(folder, name, text)
    codebook = write(tmp_path, "cb.yaml", SMALL_CODEBOOK)
    assert qcode("run", folder, "--codebook", codebook, "-o", tmp_path / "run", "-q", "-j", "1").exit_code == 0
    return tmp_path / "run"


def sample_rows(path):
    return pd.read_excel(path, sheet_name="Sample", dtype=str)


def test_the_same_seed_gives_the_same_workbook_and_another_seed_other_files(tmp_path):
    run = run_of(tmp_path)
    said = {}
    for name, seed in (("a.xlsx", 4), ("b.xlsx", 4), ("c.xlsx", 5)):
        result = qcode("sample", run, "--files", "3", "--seed", seed, "-o", tmp_path / name, "-j", "1")
        assert result.exit_code == 0, result.output
        said[name] = result.output
    a, b, c = (sample_rows(tmp_path / n) for n in ("a.xlsx", "b.xlsx", "c.xlsx"))
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 9 and a.source_file.nunique() == 3           # every unit (3 sentences) of 3 files
    assert set(a.source_file) != set(c.source_file)
    # each file: a privacy sentence, an equity sentence, and one qcode leaves uncoded
    assert "sample of 3 file(s): 9 respondent unit(s) of 3 file(s), 6 coded by qcode (seed 4;" in said["a.xlsx"]


def test_units_draws_that_many_units_across_files(tmp_path):
    run = run_of(tmp_path)
    assert qcode("sample", run, "--units", "5", "--seed", 2, "-o", tmp_path / "u.xlsx", "-j", "1").exit_code == 0
    rows = sample_rows(tmp_path / "u.xlsx")
    assert len(rows) == 5 and list(rows.sample_id) == ["1", "2", "3", "4", "5"]
    assert list(rows.source_file) == sorted(rows.source_file)


def test_out_refuses_to_overwrite_and_force_never_replaces_a_reviewed_sample(tmp_path):
    run = run_of(tmp_path)
    out = tmp_path / "s.xlsx"
    out.write_bytes(b"someone's file")
    result = qcode("sample", run, "--seed", 1, "-o", out, "-j", "1")
    assert result.exit_code == 1 and "already exists" in result.output and out.read_bytes() == b"someone's file"
    result = qcode("sample", run, "--seed", 1, "-o", out, "--force", "-j", "1")
    assert result.exit_code == 1 and out.read_bytes() == b"someone's file"
    out.unlink()
    assert qcode("sample", run, "--seed", 1, "-o", out, "-j", "1").exit_code == 0
    assert qcode("sample", run, "--seed", 2, "-o", out, "--force", "-j", "1").exit_code == 0   # untouched: replaced
    book = load_workbook(out)
    book["Sample"]["K2"] = "a reviewer's comment"
    book.save(out)
    before = out.read_bytes()
    result = qcode("sample", run, "--seed", 3, "-o", out, "--force", "-j", "1")
    assert result.exit_code == 1 and "a reviewer has changed it" in result.output and out.read_bytes() == before


def test_files_and_units_together_are_refused(tmp_path):
    result = qcode("sample", tmp_path, "--files", "2", "--units", "3")
    assert result.exit_code == 2 and "not both" in result.output


def test_a_folder_that_is_not_a_run_is_a_message(tmp_path):
    result = qcode("sample", tmp_path, "-o", tmp_path / "s.xlsx")
    assert result.exit_code == 1 and "not a qcode run folder" in result.output


def test_readme_sample_example_holds(tmp_path):
    from conftest import REPO

    assert qcode("run", "-o", tmp_path / "sample", "-q", "-j", "1").exit_code == 0
    result = qcode("sample", tmp_path / "sample", "--files", 6, "--seed", 7, "-o", tmp_path / "s.xlsx", "-j", "1")
    assert result.exit_code == 0
    assert f"    {result.output.splitlines()[0]}\n" in (REPO / "README.md").read_text(encoding="utf-8")
