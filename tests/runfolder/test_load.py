"""load_run: a run folder read back, and every way a folder can fail to be one, naming the file at fault."""

import json

import pytest

from pipeline.errors import RunFolderError
from pipeline.runfolder.load import load_run
from pipeline.write.folder import MANIFEST


def edit_manifest(run, change):
    path = run / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def test_a_run_folder_reads_back_with_counts_as_numbers(machine_run):
    tables = load_run(machine_run)
    assert tables.coding == "machine"
    assert tables.codebook.ids == ["equity", "privacy", "good"]
    counts = tables.counts.set_index(["interviewee_id", "code"])["mentions"]
    # a.txt: "Privacy first. Then fairness and privacy." → privacy 2, equity 1
    assert counts[("a", "privacy")] == 2 and counts[("a", "equity")] == 1
    assert counts.dtype.kind == "i"
    assert tables.roster["respondent_words"].dtype.kind == "i"
    assert list(tables.roster["interviewee_id"]) == ["a", "c"]


def test_table_reads_any_csv_of_the_run_as_text(machine_run):
    by_group = load_run(machine_run).table("by_group")
    assert {"stakeholder_group", "code", "mentions"} <= set(by_group.columns)
    assert set(by_group["stakeholder_group"]) == {"G1", "G2"}
    assert all(isinstance(v, str) for v in by_group["mentions"])


def test_table_accepts_the_file_name_too(machine_run):
    tables = load_run(machine_run)
    assert tables.table("by_term.csv").equals(tables.table("by_term"))


def test_table_missing_from_the_folder_names_it(machine_run):
    with pytest.raises(RunFolderError, match="missing from the run folder") as error:
        load_run(machine_run).table("by_country")        # one country only: not written
    assert error.value.file == str(machine_run / "by_country.csv")


def test_missing_folder(tmp_path):
    with pytest.raises(RunFolderError, match="no such run folder") as error:
        load_run(tmp_path / "nowhere")
    assert error.value.file == str(tmp_path / "nowhere")


def test_a_file_is_not_a_run_folder(tmp_path):
    path = tmp_path / "run.json"
    path.write_text("{}")
    with pytest.raises(RunFolderError, match="is not a folder"):
        load_run(path)


def test_folder_without_run_json(tmp_path):
    (tmp_path / "by_group.csv").write_text("a\n1\n")
    with pytest.raises(RunFolderError, match="no run.json") as error:
        load_run(tmp_path)
    assert error.value.file == str(tmp_path)


def test_run_json_that_is_not_json_names_it(machine_run):
    (machine_run / MANIFEST).write_text('{"format_version": 1,', encoding="utf-8")
    with pytest.raises(RunFolderError, match="cannot be read as JSON") as error:
        load_run(machine_run)
    assert error.value.file == str(machine_run / MANIFEST)


def test_run_json_that_is_not_utf8_names_it(machine_run):
    (machine_run / MANIFEST).write_bytes('{"coding": "审"}'.encode("gb18030"))
    with pytest.raises(RunFolderError, match="cannot be read as JSON") as error:
        load_run(machine_run)
    assert error.value.file == str(machine_run / MANIFEST)


@pytest.mark.parametrize("text", ["[1, 2]", '{"coding": "machine"}'])
def test_run_json_without_format_version(machine_run, text):
    (machine_run / MANIFEST).write_text(text, encoding="utf-8")
    with pytest.raises(RunFolderError, match="no format_version"):
        load_run(machine_run)


def test_unknown_format_version_is_refused_and_named(machine_run):
    edit_manifest(machine_run, lambda m: m.update(format_version=99))
    with pytest.raises(RunFolderError, match="format 99 is not one this qcode reads") as error:
        load_run(machine_run)
    assert error.value.file == str(machine_run / MANIFEST)


def test_manifest_without_codebook(machine_run):
    edit_manifest(machine_run, lambda m: m.pop("codebook"))
    with pytest.raises(RunFolderError, match="holds no codebook"):
        load_run(machine_run)


def test_manifest_with_a_broken_codebook(machine_run):
    edit_manifest(machine_run, lambda m: m["codebook"].update(yaml="codes: [\n"))
    with pytest.raises(RunFolderError, match="its codebook cannot be read") as error:
        load_run(machine_run)
    assert error.value.file == str(machine_run / MANIFEST)


def test_missing_needed_csv_names_it(machine_run):
    (machine_run / "by_interviewee.csv").unlink()
    with pytest.raises(RunFolderError, match="missing from the run folder") as error:
        load_run(machine_run)
    assert error.value.file == str(machine_run / "by_interviewee.csv")


def test_needed_column_missing_names_file_and_column(machine_run):
    (machine_run / "roster.csv").write_text("interviewee_id,stakeholder_groups\na,G1\n", encoding="utf-8")
    with pytest.raises(RunFolderError, match="has no column respondent_words") as error:
        load_run(machine_run)
    assert error.value.file == str(machine_run / "roster.csv")


def test_non_numeric_count_is_refused(machine_run):
    path = machine_run / "by_interviewee.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("mentions")] = "two"
    path.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(RunFolderError, match="row 2: mentions 'two' is not a count") as error:
        load_run(machine_run)
    assert error.value.file == str(path)                 # the file at fault, not the folder


@pytest.mark.parametrize("value", ["1.9", "-5", "99999999999999999999999", "1e400", "nan"])
def test_a_count_that_is_not_a_whole_number_is_refused_not_truncated(machine_run, value):
    path = machine_run / "by_interviewee.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    cells = lines[1].split(",")
    cells[lines[0].split(",").index("mentions")] = value
    path.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(RunFolderError, match="is not a count"):
        load_run(machine_run)


def test_non_numeric_word_count_in_the_roster_is_refused(machine_run):
    path = machine_run / "roster.csv"
    text = path.read_text(encoding="utf-8-sig")
    header = text.splitlines()[0].split(",")
    rows = [line.split(",") for line in text.splitlines()[1:]]
    rows[0][header.index("respondent_words")] = "six"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(RunFolderError, match="respondent_words 'six' is not a count"):
        load_run(machine_run)
