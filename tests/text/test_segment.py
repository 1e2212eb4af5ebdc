"""Segmentation: the Latin words read from spaCy's token ids are the words its Token objects give."""

import random
import re

import pytest
from conftest import CORPORA, SAMPLE, needs_shared

from pipeline.text.normalize import normalize_text
from pipeline.text.segment import HAN_RUN_RE, english, lemma, segment
from pipeline.text.zh_words import cutter

_HAS_WORD_CHAR = re.compile(r"[^\W_]")


def words_by_tokens(text: str) -> tuple[list, bytes, int]:
    """Words, bounds and word count the way segment() read them before: one jieba word, one spaCy Token at a time."""
    bounds = bytearray(len(text) + 1)
    count = 0
    for run in HAN_RUN_RE.finditer(text):
        pos = run.start()
        for word in cutter("rjieba")(run.group()):
            bounds[pos] = 1
            pos += len(word)
            count += 1
        bounds[pos] = 1
    words = []
    if _HAS_WORD_CHAR.search(HAN_RUN_RE.sub("", text) if count else text):
        for token in english().tokenizer(HAN_RUN_RE.sub(lambda m: " " * len(m.group()), text)):
            if token.is_space:
                continue
            start, end = token.idx, token.idx + len(token.text)
            bounds[start] = bounds[end] = 1
            if token.is_punct or not _HAS_WORD_CHAR.search(token.text):
                continue
            words.append((start, end, token.lower_, lemma(token.lower_)))
    return words, bytes(bounds), count + len(words)


def assert_same_words(text: str) -> int:
    seg = segment(text, segmenter="rjieba")
    words, bounds, count = words_by_tokens(text)
    assert list(zip(seg.word_starts, seg.word_ends, seg.word_lowers, seg.word_lemmas, strict=True)) == words
    assert bytes(seg.bounds) == bounds
    assert seg.word_count == count
    return len(words)


@pytest.mark.parametrize("text", [
    "《星舰奇航记》(Star Trek):我拍照时常比这个手势",     # "):" is one token only when spaces follow
    "Privacy-preserving tech-for-good, e.g. U.S. data :) and 数据 AI伦理 GDPR.",
    "  leading spaces\n\nand a blank line\t tab",
    "数据正义",
    "",
])
def test_words_from_token_ids_are_the_words_of_token_objects(text):
    assert_same_words(text)


def test_words_in_the_sample_are_the_same():
    for path in sorted(SAMPLE.glob("*.*")):
        if path.suffix in (".txt", ".md", ".vtt"):
            assert_same_words(normalize_text(path.read_text(encoding="utf-8"), "t2s").text)


@needs_shared
def test_words_of_a_sample_of_real_english_and_chinese_files_are_the_same():
    # every 8th file whole (a few seconds); the coding test in tests/coding covers the counts end to end
    files = sorted((CORPORA / "en-interviews").rglob("*.md"))[::8]
    files += sorted((CORPORA / "zh-interviews").rglob("*.md"))[::8]
    words = sum(assert_same_words(normalize_text(p.read_text(encoding="utf-8"), "tw2sp", "fast").text) for p in files)
    assert words > 100_000


@pytest.mark.parametrize("text", [
    "公X)平(台😀X:)台).’s台台Y,-1Mr.台平a",     # ":)" then ")" one Han character later: spaCy joins across the blank
    "的:)的)数据:))据",
    "数 :) 据\n:)的)",
    "AI的data和GDPR，还有g0v的vTaiwan。",
])
def test_pieces_between_han_runs_give_the_tokens_of_the_whole_turn(text):
    """Chinese speech is tokenized piece by piece between Han runs (and remembered): the same tokens, bounds and
    words as spaCy gives the whole turn, also where its special cases reach across a one-character Han run."""
    assert_same_words(text)


def test_pieces_of_random_text_built_from_spacys_special_cases_give_the_whole_turns_tokens():
    rng = random.Random(20)
    keys = sorted(k for k in english().tokenizer.rules if not k.isspace())
    alphabet = sorted({c for k in keys for c in k}) + list("数据的") * 8 + [" "] * 12 + ["  ", "\n", "\u3000"]
    for _ in range(3000):
        text = "".join(rng.choice(keys) if rng.random() < 0.4 else rng.choice(alphabet)
                       for _ in range(rng.randint(1, 12)))
        assert_same_words(text)


@needs_shared
def test_every_chinese_turn_with_latin_letters_in_real_files_gives_the_whole_turns_tokens():
    from pipeline.read.transcripts import read_transcript
    from pipeline.read.turns import turn_text

    turns = 0
    for path in sorted((CORPORA / "zh-interviews").rglob("*.md"))[::4]:
        transcript = read_transcript(path, path.name, "zh-Hant-TW", ())
        for turn in transcript.turns:
            speech = normalize_text(turn_text(transcript.text, turn.pieces)[0], "tw2sp", "fast").text
            if HAN_RUN_RE.search(speech) and _HAS_WORD_CHAR.search(HAN_RUN_RE.sub("", speech)):
                assert_same_words(speech)
                turns += 1
    assert turns > 1000
