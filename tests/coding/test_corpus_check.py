"""`qcode check CODEBOOK --corpus DIR`: per term its mentions and near misses (a Chinese term the segmenter cut
apart, one straddling two words, an English form the lemmas miss), per code its candidate words — on small real
corpora written here, through the command line, read back from check.xlsx."""

from __future__ import annotations

import pytest
from conftest import qcode, sheet_rows, write

CODEBOOK = """\
name: tiny
version: "1"
codes:
  - id: inclusiveness
    label: Inclusiveness
    terms:
      en: [accessible, inclusive]
      zh: [残疾人, 无障碍]
  - id: equity
    label: Equity
    terms:
      zh: [公平]
"""

ZH_HANT = """\
受訪者：我們關心殘疾人士的權益。
受訪者：殘疾人士需要無障礙的輪椅坡道。
受訪者：殘疾人也要參與，輪椅坡道也要無障礙。
受訪者：辦公平台很方便。
記者：殘疾人士呢？
"""

ENGLISH = """\
Anna: Accessibility matters for wheelchair users.
Anna: An accessible ramp helps wheelchair users, and accessibility audits too.
Anna: The accessible entrance is for wheelchair users.
Anna: Inclusion is the goal.
"""


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    write(folder, "hk.txt", ZH_HANT)
    write(folder, "en.txt", ENGLISH)
    write(folder, "roster.csv", "interviewee_id,file,stakeholder_groups,language\n"
                                "1,hk.txt,Community,zh-Hant-HK\n2,en.txt,Developer,en\n")
    return folder


@pytest.fixture
def codebook(tmp_path):
    return write(tmp_path, "cb.yaml", CODEBOOK)


def sheet(path, title) -> list[dict]:
    rows = sheet_rows(path, title)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def checked(tmp_path, codebook, corpus, *more):
    out = tmp_path / "check.xlsx"
    result = qcode("check", codebook, "--corpus", corpus, "-o", out, "-j", "1", *more)
    assert result.exit_code == 0, result.output
    return result, out


def near(out, term, found) -> dict:
    rows = [r for r in sheet(out, "Near misses") if r["term"] == term and r["found"] == found]
    assert len(rows) == 1, sheet(out, "Near misses")
    return rows[0]


def test_a_chinese_term_the_segmenter_cuts_apart_is_found_with_the_term_to_add(tmp_path, codebook, corpus):
    result, out = checked(tmp_path, codebook, corpus)
    row = near(out, "残疾人", "残疾|人士")           # 殘疾人士 → t2s 残疾人士 → jieba 残疾|人士
    assert (row["code"], row["kind"], row["suggestion"], row["count"]) == ("inclusiveness", "split", "残疾人士", 2)
    assert row["example_1"] == "hk.txt:1: 受訪者：我們關心【殘疾人】士的權益。"      # the file's own text and line
    assert row["example_2"].startswith("hk.txt:2: ") and row["example_3"] is None
    assert "near miss  残疾人 in 残疾|人士 ×2 (split): add 残疾人士" in result.output
    terms = {r["term"]: r for r in sheet(out, "Terms")}
    term = terms["残疾人"]
    assert (term["mentions"], term["near_misses"], term["suggestions"]) == (1, 2, "残疾人士")
    assert terms["无障碍"]["mentions"] == 2 and terms["无障碍"]["near_misses"] == 0


def test_an_english_form_the_lemmas_miss_is_found_with_a_wildcard_to_add(tmp_path, codebook, corpus):
    result, out = checked(tmp_path, codebook, corpus)
    row = near(out, "accessible", "accessibility")
    assert (row["kind"], row["suggestion"], row["count"]) == ("other form", "accessib*", 2)
    assert row["example_1"] == "en.txt:1: Anna: 【Accessibility】 matters for wheelchair users."
    row = near(out, "inclusive", "inclusion")
    assert (row["suggestion"], row["count"]) == ("inclusi*", 1)
    assert "near miss  accessible in accessibility ×2 (other form): add accessib*" in result.output
    assert "inclusiveness: 5 mention(s); 3 of 4 term(s) matched" in result.output
    assert "never matched: inclusive" in result.output


def test_a_term_straddling_two_words_is_counted_as_such_without_a_suggestion(tmp_path, codebook, corpus):
    result, out = checked(tmp_path, codebook, corpus)
    row = near(out, "公平", "办公|平台")
    assert (row["kind"], row["suggestion"], row["count"]) == ("straddles", None, 1)
    terms = {r["term"]: r for r in sheet(out, "Terms")}
    assert (terms["公平"]["mentions"], terms["公平"]["near_misses"], terms["公平"]["straddles"]) == (0, 0, 1)
    assert terms["公平"]["suggestions"] is None
    assert "straddles  公平 in 办公|平台 ×1 (not a mention)" in result.output


def test_interviewer_speech_is_left_out_as_qcode_run_leaves_it_out(tmp_path, codebook, corpus):
    import pipeline as qcode_api

    _, out = checked(tmp_path, codebook, corpus)
    assert near(out, "残疾人", "残疾|人士")["count"] == 2         # not the interviewer's 殘疾人士 (line 5)
    by_term = qcode_api.code_corpus(corpus, codebook).tallies.by_term
    run = {(r.code, r.term): r.mentions for r in by_term.itertuples()}
    assert {(r["code"], r["term"]): r["mentions"] for r in sheet(out, "Terms")} == run


def test_candidates_are_frequent_words_beside_the_code_that_are_no_terms(tmp_path, codebook, corpus):
    result, out = checked(tmp_path, codebook, corpus)
    rows = [r for r in sheet(out, "Candidates") if r["code"] == "inclusiveness"]
    assert {r["word"] for r in rows[:4]} == {"wheelchair", "user", "轮椅", "坡道"}    # each in 2 of the 4 units
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    words = {r["word"]: r for r in rows}
    assert words["wheelchair"]["units"] == 2 and words["wheelchair"]["corpus_units"] == 3
    assert words["轮椅"]["units"] == 2 and words["轮椅"]["language"] == "zh"
    assert words["坡道"]["units"] == 2
    assert not {"the", "be", "and", "也", "要", "accessible", "无障碍", "残疾人"} & set(words)
    assert len(rows) <= 15 and rows[0]["code_units"] == 4
    assert "candidates: " in result.output


def test_parallel_processes_find_the_same(tmp_path, codebook, corpus):
    _, out = checked(tmp_path, codebook, corpus)
    again = tmp_path / "again.xlsx"
    assert qcode("check", codebook, "--corpus", corpus, "-o", again, "-j", "2").exit_code == 0
    for title in ("Terms", "Near misses", "Candidates"):
        assert sheet(out, title) == sheet(again, title)


def test_without_a_corpus_nothing_is_written(tmp_path, codebook, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    result = qcode("check", codebook)
    assert result.exit_code == 0 and "check workbook" not in result.output
    assert "  zh  残疾人  jieba: 残疾人" in result.output
    assert sorted(tmp_path.rglob("*")) == before


def test_the_default_workbook_is_a_new_file_in_outputs(tmp_path, codebook, corpus, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = qcode("check", codebook, "--corpus", corpus, "-j", "1")
    second = qcode("check", codebook, "--corpus", corpus, "-j", "1")
    assert first.exit_code == second.exit_code == 0
    made = sorted((tmp_path / "outputs").glob("check-*.xlsx"))
    assert len(made) == 2 and all(f"check workbook: outputs/{p.name}" in first.output + second.output
                                  for p in made)


def test_an_existing_file_is_never_overwritten_unless_forced_and_a_check_workbook(tmp_path, codebook, corpus):
    mine = write(tmp_path, "check.xlsx", "my own notes")
    for extra in ((), ("--force",)):
        result = qcode("check", codebook, "--corpus", corpus, "-o", mine, "-j", "1", *extra)
        assert result.exit_code == 1 and "already exists" in result.output
        assert mine.read_text() == "my own notes"
    mine.unlink()
    _, out = checked(tmp_path, codebook, corpus)
    refused = qcode("check", codebook, "--corpus", corpus, "-o", out, "-j", "1")
    assert refused.exit_code == 1 and "--force" in refused.output
    checked(tmp_path, codebook, corpus, "--force")           # a check workbook qcode wrote: replaced
    assert sheet(out, "Terms") and not list(tmp_path.glob(".*.partial"))
