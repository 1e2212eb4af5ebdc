"""The `qcode` group, the option types every command module shares, and `finish`: call one command, print its
Report, exit with its code."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.commands.options import WorkflowGroup  # commands listed in the order of the work
from pipeline.commands.report import Failure, Interrupted, Report, printable
from pipeline.errors import PipelineError
from pipeline.versions import __version__

PATH = click.Path(path_type=Path)
JOBS = click.IntRange(min=1)
cluster_option = click.option("--cluster", metavar="ADDRESS|local[:N]", help="Code on a Dask cluster: a scheduler's "
                              "address or file, or local:N worker processes (docs/cluster.md).")


def finish(command, options, quiet: bool = False) -> None:
    """Run one command; print its report; exit with its code (a bad input is a Failure report, exit 1)."""
    try:
        report: Report = command(options)
    except PipelineError as error:
        report = Failure(error)
    except KeyboardInterrupt:
        report = Interrupted()
    for line in report.lines(quiet):
        click.echo(printable(line.text), err=line.err)       # names and text from received files, escaped
    if report.exit_code:
        sys.exit(report.exit_code)


@click.group(cls=WorkflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qcode")
def main() -> None:
    """qcode: code Chinese/English interview transcripts against a codebook, into Excel.

    \b
    Start here:
      qcode init my-study
      qcode run my-study/transcripts --codebook my-study/codebook.yaml
    """
