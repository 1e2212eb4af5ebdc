"""The inputs qcode ships: the embedded sample transcripts, the default codebook, the study's workshop sheet.

In a source checkout they are the repository's `transcripts/` and `codebooks/` folders; in an
installed wheel, the same files packaged under `pipeline/shipped/`. A folder of that name in the
current directory is preferred, so `qcode run` in a project folder codes the project's own.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent
_SHIPPED = _PACKAGE / "shipped"


def shipped(relative: str) -> Path:
    """A shipped input: in the current folder if there, else in the checkout, else in the installed package."""
    if Path(relative).exists():
        return Path(relative)
    if (_CHECKOUT / "setup.cfg").is_file() and (_CHECKOUT / relative).exists():
        return _CHECKOUT / relative
    return _SHIPPED / relative


def sample_transcripts() -> Path:
    return shipped("transcripts")


def default_codebook() -> Path:
    return shipped("codebooks/data_justice.yaml")


def workshop_sheet() -> Path:
    return shipped("transcripts/workshop/task3_scores.csv")
