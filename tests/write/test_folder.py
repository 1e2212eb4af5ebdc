"""OutputFolder: written under a temporary name, renamed into place whole, or not at all; --force only over
a folder qcode wrote and nobody changed."""

import hashlib
import json

import pandas as pd
import pytest

from pipeline.errors import OutputError
from pipeline.write.folder import (
    FORMAT_VERSION,
    MANIFEST,
    WORKBOOK,
    OutputFolder,
    check_out_dir,
    claim_of,
    default_out_dir,
    manifest_header,
    sha256_file,
    write_csv,
)


def qcode_folder(path, workbook=b"workbook bytes"):
    """A folder as qcode leaves it: a workbook and a manifest recording its checksum."""
    path.mkdir()
    (path / WORKBOOK).write_bytes(workbook)
    (path / MANIFEST).write_text(json.dumps({"workbook_sha256": hashlib.sha256(workbook).hexdigest()}))
    return path


def leftovers(parent):
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_nothing_but_the_claim_appears_at_the_target_until_commit(tmp_path):
    out = tmp_path / "out"
    folder = OutputFolder(out)
    assert not out.exists()
    with folder:
        (folder.path("x.txt")).write_text("x")
        assert not out.exists() and claim_of(out).is_file()    # claimed beside it: a second command is refused
        assert folder.path("x.txt").is_file()
        folder.commit()
    assert (out / "x.txt").read_text() == "x"
    assert leftovers(tmp_path) == []


def test_an_error_inside_leaves_no_target_and_no_temporary_folder(tmp_path):
    out = tmp_path / "out"
    folder = OutputFolder(out)
    with pytest.raises(RuntimeError), folder:
        folder.path("half.csv").write_text("half")
        raise RuntimeError("failed midway")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_an_error_inside_calls_the_discard_actions_first(tmp_path):
    folder = OutputFolder(tmp_path / "out")
    seen = []
    with pytest.raises(KeyboardInterrupt), folder:
        folder.on_discard(lambda: seen.append(folder.tmp.exists()))
        raise KeyboardInterrupt
    assert seen == [True]           # called while the temporary folder was still there
    assert not folder.tmp.exists()


def test_an_error_inside_a_forced_replacement_leaves_the_old_folder_as_it_was(tmp_path):
    out = qcode_folder(tmp_path / "out")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    folder = OutputFolder(out, force=True)
    with pytest.raises(ValueError), folder:
        folder.path(WORKBOOK).write_bytes(b"new")
        raise ValueError
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert leftovers(tmp_path) == []


def test_commit_replaces_a_forced_folder_whole(tmp_path):
    out = qcode_folder(tmp_path / "out")
    (out / "old.csv").write_text("old")
    folder = OutputFolder(out, force=True)
    with folder:
        folder.path("new.csv").write_text("new")
        assert folder.commit() == out
    assert sorted(p.name for p in out.iterdir()) == ["new.csv"]
    assert leftovers(tmp_path) == []


def test_seal_records_the_workbook_checksum_and_writes_the_manifest(tmp_path):
    out = tmp_path / "out"
    folder = OutputFolder(out)
    manifest = {"format_version": FORMAT_VERSION, "coding": "machine"}
    with folder:
        folder.path(WORKBOOK).write_bytes(b"\x00pretend xlsx")
        folder.seal(manifest)
    written = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert written["workbook_sha256"] == hashlib.sha256(b"\x00pretend xlsx").hexdigest()
    assert written == manifest and written["coding"] == "machine"


def test_a_sealed_folder_can_be_replaced_with_force(tmp_path):
    out = tmp_path / "out"
    for text in (b"first", b"second"):
        folder = OutputFolder(out, force=True)
        with folder:
            folder.path(WORKBOOK).write_bytes(text)
            folder.seal({})
    assert (out / WORKBOOK).read_bytes() == b"second"


def test_seal_honours_other_workbook_and_manifest_names(tmp_path):
    out = tmp_path / "out"
    folder = OutputFolder(out, workbook="scores.xlsx", manifest="scores.json")
    with folder:
        folder.path("scores.xlsx").write_bytes(b"s")
        folder.seal({})
    assert json.loads((out / "scores.json").read_text())["workbook_sha256"] == hashlib.sha256(b"s").hexdigest()


def test_check_out_dir_accepts_a_missing_or_empty_folder(tmp_path):
    check_out_dir(tmp_path / "missing", force=False)
    (tmp_path / "empty").mkdir()
    check_out_dir(tmp_path / "empty", force=False)


def test_check_out_dir_refuses_a_non_empty_folder_without_force(tmp_path):
    out = qcode_folder(tmp_path / "out")
    with pytest.raises(OutputError, match="exists and is not empty") as error:
        check_out_dir(out, force=False)
    assert error.value.file == str(out)


def test_check_out_dir_refuses_force_on_a_folder_without_manifest(tmp_path):
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.docx").write_bytes(b"precious")
    with pytest.raises(OutputError, match="not one qcode wrote"):
        check_out_dir(out, force=True)


def test_check_out_dir_refuses_force_when_the_manifest_is_not_json(tmp_path):
    out = qcode_folder(tmp_path / "out")
    (out / MANIFEST).write_text("{not json")
    with pytest.raises(OutputError, match="not one qcode wrote"):
        check_out_dir(out, force=True)


def test_check_out_dir_refuses_force_when_the_workbook_was_changed(tmp_path):
    out = qcode_folder(tmp_path / "out")
    (out / WORKBOOK).write_bytes(b"a reviewer's edits")
    with pytest.raises(OutputError, match="workbook was changed") as error:
        check_out_dir(out, force=True)
    assert error.value.file == str(out / WORKBOOK)


def test_check_out_dir_allows_force_over_an_unchanged_qcode_folder(tmp_path):
    check_out_dir(qcode_folder(tmp_path / "out"), force=True)


def test_check_out_dir_refuses_a_file(tmp_path):
    path = tmp_path / "out"
    path.write_text("a file")
    with pytest.raises(OutputError, match="not a folder"):
        check_out_dir(path, force=True)


def test_output_folder_refuses_before_anything_is_written(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError):
        OutputFolder(out)
    assert leftovers(tmp_path) == []


def test_default_out_dir_names_are_unique_and_not_created(tmp_path):
    first = default_out_dir("audit", base=tmp_path)
    assert first.parent == tmp_path and first.name.startswith("audit-")
    assert not first.exists()
    first.mkdir()
    second = default_out_dir("audit", base=tmp_path)
    assert second != first and not second.exists()
    assert second.name.startswith("audit-")


def test_write_csv_writes_utf8_with_a_bom(tmp_path):
    path = tmp_path / "t.csv"
    write_csv(path, pd.DataFrame({"code": ["公平"], "n": [1]}))
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8") == "code,n\n公平,1\n"


def test_sha256_file_is_the_sha256_of_the_bytes(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc" * 1_000_000)         # larger than one read block
    assert sha256_file(path) == hashlib.sha256(b"abc" * 1_000_000).hexdigest()


def test_manifest_header_comes_first_then_the_fields():
    header = manifest_header(coding="reviewed", files=[])
    assert list(header) == ["format_version", "qcode_version", "created", "coding", "files"]
    assert header["format_version"] == FORMAT_VERSION and header["coding"] == "reviewed"
