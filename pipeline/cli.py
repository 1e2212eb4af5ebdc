"""The `qcode` command line: parse options, call one command, print its Report, exit with its code."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.commands.report import Failure, Interrupted, Report, printable
from pipeline.errors import PipelineError
from pipeline.text.zh_words import CHOICES as SEGMENTERS
from pipeline.versions import __version__

PATH = click.Path(path_type=Path)
JOBS = click.IntRange(min=1)


def _finish(command, options, quiet: bool = False) -> None:
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qcode")
def main() -> None:
    """qcode: code Chinese/English interview transcripts against a codebook, into Excel."""


@main.command()
@click.argument("transcripts", required=False, type=PATH)
@click.option("--codebook", type=PATH, help="Codebook .yaml or .xlsx [default: codebooks/data_justice.yaml]")
@click.option("--roster", type=PATH, help="Roster .csv or .xlsx [default: roster.csv/.xlsx in the transcripts folder]")
@click.option("--out", type=PATH, help="Run folder [default: a new outputs/run-…]")
@click.option("--unit", type=click.Choice(["sentence", "turn"]), default="sentence", show_default=True,
              help="Coding unit for segments and co-occurrence.")
@click.option("--language", default="", help="Language of files the roster and front matter leave open "
              "(zh-Hans, zh-Hant-TW, zh-Hant-HK, en, …); else detected.")
@click.option("--include-interviewer", is_flag=True, help="Also code interviewer turns (tallied apart).")
@click.option("--user-dict", type=PATH, help="jieba user dictionary for names and jargon.")
@click.option("--strict", is_flag=True, help="Exit non-zero on any problem, before writing outputs.")
@click.option("--force", is_flag=True, help="Replace an existing run folder qcode wrote (never a reviewed one).")
@click.option("--jobs", "-j", type=JOBS, default=None, help="Files coded in parallel processes [default: all cores].")
@click.option("--reviewed", type=PATH,
              help="A reviewed workbook of an earlier run: carry its decisions onto this run's desk.")
@click.option("--cache", "cache_dir", type=PATH,
              help="Segmentation cache folder [default: the user's cache folder, e.g. ~/.cache/qcode].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the segmentation cache.")
@click.option("--max-file-mb", type=click.FloatRange(min=0.001), default=16, show_default=True,
              help="Refuse (as a problem) a transcript larger than this; coding holds ~15x its size in memory.")
@click.option("--segmenter", type=click.Choice(SEGMENTERS), default="auto", show_default=True,
              help="Chinese word segmenter: rjieba (jieba-rs: the same words, faster) when installed and no "
              "--user-dict is given, else jieba.")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems and the workbook's path.")
def run(transcripts, codebook, roster, out, unit, language, include_interviewer, user_dict, strict, force,
        jobs, reviewed, cache_dir, no_cache, max_file_mb, segmenter, quiet):
    """Code TRANSCRIPTS (a folder; default: the embedded sample) into a run folder."""
    from pipeline.commands.run import RunOptions, run_corpus

    _finish(run_corpus, RunOptions(
        transcripts=transcripts, codebook=codebook, out=out, roster=roster, unit=unit, language=language,
        include_interviewer=include_interviewer, user_dict=user_dict, strict=strict, force=force,
        progress=not quiet and sys.stderr.isatty(), jobs=jobs, reviewed=reviewed, cache=cache_dir,
        no_cache=no_cache, max_file_mb=max_file_mb, segmenter=segmenter), quiet)


@main.command()
@click.argument("codebook", type=PATH)
@click.option("--corpus", type=PATH, help="A transcripts folder: per term its mentions and near misses, per code "
              "its candidate words, into a workbook.")
@click.option("--roster", type=PATH, help="The corpus's roster [default: roster.csv/.xlsx in the corpus folder]")
@click.option("-o", "--out", type=PATH, help="The check workbook (.xlsx) [default: a new outputs/check-….xlsx]")
@click.option("--force", is_flag=True, help="Replace a check workbook qcode wrote.")
@click.option("--jobs", "-j", type=JOBS, default=None, help="Parallel processes [default: all cores].")
@click.option("--cache", "cache_dir", type=PATH, help="Segmentation cache folder [default: the user's cache folder].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the segmentation cache.")
@click.option("--quiet", "-q", is_flag=True, help="With --corpus: one line per code.")
def check(codebook, corpus, roster, out, force, jobs, cache_dir, no_cache, quiet):
    """Show how each term of CODEBOOK is matched, and warn about terms that look wrong."""
    from pipeline.commands.check import CheckOptions, run_check

    _finish(run_check, CheckOptions(codebook=codebook, corpus=corpus, roster=roster, out=out, force=force,
                                    jobs=jobs, cache=cache_dir, no_cache=no_cache), quiet)


@main.command()
@click.argument("reviewed", type=PATH)
@click.option("--out", type=PATH, help="Reviewed run folder [default: a new outputs/audit-…]")
@click.option("--second", type=PATH, help="A second reviewer's workbook of the same run.")
@click.option("--transcripts", type=PATH, help="Where the run's transcripts (and roster) are now, if they moved.")
@click.option("--jobs", "-j", type=JOBS, default=None, help="Parallel processes [default: all cores].")
@click.option("--force", is_flag=True, help="Replace an existing run folder qcode wrote.")
@click.option("--cache", "cache_dir", type=PATH, help="Segmentation cache folder [default: the user's cache folder].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the segmentation cache.")
def audit(reviewed, out, second, transcripts, jobs, force, cache_dir, no_cache):
    """Apply the decisions in REVIEWED.xlsx: recompute the tallies and measure agreement."""
    from pipeline.commands.audit import AuditOptions, run_audit

    _finish(run_audit, AuditOptions(reviewed=reviewed, out=out, second=second, transcripts=transcripts,
                                    force=force, jobs=jobs, cache=cache_dir, no_cache=no_cache))


@main.command()
@click.argument("runs", nargs=-1, type=PATH)
@click.option("--by", help="Roster column whose values are the groups: country, stakeholder_group, gender, … "
              "[default: country for several runs, stakeholder_group for one]")
@click.option("--label", "labels", multiple=True, metavar="RUN=NAME",
              help="Name a run's group (all its interviewees), instead of its roster column.")
@click.option("--groups", help="Only these groups, in this order (comma-separated).")
@click.option("--out", type=PATH, help="Compare folder [default: a new outputs/compare-…]")
@click.option("--force", is_flag=True, help="Replace a compare folder qcode wrote.")
def compare(runs, by, labels, groups, out, force):
    """Compare code frequencies across groups of interviewees in one or more RUN folders."""
    from pipeline.commands.compare import CompareOptions, run_comparison

    _finish(run_comparison, CompareOptions(
        runs=list(runs), out=out, by=by, labels=list(labels), force=force,
        groups=[g.strip() for g in groups.split(",") if g.strip()] if groups else None))


@main.command()
@click.argument("sheet", required=False, type=PATH)
@click.option("--sheet-name", help="The workbook's sheet to read [default: the first].")
@click.option("--out", type=PATH, help="Scores folder [default: a new outputs/scores-…]")
@click.option("--strict", is_flag=True, help="Refuse a sheet with any bad cell, instead of leaving it out.")
@click.option("--force", is_flag=True, help="Replace a scores folder qcode wrote.")
def scores(sheet, sheet_name, out, strict, force):
    """Average workshop pillar scores (relevance, usability) by case [default: the study's Task 3 sheet]."""
    from pipeline.commands.scores import ScoresOptions, run_scores

    _finish(run_scores, ScoresOptions(sheet=sheet, out=out, sheet_name=sheet_name, strict=strict, force=force))


@main.command("export-codebook")
@click.argument("codebook", type=PATH)
@click.option("-o", "--out", type=PATH, help="The .qdc to write [default: beside CODEBOOK].")
@click.option("--force", is_flag=True, help="Replace a .qdc qcode wrote (never another tool's file).")
def export_codebook(codebook, out, force):
    """Write CODEBOOK (.yaml or .xlsx) as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    from pipeline.commands.export_codebook import ExportCodebookOptions, export_codebook

    _finish(export_codebook, ExportCodebookOptions(codebook=codebook, out=out, force=force))


@main.command("export-project")
@click.argument("run_dir", type=PATH)
@click.option("-o", "--out", type=PATH, help="The .qdpx to write [default: RUN_DIR/project.qdpx].")
@click.option("--positions", type=click.Choice(["codepoints", "utf16"]), default="codepoints", show_default=True,
              help="How selection positions count: code points, or UTF-16 units (NVivo).")
@click.option("--transcripts", type=PATH, help="Where the run's transcripts are now, if they moved.")
@click.option("--force", is_flag=True, help="Replace a .qdpx qcode wrote.")
def export_project(run_dir, out, positions, transcripts, force):
    """Write a run folder as a REFI-QDA project (.qdpx): transcripts, codebook, cases, every assignment."""
    from pipeline.commands.export_project import ExportProjectOptions, export_project

    _finish(export_project, ExportProjectOptions(run=run_dir, out=out, positions=positions,
                                                 transcripts=transcripts, force=force))


@main.command("import-codebook")
@click.argument("file", type=PATH)
@click.option("-o", "--out", type=PATH, help="The YAML to write [default: FILE with .yaml].")
def import_codebook(file, out):
    """Read the codes of a REFI-QDA codebook or project (.qdc, .qdpx, .qde) into a qcode codebook YAML."""
    from pipeline.commands.import_codebook import ImportCodebookOptions, import_codebook

    _finish(import_codebook, ImportCodebookOptions(file=file, out=out))


@main.command()
@click.argument("run_dir", type=PATH)
@click.argument("project", type=PATH)
@click.option("--out", type=PATH, help="Agreement folder [default: a new outputs/agreement-…]")
@click.option("--positions", type=click.Choice(["auto", "codepoints", "utf16"]), default="auto", show_default=True,
              help="How the project counts positions; auto: UTF-16 for NVivo, else code points.")
@click.option("--user", default="", help="Only this coder's codings [default: everyone's but qcode's].")
@click.option("--transcripts", type=PATH, help="Where the run's transcripts are now, if they moved.")
@click.option("--jobs", "-j", type=JOBS, default=None, help="Parallel processes [default: all cores].")
@click.option("--force", is_flag=True, help="Replace an agreement folder qcode wrote.")
@click.option("--cache", "cache_dir", type=PATH, help="Segmentation cache folder [default: the user's cache folder].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the segmentation cache.")
def agreement(run_dir, project, out, positions, user, transcripts, jobs, force, cache_dir, no_cache):
    """Agreement between a run's coding and PROJECT.qdpx coded by hand in NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    from pipeline.commands.agreement import AgreementOptions, compare_codings

    _finish(compare_codings, AgreementOptions(run=run_dir, project=project, out=out, positions=positions, user=user,
                                              transcripts=transcripts, force=force, jobs=jobs, cache=cache_dir,
                                              no_cache=no_cache))
