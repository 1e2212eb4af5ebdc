"""A codebook → how each of its terms is matched, with warnings (`qcode check`); exit 1 on a problem.

With --corpus, the corpus is coded as `qcode run` codes it, and per code the report says which terms matched,
the near misses (a term the segmenter cut apart, an English form the lemmas miss) and what to add; check.xlsx
holds every term, near miss and candidate word.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.coding.cache import cache_folder
from pipeline.coding.corpus import worker_count
from pipeline.coding.corpus_check import CorpusCheck, CorpusCheckOptions, check_corpus
from pipeline.coding.near_miss import STRADDLES
from pipeline.coding.term_check import TermCheck, check_codebook
from pipeline.commands.report import EXIT_FAILED, EXIT_OK, Failure, Line, Report, said
from pipeline.errors import StrictModeError
from pipeline.write.check_workbook import check_target, default_check_path, write_check_workbook

SHOWN_NEVER = 12             # terms never matched named per code on the screen
SHOWN_NEAR = 6               # near misses per code on the screen
SHOWN_CANDIDATES = 8


@dataclass
class CheckOptions:
    codebook: Path
    corpus: Path | None = None          # with a corpus: mentions, near misses and candidates, into check.xlsx
    roster: Path | None = None
    out: Path | None = None             # default: outputs/check-DATE_TIME.xlsx
    force: bool = False
    jobs: int | None = None
    cache: Path | None = None
    no_cache: bool = False
    strict: bool = False                # a problem stops the check before the corpus is coded


@dataclass
class CheckReport(Report):
    check: TermCheck
    corpus: CorpusCheck | None = None
    out: Path | None = None

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        check = self.check
        if self.corpus is None:
            if not quiet:
                yield from (Line(line) for line in check.lines)
        else:
            yield Line(check.lines[0])
            yield from self._corpus_lines(quiet)
        yield from said(check.problems, "problem")
        if not quiet:
            yield from (Line(f"warning: {warning}", err=True) for warning in check.warnings)
        yield Line(f"{check.codes} code(s), {check.terms} term(s): {len(check.problems)} problem(s), "
                   f"{len(check.warnings)} warning(s)")
        if self.out is not None:
            yield Line(f"check workbook: {self.out}")

    def _corpus_lines(self, quiet: bool) -> Iterator[Line]:
        corpus = self.corpus
        yield Line(f"corpus {corpus.corpus}: {corpus.files} file(s) coded, {corpus.mentions:,} mention(s) "
                   "(respondent speech)")
        yield from said(corpus.issues)
        for code in corpus.codebook.codes:
            matched = [t.text for t in code.terms if corpus.matches[(code.id, t.text)]]
            never = [t.text for t in code.terms if not corpus.matches[(code.id, t.text)]]
            mentions = sum(corpus.matches[(code.id, t.text)] for t in code.terms)
            yield Line("")
            yield Line(f"{code.id}: {mentions:,} mention(s); {len(matched)} of {len(code.terms)} term(s) matched")
            if quiet:
                continue
            if never:
                more = f" … (+{len(never) - SHOWN_NEVER})" if len(never) > SHOWN_NEVER else ""
                yield Line(f"  never matched: {', '.join(never[:SHOWN_NEVER])}{more}")
            near = corpus.near_misses(code.id)
            for row in near[:SHOWN_NEAR]:
                if row["kind"] == STRADDLES:
                    yield Line(f"  straddles  {row['term']} in {row['found']} ×{row['count']} (not a mention)")
                else:
                    yield Line(f"  near miss  {row['term']} in {row['found']} ×{row['count']} ({row['kind']}): "
                               f"add {row['suggestion']}")
            if len(near) > SHOWN_NEAR:
                yield Line(f"  … {len(near) - SHOWN_NEAR} more near miss(es) in the workbook")
            candidates = corpus.candidates(code.id, SHOWN_CANDIDATES)
            if candidates:
                yield Line("  candidates: " + ", ".join(f"{c['word']} ({c['units']})" for c in candidates))


def run_check(options: CheckOptions) -> CheckReport | Failure:
    check = check_codebook(options.codebook)
    failed = EXIT_FAILED if check.problems else EXIT_OK
    if options.strict and check.problems:
        return Failure(StrictModeError(options.codebook, f"--strict: {len(check.problems)} problem(s) in the "
                                       "codebook; nothing was checked against the corpus or written",
                                       hint="fix them, or check without --strict", problems=check.problems))
    if options.corpus is None:
        return CheckReport(check, exit_code=failed)
    out = Path(options.out) if options.out else default_check_path()
    if options.out is None:
        out.parent.mkdir(parents=True, exist_ok=True)
    check_target(out, options.force)                 # before the corpus is coded: refuse at once
    corpus = check_corpus(CorpusCheckOptions(
        codebook=options.codebook, corpus=options.corpus, roster=options.roster, jobs=worker_count(options.jobs),
        cache=cache_folder(options.cache, options.no_cache)))
    check_target(out, options.force)
    write_check_workbook(out, corpus.terms_table(), corpus.near_table(), corpus.candidates_table())
    return CheckReport(check, corpus=corpus, out=out, exit_code=failed)
