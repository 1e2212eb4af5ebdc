"""Received files never choose a path qcode reads or writes: rosters naming files outside the transcripts
folder, a run record naming a cache folder, a user dictionary or a roster, and planted cache entries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
from conftest import SMALL_CODEBOOK, qcode, write
from openpyxl import load_workbook

from pipeline.write.folder import claim_of

SECRET = "CONFIDENTIAL-SALARY-LIST privacy equity"


def every_output_text(folder: Path) -> str:
    """All text qcode wrote: every CSV, every sheet of every workbook, every part of every .qdpx."""
    pieces = []
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".csv", ".json", ".yaml"):
            pieces.append(path.read_text(encoding="utf-8-sig"))
        elif path.suffix == ".xlsx":
            book = load_workbook(path, read_only=True)
            pieces += [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row]
            book.close()
        elif path.suffix == ".qdpx":
            with zipfile.ZipFile(path) as archive:
                pieces += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    return "\n".join(pieces)


def corpus_with_roster(tmp_path: Path, rows: list[str]) -> Path:
    folder = tmp_path / "t"
    write(folder, "p01.txt", "Anna: Privacy first. Then fairness and privacy.\n")
    write(folder, "roster.csv", "interviewee_id,file,stakeholder_groups\n" + "\n".join(rows) + "\n")
    return folder


def test_roster_rows_naming_files_outside_the_folder_are_problems_and_never_read(tmp_path, codebook_file):
    write(tmp_path / "secret", "notes.txt", f"Boss: {SECRET}\n")
    outside = tmp_path / "secret" / "notes.txt"
    folder = corpus_with_roster(tmp_path, ["a,p01.txt,G", "b,../secret/notes.txt,G", f"c,{outside},G",
                                           "d,linked.txt,G"])
    (folder / "linked.txt").symlink_to(outside)            # a link inside the folder pointing out of it
    out = tmp_path / "run"
    result = qcode("run", folder, "--codebook", codebook_file, "--out", out, "-j", "1", "--no-cache")
    assert result.exit_code == 0
    for culprit in ("../secret/notes.txt", str(outside), "linked.txt"):
        assert f"file {culprit!r} lies outside the transcripts folder" in result.output
    assert qcode("export-project", out).exit_code == 0
    assert "CONFIDENTIAL" not in every_output_text(out)
    assert set(pd.read_csv(out / "roster.csv", encoding="utf-8-sig")["interviewee_id"]) == {"a"}


def test_one_file_listed_under_three_spellings_is_coded_once(tmp_path, codebook_file):
    folder = corpus_with_roster(tmp_path, ["a,p01.txt,G", "b,./p01.txt,G", "c,sub/../p01.txt,G"])
    (folder / "sub").mkdir()
    out = tmp_path / "run"
    result = qcode("run", folder, "--codebook", codebook_file, "--out", out, "-j", "1", "--no-cache")
    assert result.exit_code == 0
    assert "'./p01.txt' is the same file as interviewee 'a''s" in result.output
    assert "'sub/../p01.txt' is the same file as interviewee 'a''s" in result.output
    counts = pd.read_csv(out / "by_interviewee.csv", encoding="utf-8-sig")
    assert counts["mentions"].sum() == 3                    # privacy twice and fairness once, counted once


def set_record(workbook: Path, change) -> None:
    """Edit the run record a reviewed workbook carries on its Run sheet, as an attacker would."""
    book = load_workbook(workbook)
    sheet = book["Run record"]
    rows = [row for row in sheet.iter_rows(min_row=2) if str(row[0].value or "").startswith("manifest ")]
    record = json.loads("".join(str(row[1].value) for row in rows))
    change(record)
    rows[0][0].value, rows[0][1].value = "manifest 1/1", json.dumps(record, ensure_ascii=False)
    for row in rows[1:]:
        row[0].value = "was a manifest part"
    book.save(workbook)


def test_audit_never_uses_the_cache_folder_a_workbook_names(tmp_path, machine_run):
    victim = tmp_path / "victim"
    victim.mkdir()
    reviewed = tmp_path / "reviewed.xlsx"
    reviewed.write_bytes((machine_run / "codebook.xlsx").read_bytes())
    set_record(reviewed, lambda r: r.__setitem__("cache", {"folder": str(victim), "files_from_cache": 0}))
    result = qcode("audit", reviewed, "--out", tmp_path / "audit", "-j", "1")
    assert result.exit_code == 0, result.output
    assert list(victim.iterdir()) == []                    # nothing read from or written into it


def test_a_planted_cache_entry_is_never_unpickled(tmp_path, codebook_file):
    folder = corpus_with_roster(tmp_path, ["a,p01.txt,G"])
    cache, marker = tmp_path / "cache", tmp_path / "pwned"
    args = [folder, "--codebook", codebook_file, "--cache", cache, "-j", "1", "-q"]
    assert qcode("run", *args, "--out", tmp_path / "o1").exit_code == 0
    (entry,) = cache.rglob("*.entry")
    payload = (b"cposix\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.")    # a pickle that runs a command
    entry.write_bytes(entry.read_bytes()[:8] + b"\0" * 32 + payload)                # the right magic, no key
    assert qcode("run", *args, "--out", tmp_path / "o2").exit_code == 0
    assert not marker.exists()
    run = json.loads((tmp_path / "o2" / "run.json").read_text(encoding="utf-8"))
    assert run["cache"]["files_from_cache"] == 0            # coded again, as for any miss
    assert (tmp_path / "o1" / "assignments.csv").read_bytes() == (tmp_path / "o2" / "assignments.csv").read_bytes()


def test_a_cache_that_is_a_file_only_costs_speed(tmp_path, codebook_file):
    folder = corpus_with_roster(tmp_path, ["a,p01.txt,G"])
    not_a_folder = write(tmp_path, "cache", "I am a file")
    result = qcode("run", folder, "--codebook", codebook_file, "--cache", not_a_folder, "--out", tmp_path / "o")
    assert result.exit_code == 0 and (tmp_path / "o" / "assignments.csv").is_file()


def test_audit_uses_the_user_dictionary_text_the_run_carried_not_a_path(tmp_path, codebook_file):
    folder = corpus_with_roster(tmp_path, ["a,p01.txt,G"])
    user_dict = write(tmp_path, "words.txt", "数据正义 5\n")
    out = tmp_path / "run"
    assert qcode("run", folder, "--codebook", codebook_file, "--user-dict", user_dict, "--out", out,
                 "-j", "1", "--no-cache").exit_code == 0
    user_dict.unlink()                                      # moved or deleted since: the text travelled with the run
    reviewed = tmp_path / "reviewed.xlsx"
    reviewed.write_bytes((out / "codebook.xlsx").read_bytes())
    set_record(reviewed, lambda r: r["inputs"]["user_dict"].__setitem__("path", "/dev/zero"))
    result = qcode("audit", reviewed, "--out", tmp_path / "audit", "-j", "1", "--no-cache")
    assert result.exit_code == 0, result.output


def test_a_record_naming_a_device_as_its_roster_or_user_dictionary_is_refused_not_read(tmp_path, machine_run):
    reviewed = tmp_path / "reviewed.xlsx"
    reviewed.write_bytes((machine_run / "codebook.xlsx").read_bytes())
    set_record(reviewed, lambda r: r["inputs"].__setitem__("roster", {"path": "/dev/zero", "sha256": "0" * 64}))
    result = qcode("audit", reviewed, "--out", tmp_path / "a1", "-j", "1")
    assert result.exit_code == 1 and "the run's roster /dev/zero is not there any more" in result.output
    set_record(reviewed, lambda r: r["inputs"].__setitem__("user_dict", {"path": "/dev/zero", "sha256": "0" * 64}))
    result = qcode("audit", reviewed, "--out", tmp_path / "a2", "-j", "1")
    assert result.exit_code == 1 and "/dev/zero" in result.output and not (tmp_path / "a2").exists()


def test_a_record_naming_transcripts_outside_its_folder_is_refused(tmp_path, machine_run):
    write(tmp_path / "secret", "notes.txt", f"Boss: {SECRET}\n")
    reviewed = tmp_path / "reviewed.xlsx"
    reviewed.write_bytes((machine_run / "codebook.xlsx").read_bytes())
    set_record(reviewed, lambda r: r["files"][0].__setitem__("source_file", "../secret/notes.txt"))
    result = qcode("audit", reviewed, "--out", tmp_path / "audit", "-j", "1")
    assert result.exit_code == 1 and "../secret/notes.txt" in result.output
    assert not (tmp_path / "audit").exists()


def test_damaged_run_records_are_messages(tmp_path, machine_run):
    damages = {"unit": lambda r: r["options"].__setitem__("unit", "paragraph"),
               "files": lambda r: r.__setitem__("files", {"a": 1}),
               "codebook": lambda r: r.pop("codebook"),
               "limit": lambda r: r["options"].__setitem__("max_file_mb", "lots")}
    for name, damage in damages.items():
        reviewed = tmp_path / f"{name}.xlsx"
        reviewed.write_bytes((machine_run / "codebook.xlsx").read_bytes())
        set_record(reviewed, damage)
        result = qcode("audit", reviewed, "--out", tmp_path / f"audit-{name}", "-j", "1")
        assert result.exit_code == 1, name
        assert "run record is damaged" in result.output, (name, result.output)


def test_the_bytes_coded_are_the_bytes_the_run_recorded(tmp_path):
    from pipeline.coding.code_file import FileJob, Settings, safe_code_file
    from pipeline.coding.match import Matcher
    from pipeline.read.codebook import load_codebook

    path = write(tmp_path, "a.txt", "Anna: privacy.\n")
    codebook = load_codebook(write(tmp_path, "cb.yaml", SMALL_CODEBOOK))
    job = FileJob(path=str(path), source_file="a.txt", interviewee_id="a", stakeholder_groups="G", sha256="0" * 64)
    problem = safe_code_file(job, Settings(), Matcher(codebook))
    assert "changed since the run" in problem.problem and problem.file == "a.txt"


def test_two_runs_into_one_folder_one_wins_and_the_other_is_refused(tmp_path, codebook_file):
    folder = corpus_with_roster(tmp_path, ["a,p01.txt,G"])
    out = tmp_path / "same"
    command = [sys.executable, "-m", "pipeline", "run", str(folder), "--codebook", str(codebook_file),
               "--out", str(out), "-j", "1", "--no-cache"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
            for _ in range(2)]
    printed = [run.communicate(timeout=120)[0] for run in runs]
    outputs = [(run.returncode, text) for run, text in zip(runs, printed, strict=True)]
    assert sorted(code for code, _ in outputs) == [0, 1], outputs
    (refused,) = [text for code, text in outputs if code == 1]
    assert "another qcode is writing this folder" in refused or "exists and is not empty" in refused
    assert (out / "assignments.csv").is_file() and not claim_of(out).exists()


def test_a_folder_claimed_by_a_live_process_is_refused_and_a_dead_claim_is_cleared(tmp_path, codebook_file):
    folder = corpus_with_roster(tmp_path, ["a,p01.txt,G"])
    out = tmp_path / "claimed"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        import platform

        claim_of(out).write_text(f"{sleeper.pid} {platform.node()}")
        result = qcode("run", folder, "--codebook", codebook_file, "--out", out, "-j", "1", "--no-cache")
        assert result.exit_code == 1
        assert f"another qcode is writing this folder (process {sleeper.pid}" in result.output
    finally:
        sleeper.kill()
        sleeper.wait()
    result = qcode("run", folder, "--codebook", codebook_file, "--out", out, "-j", "1", "--no-cache")
    assert result.exit_code == 0 and (out / "codebook.xlsx").is_file()


def test_a_killed_runs_temporary_folders_are_removed_by_the_next_run_into_the_same_place(tmp_path, codebook_file):
    folder = corpus_with_roster(tmp_path, ["a,p01.txt,G"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for name in (f".out.partial-{dead.pid}", f".out.partial-{dead.pid}-temp", f".out.partial-{alive.pid}",
                     f".other.partial-{dead.pid}"):
            write(tmp_path / name, "assignments.csv", "transcript rows")
        result = qcode("run", folder, "--codebook", codebook_file, "--out", tmp_path / "out", "-j", "1", "--no-cache")
        assert result.exit_code == 0
        left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
        assert left == [f".other.partial-{dead.pid}", f".out.partial-{alive.pid}"]   # not provably ours: kept
    finally:
        alive.kill()
        alive.wait()


def test_an_out_folder_that_cannot_be_made_is_a_message(tmp_path, codebook_file):
    folder = corpus_with_roster(tmp_path, ["a,p01.txt,G"])
    blocker = write(tmp_path, "file", "not a folder")
    result = qcode("run", folder, "--codebook", codebook_file, "--out", blocker / "run", "-j", "1", "--no-cache")
    assert result.exit_code == 1 and f"{blocker / 'run'}: cannot be created" in result.output


def test_agreement_never_uses_the_cache_folder_a_run_json_names(tmp_path, machine_run):
    victim = tmp_path / "victim"
    victim.mkdir()
    manifest = machine_run / "run.json"
    record = json.loads(manifest.read_text(encoding="utf-8"))
    record["cache"] = {"folder": str(victim), "files_from_cache": 0}
    manifest.write_text(json.dumps(record), encoding="utf-8")
    project = tmp_path / "project.qdpx"
    assert qcode("export-project", machine_run, "-o", project).exit_code == 0
    result = qcode("agreement", machine_run, project, "--user", "qcode", "--out", tmp_path / "agree", "-j", "1")
    assert result.exit_code == 0, result.output
    assert list(victim.iterdir()) == []


def test_a_killed_run_leaves_no_transcript_rows_in_the_system_temp_folder(tmp_path):
    sample = Path(__file__).resolve().parents[2] / "transcripts"
    folder = tmp_path / "t"
    for copy in range(40):                               # long enough to be killed while writing its desk
        for path in sample.glob("p*.txt"):
            write(folder, f"{copy:02d}_{path.name}", path.read_text(encoding="utf-8"))
    system_temp = tmp_path / "tmp"
    system_temp.mkdir()
    out = tmp_path / "out"
    env = {**os.environ, "TMPDIR": str(system_temp), "PYTHONPATH": str(sample.parent)}
    run = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(folder), "--out", str(out), "-j", "1",
                            "--no-cache", "-q"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    temp = tmp_path / f".out.partial-{run.pid}-temp"
    for _ in range(600):                                 # until the desk has a sheet file, at most 60 s
        if temp.is_dir() and any(temp.iterdir()) or run.poll() is not None:
            break
        time.sleep(0.1)
    run.kill()
    assert run.wait(timeout=30) == -9, "the run ended before it could be killed: give it more files"
    assert any(temp.iterdir())                           # the desk's sheet files, left beside the target
    assert not any(p.name.startswith("openpyxl") for p in system_temp.rglob("*"))
    write(tmp_path / "t2", "a.txt", "Anna: privacy.\n")
    assert qcode("run", tmp_path / "t2", "--out", out, "-j", "1", "--no-cache", "-q").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []


def test_a_disk_that_refuses_writes_midway_is_a_message_and_leaves_nothing(tmp_path):
    # RLIMIT_FSIZE makes every write past the limit fail as a full disk would (EFBIG instead of ENOSPC)
    code = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            "resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000)); "
            "sys.argv = ['qcode', 'run', '--out', 'out', '-j', '1', '--no-cache']; "
            "from pipeline.cli import main; main()")
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(repo)})
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "out: cannot be written" in done.stderr and "the disk has room" in done.stderr
    assert list(tmp_path.iterdir()) == []                 # no run folder, no temporary folder, no claim
