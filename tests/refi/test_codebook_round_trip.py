"""A qcode codebook exported to .qdc and imported back codes the same: ids, terms and exclusions survive."""

import pandas as pd
from conftest import SAMPLE, qcode, write

from pipeline.defaults import default_codebook
from pipeline.read.codebook import load_codebook


def test_the_shipped_codebook_survives_export_and_import_with_ids_terms_and_exclusions(tmp_path):
    assert qcode("export-codebook", default_codebook(), "-o", tmp_path / "dj.qdc").exit_code == 0
    assert qcode("import-codebook", tmp_path / "dj.qdc", "-o", tmp_path / "dj.yaml").exit_code == 0
    before, after = load_codebook(default_codebook()), load_codebook(tmp_path / "dj.yaml")
    assert after.ids == before.ids                       # distribution, common_good: not rebuilt from labels
    for old, new in zip(before.codes, after.codes, strict=True):
        assert [t.text for t in new.terms] == [t.text for t in old.terms]
        assert [t.text for t in new.excludes] == [t.text for t in old.excludes], old.id


def test_an_imported_codebook_counts_what_the_original_counts(tmp_path):
    folder = tmp_path / "t"
    write(folder, "a.txt", "Anna: Private equity firms buy data companies. To be fair, nobody asked. Equity matters.\n")
    assert qcode("export-codebook", default_codebook(), "-o", tmp_path / "dj.qdc").exit_code == 0
    assert qcode("import-codebook", tmp_path / "dj.qdc", "-o", tmp_path / "dj.yaml").exit_code == 0
    outputs = []
    for name, codebook in (("original", default_codebook()), ("imported", tmp_path / "dj.yaml")):
        for corpus, tag in ((folder, "t"), (SAMPLE, "sample")):
            out = tmp_path / f"{name}-{tag}"
            assert qcode("run", corpus, "--codebook", codebook, "--out", out, "-q", "-j", "1").exit_code == 0
            outputs.append(pd.read_csv(out / "assignments.csv", encoding="utf-8-sig"))
    pd.testing.assert_frame_equal(outputs[0], outputs[2])   # "private equity" and "to be fair" still excluded
    pd.testing.assert_frame_equal(outputs[1], outputs[3])
    assert list(outputs[0]["matched_text"]) == ["Equity"]


def test_import_codebook_never_suggests_an_option_it_does_not_have(tmp_path):
    assert qcode("export-codebook", default_codebook(), "-o", tmp_path / "dj.qdc").exit_code == 0
    assert qcode("import-codebook", tmp_path / "dj.qdc", "-o", tmp_path / "dj.yaml").exit_code == 0
    again = qcode("import-codebook", tmp_path / "dj.qdc", "-o", tmp_path / "dj.yaml")
    assert again.exit_code == 1 and "already exists" in again.output and "--force" not in again.output
