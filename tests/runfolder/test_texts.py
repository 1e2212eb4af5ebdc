"""A run's transcripts read again: assignments.csv typed, files checked against the run's checksums."""

from pathlib import Path

import pytest

from pipeline.errors import Problem, RunFolderError, RunInputsError
from pipeline.read.transcripts import MAX_TRANSCRIPT_BYTES
from pipeline.runfolder.load import load_run
from pipeline.runfolder.texts import read_assignments, read_run_texts, run_file_limit, verified_bytes


@pytest.fixture
def tables(machine_run):
    return load_run(machine_run)


def entry_of(tables, source_file):
    (entry,) = [e for e in tables.manifest["files"] if e["source_file"] == source_file]
    return entry


def transcripts(tables):
    return Path(tables.manifest["inputs"]["transcripts"])


def test_read_assignments_makes_positions_and_lines_integers(tables):
    frame = read_assignments(tables)
    assert [frame[c].dtype.kind for c in ("char_start", "char_end", "line")] == ["i", "i", "i"]
    assert all(isinstance(v, str) for v in frame["interviewee_id"])


def test_read_assignments_keeps_empty_cells_as_empty_text(tables):
    frame = read_assignments(tables)
    # the last sentence of a file has nothing after it
    assert "" in set(frame["context_after"])
    assert not frame.isna().any().any()


def test_read_assignments_positions_slice_the_transcript(tables):
    frame = read_assignments(tables)
    text = (transcripts(tables) / "a.txt").read_text(encoding="utf-8")
    rows = frame[frame["source_file"] == "a.txt"]
    assert [text[s:e] for s, e in zip(rows["char_start"], rows["char_end"], strict=True)] == list(rows["matched_text"])


def test_read_assignments_missing_file_is_named(tables):
    (tables.path / "assignments.csv").unlink()
    with pytest.raises(RunFolderError, match="missing from the run folder") as error:
        read_assignments(tables)
    assert error.value.file == str(tables.path / "assignments.csv")


def test_read_assignments_without_positions_cannot_be_read(tables):
    (tables.path / "assignments.csv").write_text("assignment_id,code\nx,equity\n", encoding="utf-8")
    with pytest.raises(RunFolderError, match="cannot be read"):
        read_assignments(tables)


def test_read_assignments_with_a_non_numeric_position_cannot_be_read(tables):
    path = tables.path / "assignments.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("char_start")] = "six"
    path.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(RunFolderError, match="char_start 'six' is not a count") as error:
        read_assignments(tables)
    assert error.value.file == str(path)


def test_read_assignments_refuses_a_span_that_ends_before_it_starts(tables):
    path = tables.path / "assignments.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("char_start")], cells[header.index("char_end")] = "50", "10"
    path.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(RunFolderError, match="row 2: char_end is before char_start"):
        read_assignments(tables)


def test_verified_bytes_of_an_unchanged_transcript_are_its_bytes(tables):
    root = transcripts(tables)
    data = verified_bytes(entry_of(tables, "a.txt"), root, MAX_TRANSCRIPT_BYTES)
    assert data == (root / "a.txt").read_bytes()


def test_verified_bytes_of_a_changed_transcript_is_a_problem(tables):
    root = transcripts(tables)
    (root / "a.txt").write_text("Anna: Privacy second.\n", encoding="utf-8")
    problem = verified_bytes(entry_of(tables, "a.txt"), root, MAX_TRANSCRIPT_BYTES)
    assert isinstance(problem, Problem)
    assert problem.file == "a.txt" and "changed since the run" in problem.problem


def test_verified_bytes_of_a_missing_transcript_is_a_problem(tables):
    root = transcripts(tables)
    (root / "c.txt").unlink()
    problem = verified_bytes(entry_of(tables, "c.txt"), root, MAX_TRANSCRIPT_BYTES)
    assert isinstance(problem, Problem)
    assert problem.file == "c.txt" and "not in" in problem.problem and "--transcripts" in problem.hint


def test_verified_bytes_of_a_transcript_over_the_limit_is_a_problem(tables):
    root = transcripts(tables)
    size = (root / "a.txt").stat().st_size
    problem = verified_bytes(entry_of(tables, "a.txt"), root, size - 1)
    assert isinstance(problem, Problem) and "--max-file-mb" in problem.hint


def test_verified_bytes_reads_from_the_folder_the_transcripts_moved_to(tables, tmp_path):
    moved = tmp_path / "moved"
    transcripts(tables).rename(moved)
    assert verified_bytes(entry_of(tables, "c.txt"), moved, MAX_TRANSCRIPT_BYTES) == \
        (moved / "c.txt").read_bytes()


def test_run_file_limit_is_the_runs_max_file_mb_in_bytes():
    assert run_file_limit({"options": {"max_file_mb": 2.5}}) == 2_500_000
    assert run_file_limit({"options": {"max_file_mb": "3"}}) == 3_000_000


def test_run_file_limit_defaults_to_qcodes_limit():
    assert run_file_limit({}) == MAX_TRANSCRIPT_BYTES
    assert run_file_limit({"options": {}}) == MAX_TRANSCRIPT_BYTES


def test_run_file_limit_of_a_real_run(tables):
    assert run_file_limit(tables.manifest) == int(tables.manifest["options"]["max_file_mb"] * 1e6)


def test_read_run_texts_gives_the_text_of_every_coded_file(tables):
    texts = read_run_texts(tables, None, read_assignments(tables))
    assert texts == {"a.txt": "Anna: Privacy first. Then fairness and privacy.\n",
                     "c.txt": "Bo: equity matters. Tech for good too.\n"}


def test_read_run_texts_refuses_a_changed_transcript_listing_it(tables):
    (transcripts(tables) / "c.txt").write_text("Bo: something else.\n", encoding="utf-8")
    with pytest.raises(RunInputsError) as error:
        read_run_texts(tables, None, read_assignments(tables))
    assert [p.file for p in error.value.problems] == ["c.txt"]


def test_read_run_texts_refuses_an_assignment_whose_span_moved(tables):
    assignments = read_assignments(tables)
    assignments.loc[0, "char_start"] += 1
    with pytest.raises(RunInputsError) as error:
        read_run_texts(tables, None, assignments)
    (problem,) = error.value.problems
    assert problem.problem.startswith(f"assignment {assignments.loc[0, 'assignment_id']}:")
