"""tally(): mentions × roster → the run's tables, checked against counts made by hand on a tiny roster."""

import pandas as pd
import pytest

from pipeline.models import INTERVIEWER, Code, Codebook, Interviewee, Roster, Term
from pipeline.runfolder.tally import Mention, group_column, tally

# Three coded interviewees; p2 is in both groups; p1 and p2 in China, p3 in Kenya.
# p4 is on the roster but was not coded (not in WORDS): it appears in no table.
ROSTER = Roster(
    interviewees=[
        Interviewee("p1", "a.txt", ("Policy",), {"country": "China", "gender": "F"}),
        Interviewee("p2", "b.txt", ("Policy", "Developer"), {"country": "China", "gender": "M"}),
        Interviewee("p3", "c.txt", ("Developer",), {"country": "Kenya", "gender": ""}),
        Interviewee("p4", "d.txt", ("Developer",), {"country": "Kenya"}),
    ],
    attribute_columns=["gender", "country"])
CODEBOOK = Codebook("cb", "1", [
    Code("equity", "Equity", terms=[Term("equity", "fairness", "en"), Term("equity", "公平", "zh", zh="公平")]),
    Code("privacy", "Privacy", terms=[Term("privacy", "privacy", "en")]),
])
WORDS = {"p1": 200, "p2": 100, "p3": 50}
MENTIONS = [
    Mention("p1", "equity", "fairness"),
    Mention("p1", "equity", "fairness"),
    Mention("p1", "privacy", "privacy"),
    Mention("p2", "equity", "公平"),
    # interviewer questions: never respondent counts
    Mention("p3", "equity", "fairness", role=INTERVIEWER),
    Mention("p1", "privacy", "privacy", role=INTERVIEWER),
]
UNITS = [("a.txt", 0, ("equity", "privacy")), ("a.txt", 1, ("equity",)), ("b.txt", 0, ("equity",))]


@pytest.fixture
def tallies():
    return tally(MENTIONS, ROSTER, CODEBOOK, WORDS, UNITS)


def records(frame: pd.DataFrame, *key: str) -> dict:
    """{key tuple: (other columns…)} of a frame, for comparing with literals."""
    others = [c for c in frame.columns if c not in key]
    return {tuple(r[k] for k in key): tuple(r[c] for c in others) for _, r in frame.iterrows()}


def test_by_interviewee_counts_respondent_mentions_with_zeros_and_rate_per_1000_words(tallies):
    # p1: fairness ×2 → equity 2 (2/200 words = 10 per 1000), privacy 1 (5 per 1000);
    # p2: 公平 → equity 1 (1/100 = 10 per 1000); p3 only asked (interviewer): all zeros.
    # units (UNITS): a.txt holds equity in units 0 and 1, privacy in unit 0; b.txt equity in unit 0.
    assert records(tallies.by_interviewee, "interviewee_id", "code") == {
        ("p1", "equity"): (2, 2, 200, 10.0), ("p1", "privacy"): (1, 1, 200, 5.0),
        ("p2", "equity"): (1, 1, 100, 10.0), ("p2", "privacy"): (0, 0, 100, 0.0),
        ("p3", "equity"): (0, 0, 50, 0.0), ("p3", "privacy"): (0, 0, 50, 0.0),
    }


def test_interviewee_not_coded_is_left_out_of_every_table(tallies):
    assert "p4" not in set(tallies.by_interviewee["interviewee_id"])
    assert "p4" not in set(tallies.wide["interviewee_id"])
    # Developer: p2 and p3 only (p4 was not coded)
    assert set(tallies.by_group.loc[tallies.by_group["stakeholder_group"] == "Developer", "group_size"]) == {2}


def test_interviewer_mentions_are_never_added_to_interviewee_counts(tallies):
    # p1 was asked about privacy once and said it once: 1, not 2; p3 was only asked: 0
    wide = tallies.wide.set_index("interviewee_id")
    assert wide.loc["p1", "privacy"] == 1
    assert wide.loc["p3", "equity"] == 0


def test_by_group_counts_mentions_distinct_mentioners_and_group_size(tallies):
    # Policy = {p1, p2}: equity 2+1=3 by 2 people, privacy 1 by p1;
    # Developer = {p2, p3}: equity 1 by p2, privacy none. p2 counts in both groups.
    # units: Policy equity 2 (p1) + 1 (p2) = 3, privacy 1; Developer equity 1 (p2)
    assert records(tallies.by_group, "stakeholder_group", "code") == {
        ("Policy", "equity"): (3, 3, 2, 2), ("Policy", "privacy"): (1, 1, 1, 2),
        ("Developer", "equity"): (1, 1, 1, 2), ("Developer", "privacy"): (0, 0, 0, 2),
    }
    assert list(tallies.by_group.columns) == ["stakeholder_group", "code", "mentions", "units", "interviewees",
                                              "group_size"]


def test_by_country_counts_each_country_when_there_are_two(tallies):
    # China = {p1, p2}: equity 3 by 2, privacy 1 by 1; Kenya = {p3}: nothing
    assert records(tallies.by_country, "country", "code") == {
        ("China", "equity"): (3, 3, 2, 2), ("China", "privacy"): (1, 1, 1, 2),
        ("Kenya", "equity"): (0, 0, 0, 1), ("Kenya", "privacy"): (0, 0, 0, 1),
    }


def test_by_country_is_none_with_a_single_country():
    words = {"p1": 200, "p2": 100}        # both in China
    assert tally(MENTIONS, ROSTER, CODEBOOK, words, UNITS).by_country is None


def test_wide_has_attributes_group_flags_words_and_a_column_per_code(tallies):
    assert list(tallies.wide.columns) == ["interviewee_id", "gender", "country", "stakeholder_groups",
                                          "group_policy", "group_developer", "respondent_words",
                                          "equity", "privacy"]
    rows = tallies.wide.set_index("interviewee_id")
    assert rows.loc["p2", "stakeholder_groups"] == "Policy; Developer"
    assert (rows.loc["p2", "group_policy"], rows.loc["p2", "group_developer"]) == (1, 1)
    assert (rows.loc["p1", "group_policy"], rows.loc["p1", "group_developer"]) == (1, 0)
    assert rows[["equity", "privacy"]].to_dict("index") == {
        "p1": {"equity": 2, "privacy": 1}, "p2": {"equity": 1, "privacy": 0}, "p3": {"equity": 0, "privacy": 0}}


def test_presence_is_zero_or_one_per_code(tallies):
    # p1 said equity twice: presence 1, not 2
    presence = tallies.presence.set_index("interviewee_id")[["equity", "privacy"]]
    assert presence.to_dict("index") == {
        "p1": {"equity": 1, "privacy": 1}, "p2": {"equity": 1, "privacy": 0}, "p3": {"equity": 0, "privacy": 0}}


def test_units_matrix_counts_coding_units_per_interviewee_and_code(tallies):
    # p1: equity in units 0 and 1 of a.txt (2 mentions there too), privacy in unit 0; p2: equity in b.txt unit 0
    units = tallies.units.set_index("interviewee_id")[["equity", "privacy"]]
    assert units.to_dict("index") == {
        "p1": {"equity": 2, "privacy": 1}, "p2": {"equity": 1, "privacy": 0}, "p3": {"equity": 0, "privacy": 0}}
    assert list(tallies.units.columns) == list(tallies.wide.columns)


def test_presence_keeps_the_other_columns_of_wide(tallies):
    assert list(tallies.presence.columns) == list(tallies.wide.columns)
    assert list(tallies.presence["respondent_words"]) == [200, 100, 50]


def test_by_term_lists_every_codebook_term_with_mentions_and_mentioners(tallies):
    # fairness: p1 twice (the interviewer's to p3 is not counted); 公平: p2 once; privacy: p1 once
    assert records(tallies.by_term, "code", "term") == {
        ("equity", "fairness"): (2, 1), ("equity", "公平"): (1, 1), ("privacy", "privacy"): (1, 1)}


def test_cooccurrence_counts_units_holding_both_codes(tallies):
    # three units hold equity, one of them also privacy; the diagonal is units holding the code
    assert tallies.cooccurrence.to_dict("index") == {
        "equity": {"equity": 3, "privacy": 1}, "privacy": {"equity": 1, "privacy": 1}}
    assert tallies.cooccurrence.index.name == "code"


def test_cooccurrence_ignores_codes_not_in_the_codebook():
    units = [("a.txt", 0, ("equity", "retired"))]
    frame = tally([], ROSTER, CODEBOOK, WORDS, units).cooccurrence
    assert list(frame.index) == ["equity", "privacy"]
    assert frame.loc["equity", "equity"] == 1 and frame.values.sum() == 1


def test_codebook_table_totals_and_interviewees_per_group(tallies):
    rows = tallies.codebook.set_index("code")
    # equity: 3 mentions by p1 and p2; Policy has 2 of them, Developer 1 (p2)
    assert rows.loc["equity", "mentions"] == 3 and rows.loc["equity", "interviewees"] == 2
    assert rows.loc["equity", "interviewees: Policy"] == 2
    assert rows.loc["equity", "interviewees: Developer"] == 1
    assert rows.loc["privacy", "interviewees: Developer"] == 0
    assert rows.loc["equity", "terms_en"] == "fairness" and rows.loc["equity", "terms_zh"] == "公平"


def test_interviewer_table_counts_only_interviewer_mentions_when_asked_for():
    tallies = tally(MENTIONS, ROSTER, CODEBOOK, WORDS, UNITS, include_interviewer=True)
    # the interviewer named equity to p3 once and privacy to p1 once
    assert records(tallies.interviewer, "interviewee_id", "code") == {
        ("p1", "equity"): (0,), ("p1", "privacy"): (1,), ("p2", "equity"): (0,), ("p2", "privacy"): (0,),
        ("p3", "equity"): (1,), ("p3", "privacy"): (0,)}


def test_interviewer_table_is_none_by_default(tallies):
    assert tallies.interviewer is None


def test_interviewee_with_no_words_has_rate_zero_not_an_error():
    tallies = tally([Mention("p1", "equity", "fairness")], ROSTER, CODEBOOK, {"p1": 0}, [])
    row = tallies.by_interviewee[tallies.by_interviewee["code"] == "equity"].iloc[0]
    assert (row["mentions"], row["per_1000_words"]) == (1, 0.0)


def test_no_mentions_still_gives_every_table_its_columns():
    tallies = tally([], ROSTER, CODEBOOK, WORDS, [])
    assert tallies.by_interviewee["mentions"].sum() == 0 and len(tallies.by_interviewee) == 6
    assert list(tallies.by_term["mentions"]) == [0, 0, 0]
    assert tallies.cooccurrence.values.sum() == 0


def test_group_column_is_a_safe_lowercase_name():
    assert group_column(" Policy Maker ") == "group_policy_maker"
    assert group_column("NGO / Civil-society") == "group_ngo_civil_society"
