"""Corrected validation samples, a reviewer's verdicts and a run's Suggested sheet → the figures of one round of the
learning loop (docs/learning-loop.md): before/after validation figures, and the recall a second opinion adds.

    python scripts/learning_loop_measure.py verdicts SAMPLE.xlsx -o VERDICTS.csv
        a corrected validation sample → its verdicts, one row per unit: source_file, unit, line, the digest of its
        text (qcode sample's: spaces and line ends folded) and 0/1 per code. No corpus text is written.
    python scripts/learning_loop_measure.py fill SAMPLE.xlsx VERDICTS.csv -o FILLED.xlsx [--todo TODO.csv]
        a fresh sample of the same files (after a codebook change) filled from the verdicts: same file and text,
        same verdict, whatever qcode now codes. Units no verdict covers are listed (in TODO.csv with --todo, to
        judge and add to the verdicts); without --todo they stop the script.
    python scripts/learning_loop_measure.py table FILLED.xlsx [MORE_FILLED.xlsx …]
        per code (and overall) precision and recall with 95% Wilson intervals, F1 with its bootstrap interval over
        files, and kappa, each sample a column block (before, after, …), as `qcode validate` computes them.
    python scripts/learning_loop_measure.py second-opinion FILLED.xlsx RUN_FOLDER [--accepted 9/16]
        the reviewer's units keyword coding missed, per code, and how many of them the run's Suggested sheet
        (`qcode run --suggest-from`) lists; recall of keywords alone and with the suggestions a reviewer accepts
        (those listed and judged 1 here), and the acceptance rate measured elsewhere for comparison.
    python scripts/learning_loop_measure.py changed RUN_BEFORE RUN_AFTER [--verdicts CHANGED.csv]
        over every file of two runs of the same files (before and after a codebook change): the respondent units a
        code was added to or taken from (file, line, code, digest, term, the unit's first 60 characters on screen
        only). With CHANGED.csv (source_file, line, code, digest, verdict 0/1) a reviewer's judgement of exactly
        those units: how many additions were right and how many removals were wrong.

Workbooks, verdicts and corpus text stay outside the repository (/tmp); only this script and aggregate figures are
committed.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from pipeline.review.validation import read_validation
from pipeline.review.validation_figures import validation_figures, wilson
from pipeline.review.validation_sample import SAMPLE_SHEET, text_digest


def export_verdicts(sample_path: Path, out: Path) -> None:
    sample = read_validation(sample_path)
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source_file", "unit", "line", "digest", *sample.code_ids])
        for u in sample.units:
            writer.writerow([u.source_file, u.unit, u.line, text_digest(u.text),
                             *(u.reviewer[c] for c in sample.code_ids)])
    print(f"{len(sample.units)} unit(s) of {len({u.source_file for u in sample.units})} file(s) → {out}")


def read_verdicts(path: Path) -> tuple[list[str], dict[tuple[str, str], dict[str, int]]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    codes = [c for c in (rows[0].keys() if rows else []) if c not in ("source_file", "unit", "line", "digest")]
    verdicts: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        judged = {c: int(row[c]) for c in codes}
        key = (row["source_file"], row["digest"])
        if verdicts.setdefault(key, judged) != judged:
            sys.exit(f"{path}: {row['source_file']} line {row['line']}: the same text judged two ways")
    return codes, verdicts


def fill_sample(sample_path: Path, verdicts_path: Path, out: Path, todo: Path | None) -> None:
    codes, verdicts = read_verdicts(verdicts_path)
    book = load_workbook(sample_path)
    sheet = book[SAMPLE_SHEET]
    header = [c.value for c in sheet[1]]
    missing = [c for c in codes if c not in header]
    if missing:
        sys.exit(f"{sample_path}: no column for code(s) {', '.join(missing)} of the verdicts")
    col = {name: header.index(name) + 1 for name in header if name}
    unjudged, filled = [], 0
    for row in range(2, sheet.max_row + 1):
        source_file = sheet.cell(row, col["source_file"]).value
        text = sheet.cell(row, col["text"]).value
        if not source_file:
            continue
        judged = verdicts.get((source_file, text_digest(str(text or ""))))
        if judged is None:
            unjudged.append([sheet.cell(row, col["sample_id"]).value, source_file,
                             sheet.cell(row, col["line"]).value, text_digest(str(text or ""))])
            continue
        for code in codes:
            sheet.cell(row, col[code]).value = 1 if judged[code] else None    # an empty cell is 0
        filled += 1
    if unjudged and todo is None:
        sys.exit(f"{len(unjudged)} unit(s) have no verdict (first: {unjudged[0][1]}:{unjudged[0][2]}); "
                 "give --todo TODO.csv to list them")
    if todo is not None:
        with open(todo, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([["sample_id", "source_file", "line", "digest"], *unjudged])
    book.save(out)
    print(f"{filled} unit(s) filled from the verdicts, {len(unjudged)} left to judge → {out}")


def _interval(value: float, low: float, high: float) -> str:
    if value != value:
        return "n/a"
    return f"{value:.2f} [{low:.2f}–{high:.2f}]" if low == low else f"{value:.2f}"


def figures_table(paths: list[Path]) -> pd.DataFrame:
    blocks = []
    for path in paths:
        figures = validation_figures(read_validation(path)).set_index("code")
        blocks.append(pd.DataFrame({
            "n units / files": figures.units.astype(str) + " / " + figures.files.astype(str),
            "qcode / reviewer / both": (figures.qcode_units.astype(str) + " / " + figures.reviewer_units.astype(str)
                                        + " / " + figures.both.astype(str)),
            "precision": [_interval(*r) for r in figures[["precision", "precision_low", "precision_high"]].values],
            "recall": [_interval(*r) for r in figures[["recall", "recall_low", "recall_high"]].values],
            "F1": [_interval(*r) for r in figures[["f1", "f1_low", "f1_high"]].values],
            "kappa": figures.kappa.map(lambda k: "n/a" if k != k else f"{k:.2f}"),
        }))
    return pd.concat(blocks, axis=1, keys=[p.name for p in paths])


def second_opinion(sample_path: Path, run: Path, accepted: str | None) -> None:
    sample = read_validation(sample_path)
    suggested = pd.read_excel(run / "codebook.xlsx", sheet_name="Suggested", dtype=str).fillna("")
    files = {u.source_file for u in sample.units}
    print(f"{len(sample.units)} unit(s) of {len(files)} sampled file(s); the run suggests {len(suggested)} unit(s) "
          f"in all, {int(suggested.source_file.isin(files).sum())} of them in the sampled files")
    for code in sample.code_ids:
        rows = suggested[(suggested.code == code) & suggested.source_file.isin(files)]
        listed = {(r.source_file, int(float(r.line)), " ".join(r.matched_text.split())) for r in rows.itertuples()}
        found = [u for u in sample.units if any(f == u.source_file and line == u.line and p in " ".join(u.text.split())
                                                for f, line, p in listed)]
        positives = [u for u in sample.units if u.reviewer[code]]
        missed = [u for u in positives if not u.qcode[code]]
        caught = [u for u in missed if u in found]
        wrong = [u for u in found if not u.reviewer[code]]
        both = len(positives) - len(missed)
        low, high = wilson(both, len(positives))
        with_low, with_high = wilson(both + len(caught), len(positives))
        print(f"{code}: reviewer coded {len(positives)} unit(s), keywords missed {len(missed)}; "
              f"{len(found)} suggested here ({len(caught)} of them missed units the reviewer coded, {len(wrong)} "
              f"not); recall {_interval(both / len(positives), low, high) if positives else 'n/a'} → "
              f"{_interval((both + len(caught)) / len(positives), with_low, with_high) if positives else 'n/a'}")
    if accepted:
        k, n = (int(x) for x in accepted.split("/"))
        low, high = wilson(k, n)
        print(f"acceptance of the top suggestions measured elsewhere: {k}/{n} = {k / n:.2f} [{low:.2f}–{high:.2f}]")


def _coded_units(run: Path) -> dict[tuple[str, str, str, str], str]:
    """(source_file, line, code, digest of the unit) → a term that coded it, for every respondent mention."""
    frame = pd.read_csv(run / "assignments.csv", encoding="utf-8-sig", dtype=str).fillna("")
    frame = frame[frame.speaker_role == "respondent"]
    return {(r.source_file, r.line, r.code, text_digest(r.segment_text)): r.term for r in frame.itertuples()}


def changed_units(before: Path, after: Path, verdicts: Path | None) -> None:
    old, new = _coded_units(before), _coded_units(after)
    judged = {}
    if verdicts is not None:
        with open(verdicts, encoding="utf-8-sig", newline="") as handle:
            judged = {(r["source_file"], r["line"], r["code"], r["digest"]): int(r["verdict"])
                      for r in csv.DictReader(handle)}
    texts = pd.read_csv(after / "assignments.csv", encoding="utf-8-sig", dtype=str).fillna("")
    shown = {(r.source_file, r.line, r.code, text_digest(r.segment_text)): " ".join(r.segment_text.split())[:60]
             for r in texts.itertuples()}
    for label, keys, table in (("added", sorted(new.keys() - old.keys()), new),
                               ("removed", sorted(old.keys() - new.keys()), old)):
        right = [judged[k] for k in keys if k in judged]
        print(f"{label}: {len(keys)} unit × code(s)" + (f"; judged {len(right)}, the code applies to "
                                                         f"{sum(right)}" if judged else ""))
        for key in keys:
            print(f"  {key[2]}\t{table[key]}\t{key[0]}:{key[1]}\t{key[3]}\t{judged.get(key, '?')}\t"
                  f"{shown.get(key, '')}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    verdicts = sub.add_parser("verdicts")
    verdicts.add_argument("sample", type=Path)
    verdicts.add_argument("-o", "--out", type=Path, required=True)
    fill = sub.add_parser("fill")
    fill.add_argument("sample", type=Path)
    fill.add_argument("verdicts", type=Path)
    fill.add_argument("-o", "--out", type=Path, required=True)
    fill.add_argument("--todo", type=Path)
    table = sub.add_parser("table")
    table.add_argument("samples", type=Path, nargs="+")
    opinion = sub.add_parser("second-opinion")
    opinion.add_argument("sample", type=Path)
    opinion.add_argument("run", type=Path)
    opinion.add_argument("--accepted", help="k/n: suggestions accepted of those judged, measured elsewhere")
    changed = sub.add_parser("changed")
    changed.add_argument("before", type=Path)
    changed.add_argument("after", type=Path)
    changed.add_argument("--verdicts", type=Path)
    args = parser.parse_args(argv)
    if args.command == "verdicts":
        export_verdicts(args.sample, args.out)
    elif args.command == "fill":
        fill_sample(args.sample, args.verdicts, args.out, args.todo)
    elif args.command == "table":
        with pd.option_context("display.width", 250, "display.max_columns", 30):
            print(figures_table(args.samples).to_string())
    elif args.command == "changed":
        changed_units(args.before, args.after, args.verdicts)
    else:
        second_opinion(args.sample, args.run, args.accepted)


if __name__ == "__main__":
    main(sys.argv[1:])
