"""The cluster client's peak memory at several scales: `qcode run --cluster` against a scheduler and two workers
started here as separate processes (so the peak RSS `/usr/bin/time -v` reports is the client's alone).

    python scripts/cluster_memory.py [SCALE ...]        # default: 1 10; needs ../shared/corpora and /usr/bin/time

Each scale codes both shared corpora copied SCALE times (as scripts/bench.py builds them), cold (--no-cache).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from bench import build_set  # noqa: E402
from corpus_rosters import corpus_rosters  # noqa: E402

BIN = Path(sys.executable).parent


def start_cluster(folder: Path) -> tuple[str, list[subprocess.Popen]]:
    """A scheduler on 127.0.0.1 and two one-thread workers; its address and the processes."""
    scheduler_file = folder / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [subprocess.Popen([BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                                   "--no-dashboard", "--scheduler-file", scheduler_file], **quiet)]
    deadline = time.monotonic() + 60
    while not scheduler_file.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the scheduler did not start within 60 s")
        time.sleep(0.5)
    for _ in range(2):
        processes.append(subprocess.Popen([BIN / "dask", "worker", "--scheduler-file", scheduler_file, "--nworkers",
                                           "1", "--nthreads", "1", "--no-dashboard"], **quiet))
    time.sleep(8)
    return json.loads(scheduler_file.read_text())["address"], processes


def main(scales: list[int]) -> None:
    sets = corpus_rosters(REPO.parent / "shared")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        address, processes = start_cluster(scratch)
        try:
            for scale in scales:
                folder = scratch / f"scale{scale}"
                folder.mkdir()
                _, roster, size = build_set("both", sets, folder, scale)
                out = scratch / f"out{scale}"
                started = time.monotonic()
                done = subprocess.run(["/usr/bin/time", "-v", BIN / "qcode", "run", folder, "--roster", roster,
                                       "--cluster", address, "--no-cache", "-q", "-o", out],
                                      capture_output=True, text=True, timeout=3600)
                peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1)) / 1024
                print(f"scale {scale}: {size / 1e6:.1f} MB, exit {done.returncode}, "
                      f"{time.monotonic() - started:.0f} s, client peak RSS {peak:.0f} MB", flush=True)
                shutil.rmtree(out, ignore_errors=True)
        finally:
            for process in processes:
                process.terminate()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10])
