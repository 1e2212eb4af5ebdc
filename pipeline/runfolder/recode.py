"""A run's manifest → the run coded again from its inputs, refusing inputs whose checksum changed.

Shared by `qcode audit` (re-coding the reviewed run), `qcode run --reviewed` and `qcode agreement`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.coding.cache import default_cache_dir
from pipeline.coding.code_file import FileJob
from pipeline.coding.corpus import CodingOptions, code_files, coding_settings, plan_jobs
from pipeline.coding.match import Matcher
from pipeline.errors import Problem, ReviewError
from pipeline.models import FileResult, Roster
from pipeline.read.codebook import codebook_from_yaml
from pipeline.read.roster import read_roster, roster_from_files
from pipeline.runfolder.texts import run_file_limit, verified_bytes
from pipeline.write.folder import sha256_file


@dataclass
class Recoded:
    """The run re-coded from its inputs, as the workbook's Run sheet describes them."""

    codebook: object
    roster: Roster
    jobs: dict[str, FileJob]
    results: dict[str, FileResult] = field(default_factory=dict)


def _moved(path: str, old_root: str, new_root: Path | None) -> Path:
    """A path inside the run's transcripts folder, found in the folder the transcripts moved to."""
    candidate = Path(path)
    if new_root is not None:
        try:
            return new_root / candidate.relative_to(old_root)
        except ValueError:
            pass
    return candidate


def recode_run(manifest: dict, source, transcripts: Path | None, jobs: int) -> Recoded:
    """Code the run `manifest` describes again, refusing inputs whose checksum changed since the run.

    `source` is where the manifest was read (a workbook's Run sheet, a run folder), for messages.
    """
    inputs = manifest.get("inputs", {})
    old_root = inputs.get("transcripts", "")
    folder = transcripts or Path(old_root)
    problems: list[Problem] = []
    codebook = codebook_from_yaml(manifest["codebook"]["yaml"], f"{source} (Run sheet)")
    if inputs.get("roster"):
        roster_path = _moved(inputs["roster"]["path"], old_root, transcripts)
        if not roster_path.is_file():
            raise ReviewError(source, f"the run's roster {roster_path} is not there any more",
                              hint="give the folder the transcripts and roster moved to with --transcripts")
        if sha256_file(roster_path) != inputs["roster"]["sha256"]:
            problems.append(Problem(str(roster_path), "the roster changed since the run",
                                    hint="restore the roster the run used, or code a new run and review that"))
        roster = read_roster(roster_path)
    else:
        roster = roster_from_files([f["source_file"] for f in manifest.get("files", [])])
    options = manifest.get("options", {})
    user_dict = inputs.get("user_dict") or {}
    run_options = CodingOptions(transcripts=folder, unit=options.get("unit", "sentence"),
                             language=options.get("language", ""),
                             include_interviewer=bool(options.get("include_interviewer")),
                             user_dict=_moved(user_dict["path"], old_root, transcripts) if user_dict else None,
                             cache=run_cache_dir(manifest))
    coded = {f["source_file"]: f for f in manifest.get("files", [])}
    limit = run_file_limit(manifest)
    problems += [p for p in (verified_bytes(e, folder, limit) for e in coded.values()) if isinstance(p, Problem)]
    planned, _ = plan_jobs(run_options, roster)
    planned = [j for j in planned if j.source_file in coded]
    if problems:
        raise ReviewError(source, f"{len(problems)} input(s) differ from what the run coded; nothing written",
                          hint="the reviewed coding can only be applied to the same transcripts", problems=problems)
    settings = replace(coding_settings(run_options, keep_units=True), max_file_bytes=limit)
    recoded = Recoded(codebook, roster, {j.source_file: j for j in planned})
    for result in code_files(planned, settings, Matcher(codebook), codebook, False, jobs):
        if isinstance(result, Problem):
            raise ReviewError(source, "a transcript of the run cannot be read any more", problems=[result])
        recoded.results[result.source_file] = result
    return recoded


def run_cache_dir(manifest: dict) -> Path | None:
    """The segmentation cache a re-coding of the run uses: the run's own folder where it exists here,
    else this machine's default; none if the run was coded with --no-cache."""
    recorded = (manifest.get("cache") or {}).get("folder")
    if not recorded:
        return None
    return Path(recorded) if Path(recorded).is_dir() else default_cache_dir()
