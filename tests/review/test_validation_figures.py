"""Validation figures: Wilson intervals as the formula gives them, F1's bootstrap over files, and the
validation.json a later run finds by the codebook's checksum."""

import json
import math

import numpy as np
import pytest

from pipeline.errors import ReviewError
from pipeline.review.validation_figures import (
    KIND,
    MIN_BOOTSTRAP_FILES,
    f1_bootstrap,
    figures_line,
    find_validation,
    wilson,
)


def test_wilson_interval_is_the_score_interval_computed_by_hand():
    # k = 8 of n = 10, z = 1.959964 (95%): centre (p + z²/2n) / (1 + z²/n), half-width
    # z / (1 + z²/n) · sqrt(p(1 − p)/n + z²/4n²)  →  0.490162 … 0.943318
    k, n, z = 8, 10, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = wilson(k, n)
    assert (low, high) == (pytest.approx(centre - half, abs=1e-9), pytest.approx(centre + half, abs=1e-9))
    assert (round(low, 6), round(high, 6)) == (0.490162, 0.943318)


def test_wilson_interval_of_nothing_is_undefined_and_of_all_reaches_one():
    assert all(math.isnan(x) for x in wilson(0, 0))
    low, high = wilson(5, 5)
    assert high == pytest.approx(1.0) and low == pytest.approx(5 / (5 + 1.959963984540054 ** 2))


def test_f1_bootstrap_is_deterministic_and_surrounds_the_pooled_f1():
    rng = np.random.default_rng(3)
    counts = rng.integers(0, 6, size=(12, 2, 3))                  # 12 files, 2 codes, (tp, fp, fn)
    first, second = f1_bootstrap(counts), f1_bootstrap(counts)
    assert first == second
    for j, (low, high) in enumerate(zip(*first, strict=True)):
        tp, fp, fn = counts[:, j].sum(axis=0)
        assert low < 2 * tp / (2 * tp + fp + fn) < high


def test_f1_bootstrap_needs_enough_files():
    counts = np.ones((MIN_BOOTSTRAP_FILES - 1, 1, 3), dtype=np.int64)
    low, high = f1_bootstrap(counts)
    assert math.isnan(low[0]) and math.isnan(high[0])


def test_figures_line_shows_intervals_and_n_a():
    figures = {"precision": 0.857, "precision_low": 0.78, "precision_high": 0.921, "recall": None,
               "f1": 0.5, "kappa": 0.7412}
    assert figures_line(figures, 6, 412) == ("validated on 6 file(s), 412 unit(s): precision 0.86 [0.78–0.92], "
                                             "recall n/a, F1 0.50, kappa 0.74")


def validation_json(folder, sha, path="/somewhere/cb.yaml", created="2025-01-01T10:00:00+00:00", precision=0.5):
    folder.mkdir(parents=True)
    data = {"kind": KIND, "created": created, "codebook": {"sha256": sha, "path": path}, "files_sampled": 3,
            "units": 40, "codes": {"equity": {"precision": precision, "recall": 1.0, "f1": 0.6, "kappa": 0.4}}}
    (folder / "validation.json").write_text(json.dumps(data), encoding="utf-8")
    return folder / "validation.json"


def test_a_run_finds_the_newest_validation_of_its_codebook(tmp_path):
    import hashlib

    codebook = tmp_path / "cb.yaml"
    codebook.write_text("codes: []\n", encoding="utf-8")
    sha = hashlib.sha256(codebook.read_bytes()).hexdigest()
    outputs = tmp_path / "outputs"
    validation_json(outputs / "validate-old", sha, precision=0.1)
    validation_json(outputs / "validate-new", sha, created="2025-02-01T10:00:00+00:00", precision=0.9)
    validation_json(outputs / "validate-other", "0" * 64, path=str(codebook.resolve()))
    (outputs / "run-1").mkdir()
    (outputs / "run-1" / "validation.json").write_text("{not json", encoding="utf-8")
    entry, notes = find_validation(codebook, None, outputs)
    assert entry["file"].endswith("validate-new/validation.json")
    assert entry["codes"]["equity"].startswith("validated on 3 file(s), 40 unit(s): precision 0.90")
    said = [str(n) for n in notes]
    assert any("validate-other" in n and "another version of this codebook" in n for n in said)
    assert any("run-1" in n and "cannot be read as JSON" in n for n in said)


def test_an_explicit_validation_of_another_codebook_is_not_shown(tmp_path):
    codebook = tmp_path / "cb.yaml"
    codebook.write_text("codes: []\n", encoding="utf-8")
    path = validation_json(tmp_path / "v", "0" * 64)
    entry, notes = find_validation(codebook, tmp_path / "v", tmp_path / "outputs")
    assert entry is None and "its figures are not shown" in str(notes[0])
    (tmp_path / "x.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ReviewError, match="is not a qcode validation"):
        find_validation(codebook, tmp_path / "x.json")
    assert path.is_file()
