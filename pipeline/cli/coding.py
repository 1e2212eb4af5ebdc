"""Commands that code transcripts: init, run, check."""

from __future__ import annotations

import sys

import click

from pipeline.cli.group import JOBS, PATH, cluster_option, finish, main
from pipeline.commands.options import (
    coding_options,
    force_option,
    language_option,
    out_option,
    quiet_option,
    strict_option,
)
from pipeline.text.zh_words import CHOICES as SEGMENTERS


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

    finish(init_project, InitOptions(folder=folder), quiet)


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

    finish(run_corpus, RunOptions(
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

    finish(run_check, CheckOptions(codebook=codebook, corpus=corpus, roster=roster, out=out, force=force,
                                    jobs=jobs, cache=cache_dir, no_cache=no_cache, strict=strict), quiet)
