"""Workshop scores → per (case, pillar, measure) statistics, the Overall of case means, pillar ranks, the
study-style table, and the check of every average the team typed."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import pandas as pd

from pipeline.scores.read import GENERAL, MEASURES, OVERALL, ScoreSheet

SCORE_COLUMNS = ["case", "pillar", "measure", "n", "mean", "sd", "min", "max", "rank"]
CHECK_COLUMNS = ["row", "column", "label", "case", "pillar", "measure", "typed", "true", "difference", "status"]
_SLACK = 1e-9


@dataclass
class ScoreTables:
    long: pd.DataFrame           # SCORE_COLUMNS
    table: pd.DataFrame          # study-style: case, row, one column per pillar
    checks: pd.DataFrame         # every typed average: typed vs true
    cases: list[str]             # in order; Overall last when there are case studies

    @property
    def slips(self) -> pd.DataFrame:
        return self.checks[self.checks["status"] == "differs"]


def score_tables(sheet: ScoreSheet) -> ScoreTables:
    cases = sheet.cases
    studies = [c for c in cases if c != GENERAL]
    rows = []
    for case in cases:
        for pillar in sheet.pillars:
            for measure in MEASURES:
                values = [s.value for s in sheet.scores if (s.case, s.pillar, s.measure) == (case, pillar, measure)]
                rows.append(_describe(case, pillar, measure, values))
    if studies:
        # The study reports Overall as the mean of the case means (each case weighs the same).
        means = {(r["case"], r["pillar"], r["measure"]): r["mean"] for r in rows}
        for pillar in sheet.pillars:
            for measure in MEASURES:
                case_means = [means[(c, pillar, measure)] for c in studies]
                rows.append(_describe(OVERALL, pillar, measure, [m for m in case_means if not math.isnan(m)]))
    long = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    long["rank"] = (long.groupby(["case", "measure"], sort=False)["mean"]
                    .rank(method="min", ascending=False).astype("Int64"))
    return ScoreTables(long=long, table=study_table(sheet, long), checks=check_typed(sheet, long),
                       cases=cases + ([OVERALL] if studies else []))


def _describe(case: str, pillar: str, measure: str, values: list[float]) -> dict:
    return {"case": case, "pillar": pillar, "measure": measure, "n": len(values),
            "mean": statistics.fmean(values) if values else math.nan,
            "sd": statistics.stdev(values) if len(values) > 1 else math.nan,
            "min": min(values) if values else math.nan, "max": max(values) if values else math.nan}


def study_table(sheet: ScoreSheet, long: pd.DataFrame) -> pd.DataFrame:
    """Groups as rows and pillars as columns, `Measure-Group` rows then `Measure-Avg`, per case (the report's
    layout); Overall rows last."""
    rows = []
    means = long.set_index(["case", "pillar", "measure"])["mean"]
    for case in dict.fromkeys([*sheet.cases, *long["case"]]):
        for measure in MEASURES:
            title = measure.capitalize()
            if case != OVERALL:
                groups = list(dict.fromkeys((s.workshop, s.group) for s in sheet.scores
                                            if s.case == case and s.measure == measure))
                for workshop, group in groups:
                    row = {"case": case, "row": f"{title}-{group}" + (f" ({workshop})" if workshop else "")}
                    for pillar in sheet.pillars:
                        found = [s.value for s in sheet.scores if (s.case, s.workshop, s.group, s.pillar, s.measure)
                                 == (case, workshop, group, pillar, measure)]
                        row[pillar] = found[0] if found else math.nan
                    rows.append(row)
            label = f"{title}-Avg" if case != OVERALL else f"{title}-Overall"
            rows.append({"case": case, "row": label, **{p: means[(case, p, measure)] for p in sheet.pillars}})
    return pd.DataFrame(rows, columns=["case", "row", *sheet.pillars])


def check_typed(sheet: ScoreSheet, long: pd.DataFrame) -> pd.DataFrame:
    """Every typed average against the true one. A typed value agrees when it is the true value rounded to the
    decimals the sheet's averages show: the most decimals any typed average has (so `4` reads as 4.0 in a
    sheet that types 4.8 elsewhere)."""
    shown = max((t.decimals for t in sheet.typed), default=0)
    means = long.set_index(["case", "pillar", "measure"])["mean"]
    rows = []
    for t in sheet.typed:
        true = means.get((t.case, t.pillar, t.measure), math.nan)
        if math.isnan(true):
            status, difference = "no data", math.nan
        else:
            difference = t.value - true
            status = "ok" if abs(difference) <= 0.5 * 10 ** -shown + _SLACK else "differs"
        rows.append({"row": t.row, "column": t.column, "label": t.label, "case": t.case, "pillar": t.pillar,
                     "measure": t.measure, "typed": t.text, "true": true, "difference": difference,
                     "status": status})
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def heat_map(long: pd.DataFrame, pillars: list[str], cases: list[str]) -> pd.DataFrame:
    """pillar × (measure, case) means."""
    wide = long.pivot_table(index="pillar", columns=["measure", "case"], values="mean", sort=False)
    columns = [(m, c) for m in MEASURES for c in cases if (m, c) in wide.columns]
    wide = wide.reindex(index=pillars, columns=pd.MultiIndex.from_tuples(columns))
    wide.columns = [f"{m} · {c}" for m, c in columns]
    wide.index.name = "pillar"
    return wide


def scatter_points(long: pd.DataFrame, pillars: list[str], cases: list[str]) -> pd.DataFrame:
    """pillar, case, relevance, usability (means), grouped by pillar."""
    wide = long.pivot_table(index=["pillar", "case"], columns="measure", values="mean", sort=False, dropna=False)
    wide = wide.reindex(columns=list(MEASURES)).reset_index()
    wide["pillar"] = pd.Categorical(wide["pillar"], pillars, ordered=True)
    wide["case"] = pd.Categorical(wide["case"], cases, ordered=True)
    wide = wide.sort_values(["pillar", "case"]).reset_index(drop=True)
    wide["pillar"], wide["case"] = wide["pillar"].astype(str), wide["case"].astype(str)
    return wide[["pillar", "case", *MEASURES]]
