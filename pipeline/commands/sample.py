"""A run folder → a validation sample workbook: every respondent unit of N random files, or N random units, with
qcode's coding pre-filled as 0/1 per code, for a reviewer to correct (`qcode sample`)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.coding.cache import cache_folder
from pipeline.coding.corpus import worker_count
from pipeline.commands.report import Line, Report
from pipeline.errors import ReviewError
from pipeline.review.validation import read_validation
from pipeline.review.validation_sample import (
    draw_files,
    draw_units,
    respondent_units,
    sample_record,
    write_sample,
)
from pipeline.runfolder.load import load_run
from pipeline.runfolder.recode import recode_run
from pipeline.write.folder import check_file_target, default_out_dir

DEFAULT_FILES = 5
MAX_SEED = 2 ** 63


@dataclass
class SampleOptions:
    run: Path
    files: int | None = None            # every respondent unit of this many random files (default: DEFAULT_FILES)
    units: int | None = None            # or this many random respondent units of the whole run
    seed: int | None = None             # default: a new random seed, printed and kept in the workbook
    out: Path | None = None             # default: a new outputs/sample-….xlsx
    force: bool = False
    transcripts: Path | None = None     # where the run's transcripts are now, if they moved
    jobs: int | None = None
    cache: Path | None = None
    no_cache: bool = False


@dataclass
class SampleReport(Report):
    out: Path
    seed: int
    files: int
    units: int
    coded: int
    asked: str
    run_coding: str = "machine"

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        if self.run_coding != "machine":
            yield Line("note: the run was reviewed; the sample shows qcode's own coding of its transcripts, not the "
                       "review", err=True)
        yield Line(f"sample of {self.asked}: {self.units} respondent unit(s) of {self.files} file(s), {self.coded} "
                   f"coded by qcode (seed {self.seed}; --seed {self.seed} draws the same sample again)")
        yield Line(f"validation workbook: {self.out}")
        yield Line(f"correct its 0/1 cells, then: qcode validate {self.out}")


def _untouched_sample(path: Path) -> bool:
    """Whether `path` is a sample qcode wrote that nobody has changed (what --force may replace)."""
    try:
        return read_validation(path).untouched()
    except ReviewError:
        return False


def check_sample_target(out: Path, force: bool) -> None:
    check_file_target(out, force, "validation workbook", _untouched_sample,
                      not_ours="is not a validation sample qcode wrote, or a reviewer has changed it",
                      replaceable="a sample qcode wrote that nobody has changed", suffix=".xlsx")


def draw_sample(options: SampleOptions) -> SampleReport:
    """Re-code the run's drawn files as the run did and write the sample workbook (never over a reviewer's)."""
    if options.files is not None and options.units is not None:
        raise ReviewError(options.run, "give --files or --units, not both",
                          hint="--files N: every unit of N files; --units N: N units of the whole run")
    for name in ("files", "units"):
        if (value := getattr(options, name)) is not None and value < 1:
            raise ReviewError(options.run, f"--{name} {value} is not a positive number", hint=f"give --{name} 1 "
                                                                                                "or more")
    if options.seed is not None and not 0 <= options.seed < MAX_SEED:
        raise ReviewError(options.run, f"--seed {options.seed} is out of range", hint="give a whole number from 0")
    tables = load_run(options.run)
    out = Path(options.out) if options.out else default_out_dir("sample", suffix=".xlsx")
    if options.out is None:
        out.parent.mkdir(parents=True, exist_ok=True)
    check_sample_target(out, options.force)               # before re-coding: refuse at once
    seed = options.seed if options.seed is not None else secrets.randbelow(1_000_000)
    manifest = tables.manifest
    if options.units is None:
        count = options.files or DEFAULT_FILES
        chosen = set(draw_files(manifest.get("files", []), count, seed))
        draw, asked = {"files": count}, f"{count} file(s)"
        manifest_drawn = {**manifest, "files": [f for f in manifest.get("files", []) if f["source_file"] in chosen]}
    else:
        draw, asked = {"units": options.units}, f"{options.units} unit(s)"
        manifest_drawn = manifest
    recoded = recode_run(manifest_drawn, tables.path / "run.json", options.transcripts,
                         worker_count(options.jobs), cache_folder(options.cache, options.no_cache))
    units = [u for name in sorted(recoded.results) for u in respondent_units(recoded.results[name])]
    units = draw_units(units, options.units, seed)
    if not units:
        raise ReviewError(tables.path, "the drawn files hold no respondent speech to sample",
                          hint="check the run's speakers (speakers.csv), or draw more files")
    record = sample_record(units, manifest, str(tables.path.resolve()), seed, draw)
    check_sample_target(out, options.force)
    write_sample(out, units, recoded.codebook, record)
    return SampleReport(out=out, seed=seed, files=len(record["files"]), units=len(units),
                        coded=sum(1 for u in units if u.codes), asked=asked,
                        run_coding=str(manifest.get("coding", "machine")))
