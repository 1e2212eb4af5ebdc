"""A transcripts folder, roster and codebook → a self-contained run folder (`qcode run`)."""

from __future__ import annotations

import datetime as dt
import platform
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.coding.cache import cache_folder
from pipeline.coding.corpus import (
    CodingOptions,
    code_files,
    coding_cluster,
    coding_settings,
    load_inputs,
    not_coded,
    worker_count,
)
from pipeline.coding.match import Matcher
from pipeline.commands.report import Failure, Line, Report, said, workbook_line
from pipeline.defaults import default_codebook, sample_transcripts
from pipeline.errors import Problem, StrictModeError, note
from pipeline.learn.second_opinion import SEED, TOP, SecondOpinion
from pipeline.learn.training import read_training
from pipeline.models import Roster
from pipeline.read.codebook import codebook_yaml
from pipeline.review.carry import Carrier
from pipeline.review.reviewed_workbook import read_reviewed
from pipeline.review.validation_figures import find_validation
from pipeline.runfolder.publish import collecting, publish
from pipeline.runfolder.recode import Recoded
from pipeline.text.fast_convert import choose_converter
from pipeline.text.zh_words import choose
from pipeline.versions import installed_versions
from pipeline.write.excel import MAX_ROWS
from pipeline.write.folder import WORKBOOK, OutputFolder, default_out_dir, manifest_header, sha256_file


@dataclass
class RunOptions(CodingOptions):
    """`qcode run`: the coding options, and where and how the run folder is written.

    Left empty, `transcripts` and `codebook` are the embedded sample and the default codebook,
    `out` a new outputs/run-…, `jobs` every core, `cache` the user's cache folder.
    """

    out: Path | None = None
    strict: bool = False
    force: bool = False
    progress: bool = False
    max_rows: int = MAX_ROWS
    reviewed: Path | None = None       # carry a reviewed workbook's decisions onto this run
    suggest_from: list[Path] = field(default_factory=list)   # reviewed workbooks teaching the second opinion
    suggest_top: int = TOP             # its suggestions per code
    suggest_seed: int = SEED
    validation: Path | None = None     # a validation.json to show [default: the newest of this codebook in outputs/]
    no_cache: bool = False             # neither read nor write the segmentation cache
    jobs: int | None = None
    cluster: str | None = None         # code on a Dask cluster: a scheduler's address or file, or local[:N]


@dataclass
class RunReport(Report):
    out: Path
    files_coded: int
    mentions: int
    top_codes: list[tuple[str, int]]
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)
    from_cache: int = 0
    cache: Path | None = None

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        yield from said(self.problems)
        if not quiet:
            yield from said(self.notes)
            top = ", ".join(f"{code} {n}" for code, n in self.top_codes) or "none"
            yield Line(f"coded {self.files_coded} file(s): {self.mentions} mention(s); top codes: {top}")
            if skipped := self.manifest.get("not_coded"):
                yield Line(f"not coded: {len(skipped)} file(s), each named above with the reason")
            yield Line(f"{len(self.problems)} problem(s), {len(self.notes)} note(s)")
            if self.from_cache:
                yield Line(f"{self.from_cache} of {self.files_coded} file(s) segmented from the cache ({self.cache})")
            for summary in (self.manifest.get("second_opinion") or {}).get("summary", [])[1:]:
                yield Line(f"second opinion: {summary}")
        yield workbook_line(self.out, WORKBOOK)


def resolved(options: RunOptions) -> RunOptions:
    """The options with every default filled in (as run.json records them)."""
    return replace(options, transcripts=options.transcripts or sample_transcripts(),
                   codebook=options.codebook or default_codebook(), out=options.out or default_out_dir("run"),
                   jobs=worker_count(options.jobs),
                   cache=cache_folder(options.cache, options.no_cache))


def run_corpus(options: RunOptions) -> RunReport | Failure:
    """Code every file, tally, and write the run folder; a Problem never stops the other files."""
    started = time.perf_counter()
    created = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    options = resolved(options)
    folder = OutputFolder(options.out, options.force)
    codebook, roster, jobs, issues = load_inputs(options)
    segmenter = choose(options.segmenter, str(options.user_dict or ""))
    converter = choose_converter(options.converter)
    settings = coding_settings(options, keep_units=options.reviewed is not None or bool(options.suggest_from),
                               segmenter=segmenter, converter=converter)
    matcher = Matcher(codebook)
    carrier = None
    if options.reviewed is not None:
        carrier = Carrier(read_reviewed(options.reviewed), codebook.ids)
        jobs_by_file = {j.source_file: j for j in jobs}
    opinion = None
    if options.suggest_from:            # trained before coding: each file is scored as it arrives
        training = read_training(list(options.suggest_from), options.jobs, options.cache)
        opinion = SecondOpinion(training, codebook.ids, options.suggest_seed, options.suggest_top).train()
        issues = issues + training.notes + opinion.notes
    validation, validation_notes = find_validation(options.codebook, options.validation)
    issues = issues + validation_notes
    timings = {"start-up": time.perf_counter() - started}
    with coding_cluster(options.cluster) as cluster, folder:     # a cluster not reached: nothing written
        if cluster is not None:
            timings["cluster start"] = time.perf_counter() - started - timings["start-up"]
        collected = collecting(folder, codebook.ids, options.max_rows, roster, issues=issues, timings=timings)
        coding_started = time.perf_counter()
        for result in code_files(jobs, settings, matcher, codebook, options.progress, options.jobs, cluster):
            if isinstance(result, Problem):
                collected.issues.append(result)
                continue
            collected.add_file(result)
            if carrier is None:
                collected.add_assignments(result.assignments)
            else:
                carried, added = carrier.carry(result, Recoded(codebook, roster, jobs_by_file,
                                                               {result.source_file: result}))
                collected.add_assignments(carried)
                collected.stream.add(added)          # on the desk for the next audit, not in the tallies
            collected.unit_codes.extend((result.source_file, u, c) for u, c in result.unit_codes)
            if opinion is not None:
                opinion.score(result)           # listed on the Suggested sheet only: never in a tally
        collected.stream.close()
        timings["coding wall"] = time.perf_counter() - coding_started    # the desk streams meanwhile
        extra = []
        if carrier is not None:
            orphans = carrier.finish()
            extra.append(("Orphaned decisions", "orphaned_decisions.csv", orphans))
            if len(orphans):
                collected.issues.append(note(str(options.reviewed), f"{len(orphans)} decision(s) could not be "
                                             "carried over: see the Orphaned decisions sheet",
                                             hint="re-enter them on the new desk where they still apply"))
        problems = [i for i in collected.issues if i.kind == "problem"]
        notes = [i for i in collected.issues if i.kind == "note"]
        if options.strict and problems:
            folder.discard()
            return Failure(StrictModeError(options.out, f"{len(problems)} problem(s) in the inputs; nothing "
                                           "written (--strict)", hint="fix them, or run without --strict",
                                           problems=problems))
        manifest = manifest_header(created=created, coding="machine", versions=library_versions(), **{
            "options": {"unit": options.unit, "language": options.language, "jobs": options.jobs,
                        "include_interviewer": options.include_interviewer, "strict": options.strict,
                        "max_file_mb": options.max_file_mb, "segmenter": options.segmenter,
                        "converter": options.converter},
            "segmenter": segmenter.as_dict("zh"),
            "converter": converter.as_dict(),
            "inputs": _inputs(options, roster),
            "codebook": {"name": codebook.name, "version": codebook.version, "codes": codebook.ids,
                         "yaml": codebook_yaml(codebook)},
            "files": collected.files,
            "cache": {"folder": str(options.cache) if options.cache else None, "files_from_cache": collected.cached},
            "notes": [n.as_dict() for n in notes], "problems": [p.as_dict() for p in problems],
            "not_coded": not_coded(collected.issues, jobs, {f["source_file"] for f in collected.files}),
        })
        if carrier is not None:
            manifest["carried_review"] = {"workbook": str(Path(options.reviewed).resolve()),
                                          "carried": carrier.carried, "orphaned": len(extra[0][2])}
        if opinion is not None:
            manifest["second_opinion"] = opinion.record()
        if validation is not None:          # shown on the Codebook sheet, one line per code
            manifest["validation"] = validation
        if cluster is not None:             # where it ran: kind, workers, threads (never an address)
            manifest["cluster"] = cluster.record()
            cluster.close()                 # its workers are not needed to write
        tallies, out = publish(folder, collected, codebook, roster, manifest, options.include_interviewer,
                               started, extra=extra, suggested=None if opinion is None else opinion.suggestions())
    totals = tallies.by_interviewee.groupby("code", sort=False)["mentions"].sum()
    top = sorted(((c, int(n)) for c, n in totals.items() if n), key=lambda x: -x[1])[:5]
    return RunReport(out=out, files_coded=len(collected.files), mentions=sum(totals), top_codes=top,
                     problems=problems, notes=notes, manifest=manifest, from_cache=collected.cached,
                     cache=options.cache)


def _inputs(options: RunOptions, roster: Roster) -> dict:
    def described(path):
        if path is None or not str(path):
            return None
        path = Path(path)
        return {"path": str(path.resolve()), "sha256": sha256_file(path)}

    user_dict = described(options.user_dict)
    if user_dict is not None:           # its text travels with the run: audit never reads a path a record names
        user_dict["text"] = Path(options.user_dict).read_bytes().decode("utf-8")
    return {"transcripts": str(options.transcripts.resolve()), "codebook": described(options.codebook),
            "roster": described(roster.path) if roster.path else None, "user_dict": user_dict}


def library_versions() -> dict:
    """Versions of Python and the libraries that shape a run's results (run.json's `versions`)."""
    return {"python": platform.python_version(),
            **installed_versions(("jieba", "rjieba", "spacy", "spacy-lookups-data", "opencc-python-reimplemented",
                                  "openpyxl", "pandas", "pypdf", "odfpy", "striprtf"))}

