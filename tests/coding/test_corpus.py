"""Bad input at archive scale: a too-large file, an endless line, a file that vanishes mid-run."""

import json

import pandas as pd
from conftest import SMALL_CODEBOOK, qcode, write
from openpyxl import load_workbook


def test_a_file_over_the_size_limit_is_a_problem_and_the_rest_is_coded(tmp_path, codebook_file):
    folder = tmp_path / "t"
    write(folder, "small.txt", "Anna: privacy matters.\n")
    write(folder, "huge.txt", "Bo: " + "fairness and privacy. " * 200 + "\n")     # 4.4 kB
    result = qcode("run", folder, "--codebook", codebook_file, "--out", tmp_path / "run", "--max-file-mb", "0.002",
                   "-j", "1")
    assert result.exit_code == 0, result.output
    assert "huge.txt: is 0.0 MB, more than qcode codes in one piece (0 MB" in result.output
    assert "raise the limit with --max-file-mb" in result.output
    assignments = pd.read_csv(tmp_path / "run" / "assignments.csv", encoding="utf-8-sig")
    assert list(assignments.source_file) == ["small.txt"]
    manifest = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))
    assert manifest["options"]["max_file_mb"] == 0.002
    # the same run with a higher limit codes it (and an export reads it with the run's limit)
    result = qcode("run", folder, "--codebook", codebook_file, "--out", tmp_path / "run2", "--max-file-mb", "1",
                   "-j", "1")
    assert result.exit_code == 0 and "huge.txt" not in result.output
    assert qcode("export-project", tmp_path / "run2").exit_code == 0


def test_an_endless_line_gives_bounded_segments(tmp_path):
    folder = tmp_path / "t"
    filler = "and then we talked about the city " * 3000                     # ~100 kB, no sentence end
    write(folder, "long.txt", "Anna: " + filler + "privacy " + filler + "fairness " + filler + "\n")
    codebook = write(tmp_path, "cb.yaml", SMALL_CODEBOOK)
    result = qcode("run", folder, "--codebook", codebook, "--out", tmp_path / "run", "-j", "1", "-q")
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(tmp_path / "run" / "assignments.csv", encoding="utf-8-sig")
    assert sorted(rows.matched_text) == ["fairness", "privacy"]
    text = (folder / "long.txt").read_text(encoding="utf-8")
    for row in rows.itertuples():
        assert len(row.segment_text) <= 2 * 400 + len(row.matched_text)
        assert row.matched_text in row.segment_text and row.segment_text in text
    book = load_workbook(tmp_path / "run" / "codebook.xlsx", read_only=True)
    sheet = book["Assignments"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    cells = [r[header.index("segment_text")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    book.close()
    assert len(cells) == 2 and all(len(str(c)) < 32767 for c in cells)
    by_interviewee = pd.read_csv(tmp_path / "run" / "by_interviewee.csv", encoding="utf-8-sig")
    assert by_interviewee.respondent_words.iloc[0] == 3 * 7 * 3000 + 2


def test_a_file_that_vanishes_mid_run_is_reported_and_the_others_coded(tmp_path, codebook_file):
    from pipeline.coding.corpus import code_files, coding_settings, plan_jobs
    from pipeline.coding.match import Matcher
    from pipeline.commands.run import RunOptions
    from pipeline.errors import Problem
    from pipeline.read.codebook import load_codebook
    from pipeline.read.roster import read_roster

    folder = tmp_path / "t"
    for name in ("a", "b", "c"):
        write(folder, f"{name}.txt", f"{name.upper()}: privacy and fairness.\n")
    roster = write(folder, "roster.csv", "interviewee_id,file,stakeholder_groups\na,a.txt,G\nb,b.txt,G\nc,c.txt,G\n")
    options = RunOptions(transcripts=folder, codebook=codebook_file, out=tmp_path / "run")
    jobs, problems = plan_jobs(options, read_roster(roster))
    assert len(jobs) == 3 and not problems
    (folder / "b.txt").unlink()                                       # gone after the plan, before coding
    codebook = load_codebook(codebook_file)
    for workers in (1, 2):
        results = list(code_files(jobs, coding_settings(options, False), Matcher(codebook), codebook, False, workers))
        assert [r.source_file if not isinstance(r, Problem) else r.file for r in results] == ["a.txt", "b.txt",
                                                                                             "c.txt"]
        problem = results[1]
        assert isinstance(problem, Problem) and "the file does not exist" in problem.problem
        assert "moved during the run" in problem.hint
        assert [len(r.assignments) for r in (results[0], results[2])] == [2, 2]


def test_fewer_collections_gives_the_interpreters_settings_back_and_keeps_a_callers_freeze():
    import gc

    from pipeline.coding.corpus import COLLECT_AFTER, fewer_collections

    before = gc.get_threshold()
    first, second = fewer_collections(), fewer_collections()
    first.__enter__()
    assert gc.get_threshold() == COLLECT_AFTER and gc.get_freeze_count() > 0
    second.__enter__()
    first.__exit__(None, None, None)            # interleaved, as two code_files generators could be
    assert gc.get_threshold() == COLLECT_AFTER
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    gc.freeze()                                 # a caller's own freeze (before forking, say) is left alone
    try:
        with fewer_collections():
            assert gc.get_threshold() == COLLECT_AFTER
        assert gc.get_freeze_count() > 0 and gc.get_threshold() == before     # not unfrozen
    finally:
        gc.unfreeze()
