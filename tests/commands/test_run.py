"""`qcode run` end to end on small folders and the embedded sample; outputs read back for real."""

import csv
import json

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import same_outputs, write
from openpyxl import load_workbook

from pipeline.cli import main
from pipeline.models import ASSIGNMENT_COLUMNS

ROSTER = ("interviewee_id,file,stakeholder_groups,country\n"
          "1,a.txt,Policy Maker,China\n2,b.md,\"Policy Maker, Developer\",China\n3,c.txt,Developer,Kenya\n")


@pytest.fixture
def corpus(tmp_path, codebook_file):
    folder = tmp_path / "t"
    write(folder, "a.txt", "Interviewer: privacy?\nAnna: Privacy first. Then fairness and privacy.\n")
    write(folder, "b.md", "# Title\n\n### Q:\n公平？\n\n### 李:\n隐私很重要，办公平台也是。\n")
    write(folder, "c.txt", "Bo: =SUM(1,2) is not a term, but equity is.\n")
    write(folder, "roster.csv", ROSTER)
    return folder


def run(args):
    result = CliRunner().invoke(main, ["run", *map(str, args)])
    assert "Traceback" not in result.output
    return result


def test_run_writes_every_output_with_designed_columns(corpus, codebook_file, tmp_path):
    out = tmp_path / "out"
    result = run([corpus, "--codebook", codebook_file, "--out", out, "-q"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"codebook.xlsx", "assignments.csv", "by_interviewee.csv", "by_group.csv", "by_country.csv",
            "by_term.csv", "roster.csv", "codebook.yaml", "run.json"} <= names
    with open(out / "assignments.csv", encoding="utf-8") as handle:
        assert handle.read(1) == "\ufeff"                       # BOM, for Excel
    assignments = pd.read_csv(out / "assignments.csv", encoding="utf-8-sig", dtype=str)
    assert list(assignments.columns) == ASSIGNMENT_COLUMNS
    assert list(pd.read_csv(out / "by_interviewee.csv", encoding="utf-8-sig").columns) == [
        "interviewee_id", "code", "mentions", "units", "respondent_words", "per_1000_words"]
    assert list(pd.read_csv(out / "by_group.csv", encoding="utf-8-sig").columns) == [
        "stakeholder_group", "code", "mentions", "units", "interviewees", "group_size"]
    assert list(pd.read_csv(out / "by_country.csv", encoding="utf-8-sig").columns) == [
        "country", "code", "mentions", "units", "interviewees", "group_size"]
    assert list(pd.read_csv(out / "by_term.csv", encoding="utf-8-sig").columns) == [
        "code", "term", "mentions", "interviewees"]


def test_tallies_count_respondent_mentions_per_interviewee_group_and_country(corpus, codebook_file, tmp_path):
    out = tmp_path / "out"
    run([corpus, "--codebook", codebook_file, "--out", out, "-q"])
    long = pd.read_csv(out / "by_interviewee.csv", encoding="utf-8-sig", dtype={"interviewee_id": str})
    counts = {(r.interviewee_id, r.code): r.mentions for r in long.itertuples()}
    # a.txt: "Privacy" twice + "fairness" (the interviewer's "privacy?" is not counted)
    assert counts[("1", "privacy")] == 2 and counts[("1", "equity")] == 1
    # b.md: 隐私 (privacy); 公平 is in the interviewer's turn and straddles 办公|平台; 平台 is equity
    assert counts[("2", "privacy")] == 1 and counts[("2", "equity")] == 1
    assert counts[("3", "equity")] == 1 and counts[("3", "good")] == 0
    group = pd.read_csv(out / "by_group.csv", encoding="utf-8-sig")
    policy_privacy = group[(group.stakeholder_group == "Policy Maker") & (group.code == "privacy")].iloc[0]
    assert (policy_privacy.mentions, policy_privacy.interviewees, policy_privacy.group_size) == (3, 2, 2)
    developer_equity = group[(group.stakeholder_group == "Developer") & (group.code == "equity")].iloc[0]
    assert (developer_equity.interviewees, developer_equity.group_size) == (2, 2)   # 2 is in both groups
    country = pd.read_csv(out / "by_country.csv", encoding="utf-8-sig")
    kenya = country[(country.country == "Kenya") & (country.code == "equity")].iloc[0]
    assert (kenya.mentions, kenya.group_size) == (1, 1)
    # respondent words: "Privacy first. Then fairness and privacy." = 6 words
    assert long[long.interviewee_id == "1"].respondent_words.iloc[0] == 6


def test_workbook_sheets_read_back(corpus, codebook_file, tmp_path):
    out = tmp_path / "out"
    run([corpus, "--codebook", codebook_file, "--out", out, "-q"])
    workbook = load_workbook(out / "codebook.xlsx", rich_text=True)
    assert workbook.sheetnames[:12] == ["Codebook", "Assignments", "Transcripts", "By interviewee", "Presence",
                                        "Units", "By group", "By country", "By term", "Co-occurrence", "Speakers",
                                        "Run"]
    assert workbook["Lists"].sheet_state == "hidden"
    chart = workbook["Chart"]
    assert len(chart._charts) == 1 and chart._charts[0].type == "bar"          # horizontal bars: labels read across
    assert [c.value for c in chart[1]][:4] == ["code", "label", "Policy Maker (n=2)", "Developer (n=2)"]
    # equity: both Policy Makers mention it (1 fairness, 2 平台), both Developers too (2 平台, 3 equity): 100 %
    assert [c.value for c in chart[2]][:1] + [c.value for c in chart[2]][2:4] == ["equity", 1, 1]
    desk = workbook["Assignments"]
    header = [c.value for c in desk[1]]
    assert header == ASSIGNMENT_COLUMNS + ["decision", "recode_to", "note", "reviewer"]
    assert desk.freeze_panes == "B2" and desk.auto_filter.ref
    formulas = [v.formula1 for v in desk.data_validations.dataValidation]
    assert formulas == ["Lists!$A$2:$A$4", "Lists!$B$2:$B$4"]
    rows = list(desk.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 6
    segment = rows[0][header.index("segment_text")]
    bold = [block.text for block in segment if not isinstance(block, str)]
    assert bold == [rows[0][header.index("matched_text")]]
    # Text from a transcript is text, never a formula
    bo = [r for r in rows if r[header.index("source_file")] == "c.txt"][0]
    cell = desk.cell(row=rows.index(bo) + 2, column=header.index("segment_text") + 1)
    assert cell.data_type == "s" and str(cell.value).startswith("=SUM")
    codebook_sheet = pd.read_excel(out / "codebook.xlsx", sheet_name="Codebook")
    equity = codebook_sheet[codebook_sheet.code == "equity"].iloc[0]
    assert (equity.mentions, equity.interviewees, equity["Developer"]) == (3, 3, 2)
    wide = pd.read_excel(out / "codebook.xlsx", sheet_name="By interviewee", dtype={"interviewee_id": str})
    assert list(wide.columns[-3:]) == ["equity", "privacy", "good"]
    assert wide.set_index("interviewee_id").loc["2", "group_developer"] == 1
    presence = pd.read_excel(out / "codebook.xlsx", sheet_name="Presence", dtype={"interviewee_id": str})
    assert presence.set_index("interviewee_id").loc["1", "privacy"] == 1
    cooc = pd.read_excel(out / "codebook.xlsx", sheet_name="Co-occurrence", index_col=0)
    # equity and privacy share two sentences: "Then fairness and privacy." and "隐私很重要，办公平台也是。";
    # privacy is in three: those two and "Privacy first."
    assert cooc.loc["equity", "privacy"] == 2 and cooc.loc["privacy", "privacy"] == 3


def test_run_json_records_inputs_files_and_workbook_checksum(corpus, codebook_file, tmp_path):
    out = tmp_path / "out"
    run([corpus, "--codebook", codebook_file, "--out", out, "-q"])
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == 1 and manifest["coding"] == "machine"
    assert manifest["inputs"]["codebook"]["sha256"] and manifest["inputs"]["roster"]["sha256"]
    files = {f["source_file"]: f for f in manifest["files"]}
    assert files["b.md"]["language"] == "zh-Hans" and files["b.md"]["opencc_profile"] == "t2s"
    assert len(files["a.txt"]["sha256"]) == 64
    assert {"read", "normalize", "segment", "match", "tally", "write"} <= set(manifest["timings"])


def test_assignment_ids_are_stable_across_runs_and_differ_between_copies(corpus, codebook_file, tmp_path):
    write(corpus, "d.txt", (corpus / "c.txt").read_text(encoding="utf-8"))
    with open(corpus / "roster.csv", "a", encoding="utf-8") as handle:
        handle.write("4,d.txt,Developer,Kenya\n")
    ids = []
    for name in ("one", "two"):
        run([corpus, "--codebook", codebook_file, "--out", tmp_path / name, "-q"])
        frame = pd.read_csv(tmp_path / name / "assignments.csv", encoding="utf-8-sig")
        ids.append(list(frame.assignment_id))
    assert ids[0] == ids[1]
    assert len(set(ids[0])) == len(ids[0])


def test_sample_reproduces_the_reports_counts(tmp_path):
    out = tmp_path / "sample"
    result = run(["--out", out, "-q"])          # all defaults: the embedded sample and default codebook
    assert result.exit_code == 0, result.output
    group = pd.read_csv(out / "by_interviewee.csv", encoding="utf-8-sig")
    named_by = group[group.mentions > 0].groupby("code").interviewee_id.nunique()
    # the China report: Equity N=8, Privacy 6, Distribution 6, Inclusiveness 5 (of 12)
    assert (named_by["equity"], named_by["privacy"], named_by["distribution"],
            named_by["inclusiveness"]) == (8, 6, 6, 5)
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["problems"] == [] and len(manifest["files"]) == 12
    profiles = {f["source_file"]: f["opencc_profile"] for f in manifest["files"]}
    assert profiles["p12_taiwan_consultant.md"] == "tw2sp" and profiles["p05_hong_kong_ngo.txt"] == "hk2s"


def test_missing_transcripts_folder_is_a_clear_error(tmp_path):
    result = run([tmp_path / "nope", "--out", tmp_path / "o"])
    assert result.exit_code == 1
    assert "the transcripts folder does not exist" in result.output


def test_roster_row_whose_file_is_missing_is_a_problem_others_are_coded(corpus, codebook_file, tmp_path):
    with open(corpus / "roster.csv", "a", encoding="utf-8") as handle:
        handle.write("9,gone.txt,Developer,Kenya\n")
    result = run([corpus, "--codebook", codebook_file, "--out", tmp_path / "o"])
    assert result.exit_code == 0
    assert "roster.csv:5: interviewee '9': file 'gone.txt' not found" in result.output
    manifest = json.loads((tmp_path / "o" / "run.json").read_text(encoding="utf-8"))
    assert len(manifest["files"]) == 3 and len(manifest["problems"]) == 1


def test_strict_exits_non_zero_on_a_problem_before_writing(corpus, codebook_file, tmp_path):
    write(corpus, "c.txt", "")
    result = run([corpus, "--codebook", codebook_file, "--out", tmp_path / "o", "--strict"])
    assert result.exit_code == 1
    assert "c.txt: the file is empty" in result.output
    assert not (tmp_path / "o").exists()
    assert not list(tmp_path.glob(".o.partial*"))


def test_strict_does_not_fail_on_notes(tmp_path, codebook_file):
    folder = tmp_path / "t"
    write(folder, "x.txt", "no labels, but privacy\n")
    result = run([folder, "--codebook", codebook_file, "--out", tmp_path / "o", "--strict"])
    assert result.exit_code == 0, result.output
    assert "no roster" in result.output and "no speaker labels" in result.output


def test_without_roster_each_file_is_an_unassigned_interviewee(tmp_path, codebook_file):
    folder = tmp_path / "t"
    write(folder, "x.txt", "Anna: privacy\n")
    write(folder, "README.md", "Anna: privacy\n")
    run([folder, "--codebook", codebook_file, "--out", tmp_path / "o", "-q"])
    group = pd.read_csv(tmp_path / "o" / "by_group.csv", encoding="utf-8-sig")
    assert set(group.stakeholder_group) == {"unassigned"} and group.group_size.max() == 1


def test_existing_out_folder_is_refused_and_force_replaces_only_an_unchanged_run(corpus, codebook_file, tmp_path):
    out = tmp_path / "o"
    run([corpus, "--codebook", codebook_file, "--out", out, "-q"])
    again = run([corpus, "--codebook", codebook_file, "--out", out, "-q"])
    assert again.exit_code == 1 and "exists and is not empty" in again.output
    forced = run([corpus, "--codebook", codebook_file, "--out", out, "-q", "--force"])
    assert forced.exit_code == 0, forced.output
    workbook = load_workbook(out / "codebook.xlsx")
    workbook["Assignments"]["P2"] = "accept"               # a reviewer's decision
    workbook.save(out / "codebook.xlsx")
    before = (out / "codebook.xlsx").read_bytes()
    refused = run([corpus, "--codebook", codebook_file, "--out", out, "-q", "--force"])
    assert refused.exit_code == 1 and "changed since qcode wrote it" in refused.output
    assert (out / "codebook.xlsx").read_bytes() == before


def test_force_never_replaces_a_folder_qcode_did_not_write(corpus, codebook_file, tmp_path):
    out = tmp_path / "mine"
    write(out, "thesis.docx", "precious")
    result = run([corpus, "--codebook", codebook_file, "--out", out, "--force"])
    assert result.exit_code == 1 and "not one qcode wrote (no run.json)" in result.output
    assert (out / "thesis.docx").read_text() == "precious"


def test_roster_without_required_column_is_a_clear_error(tmp_path, codebook_file):
    folder = tmp_path / "t"
    write(folder, "roster.csv", "id,file\n1,a.txt\n")
    result = run([folder, "--codebook", codebook_file, "--out", tmp_path / "o"])
    assert result.exit_code == 1
    assert ("roster.csv:1: the roster needs the columns interviewee_id and stakeholder_groups; it has id and file"
            in result.output)


def test_include_interviewer_tallies_apart(corpus, codebook_file, tmp_path):
    out = tmp_path / "o"
    run([corpus, "--codebook", codebook_file, "--out", out, "-q", "--include-interviewer"])
    asked = pd.read_csv(out / "interviewer.csv", encoding="utf-8-sig", dtype={"interviewee_id": str})
    assert asked.set_index(["interviewee_id", "code"]).loc[("1", "privacy"), "interviewer_mentions"] == 1
    long = pd.read_csv(out / "by_interviewee.csv", encoding="utf-8-sig", dtype={"interviewee_id": str})
    assert long.set_index(["interviewee_id", "code"]).loc[("1", "privacy"), "mentions"] == 2
    with open(out / "assignments.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {"interviewer", "respondent"} == {r["speaker_role"] for r in rows}


def test_user_dictionary_changes_the_segmenters_reading(tmp_path):
    folder = tmp_path / "t"
    write(folder, "x.txt", "李：办公平台。\n")
    codebook = write(tmp_path, "c.yaml", 'name: c\ncodes:\n  - id: a\n    terms: {zh: [公平]}\n')
    plain = run([folder, "--codebook", codebook, "--out", tmp_path / "o1", "-q"])
    assert plain.exit_code == 0
    user_dict = write(tmp_path, "dict.txt", "公平台 100000\n")
    run([folder, "--codebook", codebook, "--out", tmp_path / "o2", "-q", "--user-dict", user_dict])
    counts = [pd.read_csv(tmp_path / o / "by_interviewee.csv", encoding="utf-8-sig").mentions.sum()
              for o in ("o1", "o2")]
    assert counts == [0, 1]      # with 公平台 as a word, 公平 lies inside one word


def test_ctrl_c_exits_130_and_leaves_no_half_written_folder(corpus, codebook_file, tmp_path, monkeypatch):
    import pipeline.runfolder.publish

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline.runfolder.publish, "tally", interrupted)     # Ctrl-C arrives after coding, mid-run
    result = run([corpus, "--codebook", codebook_file, "--out", tmp_path / "o"])
    assert result.exit_code == 130 and "interrupted" in result.output
    assert not (tmp_path / "o").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".o")] == []


def test_ctrl_c_while_coding_leaves_nothing_and_the_re_run_reuses_the_cache(corpus, codebook_file, tmp_path,
                                                                            monkeypatch):
    import json

    from pipeline.runfolder.publish import Collected

    add = Collected.add_assignments
    seen = []

    def second_file_interrupted(self, assignments):
        seen.append(1)
        if len(seen) == 2:          # the desk already holds the first file's rows
            raise KeyboardInterrupt
        add(self, assignments)

    cache = tmp_path / "cache"
    args = [corpus, "--codebook", codebook_file, "-q", "--jobs", "1", "--cache", cache]
    monkeypatch.setattr(Collected, "add_assignments", second_file_interrupted)
    assert run([*args, "--out", tmp_path / "o"]).exit_code == 130
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".o", "o"))] == []
    monkeypatch.setattr(Collected, "add_assignments", add)
    assert run([*args, "--out", tmp_path / "o"]).exit_code == 0
    assert json.loads((tmp_path / "o" / "run.json").read_text("utf-8"))["cache"]["files_from_cache"] >= 2
    assert run([*args[:-2], "--no-cache", "--out", tmp_path / "plain"]).exit_code == 0
    same_outputs(tmp_path / "plain", tmp_path / "o")


def test_roster_as_used_keeps_files_attributes_and_respondent_words(corpus, codebook_file, tmp_path):
    run([corpus, "--codebook", codebook_file, "--out", tmp_path / "o", "-q"])
    used = pd.read_csv(tmp_path / "o" / "roster.csv", encoding="utf-8-sig", dtype={"interviewee_id": str})
    assert list(used.columns) == ["interviewee_id", "file", "stakeholder_groups", "country", "speaker_labels",
                                  "respondent_words"]
    assert used.set_index("interviewee_id").loc["1", "respondent_words"] == 6


def test_assignments_continue_on_a_second_sheet_past_the_row_limit(corpus, codebook_file, tmp_path):
    from pipeline.commands.run import RunOptions, run_corpus

    out = tmp_path / "o"
    # 6 mentions with a limit of 4 rows a sheet (header + 3): 3 + 3 rows on two sheets
    run_corpus(RunOptions(transcripts=corpus, codebook=codebook_file, out=out, max_rows=4))
    workbook = load_workbook(out / "codebook.xlsx")
    assert workbook.sheetnames[1:3] == ["Assignments", "Assignments (2)"]
    assert [workbook[s].max_row for s in ("Assignments", "Assignments (2)")] == [4, 4]
    run_sheet = {row[0]: row[1] for row in workbook["Run"].iter_rows(min_row=2, values_only=True)}
    assert "Assignments (2)" in run_sheet["overflow"]
    assert len(pd.read_csv(out / "assignments.csv", encoding="utf-8-sig")) == 6


def test_parallel_jobs_give_identical_outputs(corpus, codebook_file, tmp_path):
    for jobs in ("1", "2"):
        result = run([corpus, "--codebook", codebook_file, "--out", tmp_path / jobs, "-q", "--jobs", jobs])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "1" / "by_country.csv").is_file()
    same_outputs(tmp_path / "1", tmp_path / "2")


def test_pipeline_errors_survive_pickling_between_processes():
    import pickle

    from pipeline.errors import StrictModeError, TranscriptError

    error = pickle.loads(pickle.dumps(TranscriptError("a.txt", "the file is empty", hint="fill it", line=3)))
    assert (error.file, error.problem, error.hint, error.line) == ("a.txt", "the file is empty", "fill it", 3)
    strict = pickle.loads(pickle.dumps(StrictModeError("o", "1 problem", problems=["p"])))
    assert strict.problems == ["p"]


def test_units_count_the_coding_units_holding_a_code_beside_its_mentions(tmp_path, codebook_file):
    folder = tmp_path / "t"
    # hand count: sentence 1 says privacy three times (3 mentions, 1 unit); sentence 2 once (1 mention, 1 unit);
    # sentence 3 says fairness (equity) once; as one turn (--unit turn) privacy is 4 mentions in 1 unit
    write(folder, "a.txt", "Anna: Privacy, privacy and privacy again. Then privacy. And fairness.\n")
    write(folder, "roster.csv", "interviewee_id,file,stakeholder_groups,country\na,a.txt,G,X\n")
    for unit, expected in (("sentence", {"privacy": (4, 2), "equity": (1, 1)}),
                           ("turn", {"privacy": (4, 1), "equity": (1, 1)})):
        out = tmp_path / unit
        assert run([folder, "--codebook", codebook_file, "--out", out, "-q", "--unit", unit]).exit_code == 0
        long = pd.read_csv(out / "by_interviewee.csv", encoding="utf-8-sig").set_index("code")
        group = pd.read_csv(out / "by_group.csv", encoding="utf-8-sig").set_index("code")
        sheet = pd.read_excel(out / "codebook.xlsx", sheet_name="Codebook").set_index("code")
        units = pd.read_excel(out / "codebook.xlsx", sheet_name="Units")
        for code, (mentions, n_units) in expected.items():
            assert (long.loc[code, "mentions"], long.loc[code, "units"]) == (mentions, n_units), (unit, code)
            assert (group.loc[code, "mentions"], group.loc[code, "units"]) == (mentions, n_units), (unit, code)
            assert (sheet.loc[code, "mentions"], sheet.loc[code, "units"]) == (mentions, n_units), (unit, code)
            assert units[code].iloc[0] == n_units



def test_speakers_sheet_and_csv_list_every_label_its_role_and_how_it_was_decided(tmp_path, codebook_file):
    folder = tmp_path / "t"
    write(folder, "guess.txt", "Speaker 1: What does privacy mean to you?\n"
                               "Speaker 2: Privacy is about control over what others know of my life and work.\n"
                               "Speaker 1: Why does it matter?\n"
                               "Speaker 2: Because data is power, and whoever holds it can decide for us.\n"
                               "Speaker 1: Is fairness part of it?\n"
                               "Speaker 2: Yes, fairness and equity are part of it for every community I know.\n")
    write(folder, "known.txt", "Interviewer: Tell me.\nAnna: Privacy first.\n")
    write(folder, "plain.txt", "Privacy matters.\n")
    out = tmp_path / "out"
    assert run([folder, "--codebook", codebook_file, "--out", out, "-q"]).exit_code == 0
    csv = pd.read_csv(out / "speakers.csv", encoding="utf-8-sig", keep_default_na=False)
    sheet = pd.read_excel(out / "codebook.xlsx", sheet_name="Speakers", keep_default_na=False)
    pd.testing.assert_frame_equal(csv, sheet, check_dtype=False)
    rows = {(r.source_file, r.label): (r.role, r.decided_by, r.turns) for r in csv.itertuples()}
    assert rows[("guess.txt", "Speaker 1")] == ("interviewer", "guessed", 3)     # three questions, fewest words
    assert rows[("guess.txt", "Speaker 2")] == ("respondent", "guessed", 3)
    assert rows[("known.txt", "Interviewer")] == ("interviewer", "known label", 1)
    assert rows[("known.txt", "Anna")] == ("respondent", "known label", 1)
    assert rows[("plain.txt", "")] == ("respondent", "no labels", 1)
