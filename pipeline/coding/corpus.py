"""A corpus's files → FileJobs and their FileResults, coded in this process, a pool or a cluster, in roster
order."""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from pipeline.coding.cache import environment_key, signing_key, term_forms_cached
from pipeline.coding.code_file import FileJob, Settings, safe_code_file
from pipeline.coding.match import Matcher
from pipeline.coding.pool import in_processes
from pipeline.errors import PipelineError, Problem, TranscriptError, note
from pipeline.models import Roster
from pipeline.read.codebook import load_codebook
from pipeline.read.documents import TRANSCRIPT_TYPES, is_silent, not_read_reason
from pipeline.read.roster import file_meant, find_roster, read_roster, roster_from_files
from pipeline.read.transcripts import MAX_TRANSCRIPT_BYTES, NEVER_TRANSCRIPTS, TRANSCRIPT_SUFFIXES, is_transcript_name
from pipeline.text.fast_convert import choose_converter
from pipeline.text.zh_words import choose
from pipeline.versions import LibraryChoice

UNITS = ("sentence", "turn")


@dataclass
class CodingOptions:
    """What shapes a corpus's coding — not where it is written (`qcode run`'s options add that)."""

    transcripts: Path
    codebook: Path | None = None
    roster: Path | None = None
    unit: str = "sentence"
    language: str = ""
    include_interviewer: bool = False
    user_dict: Path | None = None
    jobs: int = 1
    cache: Path | None = None          # segmentation cache folder (None: no cache)
    max_file_mb: float = MAX_TRANSCRIPT_BYTES / 1e6
    segmenter: str = "auto"            # Chinese: auto, jieba or rjieba (zh_words.choose)
    converter: str = "auto"            # Chinese conversion: auto, opencc or fast (fast_convert.choose_converter)


def worker_count(jobs: int | None) -> int:
    """Processes to code in: as asked, or every core."""
    return jobs or os.cpu_count() or 1


def plan_jobs(options: CodingOptions, roster: Roster) -> tuple[list[FileJob], list[Problem]]:
    """One job per roster row whose file exists inside the transcripts folder; problems for the rest.

    A roster (or a symlink in the folder) may name any path: a file that resolves outside the
    transcripts folder is never read, and one file listed twice (`p01.txt`, `./p01.txt`) is coded once.
    """
    jobs, issues = [], []
    root = options.transcripts.resolve()
    coded: dict[Path, str] = {}
    where = roster.path or str(options.transcripts)
    for person in roster.interviewees:
        path = options.transcripts / person.file
        resolved = path.resolve()
        if not resolved.is_relative_to(root):
            issues.append(Problem(where, f"interviewee {person.id!r}: file {person.file!r} lies outside the "
                                  "transcripts folder (an absolute path, `..` or a symbolic link); not read",
                                  line=person.line, hint="copy the transcript into the transcripts folder"))
            continue
        if not path.is_file():
            meant = file_meant(options.transcripts, person.file)
            issues.append(Problem(where, f"interviewee {person.id!r}: file {person.file!r} not found in "
                                  f"{options.transcripts}" + (f": did you mean {meant!r}?" if meant else ""),
                                  line=person.line,
                                  hint=f"write {meant!r} in the roster's `file` column" if meant else
                                  "fix the roster's `file` column (paths are relative to the transcripts folder)"))
            continue
        if resolved in coded:
            issues.append(Problem(where, f"interviewee {person.id!r}: file {person.file!r} is the same file as "
                                  f"interviewee {coded[resolved]!r}'s; coded once", line=person.line,
                                  hint="give each interviewee their own transcript"))
            continue
        coded[resolved] = person.id
        jobs.append(FileJob(path=str(path), source_file=person.file, interviewee_id=person.id,
                            stakeholder_groups="; ".join(person.groups), language=person.language,
                            region=person.region, respondent_labels=person.speaker_labels,
                            default_language=options.language))
    return jobs, issues


NOT_CODED = "not coded: "           # how a note about a file of the folder that is not coded begins


def not_coded_note(file: str, reason: str, hint: str) -> Problem:
    return note(file, NOT_CODED + reason, hint=hint)


def transcript_files(folder: Path, inputs: tuple[Path | None, ...] = ()) -> tuple[list[str], list[Problem]]:
    """Transcript files of the folder, as paths relative to it, and a `not coded` note for each other file qcode
    does not read (its type, and what to do). Silent: hidden files and folders, lock and backup files, README /
    LICENSE / CHANGELOG, and `inputs` (the roster, codebook and user dictionary). Links out are left to
    `plan_jobs`, which reports them."""
    own = {Path(p).resolve() for p in inputs if p is not None}
    found, skipped = [], []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(is_silent(part) for part in relative.parts) or path.resolve() in own \
                or path.name.lower().startswith(NEVER_TRANSCRIPTS):
            continue
        if is_transcript_name(path.name):
            found.append(relative.as_posix())
        else:
            skipped.append(not_coded_note(relative.as_posix(), *not_read_reason(path.suffix)))
    return found, skipped


def same_interview(files: list[str]) -> tuple[list[str], list[Problem]]:
    """Without a roster, one file per name: `p01.docx` and `p01.pdf` in one folder are one interview in two
    formats (and would be one interviewee, `p01`). The first in TRANSCRIPT_SUFFIXES order is coded (text before
    PDF), each other is a `not coded` note."""
    kept: dict[str, str] = {}
    for file in sorted(files, key=lambda f: TRANSCRIPT_SUFFIXES.index(Path(f).suffix.lower())):
        kept.setdefault(Path(file).with_suffix("").as_posix(), file)
    chosen = set(kept.values())
    skipped = [not_coded_note(f, f"the same name as {kept[Path(f).with_suffix('').as_posix()]}, which is coded "
                              "(one interview in two formats?)",
                              "remove one, or give a roster naming the file of each interviewee")
               for f in files if f not in chosen]
    return [f for f in files if f in chosen], skipped


def not_coded(issues: list[Problem], jobs: list[FileJob], coded: set[str]) -> list[dict]:
    """Every file of the folder (or roster) that was not coded, once, with why: run.json's `not_coded`."""
    listed = {}
    for issue in issues:
        if issue.kind == "note" and issue.problem.startswith(NOT_CODED):
            listed.setdefault(issue.file, issue.problem.removeprefix(NOT_CODED))
    job_files = {j.source_file for j in jobs} - coded
    for issue in issues:
        if issue.kind == "problem" and issue.file in job_files:
            listed.setdefault(issue.file, issue.problem)
    return [{"file": file, "reason": reason} for file, reason in listed.items()]


def load_inputs(options: CodingOptions):
    """Codebook, roster and jobs, with the problems and notes found on the way."""
    if not options.transcripts.is_dir():
        raise TranscriptError(options.transcripts, "the transcripts folder does not exist",
                              hint="give the folder holding the transcripts, e.g. `qcode run transcripts/`")
    if options.unit not in UNITS:
        raise PipelineError("--unit", f"unknown coding unit {options.unit!r}", hint="use sentence or turn")
    with term_forms_cached(options.cache):      # a re-run compiles its English terms without spaCy
        codebook = load_codebook(options.codebook)
    issues: list[Problem] = list(codebook.notes)
    roster_path = options.roster or find_roster(options.transcripts)
    files, skipped = transcript_files(options.transcripts, (roster_path, options.codebook, options.user_dict))
    if roster_path is not None:
        roster = read_roster(Path(roster_path))
        issues += roster.problems
        root = options.transcripts
        listed = {(root / p.file).resolve() for p in roster.interviewees}
        skipped = [s for s in skipped if (root / s.file).resolve() not in listed]    # read (or refused) as listed
        skipped += [not_coded_note(f, "not in the roster", f"add a row for it to {Path(roster_path).name} to code "
                                   "it") for f in files if (root / f).resolve() not in listed]
    else:
        files, twice = same_interview(files)
        if not files:
            shown = "".join(f"\n  {s.file}: {s.problem.removeprefix(NOT_CODED)}" for s in skipped[:10])
            raise TranscriptError(options.transcripts, f"no transcripts ({TRANSCRIPT_TYPES}) in the folder"
                                  + (f"; {len(skipped)} other file(s) not coded:{shown}" if skipped else ""),
                                  hint="put transcripts there (a .doc saved as .docx, a scan through OCR), or "
                                       "give another folder")
        skipped += twice
        roster = roster_from_files(files)
        issues.append(note(str(options.transcripts), "no roster: every file is its own interviewee in the "
                           "group `unassigned`", hint="add roster.csv to name stakeholder groups"))
    if options.user_dict is not None:
        check_user_dict(options.user_dict)
    jobs, missing = plan_jobs(options, roster)
    return codebook, roster, jobs, issues + missing + skipped


MAX_USER_DICT_BYTES = 16_000_000   # jieba's own dictionary is 5 MB; a user dictionary is names and jargon


def check_user_dict(path: Path) -> str:
    """The user dictionary's text (it travels in the run's record), checked line by line."""
    try:
        if not path.is_file():
            raise PipelineError(path, "the user dictionary is not a file", hint="check the --user-dict path")
        if path.stat().st_size > MAX_USER_DICT_BYTES:
            raise PipelineError(path, f"the user dictionary is larger than {MAX_USER_DICT_BYTES / 1e6:.0f} MB",
                                hint="a user dictionary lists names and jargon, one `word [frequency]` a line")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise PipelineError(path, f"the user dictionary cannot be read ({exc.strerror})",
                            hint="check the --user-dict path") from None
    except UnicodeDecodeError:
        raise PipelineError(path, "the user dictionary is not UTF-8", hint="save it as UTF-8") from None
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if len(parts) >= 2 and not parts[1].isdigit():
            raise PipelineError(path, f"the frequency {parts[1]!r} is not a whole number", line=number,
                                hint="each line is `word [frequency] [part-of-speech]`")
    return text


def coding_settings(options: CodingOptions, keep_units: bool, segmenter: LibraryChoice | None = None,
                    converter: LibraryChoice | None = None) -> Settings:
    """Settings of the per-file stage; the cache's environment key is computed once, here."""
    user_dict = str(options.user_dict or "")
    segmenter = segmenter or choose(options.segmenter, user_dict)
    converter = converter or choose_converter(options.converter)
    cached = options.cache is not None and signing_key() is not None    # read once here, before workers fork
    return Settings(unit=options.unit, include_interviewer=options.include_interviewer, user_dict=user_dict,
                    segmenter=segmenter.name, converter=converter.name, keep_units=keep_units,
                    cache_dir=str(options.cache) if cached else "",
                    cache_environment=environment_key(user_dict, segmenter, converter) if cached else "",
                    max_file_bytes=int(options.max_file_mb * 1e6))


_worker_state: dict = {}


def _init_worker(settings, codebook) -> None:
    _worker_state["settings"] = settings
    _worker_state["matcher"] = Matcher(codebook)
    gc.freeze()                         # a worker lives to code: see fewer_collections
    gc.set_threshold(*COLLECT_AFTER)


COLLECT_AFTER = (10_000, 10, 10)        # new objects before a young collection (Python's default: 700, 10, 10)


@contextmanager
def fewer_collections():
    """Python's cyclic garbage collector less often while coding: the objects made before (spaCy's and pandas'
    hundreds of thousands) frozen out of its full passes, and a young pass after 10,000 new objects rather
    than 700. Coding makes few reference cycles; this saves 5-8 % of a Chinese file's coding time. The
    interpreter's settings are its caller's: the outermost of nested (or interleaved) uses changes and restores
    them, and objects a caller froze itself stay frozen (nothing is frozen or unfrozen then)."""
    state = _COLLECTIONS
    if state["depth"] == 0:
        state["threshold"] = gc.get_threshold()
        state["freezes"] = gc.get_freeze_count() == 0
        if state["freezes"]:
            gc.freeze()
        gc.set_threshold(*COLLECT_AFTER)
    state["depth"] += 1
    try:
        yield
    finally:
        state["depth"] -= 1
        if state["depth"] == 0:
            gc.set_threshold(*state["threshold"])
            if state["freezes"]:
                gc.unfreeze()


_COLLECTIONS: dict = {"depth": 0, "threshold": None, "freezes": False}


def _code_in_worker(job):
    return safe_code_file(job, _worker_state["settings"], _worker_state["matcher"])


def _died_twice(job) -> Problem:
    return Problem(job.source_file, "the process coding it died twice (killed, or out of memory?); not coded",
                   hint="give qcode more memory (fewer --jobs), or split the file into smaller ones")


def coding_cluster(spec: str | None):
    """`--cluster SPEC` as a context: a Dask cluster reached or started, its workers checked (cluster.Cluster);
    without SPEC, nothing (and Dask is not imported)."""
    if not spec:
        return nullcontext(None)
    from pipeline.coding.cluster import Cluster

    return Cluster(spec)


def code_files(jobs, settings, matcher, codebook, progress: bool = False, workers: int = 1, cluster=None):
    """Results in roster order, coded in this process, in `workers` processes (pool.in_processes: a file
    whose process dies twice is a Problem) or on an open `coding_cluster`."""
    from tqdm import tqdm

    bar = tqdm(total=len(jobs), desc="coding", unit="file", disable=not progress or len(jobs) < 2, leave=False)
    with bar, fewer_collections():
        if cluster is not None:
            for result in cluster.code(jobs, settings, codebook):
                yield result
                bar.update()
            return
        if workers <= 1 or len(jobs) < 2:
            for job in jobs:
                yield safe_code_file(job, settings, matcher)
                bar.update()
            return
        for result in in_processes(jobs, _code_in_worker, _init_worker, (settings, codebook), workers,
                                   give_up=_died_twice):
            yield result
            bar.update()
