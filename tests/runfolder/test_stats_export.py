"""Every run folder holds interviewees.sav/.dta and a parquet twin of each CSV: read back, every value is the CSV's."""

import math

import pandas as pd
import pyreadstat
from conftest import SAMPLE, qcode, write

from pipeline.runfolder.stats_export import CATEGORICAL
from pipeline.write.excel import numeric_ids as plain_integers
from pipeline.write.folder import read_csv_table


def csv_text(value) -> str:
    """A value read from parquet, SPSS or Stata as the CSV writes it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return str(int(value))
    return str(value)


def expected_matrix(run) -> pd.DataFrame:
    """The wide matrix built by hand from roster.csv and by_interviewee.csv."""
    roster = read_csv_table(run / "roster.csv").set_index("interviewee_id", drop=False)
    long = read_csv_table(run / "by_interviewee.csv")
    for row in long.itertuples():
        roster.loc[row.interviewee_id, f"m_{row.code}"] = row.mentions
        roster.loc[row.interviewee_id, f"u_{row.code}"] = row.units
        roster.loc[row.interviewee_id, f"p_{row.code}"] = str(int(int(row.mentions) > 0))
    return roster.reset_index(drop=True)


def test_every_csv_has_a_parquet_twin_with_the_same_values(sample_run):
    csvs = sorted(sample_run.glob("*.csv"))
    assert len(csvs) >= 6
    for path in csvs:
        table = read_csv_table(path)
        twin = pd.read_parquet(path.with_suffix(".parquet"))
        assert list(twin.columns) == list(table.columns), path.name
        for column in table.columns:
            if pd.api.types.is_float_dtype(twin[column]):            # 0.0 in the CSV, 0.0 in parquet
                assert [csv_text(v) if v != v else v for v in twin[column]] == \
                    [float(t) if t else "" for t in table[column]], (path.name, column)
            else:
                assert [csv_text(v) for v in twin[column]] == list(table[column]), (path.name, column)
    assignments = pd.read_parquet(sample_run / "assignments.parquet")
    assert assignments["line"].dtype == "int64" and assignments["interviewee_id"].dtype == "int64"   # ids 1…12


def test_sav_holds_the_matrix_with_variable_and_value_labels(sample_run):
    data, meta = pyreadstat.read_sav(sample_run / "interviewees.sav")
    expected = expected_matrix(sample_run)
    labels = meta.variable_value_labels
    for column in expected.columns:
        shown = list(data[column])
        if column in CATEGORICAL:                                    # numbers 1, 2, … whose labels are the values
            shown = [labels[column][v] if v == v else "" for v in shown]
        assert [csv_text(v) for v in shown] == list(expected[column]), column
    assert meta.column_names_to_labels["m_equity"] == "equity: mentions (Equity 公平)"
    assert meta.column_names_to_labels["group_policy_maker"] == "stakeholder group: Policy Maker"
    assert labels["p_privacy"] == {0: "not mentioned", 1: "mentioned"}
    assert labels["region"] == {1: "Hong Kong", 2: "Taiwan", 3: "mainland"}
    # by_group.csv: 7 policy makers
    assert data["group_policy_maker"].sum() == 7


def test_dta_holds_the_same_matrix(sample_run):
    data = pd.read_stata(sample_run / "interviewees.dta", convert_categoricals=False)
    with pd.io.stata.StataReader(sample_run / "interviewees.dta") as reader:
        variable_labels, value_labels = reader.variable_labels(), reader.value_labels()
    sav, _ = pyreadstat.read_sav(sample_run / "interviewees.sav")
    assert list(data.columns) == list(sav.columns)
    for column in data.columns:
        assert [csv_text(v) for v in data[column]] == [csv_text(v) for v in sav[column]], column
    assert variable_labels["u_privacy"] == "privacy: coding units (Privacy 隐私)"
    assert value_labels["country"] == {1: "China"}


def test_strangers_names_and_formula_like_text(tmp_path, codebook_file):
    folder = tmp_path / "t"
    write(folder, "a.txt", "Anna: Privacy first.\n")
    write(folder, "b.txt", "Bo: equity matters.\n")
    write(folder, "roster.csv", "interviewee_id,file,stakeholder_groups,country,性别,with\n"
                                "007,a.txt,G1,=1+2,女,x\nB,b.txt,G2,China,男,y\n")
    out = tmp_path / "run"
    assert qcode("run", folder, "--codebook", codebook_file, "--out", out, "-q", "-j", "1").exit_code == 0
    data, meta = pyreadstat.read_sav(out / "interviewees.sav")
    assert list(data["interviewee_id"]) == ["007", "B"]                # not plain integers: kept as text
    assert meta.variable_value_labels["country"] == {1: "=1+2", 2: "China"}   # raw text, never a formula
    gender = [c for c in data.columns if meta.column_names_to_labels[c] == "性别"]
    assert len(gender) == 1 and gender[0].startswith("v_") and list(data[gender[0]]) == ["女", "男"]
    assert "with_" in data.columns                                     # a reserved word, renamed
    roster = pd.read_parquet(out / "roster.parquet")
    assert list(roster["country"]) == ["=1+2", "China"]               # the CSV holds '=1+2; parquet the raw text
    assert read_csv_table(out / "roster.csv")["country"].tolist() == ["=1+2", "China"]


def test_an_audit_folder_holds_the_reviewed_matrix(machine_run, tmp_path):
    from conftest import Desk

    desk = Desk(machine_run / "codebook.xlsx")
    desk.set("a.txt", "fairness", decision="reject", reviewer="Li")
    reviewed = desk.save(tmp_path / "reviewed.xlsx")
    assert qcode("audit", reviewed, "--out", tmp_path / "audited", "-j", "1").exit_code == 0
    data, _ = pyreadstat.read_sav(tmp_path / "audited" / "interviewees.sav")
    # a: "Privacy first. Then fairness and privacy." with fairness rejected: no equity left
    assert list(data["m_equity"]) == [0, 1] and list(data["m_privacy"]) == [2, 0]
    for name in ("agreement", "decisions", "assignments"):
        assert (tmp_path / "audited" / f"{name}.parquet").is_file()


def test_ids_are_numbers_only_when_all_are_plain_integers():
    assert plain_integers(["1", "2", "10"])
    assert not plain_integers(["1", "02"]) and not plain_integers(["1", "A"]) and not plain_integers([])


def test_assignments_parquet_written_in_chunks_holds_every_row_as_the_csv(tmp_path, monkeypatch):
    # a corpus's assignments.csv is too large to hold whole: it is turned into parquet 7 rows at a time here
    import pipeline.runfolder.stats_export as stats_export

    monkeypatch.setattr(stats_export, "ASSIGNMENT_CHUNK", 7)
    out = tmp_path / "run"
    assert qcode("run", SAMPLE, "--out", out, "-q", "-j", "1").exit_code == 0
    table = read_csv_table(out / "assignments.csv")
    twin = pd.read_parquet(out / "assignments.parquet")
    assert len(table) > 7 * 3 and len(twin) == len(table)
    assert twin["line"].dtype == "int64" and twin["interviewee_id"].dtype == "int64"
    for column in table.columns:
        assert [csv_text(v) for v in twin[column]] == list(table[column]), column
