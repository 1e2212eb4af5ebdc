"""A transcripts folder, roster and codebook → a self-contained run folder (`qcode run`)."""

from __future__ import annotations

import datetime as dt
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .codebook import codebook_yaml, load_codebook
from .coding import FileJob, Settings, safe_code_file
from .errors import PipelineError, Problem, StrictModeError, TranscriptError, note
from .ingest import MAX_TRANSCRIPT_BYTES, is_transcript_name
from .match import Matcher
from .models import Roster
from .outputs import FORMAT_VERSION, RunFolder, check_out_dir, sha256_file
from .publish import collecting, publish
from .review import read_reviewed
from .roster import find_roster, read_roster, roster_from_files
from .versions import installed_versions
from .workbook import MAX_ROWS
from .zh_words import Segmenter, choose

UNITS = ("sentence", "turn")


@dataclass
class RunOptions:
    transcripts: Path
    codebook: Path
    out: Path
    roster: Path | None = None
    unit: str = "sentence"
    language: str = ""
    include_interviewer: bool = False
    user_dict: Path | None = None
    strict: bool = False
    force: bool = False
    progress: bool = False
    max_rows: int = MAX_ROWS
    jobs: int = 1
    reviewed: Path | None = None       # carry a reviewed workbook's decisions onto this run
    cache: Path | None = None          # segmentation cache folder (None: no cache)
    max_file_mb: float = MAX_TRANSCRIPT_BYTES / 1e6
    segmenter: str = "auto"            # Chinese: auto, jieba or rjieba (zh_words.choose)


@dataclass
class RunReport:
    out: Path
    files_coded: int
    mentions: int
    top_codes: list[tuple[str, int]]
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)
    from_cache: int = 0


def default_out_dir(base: Path = Path("outputs"), kind: str = "run") -> Path:
    stamp = dt.datetime.now().strftime(f"{kind}-%Y-%m-%d_%H%M%S")
    out = base / stamp
    n = 2
    while out.exists():
        out = base / f"{stamp}-{n}"
        n += 1
    return out


def plan_jobs(options: RunOptions, roster: Roster) -> tuple[list[FileJob], list[Problem]]:
    """One job per roster row whose file exists; problems for the rows that cannot be coded."""
    jobs, issues = [], []
    for person in roster.interviewees:
        path = options.transcripts / person.file
        if not path.is_file():
            issues.append(Problem(roster.path or str(options.transcripts),
                                  f"interviewee {person.id!r}: file {person.file!r} not found in "
                                  f"{options.transcripts}", line=person.line,
                                  hint="fix the roster's `file` column (paths are relative to the "
                                       "transcripts folder)"))
            continue
        jobs.append(FileJob(path=str(path), source_file=person.file, interviewee_id=person.id,
                            stakeholder_groups="; ".join(person.groups), language=person.language,
                            region=person.region, respondent_labels=person.speaker_labels,
                            default_language=options.language))
    return jobs, issues


def transcript_files(folder: Path, roster_path: Path | None) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and is_transcript_name(path.name) and path != roster_path \
                and not any(part.startswith(".") for part in path.relative_to(folder).parts):
            found.append(path.relative_to(folder).as_posix())
    return found


def load_inputs(options: RunOptions):
    """Codebook, roster and jobs, with the problems and notes found on the way."""
    if not options.transcripts.is_dir():
        raise TranscriptError(options.transcripts, "the transcripts folder does not exist",
                              hint="give the folder holding the transcripts, e.g. `qcode run transcripts/`")
    if options.unit not in UNITS:
        raise PipelineError("--unit", f"unknown coding unit {options.unit!r}", hint="use sentence or turn")
    codebook = load_codebook(options.codebook)
    issues: list[Problem] = list(codebook.notes)
    roster_path = options.roster or find_roster(options.transcripts)
    files = transcript_files(options.transcripts, roster_path)
    if roster_path is not None:
        roster = read_roster(Path(roster_path))
        issues += roster.problems
        listed = {p.file for p in roster.interviewees}
        others = [f for f in files if f not in listed]
        if others:
            issues.append(note(str(roster_path), f"{len(others)} transcript-like file(s) not in the roster are "
                               f"not coded: {', '.join(others[:10])}{' …' if len(others) > 10 else ''}",
                               hint="add them to the roster to code them"))
    else:
        if not files:
            raise TranscriptError(options.transcripts, "no transcripts (.txt .md .docx .vtt .srt) in the folder",
                                  hint="put transcripts there, or give another folder")
        roster = roster_from_files(files)
        issues.append(note(str(options.transcripts), "no roster: every file is its own interviewee in the "
                           "group `unassigned`", hint="add roster.csv to name stakeholder groups"))
    if options.user_dict is not None:
        check_user_dict(options.user_dict)
    jobs, missing = plan_jobs(options, roster)
    return codebook, roster, jobs, issues + missing


def check_user_dict(path: Path) -> None:
    try:
        lines = path.read_bytes().decode("utf-8-sig").splitlines()
    except OSError as exc:
        raise PipelineError(path, f"the user dictionary cannot be read ({exc.strerror})",
                            hint="check the --user-dict path") from None
    except UnicodeDecodeError:
        raise PipelineError(path, "the user dictionary is not UTF-8", hint="save it as UTF-8") from None
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if len(parts) >= 2 and not parts[1].isdigit():
            raise PipelineError(path, f"the frequency {parts[1]!r} is not a whole number", line=number,
                                hint="each line is `word [frequency] [part-of-speech]`")


def run_settings(options: RunOptions, keep_units: bool, segmenter: Segmenter | None = None) -> Settings:
    """Settings of the per-file stage; the cache's environment key is computed once, here."""
    from .cache import environment_key

    user_dict = str(options.user_dict or "")
    segmenter = segmenter or choose(options.segmenter, user_dict)
    return Settings(unit=options.unit, include_interviewer=options.include_interviewer, user_dict=user_dict,
                    segmenter=segmenter.name, keep_units=keep_units, cache_dir=str(options.cache or ""),
                    cache_environment=environment_key(user_dict, segmenter) if options.cache else "",
                    max_file_bytes=int(options.max_file_mb * 1e6))


def run_corpus(options: RunOptions) -> RunReport:
    """Code every file, tally, and write the run folder; a Problem never stops the other files."""
    started = time.perf_counter()
    created = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    check_out_dir(options.out, options.force)
    codebook, roster, jobs, issues = load_inputs(options)
    segmenter = choose(options.segmenter, str(options.user_dict or ""))
    settings = run_settings(options, keep_units=options.reviewed is not None, segmenter=segmenter)
    matcher = Matcher(codebook)
    carrier = None
    if options.reviewed is not None:
        from .audit import Recoded
        from .carry import Carrier

        carrier = Carrier(read_reviewed(options.reviewed), codebook.ids)
        jobs_by_file = {j.source_file: j for j in jobs}
    timings = {"start-up": time.perf_counter() - started}
    folder = RunFolder(options.out)
    try:
        collected = collecting(folder, codebook.ids, options.max_rows, issues=issues, timings=timings)
        coding_started = time.perf_counter()
        for result in _code_all(jobs, settings, matcher, codebook, options.progress, options.jobs):
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
            raise StrictModeError(options.out, f"{len(problems)} problem(s) in the inputs; nothing written "
                                  "(--strict)", hint="fix them, or run without --strict", problems=problems)
        manifest = {
            "format_version": FORMAT_VERSION, "coding": "machine", "created": created,
            "qcode_version": __version__, "versions": library_versions(),
            "options": {"unit": options.unit, "language": options.language, "jobs": options.jobs,
                        "include_interviewer": options.include_interviewer, "strict": options.strict,
                        "max_file_mb": options.max_file_mb, "segmenter": options.segmenter},
            "segmenter": segmenter.as_dict(),
            "inputs": _inputs(options, roster),
            "codebook": {"name": codebook.name, "version": codebook.version, "codes": codebook.ids,
                         "yaml": codebook_yaml(codebook)},
            "files": collected.files,
            "cache": {"folder": str(options.cache) if options.cache else None, "files_from_cache": collected.cached},
            "notes": [n.as_dict() for n in notes], "problems": [p.as_dict() for p in problems],
        }
        if carrier is not None:
            manifest["carried_review"] = {"workbook": str(Path(options.reviewed).resolve()),
                                          "carried": carrier.carried, "orphaned": len(extra[0][2])}
        tallies = publish(folder, collected, codebook, roster, manifest, options.include_interviewer,
                          started, extra=extra)
        out = folder.commit()
    except BaseException:
        folder.discard()
        raise
    totals = tallies.by_interviewee.groupby("code", sort=False)["mentions"].sum()
    top = sorted(((c, int(n)) for c, n in totals.items() if n), key=lambda x: -x[1])[:5]
    return RunReport(out=out, files_coded=len(collected.files), mentions=sum(totals), top_codes=top,
                     problems=problems, notes=notes, manifest=manifest, from_cache=collected.cached)


_worker_state: dict = {}


def _init_worker(settings, codebook) -> None:
    _worker_state["settings"] = settings
    _worker_state["matcher"] = Matcher(codebook)


def _code_in_worker(job):
    return safe_code_file(job, _worker_state["settings"], _worker_state["matcher"])


def _code_all(jobs, settings, matcher, codebook, progress: bool, workers: int):
    """Results in roster order, coded in this process or in `workers` processes."""
    from tqdm import tqdm

    bar = tqdm(total=len(jobs), desc="coding", unit="file", disable=not progress or len(jobs) < 2, leave=False)
    with bar:
        if workers <= 1 or len(jobs) < 2:
            for job in jobs:
                yield safe_code_file(job, settings, matcher)
                bar.update()
            return
        import multiprocessing

        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                              else "spawn")
        with context.Pool(min(workers, len(jobs)), initializer=_init_worker,
                          initargs=(settings, codebook)) as pool:
            for result in pool.imap(_code_in_worker, jobs, chunksize=1):
                yield result
                bar.update()


def _inputs(options: RunOptions, roster: Roster) -> dict:
    def described(path):
        if path is None or not str(path):
            return None
        path = Path(path)
        return {"path": str(path.resolve()), "sha256": sha256_file(path)}

    return {"transcripts": str(options.transcripts.resolve()), "codebook": described(options.codebook),
            "roster": described(roster.path) if roster.path else None,
            "user_dict": described(options.user_dict)}


def library_versions() -> dict:
    return {"python": platform.python_version(),
            **installed_versions(("jieba", "rjieba", "spacy", "spacy-lookups-data", "opencc-python-reimplemented",
                                  "openpyxl", "pandas"))}

