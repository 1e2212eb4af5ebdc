"""Generic speaker labels (`Speaker 1`, `S1`, `A`, `发言人1`, plain names): the interviewer told from the turns on
strong evidence only, and the per-file speaker table."""

from __future__ import annotations

import csv

import pytest
from conftest import SMALL_CODEBOOK, code_text, found, qcode, write

from pipeline.coding.code_file import FileJob, Settings, code_file
from pipeline.coding.match import Matcher
from pipeline.coding.speakers import guess_interviewer, is_question, speakers_of
from pipeline.models import INTERVIEWER, RESPONDENT
from pipeline.read.codebook import load_codebook

# The interviewer (first label) asks three questions, 15 words; only they say "fairness" (an equity term).
INTERVIEW = """\
{a}: Welcome. What is your view on fairness?
{b}: Privacy comes first for me. Every platform collects too much.
{a}: Why is that?
{b}: People lose control of their personal data. Nobody reads the terms.
{a}: Can you give an example?
{b}: My bank shared my records without asking. That was a shock to me.
"""
# Words by hand (letters and digits; punctuation is not a word):
#   interviewer: Welcome What is your view on fairness (7) + Why is that (3) + Can you give an example (5) = 15
#   respondent:  Privacy comes first for me (5) Every platform collects too much (5) = 10
#                People lose control of their personal data (7) Nobody reads the terms (4) = 11
#                My bank shared my records without asking (7) That was a shock to me (6) = 13   → 34
INTERVIEWER_WORDS, RESPONDENT_WORDS = 15, 34
NOTE = "{a} taken as the interviewer: 3 of 3 turns are questions, 31% of the words; {b} as the respondent"  # 15/49

# Only the interviewer says 公平 and 平台; the respondent says 隐私 and 数据.
ZH_INTERVIEW = """\
发言人1：您好。您觉得现在的平台公平吗？
发言人2：我最关心的是隐私。很多应用收集了太多数据，用户根本管不了。
发言人1：为什么这么说？
发言人2：因为大家都不看条款，点了同意就完事了，后面发生什么谁也不知道。
发言人1：能举个例子吗？
发言人2：我的银行没有问过我，就把我的记录给了别的公司，我很生气。
"""

# Both speakers ask: no label stands out as the interviewer.
BOTH_ASK = """\
Speaker 1: What do you think about privacy?
Speaker 2: Why do you ask about privacy?
Speaker 1: Is fairness important to you?
Speaker 2: Is it not obvious?
Speaker 1: Do you care about it?
Speaker 2: Who does not care?
"""


def notes_of(result):
    return [p.problem for p in result.problems if p.kind == "note"]


def problems_of(result):
    return [p for p in result.problems if p.kind == "problem"]


@pytest.mark.parametrize("a, b", [("Speaker 1", "Speaker 2"), ("S1", "S2"), ("A", "B")])
def test_the_questioner_of_generic_labels_is_taken_as_the_interviewer(tmp_path, a, b):
    result = code_text(tmp_path, INTERVIEW.format(a=a, b=b))
    assert notes_of(result) == [NOTE.format(a=a, b=b)]
    assert problems_of(result) == []
    assert {x.speaker_role for x in result.assignments} == {RESPONDENT}
    assert {x.speaker for x in result.assignments} == {b}
    assert ("equity", "fairness") not in found(result)           # said only by the interviewer: not coded
    assert ("privacy", "Privacy") in found(result)
    assert result.turns == 6 and result.respondent_turns == 3
    assert result.respondent_words == RESPONDENT_WORDS
    assert result.speakers == [
        {"source_file": "t.txt", "label": a, "role": INTERVIEWER, "decided_by": "guessed", "turns": 3,
         "words": INTERVIEWER_WORDS},
        {"source_file": "t.txt", "label": b, "role": RESPONDENT, "decided_by": "guessed", "turns": 3,
         "words": RESPONDENT_WORDS}]


def test_a_chinese_interviewer_labelled_fayanren_is_guessed_and_not_coded(tmp_path):
    result = code_text(tmp_path, ZH_INTERVIEW, language="zh-Hans")
    assert notes_of(result)[0].startswith("发言人1 taken as the interviewer: 3 of 3 turns are questions, ")
    assert notes_of(result)[0].endswith("; 发言人2 as the respondent")
    assert {x.speaker_role for x in result.assignments} == {RESPONDENT}
    codes = found(result)
    assert ("privacy", "隐私") in codes and ("privacy", "数据") in codes
    assert not [c for c in codes if c[1] in ("公平", "平台")]      # the interviewer's words
    table = {row["label"]: row for row in result.speakers}
    assert (table["发言人1"]["role"], table["发言人2"]["role"]) == (INTERVIEWER, RESPONDENT)
    assert table["发言人2"]["words"] == result.respondent_words
    assert 0 < table["发言人1"]["words"] < table["发言人2"]["words"]


def test_with_include_interviewer_the_guessed_interviewers_mentions_are_theirs(tmp_path):
    result = code_text(tmp_path, INTERVIEW.format(a="Speaker 1", b="Speaker 2"), include_interviewer=True)
    mentions = {(x.speaker_role, x.matched_text) for x in result.assignments}
    assert (INTERVIEWER, "fairness") in mentions and (RESPONDENT, "Privacy") in mentions
    assert result.interviewer_words == INTERVIEWER_WORDS and result.respondent_words == RESPONDENT_WORDS


def test_weak_evidence_is_a_problem_and_every_turn_stays_the_respondents(tmp_path):
    result = code_text(tmp_path, BOTH_ASK)
    [problem] = problems_of(result)
    assert problem.file == "t.txt"
    assert problem.problem.startswith("the interviewer could not be told apart among the speaker labels "
                                      "Speaker 1 and Speaker 2 (Speaker 1: 3 of 3 turn(s) are questions")
    assert problem.problem.endswith(": every turn is coded as the respondent's")
    assert "speaker_labels" in problem.hint
    assert not [n for n in notes_of(result) if "taken as the interviewer" in n]
    assert ("equity", "fairness") in found(result)               # coded as before: Speaker 1 is a respondent
    assert result.respondent_turns == 6
    assert [(r["label"], r["role"], r["decided_by"]) for r in result.speakers] == [
        ("Speaker 1", RESPONDENT, "undecided"), ("Speaker 2", RESPONDENT, "undecided")]


def test_too_few_turns_is_weak_evidence(tmp_path):
    result = code_text(tmp_path, "Speaker 1: What about fairness?\nSpeaker 2: Privacy matters most to me.\n")
    assert len(problems_of(result)) == 1 and ("equity", "fairness") in found(result)


def test_two_questioners_and_one_answerer_pick_no_one(tmp_path):
    text = INTERVIEW.format(a="Anna", b="Bo") + "Cai: And what about you?\nBo: Fine.\nCai: Why?\nBo: Time.\n" \
                                                "Cai: Really?\n"
    result = code_text(tmp_path, text)
    assert len(problems_of(result)) == 1
    assert {r["decided_by"] for r in result.speakers} == {"undecided"}


def test_the_rosters_speaker_labels_still_win(tmp_path):
    result = code_text(tmp_path, INTERVIEW.format(a="Speaker 1", b="Speaker 2"), labels=("Speaker 1",))
    assert result.problems == []                 # no guess, no note: the roster said who the respondent is
    assert ("equity", "fairness") in found(result)
    assert [(r["label"], r["role"], r["decided_by"], r["turns"], r["words"]) for r in result.speakers] == [
        ("Speaker 1", RESPONDENT, "roster", 3, INTERVIEWER_WORDS),
        ("Speaker 2", INTERVIEWER, "roster", 3, RESPONDENT_WORDS)]


def test_known_labels_only_speaker_and_no_labels_in_the_speaker_table(tmp_path):
    known = code_text(tmp_path, "Interviewer: What is fairness to you?\nAnna: Fairness means equal treatment.\n"
                                "Interviewer: And privacy?\nAnna: Privacy is a right.\n", name="k.txt")
    # Interviewer: What is fairness to you (5) + And privacy (2) = 7; Anna: Fairness means equal treatment (4)
    # + Privacy is a right (4) = 8
    assert known.speakers == [
        {"source_file": "k.txt", "label": "Interviewer", "role": INTERVIEWER, "decided_by": "known label",
         "turns": 2, "words": 7},
        {"source_file": "k.txt", "label": "Anna", "role": RESPONDENT, "decided_by": "known label", "turns": 2,
         "words": 8}]
    assert known.problems == [] and known.respondent_words == 8 and known.interviewer_words == 0
    only = code_text(tmp_path, "Anna: Fairness matters. Privacy too.\nANNA: Yes.\n", name="o.txt")
    # Anna and ANNA are one label (case-insensitive), shown as first written: Fairness matters (2) Privacy too (2)
    # + Yes (1) = 5
    assert only.speakers == [{"source_file": "o.txt", "label": "Anna", "role": RESPONDENT,
                              "decided_by": "only speaker", "turns": 2, "words": 5}]
    assert only.problems == []
    bare = code_text(tmp_path, "Fairness matters to everyone here.\n", name="n.txt")
    # Fairness matters to everyone here (5)
    assert bare.speakers == [{"source_file": "n.txt", "label": "", "role": RESPONDENT, "decided_by": "no labels",
                              "turns": 1, "words": 5}]


def test_questions_are_told_by_their_end_or_their_last_sentences_first_word():
    for turn in ["What is it?", "对吗？", "你觉得公平吗", "你觉得公平吗。", "Right? (laughs)", "So... do you agree",
                 "OK. Why", "请问您的看法", "“Is it fair?”"]:
        assert is_question(turn), turn
    for turn in ["It is fair.", "I asked what it was. Nobody knew.", "好吧。", "How we got here is a long story!",
                 "", "When I was young, I lived there."]:
        assert not is_question(turn), turn


def test_the_speaker_table_and_the_guess_survive_the_segmentation_cache(tmp_path):
    from pipeline.coding.cache import environment_key

    path = write(tmp_path, "s.txt", INTERVIEW.format(a="S1", b="S2"))
    matcher = Matcher(load_codebook(write(tmp_path, "cb.yaml", SMALL_CODEBOOK)))
    settings = Settings(cache_dir=str(tmp_path / "cache"), cache_environment=environment_key(""))
    job = FileJob(path=str(path), source_file="s.txt", interviewee_id="s", stakeholder_groups="")
    first, second = code_file(job, settings, matcher), code_file(job, settings, matcher)
    assert (first.cached, second.cached) == (False, True)
    assert second.speakers == first.speakers and second.speakers[0]["decided_by"] == "guessed"
    assert [p.problem for p in second.problems] == [NOTE.format(a="S1", b="S2")]
    assert [(a.speaker_role, a.matched_text) for a in second.assignments] == \
        [(a.speaker_role, a.matched_text) for a in first.assignments]


def test_the_guess_needs_fewer_words_than_the_others():
    from pipeline.coding.speakers import Speaker

    asker = Speaker("A", RESPONDENT, turns=5, questions=5, words=500)
    answerer = Speaker("B", RESPONDENT, turns=5, questions=0, words=400)
    assert guess_interviewer([asker, answerer]).interviewer is None
    answerer.words = 501
    assert guess_interviewer([asker, answerer]).interviewer is asker


def test_a_run_prints_the_guess_and_leaves_the_interviewer_out(tmp_path):
    folder = tmp_path / "t"
    write(folder, "s.txt", INTERVIEW.format(a="Speaker 1", b="Speaker 2"))
    write(folder, "roster.csv", "interviewee_id,file,stakeholder_groups\ns,s.txt,G\n")
    result = qcode("run", folder, "--codebook", write(tmp_path, "cb.yaml", SMALL_CODEBOOK), "--out", tmp_path / "run",
                   "--no-cache", "-j", "1")
    assert result.exit_code == 0, result.output
    assert NOTE.format(a="Speaker 1", b="Speaker 2") in result.output
    with open(tmp_path / "run" / "assignments.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {r["speaker"] for r in rows} == {"Speaker 2"} and "fairness" not in {r["matched_text"]
                                                                                          for r in rows}


def test_speakers_of_groups_labels_case_insensitively(tmp_path):
    from pipeline.read.transcripts import read_transcript

    path = write(tmp_path, "x.txt", "Speaker 1: Why?\nSPEAKER 1: How?\nSpeaker 2: Because.\n")
    transcript = read_transcript(path, "x.txt")
    table = speakers_of(transcript, [1, 1, 1])
    assert [(s.label, s.turns, s.questions, s.words) for s in table] == [("Speaker 1", 2, 2, 2),
                                                                        ("Speaker 2", 1, 0, 1)]
