"""pipeline.refi.files: an exchange file is never written over another tool's file, and is written whole or not
at all."""

from __future__ import annotations

import zipfile

import pytest
from conftest import SMALL_CODEBOOK, qcode, write

from pipeline.errors import ExchangeError
from pipeline.refi.files import check_target, write_atomically, written_by_qcode

OTHER_TOOL = '<?xml version="1.0" encoding="utf-8"?>\n<CodeBook origin="NVivo 14"><Codes/></CodeBook>\n'


@pytest.fixture
def qcode_codebook(tmp_path):
    """A .qdc written by `qcode export-codebook`."""
    cb = write(tmp_path, "cb.yaml", SMALL_CODEBOOK)
    out = tmp_path / "cb.qdc"
    assert qcode("export-codebook", cb, "-o", out).exit_code == 0
    return out


def test_a_new_file_in_an_existing_folder_may_be_written(tmp_path):
    check_target(tmp_path / "new.qdc", force=False, what="codebook")
    check_target(tmp_path / "new.qdc", force=True, what="codebook")


def test_an_existing_file_is_refused_without_force_even_one_qcode_wrote(qcode_codebook):
    with pytest.raises(ExchangeError) as raised:
        check_target(qcode_codebook, force=False, what="codebook")
    assert raised.value.problem == "already exists"
    assert raised.value.hint == "give another name with -o, or --force to replace a file qcode wrote"


def test_force_may_replace_a_codebook_qcode_wrote(qcode_codebook):
    assert written_by_qcode(qcode_codebook)
    check_target(qcode_codebook, force=True, what="codebook")


def test_force_may_replace_a_project_qcode_wrote(machine_run, tmp_path):
    project = tmp_path / "p.qdpx"
    assert qcode("export-project", machine_run, "-o", project).exit_code == 0
    assert zipfile.is_zipfile(project) and written_by_qcode(project)
    check_target(project, force=True, what="project")


def test_force_refuses_another_tools_file(tmp_path):
    other = write(tmp_path, "nvivo.qdc", OTHER_TOOL)
    assert not written_by_qcode(other)
    with pytest.raises(ExchangeError) as raised:
        check_target(other, force=True, what="codebook")
    assert raised.value.problem == "already exists and qcode did not write it"
    assert other.read_text(encoding="utf-8") == OTHER_TOOL


def test_force_refuses_a_project_archive_from_another_tool(tmp_path):
    path = tmp_path / "other.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", OTHER_TOOL.replace("CodeBook", "Project"))
    assert not written_by_qcode(path)
    with pytest.raises(ExchangeError, match="qcode did not write it"):
        check_target(path, force=True, what="project")


def test_an_archive_without_a_project_part_is_not_qcodes(tmp_path):
    path = tmp_path / "odd.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.xml", '<x origin="qcode 0.1.0"/>')       # qcode's mark, but not in project.qde
    assert not written_by_qcode(path)


def test_a_missing_file_is_not_qcodes(tmp_path):
    assert not written_by_qcode(tmp_path / "absent.qdc")


@pytest.mark.parametrize("force", [False, True])
def test_a_folder_is_refused(tmp_path, force):
    folder = tmp_path / "project.qdpx"
    folder.mkdir()
    with pytest.raises(ExchangeError) as raised:
        check_target(folder, force=force, what="project")
    assert raised.value.problem == "is a folder" and raised.value.hint == "give a file name for the project"


def test_a_missing_parent_folder_is_refused(tmp_path):
    out = tmp_path / "nowhere" / "cb.qdc"
    with pytest.raises(ExchangeError) as raised:
        check_target(out, force=False, what="codebook")
    assert raised.value.problem == f"its folder {tmp_path / 'nowhere'} does not exist"
    assert not (tmp_path / "nowhere").exists()


def test_write_atomically_writes_the_bytes_and_leaves_nothing_else(tmp_path):
    out = tmp_path / "cb.qdc"
    write_atomically(out, b"<CodeBook/>\n")
    assert out.read_bytes() == b"<CodeBook/>\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cb.qdc"]


def test_write_atomically_replaces_an_existing_file_whole(tmp_path):
    out = write(tmp_path, "cb.qdc", "old " * 1000)
    write_atomically(out, b"new")
    assert out.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cb.qdc"]


def test_write_atomically_removes_the_partial_file_when_the_rename_fails(tmp_path):
    # the partial file is written beside the target, then cannot be renamed over a folder
    out = tmp_path / "cb.qdc"
    out.mkdir()
    with pytest.raises(IsADirectoryError):
        write_atomically(out, b"<CodeBook/>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cb.qdc"] and out.is_dir()


def test_write_atomically_of_data_that_is_not_bytes_leaves_the_old_file(tmp_path):
    out = write(tmp_path, "cb.qdc", "old")
    with pytest.raises(TypeError):
        write_atomically(out, "text, not bytes")
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cb.qdc"]


def test_write_atomically_into_a_missing_folder_fails_without_creating_it(tmp_path):
    out = tmp_path / "nowhere" / "cb.qdc"
    with pytest.raises(FileNotFoundError):
        write_atomically(out, b"x")
    assert list(tmp_path.iterdir()) == []
