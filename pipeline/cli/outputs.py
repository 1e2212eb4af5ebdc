"""Commands that turn runs into outputs for a paper or another tool: report, compare, scores, and the REFI-QDA
exports and import."""

from __future__ import annotations

import click

from pipeline.cli.group import JOBS, PATH, finish, main
from pipeline.commands.options import (
    force_option,
    out_option,
    quiet_option,
    strict_option,
)


@main.command()
@click.argument("run_dir", type=PATH)
@out_option("The report, .docx or .md [default: RUN_DIR/quotes.docx].")
@click.option("--per-code", type=click.IntRange(min=1), default=5, show_default=True,
              help="Quotes per code at most (spread across interviewees and groups).")
@click.option("--reviewed", type=PATH, help="A reviewed workbook of RUN_DIR: rejected quotes left out, recoded ones "
              "moved, added passages in (RUN_DIR's transcripts are coded again, as `qcode audit` does).")
@click.option("--transcripts", type=PATH, help="With --reviewed: where the run's transcripts are now, if they moved.")
@force_option("Replace a report qcode wrote that nobody has saved since.")
@click.option("--jobs", "-j", type=JOBS, default=None, help="With --reviewed: parallel processes [default: all cores].")
@click.option("--cache", "cache_dir", type=PATH, help="Segmentation cache folder [default: the user's cache folder].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the segmentation cache.")
@quiet_option
def report(run_dir, out, per_code, reviewed, transcripts, force, jobs, cache_dir, no_cache, quiet):
    """A quotes report of RUN_DIR: per code its definition, counts by group and quotes with who, file and line.

    \b
    Example:
      qcode report outputs/first-run -o outputs/quotes.docx --per-code 5
    """
    from pipeline.commands.quotes_report import QuotesReportOptions, write_quotes_report

    finish(write_quotes_report, QuotesReportOptions(
        run=run_dir, out=out, per_code=per_code, reviewed=reviewed, transcripts=transcripts, force=force, jobs=jobs,
        cache=cache_dir, no_cache=no_cache), quiet)


@main.command()
@click.argument("runs", nargs=-1, type=PATH)
@click.option("--by", help="Roster column whose values are the groups: country, stakeholder_group, gender, … "
              "[default: country for several runs, stakeholder_group for one]")
@click.option("--label", "labels", multiple=True, metavar="RUN=NAME",
              help="Name a run's group (all its interviewees), instead of its roster column.")
@click.option("--groups", help="Only these groups, in this order (comma-separated).")
@out_option("Compare folder [default: a new outputs/compare-…]")
@force_option("Replace a compare folder qcode wrote.")
@quiet_option
def compare(runs, by, labels, groups, out, force, quiet):
    """Compare code frequencies across groups of interviewees in one or more RUN folders.

    \b
    Example:
      qcode compare outputs/china-run outputs/uk-run --by country -o outputs/china-vs-uk
    """
    from pipeline.commands.compare import CompareOptions, run_comparison

    finish(run_comparison, CompareOptions(
        runs=list(runs), out=out, by=by, labels=list(labels), force=force,
        groups=[g.strip() for g in groups.split(",") if g.strip()] if groups else None), quiet)


@main.command()
@click.argument("sheet", required=False, type=PATH)
@click.option("--sheet-name", help="The workbook's sheet to read [default: the first].")
@out_option("Scores folder [default: a new outputs/scores-…]")
@click.option("--strict", is_flag=True, help="Exit non-zero on any problem (a bad cell), before writing outputs; "
              "without it such cells are left out.")
@force_option("Replace a scores folder qcode wrote.")
@quiet_option
def scores(sheet, sheet_name, out, strict, force, quiet):
    """Average workshop pillar scores (relevance, usability) by case [default: the study's Task 3 sheet].

    \b
    Example:
      qcode scores workshop/task3_scores.csv -o outputs/workshop-scores
    """
    from pipeline.commands.scores import ScoresOptions, run_scores

    finish(run_scores, ScoresOptions(sheet=sheet, out=out, sheet_name=sheet_name, strict=strict, force=force),
            quiet)


@main.command("export-codebook")
@click.argument("codebook", type=PATH)
@out_option("The .qdc to write [default: outputs/CODEBOOK-NAME.qdc].")
@force_option("Replace a .qdc qcode wrote (never another tool's file).")
@strict_option
@quiet_option
def export_codebook(codebook, out, force, strict, quiet):
    """Write CODEBOOK (.yaml or .xlsx) as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, QualCoder.

    \b
    Example:
      qcode export-codebook my-study/codebook.yaml -o outputs/my-codebook.qdc
    """
    from pipeline.commands.export_codebook import ExportCodebookOptions, export_codebook

    finish(export_codebook, ExportCodebookOptions(codebook=codebook, out=out, force=force, strict=strict), quiet)


@main.command("export-project")
@click.argument("run_dir", type=PATH)
@out_option("The .qdpx to write [default: RUN_DIR/project.qdpx].")
@click.option("--positions", type=click.Choice(["codepoints", "utf16"]), default="codepoints", show_default=True,
              help="How selection positions count: code points, or UTF-16 units (NVivo).")
@click.option("--transcripts", type=PATH, help="Where the run's transcripts are now, if they moved.")
@force_option("Replace a .qdpx qcode wrote.")
@quiet_option
def export_project(run_dir, out, positions, transcripts, force, quiet):
    """Write a run folder as a REFI-QDA project (.qdpx): transcripts, codebook, cases, every assignment.

    \b
    Example:
      qcode export-project outputs/first-run -o outputs/first-run.qdpx --positions utf16
    """
    from pipeline.commands.export_project import ExportProjectOptions, export_project

    finish(export_project, ExportProjectOptions(run=run_dir, out=out, positions=positions,
                                                 transcripts=transcripts, force=force), quiet)


@main.command("import-codebook")
@click.argument("file", type=PATH)
@out_option("The codebook YAML to write [default: outputs/FILE-NAME.yaml]; never over an existing file.")
@quiet_option
def import_codebook(file, out, quiet):
    """Read the codes of a REFI-QDA codebook or project (.qdc, .qdpx, .qde) into a qcode codebook YAML.

    \b
    Example:
      qcode import-codebook nvivo-codes.qdc -o my-study/codebook.yaml
    """
    from pipeline.commands.import_codebook import ImportCodebookOptions, import_codebook

    finish(import_codebook, ImportCodebookOptions(file=file, out=out), quiet)
