"""Reviewed workbooks → suggestions.xlsx of proposed exclusions and terms (`qcode suggest`); a ticked
suggestions.xlsx + a codebook → the codebook's next version beside it (`qcode suggest --apply`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import defaults
from pipeline.coding.cache import cache_folder
from pipeline.coding.corpus import worker_count
from pipeline.commands.report import Line, Report, one_line, said
from pipeline.errors import CodebookError, OutputError, Problem, ReviewError, note
from pipeline.learn import exclusions, keyness
from pipeline.learn.apply_suggestions import codebook_text, next_version, with_additions
from pipeline.learn.evidence import read_evidence
from pipeline.learn.suggestions_workbook import (
    EXCLUSION_COLUMNS,
    TERM_COLUMNS,
    check_suggestions_target,
    default_suggestions_path,
    read_about,
    read_ticked,
    write_suggestions,
)
from pipeline.read.codebook import compile_term, load_codebook
from pipeline.write.folder import default_out_dir, sha256_file


@dataclass
class SuggestOptions:
    reviewed: list[Path] = field(default_factory=list)
    out: Path | None = None             # suggestions: the .xlsx; --apply: the new codebook .yaml
    force: bool = False
    transcripts: Path | None = None     # where the runs' transcripts are now, if they moved
    jobs: int | None = None
    cache: Path | None = None
    no_cache: bool = False
    apply: Path | None = None           # a ticked suggestions.xlsx
    codebook: Path | None = None        # with --apply: the codebook to add to


@dataclass
class SuggestReport(Report):
    out: Path
    exclusions: pd.DataFrame
    terms: pd.DataFrame
    workbooks: int
    reviewed_rows: int
    notes: list[Problem] = field(default_factory=list)

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        yield from said(self.notes)
        if not quiet:
            yield Line(f"{self.reviewed_rows} reviewed row(s) in {self.workbooks} workbook(s): "
                       f"{len(self.exclusions)} proposed exclusion(s) for "
                       f"{self.exclusions[['code', 'term']].drop_duplicates().shape[0]} term(s), "
                       f"{len(self.terms)} proposed term(s) for {self.terms['code'].nunique()} code(s)")
            yield Line(f"tick `take` (yes) on the rows to take, then: qcode suggest --apply {self.out} "
                       "--codebook CODEBOOK")
        yield Line(f"suggestions: {self.out}")


@dataclass
class ApplyReport(Report):
    out: Path
    version: str
    added: list[tuple[str, str, str]]          # (code, term | exclude, text)
    notes: list[Problem] = field(default_factory=list)

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        yield from said(self.notes)
        if not quiet:
            for code, kind, text in self.added:
                yield Line(f"{code}: + {kind} {text!r}")
        yield Line(f"codebook version {self.version}: {self.out} ({len(self.added)} addition(s)); "
                   f"check it with: qcode check {self.out}")


def propose_or_apply(options: SuggestOptions) -> Report:
    """`qcode suggest`: propose, or with --apply write the codebook's next version."""
    if options.apply is not None:
        if options.reviewed:
            raise ReviewError(options.reviewed[0], "--apply takes a suggestions workbook, not reviewed workbooks",
                              hint="run `qcode suggest REVIEWED.xlsx` first, then `qcode suggest --apply "
                                   "SUGGESTIONS.xlsx --codebook CODEBOOK`")
        return apply_suggestions(options)
    if not options.reviewed:
        raise ReviewError("qcode suggest", "no reviewed workbook given",
                          hint="give one or more reviewed codebook.xlsx files of qcode runs")
    out = Path(options.out) if options.out else default_suggestions_path()
    check_suggestions_target(out, options.force)
    evidence = read_evidence([Path(p) for p in options.reviewed], options.transcripts,
                             worker_count(options.jobs), cache_folder(options.cache, options.no_cache))
    proposed_exclusions = pd.DataFrame([e.row() for e in exclusions.propose_exclusions(evidence)],
                                       columns=EXCLUSION_COLUMNS)
    proposed_terms = pd.DataFrame([t.row() for t in keyness.propose_terms(evidence)], columns=TERM_COLUMNS)
    book = evidence.codebook
    about = [("what", "Proposed exclusions and terms from reviewers' verdicts: tick `take` (yes) on the rows to "
                      "take, edit `exclude` / `term` if you like, then run `qcode suggest --apply THIS.xlsx "
                      "--codebook CODEBOOK`"),
             ("created", dt.datetime.now().astimezone().isoformat(timespec="seconds")),
             ("codebook", f"{book.name} (version {book.version or '?'})")]
    about += [(f"reviewed {i + 1}", f"{Path(run.review.path).name} sha256 {sha256_file(Path(run.review.path))}")
              for i, run in enumerate(evidence.runs)]
    about += [("exclusions", f"terms with at least {exclusions.MIN_REVIEWED} reviewed assignments, at least "
                             f"{exclusions.REJECTED_SHARE:.0%} rejected (recoded counts as rejected); words within "
                             f"{exclusions.WINDOW} words of the term; an exclusion is proposed when it would cancel "
                             f"at least {exclusions.MIN_SUPPORT} rejected assignments and at most 1 accepted per "
                             f"{exclusions.ACCEPT_PER_REJECT} rejected; fisher_p: scipy.stats.fisher_exact, word "
                             "near or not × rejected or accepted"),
              ("terms", f"keyness of jieba words and English lemmas (and two-word phrases) in units with accepted, "
                        f"added or recoded-into assignments of the code against all other respondent units: "
                        f"Dunning's G² (scipy.stats.power_divergence, lambda_='log-likelihood'), G² ≥ "
                        f"{keyness.MIN_G2}, Log Ratio ≥ {keyness.MIN_LOG_RATIO}, at least {keyness.MIN_FREQ} "
                        f"occurrences in {keyness.MIN_UNITS} units; stop words left out; p_adj: Benjamini–Hochberg "
                        "over the words tested for the code; at most "
                        f"{keyness.TOP_PER_CODE} per code")]
    write_suggestions(out, proposed_exclusions, proposed_terms, about)
    notes = [n for run in evidence.runs for n in run.applied.notes]
    if len({(run.review.manifest.get("codebook") or {}).get("sha256") for run in evidence.runs}) > 1:
        notes.append(note(str(out), "the reviewed runs used different codebooks; codes and terms are those of "
                          f"{evidence.runs[0].name}'s"))
    rows = sum(1 for run in evidence.runs for r in run.review.rows if r.reviewed)
    return SuggestReport(out=out, exclusions=proposed_exclusions, terms=proposed_terms, workbooks=len(evidence.runs),
                         reviewed_rows=rows, notes=notes)


def apply_suggestions(options: SuggestOptions) -> ApplyReport:
    """Write the codebook's next version with the ticked rows added: never over the codebook or any file."""
    if options.codebook is None:
        raise ReviewError(options.apply, "--apply needs --codebook: the codebook to add the ticked rows to",
                          hint="e.g. qcode suggest --apply suggestions.xlsx --codebook my_codebook.yaml")
    source = Path(options.codebook)
    ticked = read_ticked(Path(options.apply))
    codebook = load_codebook(source)
    if not ticked:
        raise ReviewError(options.apply, "no row is ticked: nothing written",
                          hint="write yes in the `take` column of each row to take, and save the workbook")
    problems, notes = [], []
    additions: dict[str, dict[str, dict[str, list[str]]]] = {}
    known = {c.id: {_key(t) for t in c.terms + c.excludes} for c in codebook.codes}
    added: list[tuple[str, str, str]] = []
    for row in ticked:
        if row.code not in known:
            problems.append(Problem(str(options.apply), f"{row.where()}: code {row.code!r} is not in {source.name}",
                                    hint=f"choose one of: {', '.join(codebook.ids)}"))
            continue
        try:
            term = compile_term(row.text, row.code)
        except CodebookError as error:
            problems.append(Problem(str(options.apply), f"{row.where()}: {error.problem}", hint=error.hint))
            continue
        if _key(term) in known[row.code]:
            notes.append(note(str(options.apply), f"{row.where()}: {row.text!r} is already in code {row.code!r}; "
                              "left out"))
            continue
        known[row.code].add(_key(term))
        field_name = "exclude" if row.kind == "exclude" else "terms"
        additions.setdefault(row.code, {}).setdefault(field_name, {}).setdefault(term.lang, []).append(term.text)
        added.append((row.code, "exclude" if row.kind == "exclude" else "term", term.text))
    if problems:
        raise ReviewError(options.apply, f"{len(problems)} ticked row(s) cannot be added; nothing written",
                          hint="fix or untick the rows named above", problems=problems)
    if not added:
        raise ReviewError(options.apply, "every ticked row is in the codebook already: nothing written",
                          hint="tick rows the codebook does not hold yet")
    version = next_version(codebook.version)
    out, version = _target(source, options.out, version)
    about = read_about(Path(options.apply))
    reviews = "; ".join(v for k, v in about.items() if k.startswith("reviewed ")) or "not recorded"
    header = (f"# Version {version} of {one_line(codebook.name)}: {source.name} with {len(added)} addition(s) "
              f"ticked in {one_line(Path(options.apply).name)}\n# (`qcode suggest --apply`, "
              f"{dt.date.today().isoformat()}), proposed from the verdicts in: {one_line(reviews)}\n")
    header += "".join(f"#   {code}: + {kind} {one_line(text)}\n" for code, kind, text in added)
    header += "# `qcode run ... --codebook THIS --reviewed REVIEWED.xlsx` carries every earlier decision over.\n"
    original = source.read_bytes() if source.suffix.lower() in (".yaml", ".yml") else None
    text = with_additions(codebook_text(codebook, original), additions, version, header, str(out))
    try:
        with open(out, "x", encoding="utf-8", newline="") as handle:       # "x": never over a file
            handle.write(text)
    except FileExistsError:
        raise OutputError(out, "already exists", hint="give another name with -o") from None
    except OSError as error:
        raise OutputError(out, f"cannot be written ({error.strerror})", hint="check the folder") from None
    return ApplyReport(out=out, version=version, added=added, notes=notes)


def _key(term) -> tuple:
    return (term.lang, term.zh, term.words, term.companions)


_VERSIONED = re.compile(r"\.v\d+$")


def _target(source: Path, out: Path | None, version: str) -> tuple[Path, str]:
    """-o as given (refused if it exists), else NAME.vN.yaml beside the codebook (outside qcode's own
    codebooks: outputs/), N the next version not taken."""
    if out is not None:
        out = Path(out)
        if out.suffix.lower() not in (".yaml", ".yml"):
            raise OutputError(out, "the new codebook must be a .yaml file", hint="give a name ending in .yaml")
        if out.exists() or out.resolve() == source.resolve():
            raise OutputError(out, "already exists: a codebook version is never written over a file",
                              hint="give a new name with -o")
        if not out.parent.is_dir():
            raise OutputError(out, f"its folder {out.parent} does not exist", hint="create it first")
        return out, version
    folder = source.parent
    if folder.resolve() in _shipped_folders():
        folder = default_out_dir("x").parent             # never beside the codebook qcode ships
        folder.mkdir(parents=True, exist_ok=True)
    stem = _VERSIONED.sub("", source.stem)
    number = int(version) if version.isdigit() else 2
    while (folder / f"{stem}.v{number}.yaml").exists():
        number += 1
    return folder / f"{stem}.v{number}.yaml", str(number)



def _shipped_folders() -> set[Path]:
    """The folders qcode's own codebooks lie in: the package's, and a source checkout's codebooks/."""
    package = Path(defaults.__file__).resolve().parent
    folders = {package / "shipped" / "codebooks"}
    if (package.parent / "setup.cfg").is_file():
        folders.add(package.parent / "codebooks")
    return folders
