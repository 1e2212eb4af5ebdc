"""What researchers type on the command line → checked values, the same on every command (the option grammar):
`-o/--out`, `--force`, `--quiet/-q`, `--strict` and `--language` spelt and meant alike everywhere, language tags
with a did-you-mean, and the order of the work that `qcode --help` lists the commands in."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.text.languages import TAGS, language_tag, unknown_language

# The commands in the order of the work: start, code, check, review, learn, report, compare, exchange.
WORKFLOW = ("init", "run", "check", "sample", "validate", "audit", "suggest", "agreement", "report", "compare",
            "scores", "export-codebook", "import-codebook", "export-project")


def in_workflow_order(names) -> list[str]:
    """Command names in the order of the work; names it does not know follow, alphabetically."""
    known = [name for name in WORKFLOW if name in names]
    return known + sorted(name for name in names if name not in WORKFLOW)


class WorkflowGroup(click.Group):
    """`qcode --help` lists the commands in the order of the work (init, run, check, …), not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return in_workflow_order(self.commands)


def checked_language(typed: str) -> str:
    """A --language value as qcode spells it ("" for none); ValueError saying what was meant for an unknown one."""
    tag = language_tag(typed or "")
    if tag is None:
        raise ValueError(unknown_language(typed))
    return tag


def _language(ctx, param, value: str) -> str:
    try:
        return checked_language(value)
    except ValueError as error:          # a usage error (exit 2, as click's own), with the did-you-mean
        raise click.BadParameter(str(error), ctx=ctx, param=param) from None


def language_option(help: str):
    """--language: only a tag qcode knows (`Taiwan` → did you mean `zh-Hant-TW`?)."""
    return click.option("--language", default="", callback=_language, help=f"{help} ({', '.join(TAGS)})")


def out_option(help: str):
    """-o/--out: a folder for a command that writes a folder, a file for one that writes one file."""
    return click.option("-o", "--out", type=click.Path(path_type=Path), help=help)


def force_option(help: str = "Replace an output qcode wrote and nobody changed since."):
    return click.option("--force", is_flag=True, help=help)


quiet_option = click.option("--quiet", "-q", is_flag=True, help="Print only problems and where the output is.")
strict_option = click.option("--strict", is_flag=True, help="Exit non-zero on any problem, before writing outputs.")


def coding_options(command):
    """--jobs/-j, --cache and --no-cache: how a command that codes transcripts again uses the machine."""
    path = click.Path(path_type=Path)
    for option in reversed((
            click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                         help="Parallel processes [default: all cores]."),
            click.option("--cache", "cache_dir", type=path,
                         help="Segmentation cache folder [default: the user's cache folder]."),
            click.option("--no-cache", is_flag=True, help="Neither read nor write the segmentation cache."))):
        command = option(command)
    return command
