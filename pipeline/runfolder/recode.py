"""A run's manifest → the run coded again from its inputs, refusing inputs whose checksum changed.

Shared by `qcode audit` (re-coding the reviewed run), `qcode run --reviewed` and `qcode agreement`.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.coding.code_file import FileJob
from pipeline.coding.corpus import (
    MAX_USER_DICT_BYTES,
    CodingOptions,
    code_files,
    coding_cluster,
    coding_settings,
    plan_jobs,
)
from pipeline.coding.match import Matcher
from pipeline.errors import Problem, ReviewError
from pipeline.models import FileResult, Roster
from pipeline.read.codebook import codebook_from_yaml
from pipeline.read.roster import MAX_ROSTER_BYTES, read_roster, roster_from_files
from pipeline.read.transcripts import file_checksum
from pipeline.runfolder.load import manifest_damage
from pipeline.runfolder.texts import run_file_limit, verified_bytes
from pipeline.write.folder import sha256_file


@dataclass
class Recoded:
    """The run re-coded from its inputs, as the workbook's Run sheet describes them."""

    codebook: object
    roster: Roster
    jobs: dict[str, FileJob]
    results: dict[str, FileResult] = field(default_factory=dict)
    cluster: dict | None = None         # where it was re-coded, with --cluster (cluster.Cluster.record)


def _moved(path: str, old_root: str, new_root: Path | None) -> Path:
    """A path inside the run's transcripts folder, found in the folder the transcripts moved to."""
    candidate = Path(path)
    if new_root is not None:
        try:
            return new_root / candidate.relative_to(old_root)
        except ValueError:
            pass
    return candidate


def _recorded_file(path: Path, entry: dict, what: str, source, limit: int) -> Path:
    """A roster or user dictionary a run's record names: used only if it is a regular file of at most `limit`
    bytes whose checksum is the recorded one (the record comes from a workbook someone sent)."""
    try:
        size = path.stat().st_size if path.is_file() else None
    except OSError:
        size = None
    if size is None:
        raise ReviewError(source, f"the run's {what} {path} is not there any more",
                          hint="give the folder the transcripts and roster moved to with --transcripts")
    if size > limit or sha256_file(path) != entry["sha256"]:
        raise ReviewError(source, f"the run's {what} {path} changed since the run",
                          hint=f"restore the {what} the run used, or code a new run and review that")
    return path


def recode_run(manifest: dict, source, transcripts: Path | None, jobs: int, cache: Path | None = None,
               cluster: str | None = None) -> Recoded:
    """Code the run `manifest` describes again, refusing inputs whose checksum changed since the run; on a Dask
    cluster with `cluster` (`--cluster`: an address, a scheduler file or local[:N]).

    `source` is where the manifest was read (a workbook's Run sheet, a run folder), for messages. The
    record is data: the segmentation cache is `cache` (the command line's, never the record's), the user
    dictionary's text travels inside the record, and every transcript must lie inside the transcripts folder
    with the bytes the run coded.
    """
    if damage := manifest_damage(manifest):
        raise ReviewError(source, f"the run's record is damaged: {damage}",
                          hint="use the workbook or run folder qcode wrote; do not edit its run record")
    inputs = manifest.get("inputs", {})
    old_root = inputs.get("transcripts", "")
    folder = transcripts or Path(old_root)
    codebook = codebook_from_yaml(manifest["codebook"]["yaml"], f"{source} (Run sheet)")
    if inputs.get("roster"):
        roster_path = _recorded_file(_moved(inputs["roster"]["path"], old_root, transcripts), inputs["roster"],
                                     "roster", source, MAX_ROSTER_BYTES)
        roster = read_roster(roster_path)
    else:
        roster = roster_from_files([f["source_file"] for f in manifest.get("files", [])])
    options = manifest.get("options", {})
    coded = {f["source_file"]: f for f in manifest.get("files", [])}
    limit = run_file_limit(manifest)
    problems = [p for p in (verified_bytes(e, folder, limit) for e in coded.values()) if isinstance(p, Problem)]
    if problems:
        raise ReviewError(source, f"{len(problems)} input(s) differ from what the run coded; nothing written",
                          hint="the reviewed coding can only be applied to the same transcripts", problems=problems)
    with tempfile.TemporaryDirectory(prefix="qcode-recode-") as private:
        run_options = CodingOptions(transcripts=folder, unit=options.get("unit", "sentence"),
                                    language=options.get("language", ""),
                                    include_interviewer=bool(options.get("include_interviewer")),
                                    user_dict=_user_dict(inputs, Path(private), old_root, transcripts, source),
                                    cache=cache)
        planned, _ = plan_jobs(run_options, roster)
        planned = [replace(j, sha256=coded[j.source_file]["sha256"]) for j in planned if j.source_file in coded]
        settings = replace(coding_settings(run_options, keep_units=True), max_file_bytes=limit)
        recoded = Recoded(codebook, roster, {j.source_file: j for j in planned})
        with coding_cluster(cluster) as place:
            for result in code_files(planned, settings, Matcher(codebook), codebook, False, jobs, place):
                if isinstance(result, Problem):
                    raise ReviewError(source, "a transcript of the run cannot be read any more", problems=[result])
                recoded.results[result.source_file] = result
            recoded.cluster = place.record() if place is not None else None
    return recoded


def _user_dict(inputs: dict, private: Path, old_root: str, transcripts: Path | None, source) -> Path | None:
    """The run's user dictionary as a private file: its text from the record (or, for a record written before
    the text travelled in it, the recorded file, if unchanged)."""
    entry = inputs.get("user_dict")
    if not entry:
        return None
    target = private / "user_dict.txt"
    if isinstance(entry.get("text"), str):
        data = entry["text"].encode("utf-8")
        if file_checksum(data) != entry["sha256"]:
            raise ReviewError(source, "the run record's user dictionary does not match its checksum",
                              hint="use the workbook or run folder qcode wrote; do not edit its run record")
    else:
        recorded = _recorded_file(_moved(entry["path"], old_root, transcripts), entry, "user dictionary", source,
                                  MAX_USER_DICT_BYTES)
        data = recorded.read_bytes()
    target.write_bytes(data)
    return target
