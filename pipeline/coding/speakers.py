"""Who speaks in a file: the per-label table, and the interviewer told from the turns where no label says so.

Where a file has two or more labels, none of them a known interviewer label, and the roster names
no `speaker_labels` (`Speaker 1`/`Speaker 2`, `S1`/`S2`, `A`/`B`, `发言人1`/`发言人2`, plain names),
the interviewer is taken from the turns, only on strong evidence: exactly one label has at least
MIN_TURNS turns of which at least QUESTION_SHARE are questions; the other labels' turns, together
and each label with at least MIN_TURNS turns, are at most OTHER_QUESTION_SHARE questions; that label
asks at least ASKS_SHARE of the file's questions; and it says fewer words than the others together.
Its turns become interviewer turns and a note says so. Otherwise a problem says the interviewer
could not be told apart, and every turn stays the respondent's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.errors import Problem, note
from pipeline.models import INTERVIEWER, Transcript
from pipeline.read.transcripts import BY_GUESS
from pipeline.read.turns import label_key

MIN_TURNS = 3                 # the interviewer speaks at least this many turns; a label with fewer is not weighed alone
QUESTION_SHARE = 0.6          # of the interviewer's turns, at least this share are questions
OTHER_QUESTION_SHARE = 0.2    # of the other labels' turns (together, and each with MIN_TURNS), at most this share
ASKS_SHARE = 2 / 3            # the interviewer asks at least this share of the file's questions

UNDECIDED = "undecided"       # no known label and the evidence too weak to guess: every turn the respondent's
SPEAKER_COLUMNS = ["source_file", "label", "role", "decided_by", "turns", "words"]

_CLOSERS = "\"'”’」』)）]】》>*_ \t\r\n"
_ASIDE_END = re.compile(r"\s*[(（\[【][^()（）\[\]【】\n]{0,40}[)）\]】]\s*$")     # (laughs), [crosstalk], （笑）
_QUESTION_END = re.compile(r"(?:[?？]|[吗嗎][。.]?)$")
_SENTENCE_END = re.compile(r"[.!?。！？…]+[\"'”’」』)）\]】]*\s*")
_EN_QUESTION_START = re.compile(
    r"^(?:what|why|how|which|who|whom|whose|where|"
    r"(?:do|does|did|can|could|would|will|should|is|are|was|were|have|has|may|shall)\s+"
    r"(?:you|it|there|they|we|he|she|this|that|i|your|the|any|anyone|anything|someone|somebody))\b", re.I)
_ZH_QUESTION_START = re.compile(
    r"^(?:请问|請問|为什么|為什麼|为何|為何|怎么样|怎麼樣|是不是|有没有|有沒有|能不能|可不可以|会不会|會不會|是否|能否)")


def is_question(speech: str) -> bool:
    """A turn is a question when it ends in `?`/`？` or `吗`/`嗎`, or its last sentence opens with a question word
    (what, why, how, do you, can you …; 请问, 为什么, 是不是, 有没有 …) and does not end in `!`."""
    tail = speech[-2000:]
    for _ in range(3):
        tail = _ASIDE_END.sub("", tail)
    tail = tail.rstrip(_CLOSERS)
    if not tail:
        return False
    if _QUESTION_END.search(tail):
        return True
    if tail.endswith(("!", "！")):
        return False
    last = _SENTENCE_END.split(tail)
    sentence = next((s for s in reversed(last) if s.strip()), "").strip().lstrip(_CLOSERS + "-—–…")
    return bool(_EN_QUESTION_START.match(sentence) or _ZH_QUESTION_START.match(sentence))


@dataclass
class Speaker:
    """One label of a file: its turns, how many are questions, its words."""

    label: str
    role: str
    turns: int = 0
    questions: int = 0
    words: int = 0


def speakers_of(transcript: Transcript, words_of_turn: list[int]) -> list[Speaker]:
    """Every label in order of its first turn (labels that differ only in case or script are one)."""
    found: dict[str, Speaker] = {}
    for turn, words in zip(transcript.turns, words_of_turn, strict=True):
        speaker = found.setdefault(label_key(turn.speaker), Speaker(turn.speaker, turn.role))
        speaker.turns += 1
        speaker.words += words
        speech = "\n".join(transcript.text[a:b] for a, b in turn.pieces[-20:])
        speaker.questions += is_question(speech)
    return list(found.values())


@dataclass
class Guess:
    interviewer: Speaker | None      # None: the evidence is weak
    message: str


def guess_interviewer(speakers: list[Speaker]) -> Guess:
    """The interviewer among labels that do not say who they are, on strong evidence only (see the module)."""
    total_words = sum(s.words for s in speakers)
    evidence = "; ".join(f"{s.label}: {s.questions} of {s.turns} turn(s) are questions, "
                         f"{_share(s.words, total_words)} of the words" for s in speakers)
    candidates = [s for s in speakers if s.turns >= MIN_TURNS and s.questions >= QUESTION_SHARE * s.turns]
    if len(candidates) != 1:
        return Guess(None, evidence)
    chosen = candidates[0]
    others = [s for s in speakers if s is not chosen]
    other_turns = sum(s.turns for s in others)
    other_questions = sum(s.questions for s in others)
    strong = (other_questions <= OTHER_QUESTION_SHARE * other_turns
              and all(s.questions <= OTHER_QUESTION_SHARE * s.turns for s in others if s.turns >= MIN_TURNS)
              and chosen.questions >= ASKS_SHARE * (chosen.questions + other_questions)
              and chosen.words < sum(s.words for s in others))
    if not strong:
        return Guess(None, evidence)
    return Guess(chosen, f"{chosen.label} taken as the interviewer: {chosen.questions} of {chosen.turns} turns are "
                         f"questions, {_share(chosen.words, total_words)} of the words; "
                         f"{_names([s.label for s in others])} as the respondent")


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def _names(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def decide_roles(transcript: Transcript, words_of_turn: list[int]) -> tuple[list[Speaker], str, Problem | None]:
    """(speakers, decided_by, the note or problem to add): turns of a guessed interviewer are set to
    INTERVIEWER in `transcript.turns`; a file whose roles the reader decided is left as it is."""
    speakers = speakers_of(transcript, words_of_turn)
    decided_by = transcript.decided_by
    if decided_by:
        return speakers, decided_by, None
    guess = guess_interviewer(speakers)
    source_file = transcript.source_file
    hint = "name the respondent's own labels in the roster's `speaker_labels` column (then every other label is " \
           "an interviewer)"
    if guess.interviewer is None:
        return speakers, UNDECIDED, Problem(
            source_file, f"the interviewer could not be told apart among the speaker labels "
                         f"{_names([s.label for s in speakers])} ({guess.message}): every turn is coded as the "
                         f"respondent's", hint=hint)
    key = label_key(guess.interviewer.label)
    for turn in transcript.turns:
        if label_key(turn.speaker) == key:
            turn.role = INTERVIEWER
    guess.interviewer.role = INTERVIEWER
    return speakers, BY_GUESS, note(source_file, guess.message, hint="if this is wrong, " + hint)


def speaker_rows(source_file: str, speakers: list[Speaker], decided_by: str) -> list[dict]:
    """The speaker table of one file: one row per label (one row with an empty label for an unlabelled file)."""
    return [{"source_file": source_file, "label": s.label, "role": s.role, "decided_by": decided_by,
             "turns": s.turns, "words": s.words} for s in speakers]

