"""Choosing quotes: rounds over interviewees taken from each group in turn, a cap, passages in transcript order."""

import pandas as pd

from pipeline.runfolder.quotes import choose, passages_of, speaking_order


def roster(*rows):
    return pd.DataFrame(rows, columns=["interviewee_id", "stakeholder_groups"])


def assignments(*rows):
    """(interviewee, file, char_start, segment, matched, role) → assignments.csv rows of the code `c`."""
    return pd.DataFrame([{"interviewee_id": i, "source_file": f, "line": 1, "char_start": s, "char_end": s + 1,
                          "segment_text": seg, "matched_text": m, "speaker_role": role, "code": "c"}
                         for i, f, s, seg, m, role in rows])


def test_groups_are_taken_in_turn_in_roster_order():
    people = roster(("1", "A"), ("2", "A"), ("3", "A"), ("4", "B"), ("5", "A; B"), ("6", "C"))
    # A: 1 2 3 5 · B: 4 5 · C: 6 → round 1: 1 4 6, round 2: 2 5, round 3: 3
    assert speaking_order(people) == ["1", "4", "6", "2", "5", "3"]


def test_everyone_is_quoted_once_before_anyone_twice_and_the_cap_holds():
    per_person = {"1": ["1a", "1b", "1c"], "4": ["4a"], "2": ["2a", "2b"]}
    assert choose(per_person, ["1", "4", "2"], 4) == ["1a", "4a", "2a", "1b"]
    assert choose(per_person, ["1", "4", "2"], 10) == ["1a", "4a", "2a", "1b", "2b", "1c"]


def test_people_the_roster_does_not_list_come_last():
    assert choose({"x": ["xa"], "1": ["1a"]}, ["1"], 5) == ["1a", "xa"]


def test_mentions_in_one_passage_are_one_quote_and_interviewers_are_never_quoted():
    rows = assignments(("1", "a.txt", 30, "Then privacy.", "privacy", "respondent"),
                       ("1", "a.txt", 5, "Privacy and more privacy.", "Privacy", "respondent"),
                       ("1", "a.txt", 22, "Privacy and more privacy.", "privacy", "respondent"),
                       ("1", "a.txt", 50, "What about privacy?", "privacy", "interviewer"))
    passages = passages_of(rows, "c")["1"]
    assert [p.text for p in passages] == ["Privacy and more privacy.", "Then privacy."]     # transcript order
    assert passages[0].matched == ["Privacy", "privacy"]
