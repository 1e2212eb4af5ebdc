"""The `qcode` command line: parse options, call one command, print its Report, exit with its code."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.commands.options import (  # the option grammar: one spelling and meaning on every command
    WorkflowGroup,
    coding_options,
    force_option,
    language_option,
    out_option,
    quiet_option,
    strict_option,
)
from pipeline.commands.report import Failure, Interrupted, Report, printable
from pipeline.errors import PipelineError
from pipeline.text.zh_words import CHOICES as SEGMENTERS
from pipeline.versions import __version__

PATH = click.Path(path_type=Path)
JOBS = click.IntRange(min=1)
cluster_option = click.option("--cluster", metavar="ADDRESS|local[:N]", help="Code on a Dask cluster: a scheduler's "
                              "address or file, or local:N worker processes (docs/cluster.md).")


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


@click.group(cls=WorkflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qcode")
def main() -> None:
    """qcode: code Chinese/English interview transcripts against a codebook, into Excel.

    \b
    Start here:
      qcode init my-study
      qcode run my-study/transcripts --codebook my-study/codebook.yaml
    """


@main.command()
@click.argument("folder", type=PATH)
@quiet_option
def init(folder, quiet):
    """Start a project in FOLDER: transcripts/ with an example, a roster template, a codebook to edit, README.txt.

    \b
    Example:
      qcode init my-study
    """
    from pipeline.commands.init import InitOptions, init_project

    _finish(init_project, InitOptions(folder=folder), quiet)


@main.command()
@click.argument("transcripts", required=False, type=PATH)
@click.option("--codebook", type=PATH, help="Codebook .yaml or .xlsx [default: codebooks/data_justice.yaml]")
@click.option("--roster", type=PATH, help="Roster .csv or .xlsx [default: roster.csv/.xlsx in the transcripts folder]")
@out_option("Run folder [default: a new outputs/run-…]")
@click.option("--unit", type=click.Choice(["sentence", "turn"]), default="sentence", show_default=True,
              help="Coding unit for segments and co-occurrence.")
@language_option("Language of files the roster and front matter leave open; else detected")
@click.option("--include-interviewer", is_flag=True, help="Also code interviewer turns (tallied apart).")
@click.option("--user-dict", type=PATH, help="jieba user dictionary for names and jargon.")
@strict_option
@force_option("Replace an existing run folder qcode wrote (never a reviewed one).")
@click.option("--jobs", "-j", type=JOBS, default=None, help="Files coded in parallel processes [default: all cores].")
@cluster_option
@click.option("--reviewed", type=PATH,
              help="A reviewed workbook of an earlier run: carry its decisions onto this run's desk.")
@click.option("--suggest-from", multiple=True, type=PATH,
              help="A reviewed workbook (repeatable): learn from its verdicts and list the uncoded units most like "
              "its accepted passages on the Suggested sheet (never counted until accepted).")
@click.option("--suggest-top", type=click.IntRange(min=1), default=20, show_default=True,
              help="Suggestions per code, with --suggest-from.")
@click.option("--suggest-seed", type=int, default=0, show_default=True,
              help="Seed of the second opinion's model (the same seed gives the same suggestions).")
@click.option("--validation", type=PATH, help="A validation.json of this codebook (`qcode validate`) to show on "
              "the Codebook sheet [default: the newest in outputs/ of this codebook].")
@click.option("--cache", "cache_dir", type=PATH,
              help="Segmentation cache folder [default: the user's cache folder, e.g. ~/.cache/qcode].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the segmentation cache.")
@click.option("--max-file-mb", type=click.FloatRange(min=0.001), default=16, show_default=True,
              help="Refuse (as a problem) a transcript larger than this; coding holds ~15x its size in memory.")
@click.option("--segmenter", type=click.Choice(SEGMENTERS), default="auto", show_default=True,
              help="Chinese word segmenter: rjieba (jieba-rs: the same words, faster) when installed and no "
              "--user-dict is given, else jieba.")
@click.option("--converter", type=click.Choice(["auto", "opencc", "fast"]), default="auto", show_default=True,
              help="Traditional → simplified: fast (OpenCC's text, faster) with pyahocorasick, else opencc.")
@quiet_option
def run(transcripts, codebook, roster, out, unit, language, include_interviewer, user_dict, strict, force,
        jobs, cluster, reviewed, suggest_from, suggest_top, suggest_seed, validation, cache_dir, no_cache,
        max_file_mb, segmenter, converter, quiet):
    """Code TRANSCRIPTS (a folder; default: the embedded sample) into a run folder.

    \b
    Example:
      qcode run my-study/transcripts --codebook my-study/codebook.yaml -o outputs/first-run
    """
    from pipeline.commands.run import RunOptions, run_corpus

    _finish(run_corpus, RunOptions(
        transcripts=transcripts, codebook=codebook, out=out, roster=roster, unit=unit, language=language,
        include_interviewer=include_interviewer, user_dict=user_dict, strict=strict, force=force,
        progress=not quiet and sys.stderr.isatty(), jobs=jobs, cluster=cluster, reviewed=reviewed, cache=cache_dir,
        no_cache=no_cache, max_file_mb=max_file_mb, segmenter=segmenter, suggest_from=list(suggest_from),
        suggest_top=suggest_top, suggest_seed=suggest_seed, validation=validation, converter=converter), quiet)


@main.command()
@click.argument("codebook", type=PATH)
@click.option("--corpus", type=PATH, help="A transcripts folder: per term its mentions and near misses, per code "
              "its candidate words, into a workbook.")
@click.option("--roster", type=PATH, help="The corpus's roster [default: roster.csv/.xlsx in the corpus folder]")
@out_option("With --corpus: the check workbook (.xlsx) [default: a new outputs/check-….xlsx]")
@force_option("Replace a check workbook qcode wrote.")
@coding_options
@strict_option
@click.option("--quiet", "-q", is_flag=True, help="Print only problems and the summary (with --corpus: one line "
              "per code).")
def check(codebook, corpus, roster, out, force, jobs, cache_dir, no_cache, strict, quiet):
    """Show how each term of CODEBOOK is matched, and warn about terms that look wrong (exit 1 on a problem).

    \b
    Example:
      qcode check my-study/codebook.yaml --corpus my-study/transcripts
    """
    from pipeline.commands.check import CheckOptions, run_check

    _finish(run_check, CheckOptions(codebook=codebook, corpus=corpus, roster=roster, out=out, force=force,
                                    jobs=jobs, cache=cache_dir, no_cache=no_cache, strict=strict), quiet)


@main.command()
@click.argument("reviewed", type=PATH)
@out_option("Reviewed run folder [default: a new outputs/audit-…]")
@click.option("--second", type=PATH, help="A second reviewer's workbook of the same run.")
@click.option("--transcripts", type=PATH, help="Where the run's transcripts (and roster) are now, if they moved.")
@coding_options
@cluster_option
@force_option("Replace an existing run folder qcode wrote.")
@strict_option
@quiet_option
def audit(reviewed, out, second, transcripts, jobs, cluster, force, cache_dir, no_cache, strict, quiet):
    """Apply the decisions in REVIEWED.xlsx: recompute the tallies and measure agreement.

    \b
    Example:
      qcode audit outputs/first-run/codebook.xlsx -o outputs/first-run-reviewed
    """
    from pipeline.commands.audit import AuditOptions, run_audit

    _finish(run_audit, AuditOptions(reviewed=reviewed, out=out, second=second, transcripts=transcripts,
                                    force=force, jobs=jobs, cache=cache_dir, no_cache=no_cache, strict=strict,
                                    cluster=cluster), quiet)


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

    _finish(run_comparison, CompareOptions(
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

    _finish(run_scores, ScoresOptions(sheet=sheet, out=out, sheet_name=sheet_name, strict=strict, force=force),
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

    _finish(export_codebook, ExportCodebookOptions(codebook=codebook, out=out, force=force, strict=strict), quiet)


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

    _finish(export_project, ExportProjectOptions(run=run_dir, out=out, positions=positions,
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

    _finish(import_codebook, ImportCodebookOptions(file=file, out=out), quiet)


@main.command()
@click.argument("run_dir", type=PATH)
@click.argument("project", type=PATH)
@out_option("Agreement folder [default: a new outputs/agreement-…]")
@click.option("--positions", type=click.Choice(["auto", "codepoints", "utf16"]), default="auto", show_default=True,
              help="How the project counts positions; auto: UTF-16 for NVivo, else code points.")
@click.option("--user", default="", help="Only this coder's codings [default: everyone's but qcode's].")
@click.option("--transcripts", type=PATH, help="Where the run's transcripts are now, if they moved.")
@coding_options
@cluster_option
@force_option("Replace an agreement folder qcode wrote.")
@strict_option
@quiet_option
def agreement(run_dir, project, out, positions, user, transcripts, jobs, cluster, force, cache_dir, no_cache, strict,
              quiet):
    """Agreement between a run's coding and PROJECT.qdpx coded by hand in NVivo, ATLAS.ti, MAXQDA, QualCoder.

    \b
    Example:
      qcode agreement outputs/first-run coded-in-nvivo.qdpx -o outputs/agreement-nvivo
    """
    from pipeline.commands.agreement import AgreementOptions, compare_codings

    _finish(compare_codings, AgreementOptions(run=run_dir, project=project, out=out, positions=positions, user=user,
                                              transcripts=transcripts, force=force, jobs=jobs, cache=cache_dir,
                                              no_cache=no_cache, strict=strict, cluster=cluster), quiet)


@main.command()
@click.argument("run_dir", type=PATH)
@click.option("--files", type=click.IntRange(min=1), help="Every respondent unit of N random files [default: 5].")
@click.option("--units", type=click.IntRange(min=1), help="Instead: N random respondent units of the whole run.")
@click.option("--seed", type=click.IntRange(min=0), help="Seed of the draw [default: a new one, printed].")
@out_option("The validation workbook (.xlsx) [default: a new outputs/sample-….xlsx]")
@force_option("Replace a sample qcode wrote that nobody has changed.")
@click.option("--transcripts", type=PATH, help="Where the run's transcripts are now, if they moved.")
@click.option("--jobs", "-j", type=JOBS, default=None, help="Parallel processes [default: all cores].")
@click.option("--cache", "cache_dir", type=PATH, help="Segmentation cache folder [default: the user's cache folder].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the segmentation cache.")
@quiet_option
def sample(run_dir, files, units, seed, out, force, transcripts, jobs, cache_dir, no_cache, quiet):
    """Draw a validation sample of RUN_DIR: units with qcode's coding as 0/1 per code, for a reviewer to correct.

    \b
    Example:
      qcode sample outputs/first-run --files 6 --seed 7 -o outputs/sample.xlsx
    """
    from pipeline.commands.sample import SampleOptions, draw_sample

    if files is not None and units is not None:
        raise click.UsageError("give --files or --units, not both")
    _finish(draw_sample, SampleOptions(run=run_dir, files=files, units=units, seed=seed, out=out, force=force,
                                       transcripts=transcripts, jobs=jobs, cache=cache_dir, no_cache=no_cache),
            quiet)


@main.command()
@click.argument("workbook", type=PATH)
@out_option("Validation folder [default: a new outputs/validate-…]")
@force_option("Replace a validation folder qcode wrote.")
@quiet_option
def validate(workbook, out, force, quiet):
    """Precision, recall, F1 (95% intervals) and kappa per code from a corrected `qcode sample` WORKBOOK.

    \b
    Example:
      qcode validate outputs/sample.xlsx -o outputs/validation
    """
    from pipeline.commands.validate import ValidateOptions, validate_sample

    _finish(validate_sample, ValidateOptions(workbook=workbook, out=out, force=force), quiet)


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

    _finish(write_quotes_report, QuotesReportOptions(
        run=run_dir, out=out, per_code=per_code, reviewed=reviewed, transcripts=transcripts, force=force, jobs=jobs,
        cache=cache_dir, no_cache=no_cache), quiet)


@main.command()
@click.argument("reviewed", nargs=-1, type=PATH)
@out_option("The suggestions workbook (.xlsx) [default: a new outputs/suggestions-….xlsx]; with --apply: the new "
            "codebook (.yaml) [default: CODEBOOK's name .vN.yaml beside it]")
@force_option("Replace a suggestions workbook qcode wrote in which nobody ticked a row.")
@click.option("--apply", "apply_", type=PATH, help="A suggestions workbook with rows ticked: write the codebook's "
              "next version with them added (never over a file).")
@click.option("--codebook", type=PATH, help="With --apply: the codebook (.yaml or .xlsx) to add the ticked rows to.")
@click.option("--transcripts", type=PATH, help="Where the runs' transcripts (and rosters) are now, if they moved.")
@click.option("--jobs", "-j", type=JOBS, default=None, help="Parallel processes [default: all cores].")
@click.option("--cache", "cache_dir", type=PATH, help="Segmentation cache folder [default: the user's cache folder].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the segmentation cache.")
@quiet_option
def suggest(reviewed, out, force, apply_, codebook, transcripts, jobs, cache_dir, no_cache, quiet):
    """Propose exclusions and terms from the verdicts in REVIEWED.xlsx workbooks; --apply the ticked ones.

    \b
    Example:
      qcode suggest outputs/wave1/codebook.xlsx -o outputs/suggestions.xlsx
      qcode suggest --apply outputs/suggestions.xlsx --codebook my_codebook.yaml
    """
    from pipeline.commands.suggest import SuggestOptions, propose_or_apply

    _finish(propose_or_apply, SuggestOptions(reviewed=list(reviewed), out=out, force=force, apply=apply_,
                                        codebook=codebook, transcripts=transcripts, jobs=jobs, cache=cache_dir,
                                        no_cache=no_cache), quiet)
