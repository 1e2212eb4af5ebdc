"""Packaging glue that setup.cfg cannot express: the wheel ships the repository's sample inputs.

`codebooks/` and `transcripts/` stay at the repository root (a project rule), yet `qcode run` with no
arguments must work from an installed wheel. So, after the normal build, `build_py` copies both
folders into `<build_lib>/pipeline/shipped/`, where `pipeline.defaults.shipped` looks for them.
In an editable install (PEP 660, `editable_mode`) nothing is copied: `pipeline.defaults` finds the
folders in the checkout itself. MANIFEST.in grafts both folders so a wheel built from the sdist has them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED_FOLDERS = ("codebooks", "transcripts")
SHIPPED_INTO = Path("pipeline", "shipped")
NOT_SHIPPED = shutil.ignore_patterns("__pycache__", "*.py[cod]", ".*", "~$*", "*~")


class BuildPyWithShipped(build_py):
    """build_py that also copies the sample inputs into the built package (not in editable mode)."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib, SHIPPED_INTO)
        if target.exists():
            shutil.rmtree(target)  # a stale build/ must not keep files the repository has since dropped
        for folder in SHIPPED_FOLDERS:
            source = ROOT / folder
            if not source.is_dir():
                raise FileNotFoundError(f"{source} is missing: the wheel must ship it (is MANIFEST.in grafting it?)")
            shutil.copytree(source, target / folder, ignore=NOT_SHIPPED)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode=include_bytecode)
        if self.editable_mode:
            return outputs
        target = Path(self.build_lib, SHIPPED_INTO)
        return outputs + [str(path) for path in sorted(target.rglob("*")) if path.is_file()]


setup(cmdclass={"build_py": BuildPyWithShipped})
