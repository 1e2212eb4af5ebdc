"""Segmentation: the Latin words read from spaCy's token ids are the words its Token objects give."""

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
