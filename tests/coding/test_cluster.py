"""pipeline.coding.cluster: `--cluster` codes on a real Dask scheduler and real workers, each its own process on
127.0.0.1 (`dask scheduler`, `dask worker`, started and stopped here), or on a LocalCluster (`local:2`).

What is asserted is what a cluster user meets: the same outputs as `--jobs 1`; a worker killed mid-run loses
nothing; an unreachable scheduler, a worker with other versions, Dask not installed and Ctrl-C each end with a
message and exit code, and write nothing. Every wait is bounded; every process started here is stopped here.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest
from conftest import CORPORA, DEFAULT_CODEBOOK, REPO, SAMPLE, needs_shared, qcode, same_outputs, write
from openpyxl import load_workbook

from pipeline.coding.cluster import Cluster, parse_cluster
from pipeline.coding.corpus import CodingOptions, code_files, coding_settings, load_inputs
from pipeline.coding.match import Matcher
from pipeline.errors import PipelineError

distributed = pytest.importorskip("distributed", reason="the cluster extra (distributed) is not installed")

DASK = Path(sys.executable).parent / "dask"
WAIT = 60                   # seconds any start, run or stop may take before the test fails instead of hanging
ZH = CORPORA / "zh-interviews" / "audreyt-zh"


def started(args: list, log: Path, env: dict | None = None) -> subprocess.Popen:
    with open(log, "ab") as handle:
        return subprocess.Popen([str(a) for a in args], stdout=handle, stderr=subprocess.STDOUT, cwd=REPO,
                                env={**os.environ, **(env or {})}, start_new_session=True)


def stopped(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (a worker's nanny and its worker), SIGKILL if it outlives WAIT/4 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=WAIT / 4)
            return
        except subprocess.TimeoutExpired:
            continue


def until(condition, what: str, timeout: float = WAIT) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def worker(scheduler_file: Path, log: Path, env: dict | None = None) -> subprocess.Popen:
    return started([DASK, "worker", "--scheduler-file", scheduler_file, "--nworkers", 1, "--nthreads", 1,
                    "--host", "127.0.0.1", "--no-dashboard", "--death-timeout", WAIT], log, env)


class Scheduler:
    """A `dask scheduler` on 127.0.0.1 and its workers, and a client of the test's own to look at it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.file = folder / "scheduler.json"
        self.processes = [started([DASK, "scheduler", "--host", "127.0.0.1", "--port", 0, "--no-dashboard",
                                   "--scheduler-file", self.file], folder / "scheduler.log",
                                  {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"})]   # as a local cluster
        until(lambda: self.file.is_file() and self.file.stat().st_size, "the scheduler wrote no scheduler file")
        self.client = distributed.Client(scheduler_file=str(self.file), timeout=WAIT, set_as_default=False)
        self.address = self.client.scheduler.address

    def add_worker(self, env: dict | None = None) -> subprocess.Popen:
        self.processes.append(worker(self.file, self.folder / f"worker{len(self.processes)}.log", env))
        return self.processes[-1]

    def workers(self) -> int:
        return len(self.client.nthreads())

    def tasks(self) -> int:
        """Tasks the scheduler holds (a run's files out on the workers)."""
        return self.client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))

    def close(self) -> None:
        self.client.close(timeout=WAIT / 4)
        for process in reversed(self.processes):
            stopped(process)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """A scheduler and two workers (`--nworkers 1 --nthreads 1` each), separate processes on 127.0.0.1."""
    cluster = Scheduler(tmp_path_factory.mktemp("dask"))
    try:
        cluster.add_worker()
        cluster.add_worker()
        cluster.client.wait_for_workers(2, timeout=WAIT)
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(scope="module")
def one_process(tmp_path_factory):
    """The sample coded with --jobs 1: what every cluster run must equal."""
    out = tmp_path_factory.mktemp("one") / "run"
    result = qcode("run", SAMPLE, "--out", out, "--jobs", 1, "--no-cache", "-q")
    assert result.exit_code == 0, result.output
    return out


def zh_subset(folder: Path, count: int = 16) -> tuple[Path, Path]:
    """A roster of the first `count` Chinese interviews of the shared corpus, read where they are (not copied)."""
    files = sorted(p.name for p in ZH.glob("*.md"))[:count]
    roster = write(folder, "roster.csv", "interviewee_id,file,stakeholder_groups\n"
                   + "".join(f"{Path(f).stem},{f},interviewees\n" for f in files))
    return ZH, roster


def record(out: Path) -> dict:
    return json.loads((out / "run.json").read_text(encoding="utf-8"))


def test_a_cluster_is_local_n_an_address_or_a_scheduler_file(tmp_path):
    assert parse_cluster("local:3").workers == 3 and parse_cluster("local").kind == "local"
    assert parse_cluster("tcp://10.0.0.5:8786").kind == parse_cluster("node7:8786").kind == "address"
    (tmp_path / "s.json").write_text("{}")
    assert parse_cluster(str(tmp_path / "s.json")).kind == "file"
    for wrong in ("local:0", "nowhere", "tcp://host", str(tmp_path / "missing.json")):
        with pytest.raises(PipelineError):
            parse_cluster(wrong)


def test_the_sample_coded_on_two_workers_is_the_run_of_one_process(scheduler, one_process, tmp_path):
    result = qcode("run", SAMPLE, "--out", tmp_path / "run", "--cluster", scheduler.address, "--no-cache", "-q")
    assert result.exit_code == 0, result.output
    same_outputs(tmp_path / "run", one_process)
    assert record(tmp_path / "run")["cluster"] == {"address": "remote", "workers": 2, "threads": 2}
    rows = dict(load_workbook(tmp_path / "run" / "codebook.xlsx")["Run"].iter_rows(min_row=2, values_only=True))
    assert rows["coded on"] == "a Dask cluster (remote): 2 worker(s), 2 thread(s)"
    assert "cluster" not in record(one_process)          # without --cluster, nothing of it


def test_a_local_cluster_of_two_workers_gives_the_run_of_one_process(one_process, tmp_path):
    result = qcode("run", SAMPLE, "--out", tmp_path / "run", "--cluster", "local:2", "--no-cache", "-q")
    assert result.exit_code == 0, result.output
    same_outputs(tmp_path / "run", one_process)
    assert record(tmp_path / "run")["cluster"] == {"address": "local", "workers": 2, "threads": 2}


def test_audit_re_codes_on_the_cluster_and_says_so(scheduler, one_process, tmp_path):
    result = qcode("audit", one_process / "codebook.xlsx", "--out", tmp_path / "audit", "--cluster",
                   scheduler.address, "--no-cache", "-q")
    assert result.exit_code == 0, result.output
    assert record(tmp_path / "audit")["cluster"]["address"] == "remote"


@needs_shared
def test_real_interviews_coded_on_two_workers_are_the_run_of_one_process(scheduler, tmp_path):
    folder, roster = zh_subset(tmp_path)
    runs = {}
    for name, where in (("one", ("--jobs", 1)), ("cluster", ("--cluster", scheduler.address))):
        runs[name] = tmp_path / name
        result = qcode("run", folder, "--roster", roster, "--codebook", DEFAULT_CODEBOOK, "--out", runs[name],
                       "--no-cache", "-q", *where)
        assert result.exit_code == 0, result.output
    same_outputs(runs["cluster"], runs["one"])
    assert len(record(runs["cluster"])["files"]) == 16


def comparable(result) -> dict:
    """A FileResult as data, without what differs from run to run (seconds, whether the cache served it)."""
    data = asdict(result)
    del data["timings"], data["cached"]
    return data


@needs_shared
def test_a_worker_killed_mid_run_loses_nothing_its_files_are_coded_elsewhere(scheduler, tmp_path):
    folder, roster = zh_subset(tmp_path, 24)
    options = CodingOptions(transcripts=folder, roster=roster, codebook=DEFAULT_CODEBOOK)
    codebook, _, jobs, _ = load_inputs(options)
    settings = coding_settings(options, keep_units=True)
    expected = [comparable(r) for r in code_files(jobs, settings, Matcher(codebook), codebook)]
    pids = scheduler.client.run(os.getpid)          # worker address → its process (the nanny's child)
    coded, victims = [], []
    with Cluster(scheduler.address) as cluster:
        for result in code_files(jobs, settings, Matcher(codebook), codebook, cluster=cluster):
            coded.append(comparable(result))
            if len(coded) == 1:                     # the others are out on both workers now: kill one at work
                until(lambda: victims.extend(w for w, keys in sorted(scheduler.client.processing().items())
                                             if keys and w in pids) or victims, "no worker was coding a file")
                os.kill(pids[victims[0]], signal.SIGKILL)
    until(lambda: victims[0] not in scheduler.client.nthreads(), "the killed worker stayed")
    assert coded == expected                        # every file once, as one process codes it, in roster order
    scheduler.client.wait_for_workers(2, timeout=WAIT)        # its nanny starts another for the next tests


def test_an_unreachable_scheduler_is_a_message_and_nothing_is_written(tmp_path):
    with socket.socket() as free:                   # a port nobody listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    result = qcode("run", SAMPLE, "--out", tmp_path / "run", "--cluster", f"tcp://127.0.0.1:{port}", "--no-cache")
    assert result.exit_code == 1
    assert f"tcp://127.0.0.1:{port}: cannot reach the Dask scheduler within 10 s" in result.output
    assert "dask scheduler" in result.output        # the hint
    assert not (tmp_path / "run").exists() and list(tmp_path.iterdir()) == []


@pytest.fixture
def other_jieba(scheduler, tmp_path):
    """A third worker whose jieba reports another version (a dist-info on its PYTHONPATH, ahead of the venv's, as
    on a node where someone installed another jieba); stopped, and gone from the scheduler, afterwards."""
    metadata = tmp_path / "site" / "jieba-0.39.dist-info"
    metadata.mkdir(parents=True)
    (metadata / "METADATA").write_text("Metadata-Version: 2.1\nName: jieba\nVersion: 0.39\n")
    process = scheduler.add_worker({"PYTHONPATH": str(tmp_path / "site")})
    try:
        scheduler.client.wait_for_workers(3, timeout=WAIT)
        yield
    finally:
        stopped(process)
        scheduler.processes.remove(process)
        until(lambda: scheduler.workers() == 2, "the third worker did not leave")


def test_a_worker_with_another_jieba_is_refused_by_name_before_coding(scheduler, other_jieba, tmp_path):
    from importlib.metadata import version

    result = qcode("run", SAMPLE, "--out", tmp_path / "run", "--cluster", scheduler.address, "--no-cache")
    assert result.exit_code == 1, result.output
    assert f"this Dask worker has other versions than this machine: jieba 0.39 (here {version('jieba')})" \
        in result.output
    assert result.output.startswith("tcp://127.0.0.1:")     # the worker, by its address
    assert "nothing was coded" in result.output and not (tmp_path / "run").exists()


def in_subprocess(code: str, *args, timeout: float = WAIT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


NO_DASK = """
import sys
from importlib.abc import MetaPathFinder

class NoDask(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("dask", "distributed"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, NoDask())
from pipeline.cli import main
main(sys.argv[1:])
"""


def test_without_dask_installed_cluster_says_how_to_install_it_and_writes_nothing(tmp_path):
    done = in_subprocess(NO_DASK, "run", SAMPLE, "--out", tmp_path / "run", "--cluster", "local:2", "--no-cache")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "coding on a cluster needs Dask, which is not installed" in done.stderr
    assert 'pip install -e ".[cluster]"' in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


PLAIN_RUN = """
import sys
from pipeline.cli import main
try:
    main(sys.argv[1:])
except SystemExit as end:
    assert not end.code, end.code
print(sorted(m for m in sys.modules if m.split(".")[0] in ("dask", "distributed")))
"""


def test_a_run_without_cluster_does_not_import_dask(tmp_path):
    done = in_subprocess(PLAIN_RUN, "run", SAMPLE, "--out", tmp_path / "run", "--jobs", 1, "--no-cache", "-q")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


@needs_shared
def test_ctrl_c_on_the_client_cancels_the_clusters_tasks_and_writes_nothing(scheduler, tmp_path):
    folder, roster = zh_subset(tmp_path, 40)
    args = [sys.executable, "-m", "pipeline", "run", folder, "--roster", roster, "--out", tmp_path / "run",
            "--cluster", scheduler.address, "--no-cache", "-q"]
    process = subprocess.Popen([str(a) for a in args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        until(lambda: scheduler.tasks() > 0 or process.poll() is not None, "the run sent no work to the cluster")
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "run").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".run")] == []     # no partial folder
    until(lambda: scheduler.tasks() == 0, "the run's tasks stayed on the cluster", timeout=WAIT / 2)
