"""Run folders → a compare folder: compare.xlsx (table, chart, runs, notes), compare.csv, compare.png, compare.json."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.utils import get_column_letter

from . import __version__
from .compare import Codes, Groups, group_interviewees, overlap_note, run_names, shared_codes
from .compare import compare_table as build_table
from .errors import CompareError, Problem, note
from .outputs import RunFolder, check_out_dir, seal, write_csv
from .plots import grouped_bars
from .runs import load_run
from .workbook import write_frame

WORKBOOK = "compare.xlsx"
MANIFEST = "compare.json"
WORDS_NOTE = ("respondent_words counts words as qcode segments them: spaCy tokens for English, jieba words for "
              "Chinese (not characters), punctuation left out, so rates per 1,000 words are comparable across "
              "languages.")
TESTS_NOTE = ("Tests are two-sided, per code. fisher_p: Fisher's exact test on interviewees mentioning vs not, "
              "two groups. chi2_p: Pearson's chi-square on the same table, more than two groups (chi2_warning "
              "flags expected counts below 5). g2/g2_p: log-likelihood G² on mentions per word (Rayson & Garside "
              "2000), k−1 degrees of freedom. log_ratio: log2 of the group's mentions per word over everyone "
              "else's (Hardie 2014; a zero count taken as 0.5). …_adj: Benjamini–Hochberg adjusted across the "
              "codes compared.")
_FORMATS = {"share": "0.0%", "per_1000_words": "0.00", "log_ratio": "0.00", "chi2": "0.00", "g2": "0.00",
            **{c: "0.0000" for c in ("fisher_p", "fisher_p_adj", "chi2_p", "chi2_p_adj", "g2_p", "g2_p_adj")}}


@dataclass
class CompareOptions:
    runs: list[Path]
    out: Path
    by: str | None = None
    labels: list[str] = field(default_factory=list)     # "RUN=NAME"
    groups: list[str] | None = None
    force: bool = False


@dataclass
class CompareReport:
    out: Path
    by: str
    groups: list[str]
    codes: list[str]
    tested: bool
    table: pd.DataFrame
    notes: list[Problem]


def parse_labels(items: list[str], names: list[str], paths: list[Path]) -> dict[str, str]:
    """--label RUN=NAME, RUN being a run folder as given, its name, or its path."""
    labels = {}
    for item in items:
        run, sep, name = item.partition("=")
        if not sep or not run.strip() or not name.strip():
            raise CompareError("--label", f"{item!r} is not RUN=NAME", hint="e.g. --label outputs/run-uk=UK")
        matches = [n for n, p in zip(names, paths, strict=True)
                   if run.strip() in (n, str(p), p.name) or Path(run.strip()).resolve() == p.resolve()]
        if not matches:
            raise CompareError("--label", f"{run!r} is none of the run folders compared",
                               hint=f"the runs: {', '.join(names)}")
        labels[matches[0]] = name.strip()
    return labels


def run_comparison(options: CompareOptions) -> CompareReport:
    if not options.runs:
        raise CompareError("qcode compare", "no run folder given", hint="qcode compare RUN_DIR [RUN_DIR …]")
    check_out_dir(options.out, options.force, manifest_name=MANIFEST, workbook_name=WORKBOOK)
    runs = [load_run(path) for path in options.runs]
    names = run_names(runs)
    by = options.by or ("country" if len(runs) > 1 else "stakeholder_group")
    labels = parse_labels(options.labels, names, [r.path for r in runs])
    groups = group_interviewees(runs, by, labels, options.groups)
    codes = shared_codes(runs)
    if not codes.ids:
        raise CompareError(", ".join(names), "the runs' codebooks share no code id: nothing to compare",
                           hint="compare runs coded with the same codebook (or one derived from it)")
    table = build_table(groups, codes)
    notes = groups.notes + codes.notes
    if (overlap := overlap_note(groups)) is not None:
        notes.append(overlap)
    codings = {r.coding for r in runs}
    if len(codings) > 1:
        notes.append(note("runs", "some runs are reviewed and some are machine coding only",
                          hint="audit every run (`qcode audit`) before comparing, or read the Runs sheet"))
    runs_frame = pd.DataFrame([{
        "run": name, "folder": str(run.path.resolve()), "label": labels.get(name, ""), "coding": run.coding,
        "codebook": run.codebook.name, "codebook_version": run.codebook.version,
        "interviewees": len(run.roster), "respondent_words": int(run.roster["respondent_words"].sum()),
        "created": run.manifest.get("created", "")} for run, name in zip(runs, names, strict=True)])
    folder = RunFolder(options.out)
    try:
        write_csv(folder.path("compare.csv"), table)
        wide = wide_rates(table, groups.names, codes.ids)
        fonts_ok = _write_png(folder.path("compare.png"), table, wide, groups, codes)
        if not fonts_ok:
            notes.append(note("compare.png", "no Chinese font is installed, so Chinese labels show as boxes "
                                             "in the PNG", hint="the Excel chart shows them; or install "
                                                                "fonts-noto-cjk and run compare again"))
        _write_workbook(folder.path(WORKBOOK), table, wide, groups, codes, runs_frame, notes)
        manifest = {"format_version": 1, "qcode_version": __version__,
                    "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                    "by": by, "groups": groups.names, "tested": not groups.overlapping, "codes": codes.ids,
                    "runs": runs_frame.to_dict(orient="records"), "notes": [n.as_dict() for n in notes]}
        out = seal(folder, manifest, WORKBOOK, MANIFEST)
    except BaseException:
        folder.discard()
        raise
    return CompareReport(out=out, by=by, groups=groups.names, codes=codes.ids, tested=not groups.overlapping,
                         table=table, notes=notes)


def wide_rates(table: pd.DataFrame, groups: list[str], codes: list[str]) -> pd.DataFrame:
    """code × group: per 1,000 words, then share of interviewees mentioning."""
    rates = table.pivot(index="code", columns="group", values="per_1000_words").reindex(index=codes,
                                                                                       columns=groups)
    shares = table.pivot(index="code", columns="group", values="share").reindex(index=codes, columns=groups)
    wide = pd.concat([rates.add_suffix(" per 1,000 words"), shares.add_suffix(" share")], axis=1)
    wide.index.name = "code"
    return wide


def _write_png(path: Path, table: pd.DataFrame, wide: pd.DataFrame, groups: Groups, codes: Codes) -> bool:
    values = [wide[f"{g} per 1,000 words"].tolist() for g in groups.names]
    marks = [[f"{share:.0%}" for share in wide[f"{g} share"]] for g in groups.names]
    sizes = table.drop_duplicates("group").set_index("group")["group_size"]
    legend = [f"{g} (n={sizes[g]})" for g in groups.names]
    return grouped_bars(path, [codes.labels.get(c, c) for c in codes.ids], legend, values, marks,
                        title=f"Mentions per 1,000 respondent words, by {groups.by.replace('_', ' ')}",
                        ylabel="mentions per 1,000 words",
                        caption="Above each bar: share of the group's interviewees who mention the code.")


def _write_workbook(path: Path, table: pd.DataFrame, wide: pd.DataFrame, groups: Groups, codes: Codes,
                    runs: pd.DataFrame, notes: list[Problem]) -> None:
    workbook = Workbook(write_only=True)
    write_frame(workbook, "Compare", table, formats=_FORMATS, wrap=set())
    formats = {c: ("0.0%" if c.endswith(" share") else "0.00") for c in wide.columns}
    writer = write_frame(workbook, "Chart", wide, index=True, formats=formats)
    _chart(writer.sheet, len(codes.ids), len(groups.names), groups.by)
    write_frame(workbook, "Runs", runs)
    if not codes.not_comparable.empty:
        write_frame(workbook, "Not comparable", codes.not_comparable)
    about = [("words", WORDS_NOTE), ("tests", TESTS_NOTE if not groups.overlapping else
                                     "Not tested: the groups overlap (see the note below).")]
    about += [(n.kind, str(n).replace("\n  ", " ")) for n in notes]
    write_frame(workbook, "Notes", pd.DataFrame(about, columns=["kind", "value"]), wrap={"value"})
    workbook.save(path)


def _chart(sheet, n_codes: int, n_groups: int, by: str) -> None:
    """Bars: rates per 1,000 words by group; diamonds on a second axis: the share of interviewees."""
    bars = BarChart()
    bars.type, bars.grouping = "col", "clustered"
    bars.title = f"Mentions per 1,000 words by {by} (◆ share of interviewees)"
    bars.y_axis.title, bars.x_axis.title = "per 1,000 words", "code"
    bars.width, bars.height = 26, 13
    bars.add_data(Reference(sheet, min_col=2, max_col=n_groups + 1, min_row=1, max_row=n_codes + 1),
                  titles_from_data=True)
    categories = Reference(sheet, min_col=1, min_row=2, max_row=n_codes + 1)
    bars.set_categories(categories)
    shares = LineChart()
    shares.add_data(Reference(sheet, min_col=n_groups + 2, max_col=2 * n_groups + 1, min_row=1,
                              max_row=n_codes + 1), titles_from_data=True)
    shares.set_categories(categories)
    shares.y_axis.axId = 200
    shares.y_axis.title = "share of interviewees"
    shares.y_axis.number_format = "0%"
    shares.y_axis.scaling.min, shares.y_axis.scaling.max = 0, 1
    shares.y_axis.crosses = "max"
    for series in shares.series:
        series.graphicalProperties.line.noFill = True
        series.marker.symbol = "diamond"
        series.marker.size = 8
    bars += shares
    sheet.add_chart(bars, f"{get_column_letter(2 * n_groups + 3)}2")
