"""The `qcode` command line: parse options, call the library, print what happened."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import PipelineError
from .zh_words import CHOICES as SEGMENTERS

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def _default(relative: str) -> Path:
    """A default input: in the current folder if there, else the one shipped with qcode."""
    here = Path(relative)
    return here if here.exists() else PACKAGE_ROOT / relative


class QcodeError(click.ClickException):
    """A PipelineError shown as `file:line: problem` and `→ what to do`."""

    def __init__(self, error: PipelineError):
        super().__init__(str(error.as_problem()))

    def show(self, file=None) -> None:
        click.echo(self.message, err=True)


def _call(function, options):
    """Run a library command: a bad input becomes a message, Ctrl-C exit 130 with nothing written."""
    try:
        return function(options)
    except PipelineError as error:
        _fail(error)
    except KeyboardInterrupt:
        click.echo("interrupted: nothing was written", err=True)
        sys.exit(130)


def _fail(error: PipelineError):
    for issue in getattr(error, "problems", []):
        click.echo(f"problem: {issue}", err=True)
    raise QcodeError(error)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qcode")
def main() -> None:
    """qcode: code Chinese/English interview transcripts against a codebook, into Excel."""


@main.command()
@click.argument("transcripts", required=False, type=click.Path(path_type=Path))
@click.option("--codebook", type=click.Path(path_type=Path), help="Codebook .yaml or .xlsx "
              "[default: codebooks/data_justice.yaml]")
@click.option("--roster", type=click.Path(path_type=Path), help="Roster .csv or .xlsx "
              "[default: roster.csv/.xlsx in the transcripts folder]")
@click.option("--out", type=click.Path(path_type=Path), help="Run folder [default: a new outputs/run-…]")
@click.option("--unit", type=click.Choice(["sentence", "turn"]), default="sentence", show_default=True,
              help="Coding unit for segments and co-occurrence.")
@click.option("--language", default="", help="Language of files the roster and front matter leave open "
              "(zh-Hans, zh-Hant-TW, zh-Hant-HK, en, …); else detected.")
@click.option("--include-interviewer", is_flag=True, help="Also code interviewer turns (tallied apart).")
@click.option("--user-dict", type=click.Path(path_type=Path), help="jieba user dictionary for names and jargon.")
@click.option("--strict", is_flag=True, help="Exit non-zero on any problem, before writing outputs.")
@click.option("--force", is_flag=True, help="Replace an existing run folder qcode wrote (never a reviewed one).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Files coded in parallel processes [default: all cores].")
@click.option("--reviewed", type=click.Path(path_type=Path),
              help="A reviewed workbook of an earlier run: carry its decisions onto this run's desk.")
@click.option("--cache", "cache_dir", type=click.Path(path_type=Path),
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
    from .cache import default_cache_dir
    from .run import RunOptions, default_out_dir, run_corpus

    options = RunOptions(
        transcripts=transcripts or _default("transcripts"),
        codebook=codebook or _default("codebooks/data_justice.yaml"),
        out=out or default_out_dir(), roster=roster, unit=unit, language=language,
        include_interviewer=include_interviewer, user_dict=user_dict, strict=strict, force=force,
        progress=not quiet and sys.stderr.isatty(), jobs=jobs or os.cpu_count() or 1, reviewed=reviewed,
        cache=None if no_cache else (cache_dir or default_cache_dir()), max_file_mb=max_file_mb,
        segmenter=segmenter)
    report = _call(run_corpus, options)
    for issue in report.problems:
        click.echo(f"problem: {issue}", err=True)
    if not quiet:
        for issue in report.notes:
            click.echo(f"note: {issue}", err=True)
        top = ", ".join(f"{code} {n}" for code, n in report.top_codes) or "none"
        click.echo(f"coded {report.files_coded} file(s): {report.mentions} mention(s); top codes: {top}")
        click.echo(f"{len(report.problems)} problem(s), {len(report.notes)} note(s)")
        if report.from_cache:
            click.echo(f"{report.from_cache} of {report.files_coded} file(s) segmented from the cache "
                       f"({options.cache})")
    click.echo(f"workbook: {report.out / 'codebook.xlsx'}")


@main.command()
@click.argument("codebook", type=click.Path(path_type=Path))
def check(codebook):
    """Show how each term of CODEBOOK is matched, and warn about terms that look wrong."""
    from .check import check_codebook

    try:
        report = check_codebook(codebook)
    except PipelineError as error:
        _fail(error)
    for line in report.lines:
        click.echo(line)
    for issue in report.problems:
        click.echo(f"problem: {issue}", err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{report.codes} code(s), {report.terms} term(s): {len(report.problems)} problem(s), "
               f"{len(report.warnings)} warning(s)")
    if report.problems:
        sys.exit(1)


@main.command()
@click.argument("reviewed", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Reviewed run folder [default: a new outputs/audit-…]")
@click.option("--second", type=click.Path(path_type=Path), help="A second reviewer's workbook of the same run.")
@click.option("--transcripts", type=click.Path(path_type=Path),
              help="Where the run's transcripts (and roster) are now, if they moved.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Parallel processes [default: all cores].")
@click.option("--force", is_flag=True, help="Replace an existing run folder qcode wrote.")
def audit(reviewed, out, second, transcripts, jobs, force):
    """Apply the decisions in REVIEWED.xlsx: recompute the tallies and measure agreement."""
    from .audit import AuditOptions, run_audit
    from .run import default_out_dir

    options = AuditOptions(reviewed=reviewed, out=out or default_out_dir(kind="audit"), second=second,
                           transcripts=transcripts, force=force, jobs=jobs or os.cpu_count() or 1)
    report = _call(run_audit, options)
    overall = report.agreement.set_index("code").loc["overall"].to_dict()
    overall.update({k: int(overall[k]) for k in ("accepted", "rejected", "recoded", "added", "unreviewed",
                                                  "kappa_units", "files_fully_reviewed")})
    click.echo(f"{report.reviewed_rows} reviewed row(s) by {', '.join(report.reviewers) or 'an unnamed reviewer'}: "
               f"{overall['accepted']} accepted, {overall['rejected']} rejected, {overall['recoded']} recoded, "
               f"{overall['added']} added, {overall['unreviewed']} unreviewed")
    click.echo(f"precision {_show(overall['precision'])}, recall {_show(overall['recall'])}, "
               f"kappa {_show(overall['kappa'])} over {overall['kappa_units']} unit×code cells of "
               f"{overall['files_fully_reviewed']} fully reviewed file(s)")
    click.echo(f"workbook: {report.out / 'codebook.xlsx'}")


@main.command()
@click.argument("runs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--by", help="Roster column whose values are the groups: country, stakeholder_group, gender, … "
              "[default: country for several runs, stakeholder_group for one]")
@click.option("--label", "labels", multiple=True, metavar="RUN=NAME",
              help="Name a run's group (all its interviewees), instead of its roster column.")
@click.option("--groups", help="Only these groups, in this order (comma-separated).")
@click.option("--out", type=click.Path(path_type=Path), help="Compare folder [default: a new outputs/compare-…]")
@click.option("--force", is_flag=True, help="Replace a compare folder qcode wrote.")
def compare(runs, by, labels, groups, out, force):
    """Compare code frequencies across groups of interviewees in one or more RUN folders."""
    from .comparison import CompareOptions, run_comparison
    from .run import default_out_dir

    options = CompareOptions(runs=list(runs), out=out or default_out_dir(kind="compare"), by=by,
                             labels=list(labels), force=force,
                             groups=[g.strip() for g in groups.split(",") if g.strip()] if groups else None)
    report = _call(run_comparison, options)
    for issue in report.notes:
        click.echo(f"note: {issue}", err=True)
    click.echo(f"compared {len(report.groups)} groups by {report.by} ({', '.join(report.groups)}) "
               f"on {len(report.codes)} code(s)" + ("" if report.tested else "; groups overlap: described, not tested"))
    if report.tested:
        per_code = report.table.drop_duplicates("code").set_index("code")
        differ = [f"{code} (G² p_adj {row.g2_p_adj:.3g})" for code, row in per_code.iterrows()
                  if row.g2_p_adj < 0.05]           # NaN (nothing to test) compares False
        click.echo("rates differ (BH-adjusted G² p < 0.05): " + (", ".join(differ) or "no code"))
    click.echo(f"workbook: {report.out / 'compare.xlsx'}")


@main.command()
@click.argument("sheet", required=False, type=click.Path(path_type=Path))
@click.option("--sheet-name", help="The workbook's sheet to read [default: the first].")
@click.option("--out", type=click.Path(path_type=Path), help="Scores folder [default: a new outputs/scores-…]")
@click.option("--strict", is_flag=True, help="Refuse a sheet with any bad cell, instead of leaving it out.")
@click.option("--force", is_flag=True, help="Replace a scores folder qcode wrote.")
def scores(sheet, sheet_name, out, strict, force):
    """Average workshop pillar scores (relevance, usability) by case [default: the study's Task 3 sheet]."""
    from .run import default_out_dir
    from .scores_report import ScoresOptions, run_scores

    options = ScoresOptions(sheet=sheet or _default("transcripts/workshop/task3_scores.csv"),
                            out=out or default_out_dir(kind="scores"), sheet_name=sheet_name, strict=strict,
                            force=force)
    report = _call(run_scores, options)
    for issue in report.problems:
        click.echo(f"{issue.kind}: {issue}", err=True)
    for slip in report.tables.slips.itertuples():
        click.echo(f"typed average differs: row {slip.row}, {slip.pillar} ({slip.label}, {slip.measure}): "
                   f"typed {slip.typed}, true {slip.true:.3f}", err=True)
    long = report.tables.long
    click.echo(f"{report.groups} group row(s) × {len(report.pillars)} pillars, case(s): "
               f"{', '.join(report.tables.cases)}")
    final = report.tables.cases[-1]
    for measure in ("relevance", "usability"):
        ranked = long[(long["case"] == final) & (long["measure"] == measure)].sort_values("rank")
        click.echo(f"{measure} ({final}): " + ", ".join(f"{r.pillar} {r.mean:.1f}" for r in ranked.itertuples()))
    click.echo(f"{len(report.tables.checks)} typed average(s) checked, {len(report.tables.slips)} differ")
    click.echo(f"workbook: {report.out / 'scores.xlsx'}")


def _show(value) -> str:
    return "n/a" if value != value else f"{value:.3f}"


@main.command("export-codebook")
@click.argument("codebook", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), help="The .qdc to write [default: beside CODEBOOK].")
@click.option("--force", is_flag=True, help="Replace a .qdc qcode wrote (never another tool's file).")
def export_codebook(codebook, out, force):
    """Write CODEBOOK (.yaml or .xlsx) as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    from .qdc import export_codebook as export

    path, book = _call(lambda _: export(codebook, out, force), None)
    for issue in book.notes:
        click.echo(f"{issue.kind}: {issue}", err=True)
    groups = len(({c.parent for c in book.codes + book.groups if c.parent} - set(book.ids))
                 | {g.id for g in book.groups})
    click.echo(f"{len(book.codes)} code(s) in {groups} folder(s) → {path}")


@main.command("export-project")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path),
              help="The .qdpx to write [default: RUN_DIR/project.qdpx].")
@click.option("--positions", type=click.Choice(["codepoints", "utf16"]), default="codepoints", show_default=True,
              help="How selection positions count: code points, or UTF-16 units (NVivo).")
@click.option("--transcripts", type=click.Path(path_type=Path),
              help="Where the run's transcripts are now, if they moved.")
@click.option("--force", is_flag=True, help="Replace a .qdpx qcode wrote.")
def export_project(run_dir, out, positions, transcripts, force):
    """Write a run folder as a REFI-QDA project (.qdpx): transcripts, codebook, cases, every assignment."""
    from .qdpx_export import ProjectOptions
    from .qdpx_export import export_project as export

    report = _call(export, ProjectOptions(run=run_dir, out=out, positions=positions, transcripts=transcripts,
                                          force=force))
    click.echo(f"{report.sources} source(s), {report.selections} coded selection(s) ({report.coding} coding), "
               f"{report.cases} case(s), positions in {positions}")
    if report.astral_sources and positions == "codepoints":
        click.echo(f"note: {report.astral_sources} source(s) hold characters beyond U+FFFF (emoji, rare CJK): "
                   "for NVivo export again with --positions utf16", err=True)
    click.echo(f"project: {report.out}")


@main.command("import-codebook")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), help="The YAML to write [default: FILE with .yaml].")
def import_codebook(file, out):
    """Read the codes of a REFI-QDA codebook or project (.qdc, .qdpx, .qde) into a qcode codebook YAML."""
    from .qda_import import import_codebook as read

    report = _call(lambda _: read(file, out), None)
    for issue in report.notes:
        click.echo(f"{issue.kind}: {issue}", err=True)
    bare = sum(1 for c in report.codebook.codes if not c.terms)
    click.echo(f"{len(report.codebook.codes)} code(s), {len(report.codebook.groups)} folder(s) from "
               f"{report.origin}" + (f"; {bare} code(s) without terms: add terms before `qcode run`" if bare else ""))
    click.echo(f"codebook: {report.out}")


@main.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.argument("project", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Agreement folder [default: a new outputs/agreement-…]")
@click.option("--positions", type=click.Choice(["auto", "codepoints", "utf16"]), default="auto", show_default=True,
              help="How the project counts positions; auto: UTF-16 for NVivo, else code points.")
@click.option("--user", default="", help="Only this coder's codings [default: everyone's but qcode's].")
@click.option("--transcripts", type=click.Path(path_type=Path),
              help="Where the run's transcripts are now, if they moved.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Parallel processes [default: all cores].")
@click.option("--force", is_flag=True, help="Replace an agreement folder qcode wrote.")
def agreement(run_dir, project, out, positions, user, transcripts, jobs, force):
    """Agreement between a run's coding and PROJECT.qdpx coded by hand in NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    from .qda_agreement import AgreementOptions, compare_codings
    from .run import default_out_dir

    options = AgreementOptions(run=run_dir, project=project, out=out or default_out_dir(kind="agreement"),
                               positions=positions, user=user, transcripts=transcripts, force=force,
                               jobs=jobs or os.cpu_count() or 1)
    report = _call(compare_codings, options)
    for issue in report.notes:
        click.echo(f"{issue.kind}: {issue}", err=True)
    overall = report.figures.set_index("code").loc["overall"]
    click.echo(f"{report.sources_compared} transcript(s) compared with {', '.join(report.coders) or 'the project'}'s "
               f"coding (positions in {report.positions})")
    click.echo(f"overall: {int(overall['rows'])} unit×code cells, agreement {_show(overall['percent_agreement'])}, "
               f"kappa {_show(overall['kappa'])}, alpha {_show(overall['alpha'])}; {int(overall['both'])} coded by "
               f"both, {int(overall['qcode_only'])} by qcode only, {int(overall['second_only'])} by hand only")
    click.echo(f"workbook: {report.out / 'agreement.xlsx'}")
