"""The wheel is self-contained: built from the checkout (sdist, then wheel from the sdist) and installed into a
fresh venv outside it, `qcode run` and `qcode scores` with no inputs code the sample it ships, from an empty folder.

The fresh venv borrows the dependencies already installed for the tests through a `.pth` line naming their
site-packages; a folder added that way is not itself scanned for `.pth` files, so the checkout's editable
install (a `.pth` there) is not loaded, and `pipeline` can come only from the wheel.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

SAMPLE_MENTIONS = 69  # the rows of assignments.csv for the embedded sample and the default codebook


def _missing_build_tools() -> str:
    missing = [name for name in ("build", "wheel", "setuptools") if importlib.util.find_spec(name) is None]
    if missing:
        return f"{', '.join(missing)} not installed (pip install -e '.[test]' brings them)"
    import setuptools

    if int(setuptools.__version__.split(".")[0]) < 68:
        return f"setuptools {setuptools.__version__} < 68, which pyproject.toml needs (pip install -e '.[test]')"
    return ""


MISSING = _missing_build_tools()
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"cannot build the wheel offline: {MISSING}")


def _run(args: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{args} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def _clean_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PIP_NO_INDEX"] = "1"  # everything needed is on disk: never reach for a registry
    return env


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory) -> Path:
    """A venv outside the checkout with the built wheel installed (no deps), borrowing the test env's packages."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    # No isolation: the build backend is the one installed here, so the build needs no network.
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, REPO], cwd=root, env=_clean_env())
    (wheel,) = dist.glob("qcode_interviews-*.whl")

    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=root)
    python = venv / "bin" / "python"
    # pip of the test env installs into the fresh venv; before the .pth exists, so it sees no other qcode.
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel],
         cwd=root, env=_clean_env())
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root).stdout
                .strip())
    borrowed = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (site / "borrowed_test_dependencies.pth").write_text("".join(f"{p}\n" for p in borrowed), encoding="utf-8")
    return venv


@pytest.fixture
def empty_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def test_the_wheel_ships_the_sample_codebook_and_schemas(fresh_venv: Path):
    site = next((fresh_venv / "lib").glob("python*/site-packages"))
    shipped = site / "pipeline" / "shipped"
    for relative in ("transcripts/roster.csv", "transcripts/workshop/task3_scores.csv",
                     "codebooks/data_justice.yaml"):
        assert (shipped / relative).is_file(), relative
    assert sorted(p.name for p in (shipped / "transcripts").iterdir() if p.is_file()) == sorted(
        p.name for p in (REPO / "transcripts").iterdir() if p.is_file())
    assert list((site / "pipeline" / "refi" / "schemas").glob("*.xsd"))
    assert not (site / "outputs").exists() and not (site / "tests").exists()


def test_pipeline_comes_from_the_wheel_not_the_checkout(fresh_venv: Path, empty_folder: Path):
    done = _run([fresh_venv / "bin" / "python", "-c", "import pipeline, spacy; print(pipeline.__file__)"],
                cwd=empty_folder, env=_clean_env())
    where = Path(done.stdout.strip()).resolve()
    assert where.is_relative_to(fresh_venv.resolve()) and not where.is_relative_to(REPO)


def test_qcode_run_with_no_inputs_codes_the_shipped_sample(fresh_venv: Path, empty_folder: Path):
    _run([fresh_venv / "bin" / "qcode", "run", "--out", "out", "-q", "--jobs", "1", "--no-cache"],
         cwd=empty_folder, env=_clean_env())
    out = empty_folder / "out"
    assert (out / "codebook.xlsx").is_file()
    assert len(pd.read_csv(out / "assignments.csv")) == SAMPLE_MENTIONS
    inputs = json.loads((out / "run.json").read_text(encoding="utf-8"))["inputs"]
    for path in (inputs["transcripts"], inputs["codebook"]["path"]):
        assert Path(path).resolve().is_relative_to(fresh_venv.resolve()), path


def test_qcode_scores_with_no_sheet_reads_the_shipped_workshop_sheet(fresh_venv: Path, empty_folder: Path):
    _run([fresh_venv / "bin" / "qcode", "scores", "--out", "s"], cwd=empty_folder, env=_clean_env())
    out = empty_folder / "s"
    assert (out / "scores.xlsx").is_file()
    sheet = json.loads((out / "scores.json").read_text(encoding="utf-8"))["sheet"]
    assert Path(sheet).resolve().is_relative_to(fresh_venv.resolve()), sheet
