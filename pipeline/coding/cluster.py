"""FileJobs → their FileResults coded on a Dask cluster (`--cluster`), streamed back in roster order.

The client (this process) reads each file and sends its bytes with its job, so workers need no
shared file system; at most `AHEAD` files per worker thread are out at a time, so the client's
memory stays flat however large the archive. Each worker builds the settings and the matcher once,
in a worker plugin registered for this run (workers that join later get it too), and segments with
its own cache (`--cache` on a shared path is shared). Results come back as they finish and are
yielded in the jobs' order, so the outputs are those of `--jobs 1`, byte for byte.

Before anything is coded every worker is asked for its versions of qcode and of the libraries that
shape the counts (jieba, spaCy, OpenCC, …): a worker that differs is refused by name. A worker that
dies is the scheduler's to handle: its files go to another worker; a file whose workers keep dying
(`distributed.scheduler.allowed-failures`; a local cluster allows one retry) is a Problem naming it.
Dask is optional (`pip install -e ".[cluster]"`): this module is imported only for `--cluster`.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.coding.code_file import FileJob, Settings, safe_code_file
from pipeline.coding.match import Matcher
from pipeline.errors import PipelineError, Problem
from pipeline.read.transcripts import read_bytes
from pipeline.versions import CODING_LIBRARIES, __version__, installed_versions

try:
    import distributed
    from distributed import WorkerPlugin
except ImportError:         # the `cluster` extra is not installed: Cluster says how to install it
    distributed = None
    WorkerPlugin = object

INSTALL_HINT = 'pip install -e ".[cluster]" (Dask\'s distributed), here and on every worker'
CONNECT_TIMEOUT = 10        # seconds to reach a scheduler before giving up
WORKERS_TIMEOUT = 120       # seconds to wait for a first worker (a batch job may still be queued)
AHEAD = 4                   # files per worker thread sent out, or done and waiting for an earlier one
POLL = 2.0                  # seconds between looks at the cluster while waiting for results
TRIES = 2                   # a local cluster's deaths of a worker coding a file before the file is given up
_LOCAL = re.compile(r"local(?::(\d+))?")
_ADDRESS = re.compile(r"(?:[a-z][a-z0-9+]*://)?[^\s/:@]+:\d+")


@dataclass(frozen=True)
class Place:
    """Where `--cluster` codes: a LocalCluster of `workers` processes, a scheduler's address, or its file."""

    kind: str                   # local | address | file
    where: str = ""
    workers: int = 0


def parse_cluster(spec: str) -> Place:
    """`local`, `local:N`, a scheduler address (`tcp://host:8786`, `host:8786`) or a scheduler file (.json)."""
    text = spec.strip()
    if match := _LOCAL.fullmatch(text):
        workers = int(match.group(1)) if match.group(1) else os.cpu_count() or 1
        if workers < 1:
            raise PipelineError("--cluster", "local:0 has no worker", hint="use local:N with N of 1 or more")
        return Place("local", workers=workers)
    if text.lower().endswith(".json"):
        if not Path(text).is_file():
            raise PipelineError(text, "the scheduler file does not exist",
                                hint="give the file `dask scheduler --scheduler-file` wrote, or the address")
        return Place("file", text)
    if _ADDRESS.fullmatch(text):
        return Place("address", text)
    raise PipelineError("--cluster", f"{spec!r} is neither local[:N], a scheduler address nor a scheduler file",
                        hint="e.g. --cluster local:4, --cluster tcp://10.0.0.5:8786 or --cluster scheduler.json")


def worker_versions(packages) -> dict:
    """qcode's version and the installed versions of `packages`, where this runs (a worker, or the client)."""
    return {"qcode": __version__, **installed_versions(packages)}


def differences(expected: dict, found: dict) -> list[str]:
    return [f"{name} {found.get(name) or 'not installed'} (here {version or 'not installed'})"
            for name, version in expected.items() if found.get(name) != version]


def shaping_packages(settings: Settings) -> tuple[str, ...]:
    """The packages whose versions shape this run's counts: the text libraries, and the fast ones if used."""
    extra = ("rjieba",) if settings.segmenter == "rjieba" else ()
    return CODING_LIBRARIES + extra + (("pyahocorasick",) if settings.converter == "fast" else ())


class CodingPlugin(WorkerPlugin):
    """What every worker needs to code this run's files, set up once per worker: settings, matcher, the user
    dictionary as a private file, and whether this worker's versions differ from the client's."""

    def __init__(self, name: str, settings: Settings, codebook, user_dict: bytes, expected: dict):
        self.name = name
        self.settings = settings
        self.codebook = codebook
        self.user_dict = user_dict
        self.expected = expected
        self.matcher = None
        self.refused: list[str] = []
        self.folder = ""

    def setup(self, worker) -> None:
        self.refused = differences(self.expected, worker_versions([k for k in self.expected if k != "qcode"]))
        if self.user_dict:          # jieba reads a path: the client's path means nothing here
            self.folder = tempfile.mkdtemp(prefix="qcode-worker-")
            path = Path(self.folder) / "user_dict.txt"
            path.write_bytes(self.user_dict)
            self.settings = replace(self.settings, user_dict=str(path))
        self.matcher = Matcher(self.codebook)

    def teardown(self, worker) -> None:
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


@dataclass(frozen=True)
class Refused:
    """A worker that joined after the check and has other versions: it codes nothing."""

    worker: str
    differences: tuple[str, ...]


def _code_on_worker(job: FileJob, data: bytes, name: str):
    worker = distributed.get_worker()
    plugin = worker.plugins[name]
    if plugin.refused:
        return Refused(worker.address, tuple(plugin.refused))
    return safe_code_file(job, plugin.settings, plugin.matcher, data)


def refusal(worker: str, found: list[str] | tuple[str, ...]) -> PipelineError:
    return PipelineError(worker, "this Dask worker has other versions than this machine: " + ", ".join(found)
                         + "; mixed versions could give different counts, so nothing was coded",
                         hint="install the same qcode and libraries on every worker as here (the same wheel, or "
                              'pip install -e ".[cluster]" from the same checkout)')


def died(job: FileJob) -> Problem:
    return Problem(job.source_file, "the Dask workers coding it died each time (killed, or out of memory?); "
                   "not coded", hint="give the workers more memory, or split the file into smaller ones")


class Cluster:
    """A Dask client for one command: entered, it reaches the scheduler (or starts a LocalCluster), waits for a
    worker and checks every worker's versions; left, it cancels what is still out and closes what it opened."""

    def __init__(self, spec: str, connect_timeout: float = CONNECT_TIMEOUT,
                 workers_timeout: float = WORKERS_TIMEOUT):
        self.place = parse_cluster(spec)
        self.spec = spec
        self.connect_timeout = connect_timeout
        self.workers_timeout = workers_timeout
        self.client = None
        self.local = None
        self.workers = self.threads = 0

    def __enter__(self) -> Cluster:
        if distributed is None:
            raise PipelineError("--cluster", "coding on a cluster needs Dask, which is not installed",
                                hint=INSTALL_HINT)
        try:
            self._open()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _open(self) -> None:
        import dask

        place = self.place
        try:
            if place.kind == "local":
                with dask.config.set({"distributed.scheduler.allowed-failures": TRIES - 1}):
                    # loopback only, no dashboard; the scheduler's own HTTP routes on a free port (not 8787,
                    # which another cluster may hold)
                    self.local = distributed.LocalCluster(
                        n_workers=place.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                        dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                        silence_logs=logging.ERROR)
                self.client = distributed.Client(self.local, set_as_default=False)
            elif place.kind == "file":
                self.client = distributed.Client(scheduler_file=place.where, timeout=self.connect_timeout,
                                                 set_as_default=False)
            else:
                self.client = distributed.Client(place.where, timeout=self.connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise PipelineError(self.spec, f"cannot reach the Dask scheduler within {self.connect_timeout:g} s "
                                f"({error})", hint="start it (`dask scheduler`), check the address and port, or "
                                "try --cluster local:2") from None
        try:
            self.client.wait_for_workers(1, timeout=self.workers_timeout)
        except TimeoutError:
            raise PipelineError(self.spec, f"no Dask worker joined the scheduler within {self.workers_timeout:g} s",
                                hint="start workers (`dask worker ADDRESS`, or cluster.scale(...)) and run "
                                     "again") from None
        self._count()

    def _count(self) -> int:
        threads = self.client.nthreads()
        self.workers = max(self.workers, len(threads))
        self.threads = max(self.threads, sum(threads.values()))
        return sum(threads.values())

    def check_versions(self, settings: Settings) -> dict:
        """Every worker's versions of what shapes the counts, compared with this machine's; a PipelineError naming
        the first worker that differs. The versions expected, for the plugin to check late joiners."""
        packages = shaping_packages(settings)
        expected = worker_versions(packages)
        found = self.client.run(worker_versions, packages)
        for worker, versions in sorted(found.items()):
            if wrong := differences(expected, versions):
                raise refusal(worker, wrong)
        return expected

    def record(self) -> dict:
        """run.json's `cluster`: what kind of place (never an address, which may name a host), workers, threads."""
        return {"address": "local" if self.place.kind == "local" else "remote", "workers": self.workers,
                "threads": self.threads}

    def code(self, jobs: list[FileJob], settings: Settings, codebook):
        """Yield each job's FileResult (or Problem) in the jobs' order, coded on the cluster's workers."""
        expected = self.check_versions(settings)
        user_dict = Path(settings.user_dict).read_bytes() if settings.user_dict else b""
        name = f"qcode-{uuid.uuid4().hex}"
        self.client.register_plugin(CodingPlugin(name, settings, codebook, user_dict, expected), name=name)
        try:
            yield from self._stream(jobs, settings, name)
        finally:
            self.client.unregister_worker_plugin(name)

    def _stream(self, jobs: list[FileJob], settings: Settings, name: str):
        out: dict = {}              # future → index of its job
        ready: dict = {}            # index → result, until the results before it are yielded
        next_new = next_out = 0
        threads, counted = self.threads, time.monotonic()
        try:
            while next_out < len(jobs):
                while next_new < len(jobs) and next_new < next_out + AHEAD * max(threads, 1):
                    job = jobs[next_new]
                    try:
                        data = read_bytes(Path(job.path), job.source_file, settings.max_file_bytes)
                    except PipelineError as error:
                        ready[next_new] = error.as_problem()
                    else:
                        out[self.client.submit(_code_on_worker, job, data, name, key=f"{name}-{next_new}",
                                               pure=False)] = next_new
                    next_new += 1
                if next_out not in ready:
                    for future in self._finished(out):
                        index = out.pop(future)
                        ready[index] = self._outcome(future, jobs[index])
                        future.release()
                while next_out in ready:
                    yield ready.pop(next_out)
                    next_out += 1
                if time.monotonic() - counted > POLL:
                    threads, counted = self._count(), time.monotonic()
        finally:
            if out:
                self.client.cancel(list(out), force=True)

    def _finished(self, out: dict) -> list:
        """Futures done, waiting for at least one; a PipelineError if every worker has left meanwhile."""
        lonely = None
        while True:
            try:
                with self.client.as_current():          # wait() asks for the current client
                    done, _ = distributed.wait(list(out), timeout=POLL, return_when="FIRST_COMPLETED")
                return list(done)
            except TimeoutError:
                if self.client.nthreads():
                    lonely = None
                    continue
                lonely = lonely or time.monotonic()
                if time.monotonic() - lonely > self.workers_timeout:
                    raise PipelineError(self.spec, f"every Dask worker has left, none came back within "
                                        f"{self.workers_timeout:g} s", hint="start workers and run again") from None

    def _outcome(self, future, job: FileJob):
        if future.status == "finished":
            result = future.result()
            if isinstance(result, Refused):
                raise refusal(result.worker, result.differences)
            return result
        if future.status == "cancelled":
            raise PipelineError(self.spec, f"the scheduler dropped the coding of {job.source_file} (restarted, or "
                                "another client cancelled it?)", hint="run again")
        error = future.exception()
        if type(error).__name__ == "KilledWorker":
            return died(job)
        raise RuntimeError(f"a Dask worker failed on {job.source_file}: {error!r}")

    def close(self) -> None:
        """Close the client (the scheduler then forgets this run's tasks) and the local cluster, if any."""
        client, local, self.client, self.local = self.client, self.local, None, None
        if client is not None:
            client.close(timeout=self.connect_timeout)
        if local is not None:
            local.close(timeout=self.connect_timeout)
