"""Commands that check the coding against people: sample, validate, audit, suggest, agreement."""

from __future__ import annotations

import click

from pipeline.cli.group import JOBS, PATH, cluster_option, finish, main
from pipeline.commands.options import (
    coding_options,
    force_option,
    out_option,
    quiet_option,
    strict_option,
)


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
    finish(draw_sample, SampleOptions(run=run_dir, files=files, units=units, seed=seed, out=out, force=force,
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

    finish(validate_sample, ValidateOptions(workbook=workbook, out=out, force=force), quiet)


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

    finish(run_audit, AuditOptions(reviewed=reviewed, out=out, second=second, transcripts=transcripts,
                                    force=force, jobs=jobs, cache=cache_dir, no_cache=no_cache, strict=strict,
                                    cluster=cluster), quiet)


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

    finish(propose_or_apply, SuggestOptions(reviewed=list(reviewed), out=out, force=force, apply=apply_,
                                        codebook=codebook, transcripts=transcripts, jobs=jobs, cache=cache_dir,
                                        no_cache=no_cache), quiet)
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

    finish(compare_codings, AgreementOptions(run=run_dir, project=project, out=out, positions=positions, user=user,
                                              transcripts=transcripts, force=force, jobs=jobs, cache=cache_dir,
                                              no_cache=no_cache, strict=strict, cluster=cluster), quiet)
