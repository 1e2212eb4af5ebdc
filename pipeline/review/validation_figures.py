"""A corrected validation sample → per code precision, recall and F1 over units with 95% intervals, and kappa; and
the validation.json of a codebook found again for a later run (read only).

Precision and recall are proportions of units, so their intervals are Wilson score intervals
(`scipy.stats.binomtest(k, n).proportion_ci(method="wilson")`): unlike the normal approximation they stay inside
[0, 1] and keep close to 95% coverage for the small counts and extreme proportions a sample of a few files gives.
F1 has no closed-form interval: it is a percentile bootstrap over files (units of one file are not independent:
one interview talks about privacy for pages), with a fixed seed, given only where at least MIN_BOOTSTRAP_FILES
files were sampled. Kappa is scikit-learn's, with a note where it is undefined or 0 by prevalence.
"""

from __future__ import annotations

import json
import math
import stat
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import Problem, ReviewError, note
from pipeline.review.validation import ValidatedSample
from pipeline.stats.agreement import cohen_kappa, kappa_note
from pipeline.write.folder import sha256_file

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0
MIN_BOOTSTRAP_FILES = 5
OVERALL = "overall"
KIND = "qcode validation"
MANIFEST = "validation.json"
MAX_VALIDATION_BYTES = 20_000_000
FIGURE_COLUMNS = ["code", "files", "units", "qcode_units", "reviewer_units", "both", "qcode_only", "reviewer_only",
                  "precision", "precision_low", "precision_high", "recall", "recall_low", "recall_high",
                  "f1", "f1_low", "f1_high", "kappa", "kappa_note"]
_NAMES = {1: "coded", 0: "not coded"}


def wilson(k: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval of k successes in n trials; (nan, nan) where n is 0."""
    if n == 0:
        return math.nan, math.nan
    from scipy.stats import binomtest

    interval = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(interval.low), float(interval.high)


def _ratio(k: int, n: int) -> float:
    return k / n if n else math.nan


def validation_figures(sample: ValidatedSample) -> pd.DataFrame:
    """One row per code and an `overall` row (every unit × code cell pooled): counts, figures, intervals."""
    codes = sample.code_ids
    files = sorted({u.source_file for u in sample.units})
    at = {f: i for i, f in enumerate(files)}
    counts = np.zeros((len(files), len(codes) + 1, 3), dtype=np.int64)     # per file and code: tp, fp, fn
    rows = []
    for j, code in enumerate(codes):
        machine = [u.qcode[code] for u in sample.units]
        human = [u.reviewer[code] for u in sample.units]
        for u in sample.units:
            cell = (u.qcode[code], u.reviewer[code])
            if cell != (0, 0):
                counts[at[u.source_file], j, {(1, 1): 0, (1, 0): 1, (0, 1): 2}[cell]] += 1
        rows.append(_row(code, len(files), len(sample.units), machine, human))
    counts[:, -1] = counts[:, :-1].sum(axis=1)
    machine = [u.qcode[c] for u in sample.units for c in codes]
    human = [u.reviewer[c] for u in sample.units for c in codes]
    rows.append(_row(OVERALL, len(files), len(sample.units), machine, human))
    frame = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    low, high = f1_bootstrap(counts)
    frame["f1_low"], frame["f1_high"] = low, high
    return frame


def _row(code: str, files: int, units: int, machine: list[int], human: list[int]) -> dict:
    both = sum(1 for a, b in zip(machine, human, strict=True) if a and b)
    qcode, reviewer = sum(machine), sum(human)
    kappa = cohen_kappa(machine, human)
    return {"code": code, "files": files, "units": units, "qcode_units": qcode, "reviewer_units": reviewer,
            "both": both, "qcode_only": qcode - both, "reviewer_only": reviewer - both,
            "precision": _ratio(both, qcode), **dict(zip(("precision_low", "precision_high"), wilson(both, qcode),
                                                         strict=True)),
            "recall": _ratio(both, reviewer), **dict(zip(("recall_low", "recall_high"), wilson(both, reviewer),
                                                       strict=True)),
            "f1": _ratio(2 * both, qcode + reviewer), "f1_low": math.nan, "f1_high": math.nan, "kappa": kappa,
            "kappa_note": kappa_note(machine, human, kappa, ("qcode", "the reviewer"), "unit", _NAMES)}


def f1_bootstrap(counts: np.ndarray) -> tuple[list[float], list[float]]:
    """Per code, the 2.5 and 97.5 percentiles of F1 over BOOTSTRAP_RESAMPLES resamples of the files (with
    replacement, seed BOOTSTRAP_SEED); resamples where F1 is undefined (no unit coded by either) are left out.
    NaN with fewer than MIN_BOOTSTRAP_FILES files. `counts`: files × codes × (tp, fp, fn)."""
    n_files, n_codes = counts.shape[:2]
    if n_files < MIN_BOOTSTRAP_FILES:
        return [math.nan] * n_codes, [math.nan] * n_codes
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    drawn = rng.integers(0, n_files, size=(BOOTSTRAP_RESAMPLES, n_files))
    weights = np.zeros((BOOTSTRAP_RESAMPLES, n_files), dtype=np.int64)
    np.add.at(weights, (np.arange(BOOTSTRAP_RESAMPLES)[:, None], drawn), 1)
    totals = (weights @ counts.reshape(n_files, -1)).reshape(BOOTSTRAP_RESAMPLES, n_codes, 3)
    lows, highs = [], []
    for j in range(n_codes):
        tp, fp, fn = totals[:, j, 0], totals[:, j, 1], totals[:, j, 2]
        defined = (2 * tp + fp + fn) > 0
        if not defined.any():
            lows.append(math.nan)
            highs.append(math.nan)
            continue
        f1 = 2 * tp[defined] / (2 * tp[defined] + fp[defined] + fn[defined])
        low, high = np.percentile(f1, [2.5, 97.5])
        lows.append(float(low))
        highs.append(float(high))
    return lows, highs


def _number(value) -> float:
    """A figure from a table or a received JSON file: a float, NaN for anything that is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    return float(value)


def _count(value) -> int:
    value = _number(value)
    return int(value) if value == value and 0 <= value < 1e15 else 0


def _shown(value, low=None, high=None) -> str:
    value = _number(value)
    if value != value:
        return "n/a"
    text = f"{value:.2f}"
    low, high = _number(low), _number(high)
    return text + (f" [{low:.2f}–{high:.2f}]" if low == low and high == high else "")


def figures_line(figures: dict, files: int, units: int) -> str:
    """'validated on 6 files, 412 units: precision 0.86 [0.78–0.92], recall …, F1 …, kappa …' for one code."""
    shown = {name: _shown(figures.get(name), figures.get(f"{name}_low"), figures.get(f"{name}_high"))
             for name in ("precision", "recall", "f1")}
    return (f"validated on {files} file(s), {units} unit(s): precision {shown['precision']}, recall "
            f"{shown['recall']}, F1 {shown['f1']}, kappa {_shown(figures.get('kappa'))}")


def figures_record(frame: pd.DataFrame) -> dict:
    """The figures table as validation.json keeps it: code → {column: value}, NaN as null."""
    def plain(value):
        if isinstance(value, str):
            return value
        value = float(value) if not isinstance(value, int | np.integer) else int(value)
        return None if isinstance(value, float) and value != value else value

    return {row["code"]: {k: plain(v) for k, v in row.items() if k != "code"} for row in frame.to_dict("records")}


def find_validation(codebook: Path, explicit: Path | None, base: Path = Path("outputs")) -> tuple[dict | None,
                                                                                                  list[Problem]]:
    """The validation a run of `codebook` shows: `explicit` (a validation.json, or the folder holding one), else
    the newest `base/*/validation.json` of a codebook with the same SHA-256 whose sample a reviewer changed.
    Returns run.json's `validation` entry (None where there is none) and notes (a validation of another version of
    the codebook is not shown). An explicit file that is not a validation is a ReviewError; a damaged one found by
    looking, or a symbolic link there, is a note."""
    sha = sha256_file(codebook)
    where = str(Path(codebook).resolve())
    notes: list[Problem] = []
    if explicit is not None:
        path = Path(explicit) / MANIFEST if Path(explicit).is_dir() else Path(explicit)
        data = read_validation_json(path)
        if data["codebook"].get("sha256") != sha:
            notes.append(note(str(path), "is the validation of another codebook, or of another version of this "
                              "one (its sha256 differs): its figures are not shown",
                              hint="validate a sample of a run with this codebook (`qcode sample`, `qcode "
                                   "validate`)"))
            return None, notes
        return validation_entry(data, path), notes
    found = []
    for path in sorted(base.glob(f"*/{MANIFEST}")) if base.is_dir() else []:
        if path.is_symlink() or path.parent.is_symlink():
            notes.append(note(str(path), "is a symbolic link: a validation found by looking is read only where it "
                              "lies; not shown", hint=f"to show it anyway: qcode run … --validation {path}"))
            continue
        try:
            data = read_validation_json(path)
        except ReviewError as error:
            if "not a qcode validation" not in error.problem:
                notes.append(note(str(path), f"{error.problem}; not shown"))
            continue
        if data["codebook"].get("sha256") == sha and data.get("reviewed") is False:
            notes.append(note(str(path), "validates this codebook, but its sample is as qcode filled it (no cell "
                              "changed, no comment): not shown, as it may never have been reviewed",
                              hint=f"to show it anyway: qcode run … --validation {path}"))
        elif data["codebook"].get("sha256") == sha:
            found.append((str(data.get("created", "")), str(path), data))
        elif data["codebook"].get("path") == where:
            notes.append(note(str(path), "validated another version of this codebook (its sha256 differs): its "
                              "figures are not shown", hint="validate a sample of a run with this version"))
    if not found:
        return None, notes
    _, path, data = max(found)
    return validation_entry(data, Path(path)), notes


def read_validation_json(path: Path) -> dict:
    """A validation.json `qcode validate` wrote, checked for the shapes a run relies on."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):          # a FIFO would wait forever, a device never end
            raise ReviewError(path, "is not a regular file", hint="give the validation.json `qcode validate` wrote")
        with path.open("rb") as handle:                      # read no more than the limit, whatever stat said
            raw = handle.read(MAX_VALIDATION_BYTES + 1)
        if len(raw) > MAX_VALIDATION_BYTES:
            raise ReviewError(path, "is too large to be a validation.json", hint="give the file qcode validate wrote")
        data = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ReviewError(path, f"cannot be read as JSON ({type(error).__name__})",
                          hint="give the validation.json `qcode validate` wrote") from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ReviewError(path, "is not a qcode validation (no `kind: qcode validation`)",
                          hint="give the validation.json `qcode validate` wrote")
    if not (isinstance(data.get("codebook"), dict) and isinstance(data.get("codes"), dict)
            and all(isinstance(v, dict) for v in data["codes"].values())):
        raise ReviewError(path, "is a damaged qcode validation (no codebook or codes)",
                          hint="run `qcode validate` again")
    return data


def validation_entry(data: dict, path: Path) -> dict:
    """run.json's `validation`: where the figures come from, and one line per code for the Codebook sheet."""
    files, units = _count(data.get("files_sampled")), _count(data.get("units"))
    return {"file": str(path.resolve()), "created": str(data.get("created", "")),
            "codebook_sha256": data["codebook"].get("sha256"), "files": files, "units": units,
            "codes": {str(code): figures_line(figures, files, units) for code, figures in data["codes"].items()}}
