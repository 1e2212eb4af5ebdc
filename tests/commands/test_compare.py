"""qcode compare: two small real corpora coded by qcode run, compared, every figure checked against scipy."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from conftest import SMALL_CODEBOOK, Desk, qcode, write
from openpyxl import load_workbook
from scipy import stats

# The UK corpus (English). Words are spaCy tokens, punctuation left out; groups by hand:
UK = {
    "u1": ("Policy Maker", "Ann: Privacy matters. Fairness and equity too.\n"),           # privacy 1, equity 2
    "u2": ("Developer", "Ben: Nothing about it here at all today.\n"),                      # nothing
    "u3": ("Developer", "Cai: privacy, privacy and tech for good.\n"),                      # privacy 2, good 1
    "u4": ("Impacted Community; Developer", "Dee: Discrimination is unfair, I say.\n"),     # equity 1 (discriminat*)
}
# The China corpus (Chinese, segmented by jieba): 隐私/数据 → privacy, 公平 → equity.
CN = {
    "c1": ("Policy Maker", "甲：隐私很重要，公平也很重要。\n"),                                 # privacy 1, equity 1
    "c2": ("Developer", "乙：我们讨论隐私和数据。\n"),                                         # privacy 2
    "c3": ("Impacted Community", "丙：今天天气很好。\n"),                                      # nothing
}
# China's codebook adds a code and a privacy term: "trust" is not comparable, privacy differs.
CN_CODEBOOK = SMALL_CODEBOOK.replace("zh: [隐私, 私隱, 数据]", "zh: [隐私, 私隱, 数据, 个人信息]") + """\
  - id: trust
    label: Trust
    terms:
      zh: [信任]
"""


def make_run(tmp_path, name, people, country, codebook=SMALL_CODEBOOK, extra_column=None):
    folder = tmp_path / f"{name}-transcripts"
    rows = ["interviewee_id,file,stakeholder_groups,country" + (",sector" if extra_column else "")]
    for index, (person, (groups, text)) in enumerate(people.items()):
        write(folder, f"{person}.txt", text)
        sector = f",{extra_column[index]}" if extra_column else ""
        rows.append(f'{person},{person}.txt,"{groups}",{country}{sector}')
    write(folder, "roster.csv", "\n".join(rows) + "\n")
    cb = write(tmp_path, f"{name}-codebook.yaml", codebook)
    out = tmp_path / name
    result = qcode("run", folder, "--codebook", cb, "--out", out, "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def two_runs(tmp_path):
    return make_run(tmp_path, "uk", UK, "UK"), make_run(tmp_path, "cn", CN, "China", CN_CODEBOOK)


def expected_groups(runs_and_groups):
    """Independent tally from the runs' own CSVs: group → (sizes, mentioning, mentions, words) per code."""
    out = {}
    for run, group_of in runs_and_groups:
        roster = pd.read_csv(run / "roster.csv", dtype={"interviewee_id": str}, encoding="utf-8-sig")
        counts = pd.read_csv(run / "by_interviewee.csv", dtype={"interviewee_id": str}, encoding="utf-8-sig")
        for person in roster.itertuples():
            for group in group_of(person):
                entry = out.setdefault(group, {"size": 0, "words": 0, "mentions": {}, "mentioning": {}})
                entry["size"] += 1
                entry["words"] += person.respondent_words
                mine = counts[counts.interviewee_id == person.interviewee_id]
                for row in mine.itertuples():
                    entry["mentions"][row.code] = entry["mentions"].get(row.code, 0) + row.mentions
                    entry["mentioning"][row.code] = entry["mentioning"].get(row.code, 0) + (row.mentions > 0)
    return out


def read_compare(out):
    return pd.read_csv(out / "compare.csv", encoding="utf-8-sig", keep_default_na=False,
                       na_values=[""]).set_index(["group", "code"])


def test_two_countries_every_figure_matches_scipy(two_runs, tmp_path):
    uk, cn = two_runs
    out = tmp_path / "cmp"
    result = qcode("compare", uk, cn, "--out", out)
    assert result.exit_code == 0, result.output
    table = read_compare(out)
    assert sorted(table.index.get_level_values("code").unique()) == ["equity", "good", "privacy"]
    truth = expected_groups([(uk, lambda p: ["UK"]), (cn, lambda p: ["China"])])
    # hand counts of the inputs above, so the run itself is checked too
    assert truth["UK"]["mentions"] == {"equity": 3, "privacy": 3, "good": 1}
    assert truth["China"]["mentions"] == {"equity": 1, "privacy": 3, "good": 0, "trust": 0}
    assert truth["UK"]["size"] == 4 and truth["China"]["size"] == 3
    pd.testing.assert_series_equal(  # u1: "Privacy matters. Fairness and equity too." = 6 words
        pd.read_csv(uk / "roster.csv", encoding="utf-8-sig").set_index("interviewee_id")["respondent_words"]
        .loc[["u1"]], pd.Series([6], index=pd.Index(["u1"], name="interviewee_id"), name="respondent_words"))
    fisher, g2 = {}, {}
    for code in ("equity", "privacy", "good"):
        for group in ("UK", "China"):
            row, t = table.loc[(group, code)], truth[group]
            assert row.group_size == t["size"] and row.respondent_words == t["words"]
            assert row.mentions == t["mentions"][code]
            assert row.interviewees_mentioning == t["mentioning"][code]
            assert row.share == pytest.approx(t["mentioning"][code] / t["size"])
            assert row.per_1000_words == pytest.approx(1000 * t["mentions"][code] / t["words"])
        a, b = truth["UK"], truth["China"]
        fisher[code] = stats.fisher_exact([[a["mentioning"][code], a["size"] - a["mentioning"][code]],
                                           [b["mentioning"][code], b["size"] - b["mentioning"][code]]],
                                          alternative="two-sided").pvalue
        observed = [a["mentions"][code], b["mentions"][code]]
        words = [a["words"], b["words"]]
        expected = [w * sum(observed) / sum(words) for w in words]
        g2[code] = stats.power_divergence(observed, expected, lambda_="log-likelihood")
        uk_row = table.loc[("UK", code)]
        assert uk_row.fisher_p == pytest.approx(fisher[code], rel=1e-9)
        assert uk_row.g2 == pytest.approx(g2[code].statistic, rel=1e-9, abs=1e-12)
        assert uk_row.g2_p == pytest.approx(g2[code].pvalue, rel=1e-9)
        rate = [max(o, 0.5) / w for o, w in zip(observed, words, strict=True)]
        assert uk_row.log_ratio == pytest.approx(math.log2(rate[0] / rate[1]))
        assert table.loc[("China", code)].log_ratio == pytest.approx(-uk_row.log_ratio)
        assert math.isnan(uk_row.chi2_p)                          # two groups: Fisher, not chi-square
    codes = ["equity", "privacy", "good"]
    for column, raw in (("fisher_p_adj", fisher), ("g2_p_adj", {c: g2[c].pvalue for c in codes})):
        adjusted = stats.false_discovery_control([raw[c] for c in codes], method="bh")
        assert [table.loc[("UK", c), column] for c in codes] == pytest.approx(list(adjusted), rel=1e-9)


def test_more_than_two_groups_use_chi_square_with_small_count_warning(tmp_path):
    run = make_run(tmp_path, "uk", UK, "UK", extra_column=["state", "firm", "firm", "ngo"])
    out = tmp_path / "cmp"
    result = qcode("compare", run, "--by", "sector", "--out", out)
    assert result.exit_code == 0, result.output
    table = read_compare(out)
    truth = expected_groups([(run, lambda p: [p.sector])])
    for code in ("equity", "privacy"):
        observed = [[truth[g]["mentioning"][code] for g in ("state", "firm", "ngo")],
                    [truth[g]["size"] - truth[g]["mentioning"][code] for g in ("state", "firm", "ngo")]]
        chi2, p, dof, _ = stats.chi2_contingency(observed, correction=False)
        row = table.loc[("state", code)]
        assert (row.chi2, row.chi2_p) == (pytest.approx(chi2, rel=1e-9), pytest.approx(p, rel=1e-9))
        assert "expected counts below 5" in row.chi2_warning and math.isnan(row.fisher_p)
        mentions = [truth[g]["mentions"][code] for g in ("state", "firm", "ngo")]
        words = [truth[g]["words"] for g in ("state", "firm", "ngo")]
        g2 = stats.power_divergence(mentions, [w * sum(mentions) / sum(words) for w in words],
                                    lambda_="log-likelihood")
        assert row.g2_p == pytest.approx(g2.pvalue, rel=1e-9)
    # "tech for good": only one firm interviewee mentions it → the chi-square table still has variation
    assert table.loc[("firm", "good"), "interviewees_mentioning"] == 1


def test_differing_codebooks_compare_shared_codes_and_flag_the_rest(two_runs, tmp_path):
    uk, cn = two_runs
    out = tmp_path / "cmp"
    result = qcode("compare", uk, cn, "--out", out)
    assert "trust" in result.output and "not compared" in result.output
    book = load_workbook(out / "compare.xlsx")
    rows = list(book["Not comparable"].values)
    assert rows == [("code", "in_runs", "missing_from"), ("trust", "cn", "uk")]
    table = read_compare(out)
    assert table.loc[("UK", "privacy"), "definition"] == "differs: cn also has 个人信息"
    assert table.loc[("UK", "equity"), "definition"] == "same"
    notes = [r[1] for r in book["Notes"].values]
    assert any("code privacy: terms differ" in str(n) for n in notes)


def test_overlapping_groups_are_described_not_tested(tmp_path):
    run = make_run(tmp_path, "uk", UK, "UK")
    out = tmp_path / "cmp"
    result = qcode("compare", run, "--by", "stakeholder_group", "--out", out)
    assert result.exit_code == 0 and "described, not tested" in result.output
    table = read_compare(out)
    # u4 is Impacted Community and Developer: counted in both
    assert table.loc[("Developer", "equity"), "group_size"] == 3
    assert table.loc[("Impacted Community", "equity"), "group_size"] == 1
    assert table.loc[("Developer", "equity"), "mentions"] == 1
    assert table[["fisher_p", "chi2_p", "g2_p", "g2_p_adj", "log_ratio"]].isna().all().all()
    notes = " ".join(str(r[1]) for r in load_workbook(out / "compare.xlsx")["Notes"].values)
    assert "described but not tested" in notes and "do not overlap" in notes
    # choosing groups that share nobody makes them testable
    out2 = tmp_path / "cmp2"
    result = qcode("compare", run, "--by", "stakeholder_group", "--groups", "Policy Maker,Impacted Community",
                   "--out", out2)
    assert result.exit_code == 0 and "not tested" not in result.output
    assert not math.isnan(read_compare(out2).loc[("Policy Maker", "equity"), "fisher_p"])


def test_workbook_has_native_chart_and_png_beside_it(two_runs, tmp_path):
    out = tmp_path / "cmp"
    assert qcode("compare", *two_runs, "--out", out).exit_code == 0
    book = load_workbook(out / "compare.xlsx")
    assert book.sheetnames[:2] == ["Compare", "Chart"]
    charts = book["Chart"]._charts
    assert len(charts) == 1
    header = [c.value for c in book["Chart"][1]]
    assert header == ["code", "label", "UK per 1,000 words", "China per 1,000 words", "UK share", "China share"]
    assert (out / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    compare_sheet = pd.read_excel(out / "compare.xlsx", sheet_name="Compare")
    assert compare_sheet["mentions"].tolist() == read_compare(out)["mentions"].tolist()
    runs = pd.read_excel(out / "compare.xlsx", sheet_name="Runs")
    assert runs["coding"].tolist() == ["machine", "machine"]
    manifest = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert manifest["groups"] == ["UK", "China"] and manifest["tested"] is True


def test_reviewed_run_is_compared_with_its_reviewed_coding(machine_run, tmp_path):
    desk = Desk(machine_run / "codebook.xlsx")
    desk.set("a.txt", "Privacy", decision="reject", reviewer="Li")
    reviewed = desk.save(tmp_path / "reviewed.xlsx")
    audited = tmp_path / "audited"
    assert qcode("audit", reviewed, "--out", audited, "-j", "1").exit_code == 0
    out = tmp_path / "cmp"
    result = qcode("compare", audited, "--by", "stakeholder_group", "--out", out)
    assert result.exit_code == 0, result.output
    # a.txt had "Privacy" twice (hand count); one rejected
    assert read_compare(out).loc[("G1", "privacy"), "mentions"] == 1
    assert pd.read_excel(out / "compare.xlsx", sheet_name="Runs")["coding"].tolist() == ["reviewed"]


def test_runs_named_with_label_form_the_groups(two_runs, tmp_path):
    uk, cn = two_runs
    out = tmp_path / "cmp"
    result = qcode("compare", uk, cn, "--by", "region", "--label", "uk=Britain", "--label", f"{cn}=PRC",
                   "--out", out)
    assert result.exit_code == 0, result.output
    assert read_compare(out).index.get_level_values("group").unique().tolist() == ["Britain", "PRC"]


@pytest.mark.parametrize("case, message", [
    ("not_run", "not a qcode run folder (no run.json)"),
    ("format", "run folder format 99 is not one this qcode reads"),
    ("one_group", "only 1 group (UK) by country: nothing to compare"),
    ("zero_words", "have 0 respondent words"),
    ("no_column", "the roster has no `sector` column"),
    ("bad_label", "is not RUN=NAME"),
    ("unknown_group", "no interviewee is in Nobody"),
])
def test_bad_input_gets_a_clear_message(tmp_path, case, message):
    uk = make_run(tmp_path, "uk", UK, "UK")
    args = [uk]
    if case == "not_run":
        (tmp_path / "plain").mkdir()
        args = [uk, tmp_path / "plain"]
    elif case == "format":
        manifest = json.loads((uk / "run.json").read_text(encoding="utf-8"))
        manifest["format_version"] = 99
        (uk / "run.json").write_text(json.dumps(manifest), encoding="utf-8")
    elif case == "one_group":
        args = [uk, "--by", "country"]
    elif case == "zero_words":
        silent = make_run(tmp_path, "silent", {"s1": ("Developer", "Interviewer: Privacy?\n")}, "Mars")
        args = [uk, silent]
    elif case == "no_column":
        args = [uk, "--by", "sector"]
    elif case == "bad_label":
        args = [uk, "--label", "uk"]
    elif case == "unknown_group":
        args = [uk, "--by", "stakeholder_group", "--groups", "Developer,Nobody"]
    result = qcode("compare", *args, "--out", tmp_path / "cmp")
    assert result.exit_code == 1 and message in result.output, result.output
    assert not (tmp_path / "cmp").exists()


def test_units_and_units_per_1000_words_sit_beside_mentions(machine_run, tmp_path):
    result = qcode("compare", machine_run, "--out", tmp_path / "cmp")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "cmp" / "compare.csv", encoding="utf-8-sig").set_index(["group", "code"])
    by_group = pd.read_csv(machine_run / "by_group.csv", encoding="utf-8-sig").set_index(["stakeholder_group",
                                                                                          "code"])
    for (group, code), row in table.iterrows():
        assert row.units == by_group.loc[(group, code), "units"]
        assert row.units_per_1000_words == pytest.approx(1000 * row.units / row.respondent_words)


def test_a_run_from_before_units_compares_with_blank_units_and_a_note(machine_run, tmp_path):
    path = machine_run / "by_interviewee.csv"
    pd.read_csv(path, encoding="utf-8-sig", dtype=str).drop(columns="units").to_csv(path, index=False,
                                                                                   encoding="utf-8-sig")
    result = qcode("compare", machine_run, "--out", tmp_path / "cmp")
    assert result.exit_code == 0, result.output
    assert "were coded before coding units were counted" in result.output
    table = pd.read_csv(tmp_path / "cmp" / "compare.csv", encoding="utf-8-sig")
    assert table["units"].isna().all() and table["mentions"].sum() > 0
