"""A worker process killed mid-run (`kill -9`, as the out-of-memory killer does): `qcode run --jobs 2` goes on.

Real processes, real signals: `qcode run` runs in a subprocess while a thread kills its worker processes
(its children). What is asserted holds whatever the kill's timing: no hang, exit 0, and either the same
outputs as `--jobs 1` (one death: the file is tried again) or each file coded or named as having died twice.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import CORPORA, DEFAULT_CODEBOOK, REPO, needs_shared, qcode, same_outputs

from pipeline.coding.pool import in_processes

ZH = CORPORA / "zh-interviews" / "audreyt-zh"
TIMEOUT = 60            # seconds a run may take before it counts as hung (a normal one takes 2-4)

needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="finding worker processes needs /proc (Linux)")


def corpus(folder: Path, count: int, largest: bool = False) -> Path:
    """`count` real Chinese interviews (the first by name, or the largest), copied into `folder`."""
    files = sorted(ZH.glob("*.md"))
    if largest:
        files = sorted(files, key=lambda p: -p.stat().st_size)
    folder.mkdir()
    for path in files[:count]:
        shutil.copyfile(path, folder / path.name)
    return folder


def run_problems(record: dict) -> list[dict]:
    """The run's problems but the speaker ones: these interviews label speakers by name, and where the
    interviewer cannot be told from the turns the file says so (not a worker's doing)."""
    return [p for p in record["problems"] if "could not be told apart" not in p["problem"]]


def command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def workers_of(pid: int) -> list[int]:
    """Live children of `pid` running its own command line (forked workers, not anything it may exec)."""
    mine, found = command_line(pid), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        state, parent = text[text.rindex(")") + 2:].split()[:2]
        if int(parent) == pid and state != "Z" and mine and command_line(int(stat.parent.name)) == mine:
            found.append(int(stat.parent.name))
    return found


def kill(pid: int) -> bool:
    try:
        os.kill(pid, signal.SIGKILL)
        return True
    except ProcessLookupError:
        return False


def run_killing(folder: Path, out: Path, killer) -> tuple[subprocess.CompletedProcess, list[int]]:
    """`qcode run --jobs 2` on `folder` while `killer(process, killed, stop)` kills workers from a thread."""
    args = [sys.executable, "-m", "pipeline", "run", str(folder), "--codebook", str(DEFAULT_CODEBOOK),
            "--out", str(out), "--jobs", "2", "--no-cache", "-q"]
    process = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    killed: list[int] = []
    stop = threading.Event()
    thread = threading.Thread(target=killer, args=(process, killed, stop), daemon=True)
    thread.start()
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"`qcode run --jobs 2` hung after {len(killed)} worker(s) were killed: no end in {TIMEOUT} s")
    finally:
        stop.set()
        thread.join(timeout=10)
    left = [int(p.name) for p in Path("/proc").glob("[0-9]*") if command_line(int(p.name)) == b"\0".join(
        a.encode() for a in args) + b"\0"]
    assert left == [], f"worker processes outlived the run: {left}"
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr), killed


def kill_one_worker(process, killed, stop) -> None:
    """Once a worker has coded for a while (so that the kill lands mid-coding), kill it, once."""
    first_seen = None
    while not stop.is_set() and process.poll() is None:
        workers = workers_of(process.pid)
        if workers and first_seen is None:
            first_seen = time.monotonic()
        if workers and time.monotonic() - first_seen > 0.3 and kill(workers[0]):
            killed.append(workers[0])
            return
        time.sleep(0.01)


def kill_every_worker(process, killed, stop) -> None:
    """Kill each worker process as soon as it appears, for the whole run."""
    while not stop.is_set() and process.poll() is None:
        killed += [pid for pid in workers_of(process.pid) if pid not in killed and kill(pid)]
        time.sleep(0.002)


@needs_shared
@needs_proc
def test_a_worker_killed_once_costs_nothing_its_file_is_coded_again(tmp_path):
    folder = corpus(tmp_path / "zh", 40)
    run, killed = run_killing(folder, tmp_path / "killed", kill_one_worker)
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(killed) == 1, "no worker process was found to kill: the run ended too soon?"
    assert "Traceback" not in run.stdout + run.stderr
    result = qcode("run", folder, "--codebook", DEFAULT_CODEBOOK, "--out", tmp_path / "one", "--jobs", 1,
                   "--no-cache", "-q")
    assert result.exit_code == 0, result.output
    same_outputs(tmp_path / "killed", tmp_path / "one")
    record = json.loads((tmp_path / "killed" / "run.json").read_text(encoding="utf-8"))
    assert run_problems(record) == [] and len(record["files"]) == 40


@needs_shared
@needs_proc
def test_a_file_whose_worker_dies_twice_is_a_problem_and_the_run_goes_on(tmp_path):
    folder = corpus(tmp_path / "zh", 8, largest=True)      # ~100 KB each: no worker codes one before it dies
    run, killed = run_killing(folder, tmp_path / "killed", kill_every_worker)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    record = json.loads((tmp_path / "killed" / "run.json").read_text(encoding="utf-8"))
    coded = {f["source_file"] for f in record["files"]}
    died = {p["file"] for p in record["problems"] if "died twice" in p["problem"]}
    assert [p for p in run_problems(record) if p["file"] not in died] == []
    assert all(p["kind"] == "problem" and p["hint"] for p in record["problems"])
    assert coded | died == {p.name for p in folder.iterdir()} and not coded & died
    assert died, f"every file was coded although {len(killed)} workers were killed"
    assert len(killed) >= 2 * len(died)          # each file given up cost two deaths


# The pool itself, with workers that kill themselves on chosen items: which deaths happen is certain.

def square_or_die(item):
    """Square `number`, unless this is one of its first `deaths` tries: then die as a killed process does."""
    number, deaths, folder = item
    tried = len(list(folder.glob(f"{number}-*")))
    (folder / f"{number}-{tried}").touch()
    if tried < deaths:
        os.kill(os.getpid(), signal.SIGKILL)
    if deaths < 0:
        raise ValueError("a bug")
    return number * number


def nothing() -> None:
    pass


def fail() -> None:
    raise OSError("no such codebook")


@needs_proc
def test_the_pool_tries_a_dead_workers_item_once_more_and_gives_up_after_a_second_death(tmp_path):
    items = [(n, {3: 1, 6: 9, 7: 1}.get(n, 0), tmp_path) for n in range(12)]
    results = list(in_processes(items, square_or_die, nothing, (), 2, give_up=lambda item: f"gave up {item[0]}"))
    assert results == [n * n for n in range(6)] + ["gave up 6"] + [n * n for n in range(7, 12)]
    tries = {n: len(list(tmp_path.glob(f"{n}-*"))) for n in range(12)}
    assert tries == {n: 2 if n in (3, 6, 7) else 1 for n in range(12)}     # the others are coded once
    assert workers_of(os.getpid()) == []


@needs_proc
def test_the_pool_stops_its_workers_when_left_early_or_on_an_error_even_in_starting(tmp_path):
    items = [(n, 0, tmp_path) for n in range(40)]
    results = in_processes(items, square_or_die, nothing, (), 2, give_up=str)
    assert next(results) == 0
    results.close()
    assert workers_of(os.getpid()) == []
    with pytest.raises(RuntimeError, match="a bug"):
        list(in_processes([(1, 0, tmp_path), (2, -1, tmp_path)], square_or_die, nothing, (), 2, give_up=str))
    assert workers_of(os.getpid()) == []
    with pytest.raises(RuntimeError, match="no such codebook"):
        list(in_processes(items, square_or_die, fail, (), 2, give_up=str))
    assert workers_of(os.getpid()) == []
