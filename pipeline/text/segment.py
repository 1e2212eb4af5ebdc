"""Normalized speech → words and coding units: jieba for Han runs, spaCy for everything else."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate

from pipeline.text.normalize import HAN
from pipeline.text.zh_words import cutter

HAN_RUN_RE = re.compile(f"[{HAN}]+")
_HAN_SPLIT_RE = re.compile(f"([{HAN}]+)")
_BEYOND_JIEBA_HAN = re.compile("[^\u4e00-\u9fd5\n]")     # outside jieba's Han blocks (and the newlines joining runs)
_HAS_WORD_CHAR = re.compile(r"[^\W_]")
_SENTENCE_END = re.compile(
    r"[。!?…]+[\"'”’」』)\]]*|\.+[\"'”’」』)\]]*(?=\s|$)|\n[ \t]*\n\s*")
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e", "eg", "ie", "no", "jr",
    "sr", "inc", "ltd", "co", "corp", "fig", "approx", "dept", "gov", "u.s", "u.k", "mt",
}


@dataclass
class Segmented:
    """One turn's normalized speech, cut into coding units and words.

    Latin-script words are kept as parallel columns (start, end, lowercase, lemma, unit): the
    matcher reads them as they are, and the segmentation cache loads them several times faster
    than one object per word.
    """

    text: str
    units: list[tuple[int, int]]
    bounds: bytearray                  # 1 where a word starts or ends
    word_starts: list[int] = field(default_factory=list)
    word_ends: list[int] = field(default_factory=list)
    word_lowers: list[str] = field(default_factory=list)
    word_lemmas: list[str] = field(default_factory=list)
    word_units: list[int] = field(default_factory=list)
    word_count: int = 0                # Han words + Latin words (punctuation excluded)


@cache
def english():
    """A blank English pipeline with spaCy's lookup lemmatizer (no model download)."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


@cache
def _lemma_table():
    return english().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")


_lemmas: dict[str, str] = {}


def lemma(lower: str) -> str:
    """Lookup lemma of a lowercased word (spaCy's English lookup table)."""
    found = _lemmas.get(lower)
    if found is None:
        found = _lemma_table().get(lower, lower)
        if len(_lemmas) < 500_000:
            _lemmas[lower] = found
    return found


def split_units(text: str, unit: str = "sentence") -> list[tuple[int, int]]:
    """Coding units of a turn: its sentences, or the whole turn."""
    spans = []
    if unit == "turn":
        spans = [(0, len(text))]
    else:
        start = 0
        for m in _SENTENCE_END.finditer(text):
            if m.group(0).startswith(".") and _is_abbreviation(text, m.start()):
                continue
            spans.append((start, m.end()))
            start = m.end()
        spans.append((start, len(text)))
    units = []
    for a, b in spans:
        left = text[a:b].lstrip()
        if left:                            # white space stripped: the unit's trailing space is its text's
            units.append((b - len(left), b - len(left) + len(left.rstrip())))
    return units


def _is_abbreviation(text: str, dot: int) -> bool:
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha() and text[start].isupper())


def segment(text: str, unit: str = "sentence", user_dict: str = "", segmenter: str = "jieba") -> Segmented:
    """Words and units of one turn's normalized speech (`segmenter`: jieba or rjieba, the same words).

    The Han runs are cut in one call, joined by newlines: jieba cuts each block of Han between them on its
    own and gives each newline as a word of its own, so the words are those of the runs cut one by one."""
    units = split_units(text, unit)
    bounds = bytearray(len(text) + 1)
    parts = _HAN_SPLIT_RE.split(text)               # between, run, between, …, between
    runs = parts[1::2]
    count = 0
    if runs:
        joined = "\n".join(runs)
        words = _cut_runs(joined, segmenter, user_dict)     # the dictionary loads only for text with Han
        count = len(words) - (len(runs) - 1)
        marks = bytearray(len(joined) + 1)          # word bounds in `joined`: each run's, and each newline's
        for pos in accumulate(map(len, words), initial=0):
            marks[pos] = 1
        pos = joined_pos = 0
        for between, run in zip(parts[::2], runs, strict=False):        # one more `between` than runs
            pos += len(between)
            end = len(run) + 1
            bounds[pos:pos + end] = marks[joined_pos:joined_pos + end]
            pos += len(run)
            joined_pos += end
    seg = Segmented(text=text, units=units, bounds=bounds)
    if runs:
        if _HAS_WORD_CHAR.search("".join(parts[::2])):
            parts[1::2] = [" " * len(run) for run in runs]
            _add_latin_between(seg, "".join(parts))
    elif _HAS_WORD_CHAR.search(text):
        _add_latin_words(seg, text)
    seg.word_count = count + len(seg.word_starts)
    return seg


def _cut_runs(joined: str, segmenter: str, user_dict: str) -> list[str]:
    """The words of newline-joined Han runs as `zh_words.cutter` cuts them. Runs of jieba's Han block only
    (`zh_words._JIEBA_BLOCK`) go to rjieba in one call, as the cutter would send each run: rjieba itself gives
    each newline between them as a word (tests/text/test_segment.py: the same words on the corpora)."""
    if segmenter == "rjieba" and not user_dict and not _BEYOND_JIEBA_HAN.search(joined):
        return _rjieba_cut()(joined, False)
    return list(cutter(segmenter, user_dict)(joined))


@cache
def _rjieba_cut():
    cutter("rjieba")                                # rjieba is installed (raises ImportError as the cutter does)
    from rjieba import cut

    return cut


def _add_latin_words(seg: Segmented, latin: str) -> None:
    """Latin-script words by spaCy's tokenizer of a turn without Han (or `latin`: a text with its Han blanked),
    and the bounds of every token."""
    _record_tokens(seg, ((0, _tokens(latin)),))


def _add_latin_between(seg: Segmented, latin: str) -> None:
    """Latin-script words of a turn with Han, from `latin` (its text with the Han blanked), stretch by stretch.

    spaCy cuts at white space and tokenizes each stretch alone; only its special cases (emoticons such as
    `:))`) can join tokens across one lone space. So `latin` is cut where no lone space joins two stretches (a
    Han run of two or more characters, a newline), and each piece is tokenized on its own and remembered: the
    pieces of Chinese speech (punctuation, "AI", a name) repeat, spaCy is asked once for each, and the tokens are
    those of the whole turn (tests/text/test_segment.py)."""
    memo = _PIECE_TOKENS

    def placed():
        for piece in _PIECE_RE.finditer(latin):
            text = piece.group()
            tokens = memo.get(text)
            if tokens is None:
                tokens = _tokens(text)
                if len(memo) < 200_000:
                    memo[text] = tokens
            yield piece.start(), tokens

    _record_tokens(seg, placed())


def _record_tokens(seg: Segmented, placed) -> None:
    """Each token's bounds, and its word where it is one: `placed` gives (offset, tokens from `_tokens`)."""
    bounds, units = seg.bounds, seg.units
    unit_index, last_unit = 0, len(units) - 1
    starts, ends, lowers, lemmas, word_units = seg.word_starts, seg.word_ends, seg.word_lowers, seg.word_lemmas, \
        seg.word_units
    for pos, tokens in placed:
        for a, b, lower, lemma_ in tokens:
            start, end = pos + a, pos + b
            bounds[start] = 1
            bounds[end] = 1
            if not lower:
                continue                            # punctuation
            while unit_index < last_unit and start >= units[unit_index][1]:
                unit_index += 1
            starts.append(start)
            ends.append(end)
            lowers.append(lower)
            lemmas.append(lemma_)
            word_units.append(unit_index)


_PIECE_RE = re.compile(r"\S+(?: \S+)*")       # stretches joined by lone spaces (re's \s is str.isspace, as spaCy's)
_PIECE_TOKENS: dict[str, list[tuple[int, int, str, str | None]]] = {}


def _tokens(text: str) -> list[tuple[int, int, str, str | None]]:
    """(start, end, lowercase, lemma) of each token of `text` but white space (lowercase "" for punctuation), read
    from spaCy's token ids (no Token objects)."""
    from spacy.attrs import IDX, ORTH

    doc = english().tokenizer(text)
    vocab = doc.vocab
    infos = _TOKEN_INFO
    tokens = []
    for orth, idx in doc.to_array([ORTH, IDX]).tolist():
        length, lower, lemma_ = infos.get(orth) or _token_info(orth, vocab)
        if lower is not None:
            tokens.append((idx, idx + length, lower, lemma_))
    return tokens


_TOKEN_INFO: dict[int, tuple[int, str | None, str | None]] = {}


def _token_info(orth: int, vocab) -> tuple[int, str | None, str | None]:
    """(length, lowercase, lemma) of a token's text: lowercase None for white space, "" for punctuation."""
    lexeme = vocab[orth]
    token_text = lexeme.orth_
    if lexeme.is_space:
        info = (len(token_text), None, None)
    elif lexeme.is_punct or not _HAS_WORD_CHAR.search(token_text):
        info = (len(token_text), "", None)
    else:
        info = (len(token_text), lexeme.lower_, lemma(lexeme.lower_))
    if len(_TOKEN_INFO) < 500_000:
        _TOKEN_INFO[orth] = info
    return info


_term_words: dict[str, tuple[str, ...]] = {}       # a term's text → its words, as english_words found them


def english_words(term: str) -> list[str]:
    """The lowercase words of an English term as the tokenizer splits them (punctuation dropped)."""
    found = _term_words.get(term)
    if found is None:
        found = tuple(t.lower_ for t in english().tokenizer(term)
                      if not t.is_space and not t.is_punct and _HAS_WORD_CHAR.search(t.text))
        if len(_term_words) < 100_000:
            _term_words[term] = found
    return list(found)


def term_forms() -> dict:
    """The words of every term compiled so far and their lemmas: what `remember_term_forms` takes back (the
    cache keeps them, so that a re-run compiles its codebook without loading spaCy)."""
    lemmas = {w: _lemmas[w] for words in _term_words.values() for w in words if w in _lemmas}
    return {"words": dict(_term_words), "lemmas": lemmas}


def remember_term_forms(forms: dict) -> None:
    """Words and lemmas found before (`term_forms` of an earlier run with the same spaCy and lookups data)."""
    _term_words.update({term: tuple(words) for term, words in forms.get("words", {}).items()})
    _lemmas.update(forms.get("lemmas", {}))
