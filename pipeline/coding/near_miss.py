"""Segmented speech × codebook terms → near misses (where a term's letters are but its match is not) and the
words of each coding unit that may be candidate terms (`qcode check --corpus`).

The rules, on the text the matcher reads (normalized: OpenCC-simplified, NFKC):

- A Chinese term's characters found where the matcher does not count them (they neither make whole words nor
  lie inside one word) are a near miss. If the term starts or ends on a word boundary, the segmenter cut the
  term apart (残疾人 in 残疾|人士): the words covering it (残疾人士) are the term to add. If it starts and ends
  inside words, it straddles two words (公平 in 办公|平台): counted, nothing to add.
- An English word is another form of a term's word when it is not matched by it, is all letters, shares a
  prefix of at least MIN_STEM letters with the term's word, and that word has at most MAX_SUFFIX letters (or a
  noun suffix such as -ness) beyond the shared prefix (accessibility for accessible, inclusion for inclusive;
  not include for inclusive). The term's words in a row, some matched and at least one another form, are a
  near miss; the suggestion writes each other form as `prefix*` when the shared prefix has WILDCARD_STEM
  letters or more (accessib*), else as it is (equal for equality), and the matched words as the text has them.
  A `word*` term's forms shorter than its stem are left out (`accountab*` leaves out account on purpose).
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from functools import cache

from pipeline.models import WordPattern
from pipeline.text.segment import HAN_RUN_RE, Segmented

SPLIT, STRADDLES, OTHER_FORM = "split", "straddles", "other form"
MIN_STEM = 5
MAX_SUFFIX = 3
NOUN_SUFFIXES = frozenset({"ness", "ment", "ship"})
WILDCARD_STEM = 7

# Chinese words left out of the candidates: pronouns, demonstratives, conjunctions, particles, modal and
# cognitive verbs, degree adverbs and numerals — words of any talk, never a code's mark. Single characters are
# left out anyway (mostly function words and fragments the segmenter leaves: 的, 是, 在, 了).
ZH_STOP_WORDS = frozenset("""
我们 你们 他们 她们 它们 咱们 自己 大家 别人 人家 这个 那个 这些 那些 这样 那样 这种 那种 这里 那里 这边 那边
这么 那么 这是 那是 什么 怎么 怎么样 为什么 如何 哪里 哪些 因为 所以 但是 可是 而且 或者 还是 如果 虽然 然后 然而
不过 因此 于是 并且 以及 而是 就是 也是 不是 还有 已经 可以 可能 应该 需要 没有 有没有 是不是 一个 一些 一样 一定
一直 一下 一起 一般 时候 现在 其实 当然 所谓 的话 对于 关于 通过 之后 之前 以后 以前 之间 其中 其他 另外 或是 比较
非常 真的 觉得 认为 知道 希望 所以说 就是说 有点 一点 有些 很多 许多 每个 任何 所有 整个 这件 那件 事情 东西 部分
我觉得 我想 的是 来说 来讲 起来 出来 进去 下来 上去 这次 那次 今天 刚才 还是 比如 比如说 例如 也许 或许 当时 之类
等等 不会 不能 不要 能够 会有 就会 都是 还要 只是 只要 只有 而已 甚至 包括 以上 以下 方面 情况 问题 意思 地方 时间
里面 外面 上面 下面 前面 后面 刚刚 本来 原来 好比 比方 比方说 譬如 譬如说 变成 开始 看到 看看 说到 讲到 提到 感觉
事实上 基本上 的确 确实 结果 同时 后来 最后 首先 其次 目前 各种 各位 各个 这样子 那时候 某种 一种 几个 每一个 一次
也就是 也就是说 就算 即使 尤其 特别 主要 真正 之所以 毕竟 不同 所以 其实 可能 有的 有人 那个时候 这时候 一方面
""".split())
_NUMERALS = re.compile("^[〇零一二三四五六七八九十百千万亿两几第半多]+$")
_LATIN_WORD = re.compile(r"^[^\W\d_]+$")


def other_form(pattern: WordPattern, lower: str) -> str | None:
    """The term word to suggest if `lower` is another form of the term's word `pattern`, else None."""
    value = pattern.value
    if not _LATIN_WORD.match(lower) or lower[:MIN_STEM] != value[:MIN_STEM]:
        return None
    common = os.path.commonprefix([value, lower])
    if pattern.kind == "prefix" and common == lower:
        return None                      # `accountab*` leaves out `account` on purpose
    if len(value) - len(common) > MAX_SUFFIX and value[len(common):] not in NOUN_SUFFIXES:
        return None
    return common + "*" if len(common) >= WILDCARD_STEM else lower


def chinese_misses(seg: Segmented, by_first: dict[str, list[str]], scan: re.Pattern | None) -> list[tuple]:
    """(term zh, kind, found, suggestion, start, end) for every place a Chinese term's characters are not
    matched; `by_first` maps a first character to the terms (simplified) starting with it."""
    misses: list[tuple] = []
    if scan is None:
        return misses
    text, bounds = seg.text, seg.bounds
    for m in scan.finditer(text):
        pos = m.start()
        for zh in by_first[text[pos]]:
            end = pos + len(zh)
            if not text.startswith(zh, pos):
                continue
            if (bounds[pos] and bounds[end]) or bounds.find(1, pos + 1, end) == -1:
                continue                      # whole words, or inside one word: the matcher counts it
            left = max(bounds.rfind(1, 0, pos + 1), 0)
            right = bounds.find(1, end)
            right = len(text) if right == -1 else right
            cuts = [i for i in range(left, right + 1) if bounds[i]]
            found = "|".join(text[a:b] for a, b in zip(cuts, cuts[1:], strict=False))
            if bounds[pos] or bounds[end]:
                misses.append((zh, SPLIT, found, text[left:right], pos, end))
            else:
                misses.append((zh, STRADDLES, found, "", pos, end))
    return misses


def english_index(terms: dict[tuple, tuple[WordPattern, ...]]) -> dict[str, list[tuple]]:
    """First MIN_STEM letters of a term's word → (term key, the word's place, the term's words)."""
    index: dict[str, list[tuple]] = {}
    for key, words in terms.items():
        for place, pattern in enumerate(words):
            if len(pattern.value) >= MIN_STEM and pattern.value[:MIN_STEM].isalpha():
                index.setdefault(pattern.value[:MIN_STEM], []).append((key, place, words))
    return index


def english_misses(seg: Segmented, index: dict[str, list[tuple]]) -> list[tuple]:
    """(term key, kind, found, suggestion, start, end) for every run of words that is an English term with
    at least one of its words in another form."""
    misses: list[tuple] = []
    lowers, lemmas, units = seg.word_lowers, seg.word_lemmas, seg.word_units
    seen: set = set()
    for i, lower in enumerate(lowers):
        for key, place, words in index.get(lower[:MIN_STEM], ()):
            start, last = i - place, i - place + len(words) - 1
            if start < 0 or last >= len(lowers) or units[start] != units[last] or (key, start) in seen:
                continue
            pieces, other = [], False
            for k, pattern in enumerate(words):
                at = start + k
                if pattern.matches(lowers[at], lemmas[at]):
                    pieces.append(lowers[at] if pattern.kind == "lemma" else pattern.written())
                    continue
                form = other_form(pattern, lowers[at])
                if form is None:
                    break
                pieces.append(form)
                other = True
            else:
                if other:
                    seen.add((key, start))
                    misses.append((key, OTHER_FORM, " ".join(lowers[start:last + 1]), " ".join(pieces),
                                   seg.word_starts[start], seg.word_ends[last]))
    return misses


def unit_words(seg: Segmented) -> list[list[tuple[str, int, int]]]:
    """Each coding unit's words (start, end in the turn): jieba's Chinese words and English lookup lemmas."""
    found: list[list[tuple[str, int, int]]] = [[] for _ in seg.units]
    if not found:
        return found
    starts = [u[0] for u in seg.units]
    text, bounds = seg.text, seg.bounds
    for run in HAN_RUN_RE.finditer(text):
        unit = max(bisect_right(starts, run.start()) - 1, 0)
        pos = run.start()
        while pos < run.end():
            nxt = bounds.find(1, pos + 1, run.end() + 1)
            nxt = run.end() if nxt == -1 else nxt
            found[unit].append((text[pos:nxt], pos, nxt))
            pos = nxt
    for start, end, lemma, unit in zip(seg.word_starts, seg.word_ends, seg.word_lemmas, seg.word_units,
                                       strict=True):
        found[unit].append((lemma, start, end))
    return found


@cache
def english_stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def worth_counting(word: str) -> bool:
    """A word that may be a term: no stop word, punctuation, number or single character."""
    if len(word) < 2:
        return False
    if HAN_RUN_RE.fullmatch(word):
        return word not in ZH_STOP_WORDS and not _NUMERALS.match(word)
    return bool(_LATIN_WORD.match(word)) and word not in english_stop_words()
