"""pipeline.scores.tables: statistics per case, pillar and measure counted by hand; Overall; ranks; the heat map
and scatter tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import write

from pipeline.scores.read import GENERAL, OVERALL, read_scores
from pipeline.scores.tables import SCORE_COLUMNS, heat_map, scatter_points, score_tables

# General assessment, three groups. Power relevance 5,4,3; Equity relevance 4,4,4 (ties Power's mean 4);
# Access relevance 3,3,3. Usability: Power 2,2,5; Equity 1,2,3; Access 4,4,4.
GENERAL_SHEET = """\
group,pillar,relevance,usability
G1,Power,5,2
G1,Equity,4,1
G1,Access,3,4
G2,Power,4,2
G2,Equity,4,2
G2,Access,3,4
G3,Power,3,5
G3,Equity,4,3
G3,Access,3,4
"""
# Two case studies of unequal size: Case 1 Power relevance 5,3 (mean 4), Case 2 one group 2 (mean 2).
CASES_SHEET = ',Power,Equity\nG1,"5,4","1,2"\nG2,"3,2","3,4"\nCase 1,"4,3","2,3"\nG1,"2,2","5,1"\nCase 2,"2,2","5,1"\n'


def tables_of(tmp_path, text):
    return score_tables(read_scores(write(tmp_path, "s.csv", text)))


def stat(tables, case, pillar, measure):
    long = tables.long.set_index(["case", "pillar", "measure"])
    return long.loc[(case, pillar, measure)]


def test_long_table_has_a_row_per_case_pillar_and_measure(tmp_path):
    tables = tables_of(tmp_path, GENERAL_SHEET)
    assert list(tables.long.columns) == SCORE_COLUMNS
    assert len(tables.long) == 6                         # 1 case × 3 pillars × 2 measures
    assert tables.cases == [GENERAL]                     # no case study: no Overall


def test_mean_sd_n_min_max_of_a_pillar(tmp_path):
    row = stat(tables_of(tmp_path, GENERAL_SHEET), GENERAL, "Power", "relevance")
    # 5, 4, 3: mean 4, sample sd sqrt(((1)² + 0 + (−1)²) / 2) = 1
    assert (row.n, row["min"], row["max"]) == (3, 3, 5)
    assert row["mean"] == pytest.approx(4.0) and row.sd == pytest.approx(1.0)


def test_sd_is_the_sample_sd(tmp_path):
    row = stat(tables_of(tmp_path, GENERAL_SHEET), GENERAL, "Power", "usability")
    # 2, 2, 5: mean 3, squares 1 + 1 + 4 = 6 over n − 1 = 2 → sqrt 3
    assert row["mean"] == pytest.approx(3.0) and row.sd == pytest.approx(math.sqrt(3))


def test_a_single_score_has_no_sd(tmp_path):
    row = stat(tables_of(tmp_path, CASES_SHEET), "Case 2", "Power", "relevance")
    assert (row.n, row["mean"], row["min"], row["max"]) == (1, 2.0, 2.0, 2.0) and pd.isna(row.sd)


def test_a_pillar_with_no_scores_has_n_zero_and_no_mean(tmp_path):
    tables = tables_of(tmp_path, "group,pillar,relevance,usability\nG1,Power,5,\nG2,Power,4,\n")
    row = stat(tables, GENERAL, "Power", "usability")
    assert row.n == 0 and row[["mean", "min", "max"]].isna().all()


def test_ranks_go_from_the_highest_mean_with_ties_sharing_the_lower_rank(tmp_path):
    tables = tables_of(tmp_path, GENERAL_SHEET)
    ranks = {(r.pillar, r.measure): r.rank for r in tables.long.itertuples()}
    # relevance means: Power 4, Equity 4, Access 3 → 1, 1, 3
    assert [ranks[(p, "relevance")] for p in ("Power", "Equity", "Access")] == [1, 1, 3]
    # usability means: Power 3, Equity 2, Access 4 → 2, 3, 1
    assert [ranks[(p, "usability")] for p in ("Power", "Equity", "Access")] == [2, 3, 1]


def test_ranks_are_within_each_case(tmp_path):
    tables = tables_of(tmp_path, CASES_SHEET)
    ranks = {(r.case, r.pillar, r.measure): r.rank for r in tables.long.itertuples()}
    # relevance: Case 1 Power 4 > Equity 2; Case 2 Equity 5 > Power 2
    assert (ranks[("Case 1", "Power", "relevance")], ranks[("Case 1", "Equity", "relevance")]) == (1, 2)
    assert (ranks[("Case 2", "Power", "relevance")], ranks[("Case 2", "Equity", "relevance")]) == (2, 1)


def test_overall_is_the_mean_of_the_case_means_not_of_all_scores(tmp_path):
    tables = tables_of(tmp_path, CASES_SHEET)
    assert tables.cases == ["Case 1", "Case 2", OVERALL]
    row = stat(tables, OVERALL, "Power", "relevance")
    # case means 4 (5, 3) and 2 (2): (4 + 2) / 2 = 3, where pooling the scores would give 10 / 3
    assert row["mean"] == pytest.approx(3.0) and row.n == 2
    assert row.sd == pytest.approx(math.sqrt(2)) and (row["min"], row["max"]) == (2.0, 4.0)


def test_overall_leaves_out_a_case_without_scores(tmp_path):
    # Case 2's Power usability cell is blank: Overall is Case 1's mean alone
    text = CASES_SHEET.replace('G1,"2,2","5,1"', 'Relevance-G1,2,5')
    tables = tables_of(tmp_path, text)
    assert stat(tables, "Case 2", "Power", "usability").n == 0
    row = stat(tables, OVERALL, "Power", "usability")
    assert (row.n, row["mean"]) == (1, pytest.approx(3.0))          # Case 1: (4 + 2) / 2


def test_overall_leaves_out_the_general_assessment(tmp_path):
    tables = tables_of(tmp_path, "case,group,pillar,relevance,usability\n,G1,Power,1,1\n"
                                 "Case 1,G1,Power,5,5\nCase 1,G2,Power,4,4\n")
    assert tables.cases == [GENERAL, "Case 1", OVERALL]
    assert stat(tables, OVERALL, "Power", "relevance")["mean"] == pytest.approx(4.5)    # (5 + 4) / 2, not the 1


def test_typed_averages_are_checked_against_the_true_means(tmp_path):
    # Case 1 typed "4,3" for Power: true relevance 4, usability (4 + 2) / 2 = 3 → ok. Equity "2,3": true 2, 3
    # → ok. Case 2 typed Power "2,2" and Equity "5,1": the single group's scores → ok.
    tables = tables_of(tmp_path, CASES_SHEET.replace('Case 1,"4,3"', 'Case 1,"4.5,3"'))
    assert len(tables.checks) == 8
    slips = tables.slips
    assert slips[["case", "pillar", "measure", "typed"]].values.tolist() == [["Case 1", "Power", "relevance", "4.5"]]
    assert slips["difference"].tolist() == [pytest.approx(0.5)]


def test_study_table_lists_groups_then_the_average_per_case(tmp_path):
    table = tables_of(tmp_path, CASES_SHEET).table
    assert list(table.columns) == ["case", "row", "Power", "Equity"]
    assert table[table["case"] == "Case 1"]["row"].tolist() == ["Relevance-G1", "Relevance-G2", "Relevance-Avg",
                                                                 "Usability-G1", "Usability-G2", "Usability-Avg"]
    overall = table[table["case"] == OVERALL].set_index("row")
    assert overall.index.tolist() == ["Relevance-Overall", "Usability-Overall"]
    assert overall.loc["Relevance-Overall", "Equity"] == pytest.approx(3.5)     # case means 2 and 5


def test_heat_map_is_pillar_by_measure_and_case(tmp_path):
    tables = tables_of(tmp_path, CASES_SHEET)
    heat = heat_map(tables.long, ["Power", "Equity"], tables.cases)
    assert heat.index.name == "pillar" and heat.index.tolist() == ["Power", "Equity"]
    assert heat.columns.tolist() == ["relevance · Case 1", "relevance · Case 2", "relevance · Overall",
                                     "usability · Case 1", "usability · Case 2", "usability · Overall"]
    assert heat.loc["Power"].tolist() == pytest.approx([4.0, 2.0, 3.0, 3.0, 2.0, 2.5])


def test_heat_map_follows_the_pillar_order_asked(tmp_path):
    tables = tables_of(tmp_path, GENERAL_SHEET)
    heat = heat_map(tables.long, ["Access", "Power", "Equity"], tables.cases)
    assert heat.index.tolist() == ["Access", "Power", "Equity"]
    assert heat.columns.tolist() == ["relevance · General", "usability · General"]
    assert heat["usability · General"].tolist() == pytest.approx([4.0, 3.0, 2.0])


def test_scatter_points_are_one_row_per_pillar_and_case(tmp_path):
    tables = tables_of(tmp_path, CASES_SHEET)
    points = scatter_points(tables.long, ["Power", "Equity"], tables.cases)
    assert points.columns.tolist() == ["pillar", "case", "relevance", "usability"]
    assert points[["pillar", "case"]].values.tolist() == [
        ["Power", "Case 1"], ["Power", "Case 2"], ["Power", OVERALL],
        ["Equity", "Case 1"], ["Equity", "Case 2"], ["Equity", OVERALL]]
    # Equity, Case 1: relevance (1 + 3) / 2, usability (2 + 4) / 2
    assert points.iloc[3][["relevance", "usability"]].tolist() == pytest.approx([2.0, 3.0])


def test_scatter_points_keep_a_pillar_without_scores_as_blank(tmp_path):
    tables = tables_of(tmp_path, "group,pillar,relevance,usability\nG1,Power,5,\nG1,Care,,\n")
    points = scatter_points(tables.long, ["Power", "Care"], tables.cases)
    assert points["pillar"].tolist() == ["Power", "Care"]
    assert points.iloc[0]["relevance"] == 5.0 and math.isnan(points.iloc[0]["usability"])
    assert points.iloc[1][["relevance", "usability"]].isna().all()
