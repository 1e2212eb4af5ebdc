"""pipeline.compare.table: groups of interviewees, the codes runs share, the per (group, code) table, --label."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import SMALL_CODEBOOK, qcode, write

from pipeline.compare.table import (
    COMPARE_COLUMNS,
    Groups,
    Member,
    compare_table,
    group_interviewees,
    overlap_note,
    parse_labels,
    run_names,
    shared_codes,
)
from pipeline.errors import CompareError
from pipeline.read.codebook import codebook_from_yaml
from pipeline.runfolder.load import RunTables, load_run

# SMALL_CODEBOOK's codes, in its order: equity, privacy, good.
# Hand-made runs: person → (roster columns, respondent words, {code: mentions}); a code not named is 0.
UK = {
    "u1": ({"country": "UK", "stakeholder_groups": "Policy Maker"}, 100, {"equity": 4, "privacy": 1}),
    "u2": ({"country": "UK", "stakeholder_groups": "Developer"}, 50, {"privacy": 2}),
    "u3": ({"country": "UK", "stakeholder_groups": "Developer; Impacted Community"}, 50, {}),
}
CN = {
    "c1": ({"country": "China", "stakeholder_groups": "Developer"}, 300, {"privacy": 1}),
    "c2": ({"country": "China", "stakeholder_groups": "Policy Maker"}, 100, {}),
}


def tables(path: Path, people: dict, codebook: str = SMALL_CODEBOOK) -> RunTables:
    """A run as load_run returns it, built by hand (no transcripts coded)."""
    roster = pd.DataFrame([{"interviewee_id": person, **columns, "respondent_words": words}
                           for person, (columns, words, _) in people.items()])
    counts = pd.DataFrame([{"interviewee_id": person, "code": code, "mentions": n}
                           for person, (_, _, mentions) in people.items() for code, n in mentions.items()],
                          columns=["interviewee_id", "code", "mentions"])
    return RunTables(path=path, manifest={"format_version": 1}, roster=roster, counts=counts,
                     codebook=codebook_from_yaml(codebook, str(path / "codebook.yaml")))


@pytest.fixture
def uk_cn(tmp_path):
    return [tables(tmp_path / "uk", UK), tables(tmp_path / "cn", CN)]


def members(groups: Groups) -> dict[str, list[str]]:
    return {g: [m.interviewee_id for m in people] for g, people in groups.members.items()}


def rows(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index(["group", "code"])


# --- group_interviewees -------------------------------------------------------------------------------------

def test_groups_by_a_roster_column_in_order_of_first_appearance(uk_cn):
    groups = group_interviewees(uk_cn, "country")
    assert groups.names == ["UK", "China"]
    assert members(groups) == {"UK": ["u1", "u2", "u3"], "China": ["c1", "c2"]}
    assert groups.overlapping == [] and groups.notes == []


def test_member_carries_its_run_name_words_and_mentions(uk_cn):
    first = group_interviewees(uk_cn, "country").members["UK"][0]
    assert first == Member("uk", "u1", 100, {"equity": 4, "privacy": 1})


def test_stakeholder_group_splits_the_list_and_records_the_overlap(uk_cn):
    groups = group_interviewees(uk_cn[:1], "stakeholder_group")
    # u3 is "Developer; Impacted Community": in both groups
    assert members(groups) == {"Policy Maker": ["u1"], "Developer": ["u2", "u3"], "Impacted Community": ["u3"]}
    assert [(m.interviewee_id, g) for m, g in groups.overlapping] == [("u3", ["Developer", "Impacted Community"])]
    assert "u3 (Developer + Impacted Community)" in overlap_note(groups).problem


@pytest.mark.parametrize("listed", ["A、B", "A,B", "A ; B"])
def test_stakeholder_groups_split_on_every_separator(tmp_path, listed):
    people = {"p1": ({"stakeholder_groups": listed}, 10, {}), "p2": ({"stakeholder_groups": "A"}, 10, {})}
    groups = group_interviewees([tables(tmp_path / "r", people)], "stakeholder_groups")
    assert members(groups) == {"A": ["p1", "p2"], "B": ["p1"]}


def test_label_names_the_group_of_a_whole_run_whatever_the_column(uk_cn):
    # the rosters have no `region` column: the labels alone decide the groups
    groups = group_interviewees(uk_cn, "region", labels={"uk": "Britain", "cn": "PRC"})
    assert members(groups) == {"Britain": ["u1", "u2", "u3"], "PRC": ["c1", "c2"]}


def test_groups_filter_keeps_only_the_named_groups_in_the_given_order(uk_cn):
    groups = group_interviewees(uk_cn, "stakeholder_group", only=["Policy Maker", "Developer"])
    assert groups.names == ["Policy Maker", "Developer"]
    assert members(groups) == {"Policy Maker": ["u1", "c2"], "Developer": ["u2", "u3", "c1"]}


def test_groups_filter_notes_who_is_left_out(uk_cn):
    groups = group_interviewees(uk_cn, "country", only=["China", "UK"])
    assert groups.names == ["China", "UK"] and groups.notes == []
    groups = group_interviewees(uk_cn, "stakeholder_group", only=["Developer", "Impacted Community"])
    # u1 (UK) and c2 (China) are Policy Makers only
    assert [(n.file, n.kind) for n in groups.notes] == [("uk", "note"), ("cn", "note")]
    assert "1 interviewee(s) left out (not in Developer, Impacted Community): u1" in groups.notes[0].problem


def test_unknown_column_is_refused_naming_the_column_and_the_roster(uk_cn):
    with pytest.raises(CompareError) as raised:
        group_interviewees(uk_cn, "sector")
    error = raised.value
    assert error.file == str(uk_cn[0].path / "roster.csv")
    assert error.problem == "the roster has no `sector` column to group by"
    assert "--label uk=NAME" in error.hint


def test_unknown_group_is_refused_naming_it_with_the_groups_there_are(uk_cn):
    with pytest.raises(CompareError) as raised:
        group_interviewees(uk_cn, "country", only=["UK", "Mars"])
    error = raised.value
    assert (error.file, error.problem) == ("--groups", "no interviewee is in Mars")
    assert error.hint == "groups by country: UK, China"


def test_a_single_group_is_nothing_to_compare(uk_cn):
    with pytest.raises(CompareError, match=r"only 1 group \(UK\) by country: nothing to compare"):
        group_interviewees(uk_cn[:1], "country")


def test_a_group_without_respondent_words_is_refused(tmp_path):
    silent = {"s1": ({"country": "Mars"}, 0, {})}
    with pytest.raises(CompareError, match="have 0 respondent words") as raised:
        group_interviewees([tables(tmp_path / "uk", UK), tables(tmp_path / "mars", silent)], "country")
    assert raised.value.file == "Mars"


def test_a_run_that_coded_nobody_is_refused(tmp_path):
    with pytest.raises(CompareError, match="the run coded no interviewee"):
        group_interviewees([tables(tmp_path / "empty", {}), tables(tmp_path / "uk", UK)], "country",
                           labels={"empty": "E", "uk": "U"})


# --- run_names ----------------------------------------------------------------------------------------------

def test_run_names_add_the_parent_when_folder_names_clash(tmp_path):
    runs = [tables(tmp_path / "a" / "run", UK), tables(tmp_path / "b" / "run", CN)]
    assert run_names(runs) == ["a/run", "b/run"]
    assert run_names([tables(tmp_path / "uk", UK), tables(tmp_path / "cn", CN)]) == ["uk", "cn"]


# --- shared_codes -------------------------------------------------------------------------------------------

CN_CODEBOOK = SMALL_CODEBOOK.replace("zh: [隐私, 私隱, 数据]", "zh: [隐私, 私隱, 数据, 个人信息]").replace(
    'version: "1"', 'version: "2"').replace("  - id: good\n    label: Tech for good\n    terms:\n"
                                             "      en: [tech for good]\n", "") + """\
  - id: trust
    label: Trust
    terms:
      zh: [信任]
"""


@pytest.fixture
def differing(tmp_path):
    return [tables(tmp_path / "uk", UK), tables(tmp_path / "cn", CN, CN_CODEBOOK)]


def test_shared_codes_are_those_in_every_codebook_in_the_first_runs_order(differing):
    codes = shared_codes(differing)
    assert codes.ids == ["equity", "privacy"]
    assert codes.labels["equity"] == "Equity"


def test_codes_missing_from_a_run_are_listed_as_not_comparable(differing):
    codes = shared_codes(differing)
    assert codes.not_comparable.to_dict(orient="records") == [
        {"code": "good", "in_runs": "uk", "missing_from": "cn"},
        {"code": "trust", "in_runs": "cn", "missing_from": "uk"}]
    assert any("2 code(s) are not in every run's codebook and are not compared: good, trust" in n.problem
               for n in codes.notes)


def test_a_shared_code_whose_terms_differ_is_flagged(differing):
    codes = shared_codes(differing)
    assert codes.differs == {"privacy": "cn also has 个人信息"}
    assert any(n.problem.startswith("code privacy: terms differ between runs") for n in codes.notes)


def test_different_codebook_versions_are_noted(differing):
    codes = shared_codes(differing)
    assert any("the runs used different codebooks or versions" in n.problem and "version '2'" in n.problem
               for n in codes.notes)


def test_identical_codebooks_share_every_code_without_notes(uk_cn):
    codes = shared_codes(uk_cn)
    assert codes.ids == ["equity", "privacy", "good"]
    assert codes.not_comparable.empty and list(codes.not_comparable.columns) == ["code", "in_runs", "missing_from"]
    assert codes.differs == {} and codes.notes == []


# --- compare_table ------------------------------------------------------------------------------------------

@pytest.fixture
def by_country(uk_cn):
    return compare_table(group_interviewees(uk_cn, "country"), shared_codes(uk_cn))


def test_table_has_one_row_per_group_and_code_in_order(by_country):
    assert list(by_country.columns) == COMPARE_COLUMNS
    assert list(zip(by_country["group"], by_country["code"], strict=True)) == [
        ("UK", "equity"), ("China", "equity"), ("UK", "privacy"), ("China", "privacy"), ("UK", "good"),
        ("China", "good")]


def test_interviewees_mentioning_and_group_size_are_counted(by_country):
    table = rows(by_country)
    # privacy: u1 and u2 of the UK's three; c1 of China's two
    assert table.loc[("UK", "privacy"), ["interviewees_mentioning", "group_size"]].tolist() == [2, 3]
    assert table.loc[("China", "privacy"), ["interviewees_mentioning", "group_size"]].tolist() == [1, 2]
    assert table.loc[("UK", "privacy"), "share"] == pytest.approx(2 / 3)
    assert table.loc[("China", "good"), "share"] == 0


def test_mentions_and_words_are_summed_over_the_group(by_country):
    table = rows(by_country)
    # UK privacy: u1 1 + u2 2; words 100 + 50 + 50. China: c1 1; words 300 + 100
    assert table.loc[("UK", "privacy"), ["mentions", "respondent_words"]].tolist() == [3, 200]
    assert table.loc[("China", "privacy"), ["mentions", "respondent_words"]].tolist() == [1, 400]


def test_per_1000_words_is_mentions_over_the_groups_words(by_country):
    table = rows(by_country)
    assert table.loc[("UK", "privacy"), "per_1000_words"] == pytest.approx(15.0)      # 1000 × 3 / 200
    assert table.loc[("China", "privacy"), "per_1000_words"] == pytest.approx(2.5)    # 1000 × 1 / 400
    assert table.loc[("UK", "equity"), "per_1000_words"] == pytest.approx(20.0)       # 1000 × 4 / 200


def test_log_ratio_takes_a_zero_count_as_a_half(by_country):
    table = rows(by_country)
    # equity: UK 4 / 200 words against China 0 → 0.5 / 400 words: 16 times as often, log2 16 = 4
    assert table.loc[("UK", "equity"), "log_ratio"] == pytest.approx(4.0)
    assert table.loc[("China", "equity"), "log_ratio"] == pytest.approx(-4.0)


def test_a_code_nobody_mentions_has_no_ratio_and_no_g2(by_country):
    good = rows(by_country).loc[("UK", "good")]
    assert math.isnan(good.log_ratio) and math.isnan(good.g2) and math.isnan(good.g2_p)
    assert good.fisher_p == 1.0


def test_two_groups_get_fisher_with_bh_adjustment_not_chi_square(tmp_path):
    # everyone in A mentions equity, nobody in B: hypergeometric p = 1/6 + 1/6 = 1/3
    people = {"a1": ({"side": "A"}, 10, {"equity": 1}), "a2": ({"side": "A"}, 10, {"equity": 1}),
              "b1": ({"side": "B"}, 10, {}), "b2": ({"side": "B"}, 10, {})}
    run = [tables(tmp_path / "r", people)]
    table = rows(compare_table(group_interviewees(run, "side"), shared_codes(run)))
    assert table.loc[("A", "equity"), "fisher_p"] == pytest.approx(1 / 3)
    assert table.loc[("A", "privacy"), "fisher_p"] == pytest.approx(1.0)
    # BH over three codes: p sorted (1/3, 1, 1) → 1/3 × 3 / 1 = 1, capped by the larger ones' 1
    assert table.loc[("B", "equity"), "fisher_p_adj"] == pytest.approx(1.0)
    assert table["chi2_p"].isna().all() and (table["chi2_warning"] == "").all()


def test_three_groups_get_chi_square_not_fisher(tmp_path):
    people = {f"{g}{i}": ({"side": g}, 10, {"equity": 1} if g == "A" else {}) for g in "ABC" for i in (1, 2)}
    run = [tables(tmp_path / "r", people)]
    table = rows(compare_table(group_interviewees(run, "side"), shared_codes(run)))
    equity = table.loc[("A", "equity")]
    # mentioning [2, 0, 0] of [2, 2, 2]; expected 2/3 mentioning, 4/3 not, per group:
    # X² = 8/3 + 2/3 + 2/3 (mentioning) + 4/3 + 1/3 + 1/3 (not) = 6
    assert equity.chi2 == pytest.approx(6.0) and math.isnan(equity.fisher_p)
    assert "6 of 6 expected counts below 5" in equity.chi2_warning
    assert table.loc[("A", "privacy"), "chi2_warning"] == "everyone or no one mentions it: nothing to test"


def test_overlapping_groups_are_described_but_not_tested(uk_cn):
    groups = group_interviewees(uk_cn, "stakeholder_group")
    table = rows(compare_table(groups, shared_codes(uk_cn)))
    # Developer: u2, u3 (UK) and c1 (China); privacy 2 + 0 + 1
    assert table.loc[("Developer", "privacy"), ["group_size", "mentions"]].tolist() == [3, 3]
    assert table[["log_ratio", "fisher_p", "chi2", "g2", "g2_p", "fisher_p_adj"]].isna().all().all()


def test_definition_column_shows_how_a_code_differs(differing):
    table = rows(compare_table(group_interviewees(differing, "country"), shared_codes(differing)))
    assert table.loc[("UK", "privacy"), "definition"] == "differs: cn also has 个人信息"
    assert table.loc[("China", "equity"), "definition"] == "same"


def test_table_from_real_run_folders_matches_hand_counts(tmp_path):
    folder = tmp_path / "t"
    write(folder, "u1.txt", "Ann: Privacy matters. Fairness and equity too.\n")    # 6 words; privacy 1, equity 2
    write(folder, "u2.txt", "Ben: privacy, privacy and tech for good.\n")          # 6 words; privacy 2, good 1
    write(folder, "c1.txt", "甲：隐私很重要，公平也很重要。\n")                       # 隐私|很|重要|公平|也|很|重要: 7
    write(folder, "roster.csv", "interviewee_id,file,stakeholder_groups,sector\n"
                                "u1,u1.txt,Policy Maker,state\nu2,u2.txt,Developer,firm\nc1,c1.txt,Developer,firm\n")
    cb = write(tmp_path, "cb.yaml", SMALL_CODEBOOK)
    assert qcode("run", folder, "--codebook", cb, "--out", tmp_path / "run", "-q", "-j", "1").exit_code == 0
    runs = [load_run(tmp_path / "run")]
    table = rows(compare_table(group_interviewees(runs, "sector"), shared_codes(runs)))
    firm = table.loc[("firm", "privacy")]
    assert (firm.interviewees_mentioning, firm.group_size, firm.mentions, firm.respondent_words) == (2, 2, 3, 13)
    assert firm.per_1000_words == pytest.approx(3000 / 13)          # (2 + 1) mentions in 6 + 7 words
    state = table.loc[("state", "equity")]
    assert (state.interviewees_mentioning, state.mentions, state.respondent_words) == (1, 2, 6)
    assert state.per_1000_words == pytest.approx(2000 / 6)


# --- parse_labels -------------------------------------------------------------------------------------------

@pytest.fixture
def folders(tmp_path):
    return ["uk", "cn"], [tmp_path / "uk", tmp_path / "cn"]


def test_label_by_run_name(folders):
    assert parse_labels(["uk=Britain"], *folders) == {"uk": "Britain"}


def test_label_by_full_path_and_spaces_trimmed(folders):
    names, paths = folders
    assert parse_labels([f" {paths[1]} = PRC "], names, paths) == {"cn": "PRC"}


def test_label_by_a_relative_path(folders, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert parse_labels(["./cn=PRC"], *folders) == {"cn": "PRC"}


def test_label_name_may_hold_an_equals_sign(folders):
    assert parse_labels(["uk=a=b"], *folders) == {"uk": "a=b"}


@pytest.mark.parametrize("item", ["uk", "=Britain", "uk=", " = "])
def test_label_that_is_not_run_equals_name_is_refused(folders, item):
    with pytest.raises(CompareError) as raised:
        parse_labels([item], *folders)
    assert raised.value.file == "--label" and raised.value.problem == f"{item!r} is not RUN=NAME"


def test_label_of_an_unknown_run_is_refused_listing_the_runs(folders):
    with pytest.raises(CompareError) as raised:
        parse_labels(["fr=France"], *folders)
    assert raised.value.problem == "'fr' is none of the run folders compared"
    assert raised.value.hint == "the runs: uk, cn"
