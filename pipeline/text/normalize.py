"""Text → matching text: HTML entities, NFKC and OpenCC, each with a map back to the original."""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache

from pipeline.text.offsets import MapBuilder, MapChain, OffsetMap, rewrite

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U00030000-\U0003134f"
HAN_RE = re.compile(f"[{HAN}]")
LATIN_WORD_RE = re.compile(r"[A-Za-z\u00c0-\u024f]+")

PROFILES = ("t2s", "tw2sp", "hk2s")
# Same-length folds after NFKC: hyphen variants split words as "-" does (privacy‑preserving).
_FOLD = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-",
                       "\u2018": "'", "\u2019": "'"})
_FOLDED_RE = re.compile("[" + "".join(chr(c) for c in _FOLD) + "]")     # a text holding none is left as is
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


@dataclass
class Normalized:
    """The text matching runs on, and how to get back to the text it came from."""

    text: str
    chain: MapChain

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.chain.span(start, end)


def fold_name(text: str) -> str:
    """Case-, width- and white-space-insensitive form of a name (NFKC, casefold, spaces folded)."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def unescape_entities(text: str) -> tuple[str, OffsetMap]:
    """Decode `&quot;`, `&#39;`, … keeping a map to the escaped text."""
    if "&" not in text:
        return text, OffsetMap()
    return rewrite(text, _ENTITY_RE, lambda m: html.unescape(m.group(0)))


NFKC_PLANES_END = 0x30000     # no character from here on resizes or is a mark (tests/text/test_normalize.py)


@cache
def _nfkc_patterns() -> tuple[re.Pattern, frozenset[str], list]:
    """Characters NFKC turns into more or fewer characters, and clusters of combining marks; the set of the
    characters of either kind (`isdisjoint`: a quick test that a text has none, 5× a regex search); and a
    `str.translate` table of the Basic Multilingual Plane giving each character NFKC turns into one other
    its NFKC (full-width ， → ,)."""
    resizing, marks = [], []
    one_for_one = list(range(0x10000))          # beyond it: IndexError, which translate reads as "unchanged"
    for cp in range(NFKC_PLANES_END):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        if unicodedata.combining(ch) or 0x1161 <= cp <= 0x11C2:
            marks.append(ch)
            continue
        folded = unicodedata.normalize("NFKC", ch)
        if len(folded) != 1:
            resizing.append(ch)
        elif folded != ch and cp < 0x10000:
            one_for_one[cp] = folded

    def char_class(chars):
        return "[" + "".join(re.escape(c) for c in chars) + "]"

    return re.compile(f"(?s:.)?{char_class(marks)}+|{char_class(resizing)}"), frozenset(marks + resizing), \
        one_for_one


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, 3× faster on Chinese: the characters NFKC turns into one other are
    turned first by `str.translate`, after which the library's quick check mostly finds nothing left to do. The
    same result, always: NFKD(NFKC(c)) = NFKD(c) for every character, and the NFKD of a text is the canonical
    order of its characters' decompositions, so turning a character into its NFKC changes neither the text's
    NFKD nor so its NFKC (tests/text/test_normalize.py: every code point, and texts of marks and jamo)."""
    return unicodedata.normalize("NFKC", text.translate(_nfkc_patterns()[2]))


def fold_nfkc(text: str) -> tuple[str, OffsetMap]:
    """NFKC (full-width letters → ASCII, ，→ , …) with a map back.

    Only the characters NFKC resizes (ﬁ → fi, ㈱ → (株), composed marks) need a map; the
    rest change one for one, so the NFKC of the partly rewritten text keeps its length.
    """
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text, OffsetMap()
    clusters, kinds, _ = _nfkc_patterns()
    whole = nfkc(text)
    resized, offsets = text, OffsetMap()
    if not kinds.isdisjoint(text):            # the cluster pattern tries every position: only where it can match
        resized, offsets = rewrite(text, clusters, lambda m: unicodedata.normalize("NFKC", m.group(0)))
    out = whole if resized is text else nfkc(resized)
    if out == whole and len(out) == len(resized):
        return out, offsets
    # A composition the cluster rewrite did not foresee: fall back to whole lines.
    builder = MapBuilder()
    for line in text.splitlines(keepends=True):
        builder.replace(len(line), unicodedata.normalize("NFKC", line))
    return builder.build()


@cache
def converter(profile: str):
    from opencc import OpenCC

    if profile not in PROFILES + ("s2tw",):
        raise ValueError(f"unknown OpenCC profile {profile!r}")
    return OpenCC(profile)


def aligned_convert(chunk: str, cc) -> list[tuple[str, int, int]] | None:
    """Convert `chunk` the way OpenCC does, keeping for every output piece its input span.

    OpenCC applies groups of dictionaries in turn, each over the whole text the previous
    group made; inside a group the longest entry found anywhere in a piece is replaced
    first and the pieces left and right of it are searched again. Returns None when the
    library's dictionaries are not where this expects them.
    """
    chain = getattr(cc, "_dict_chain_data", None)
    if not chain:
        return None
    text = chunk
    spans = [(i, i + 1) for i in range(len(chunk))]     # per character: span in `chunk`
    for group in chain:
        pieces = _convert_group(text, group)
        new_spans = []
        for value, start, end in pieces:
            if len(value) == end - start:
                new_spans.extend(spans[start:end])
            else:
                merged = (spans[start][0], spans[end - 1][1])
                new_spans.extend([merged] * len(value))
        text = "".join(p[0] for p in pieces)
        spans = new_spans
    return group_spans(text, spans)


def _convert_group(text: str, group) -> list[tuple[str, int, int]]:
    done: list[tuple[str, int, int]] = []
    work = [(text, 0, len(text))] if text else []
    for max_len, min_len, table in group:
        left_over = []
        while work:
            piece, start, end = work.pop()
            hit = _longest_entry(piece, max_len, min_len, table)
            if hit is None:
                left_over.append((piece, start, end))
                continue
            i, length, key = hit
            done.append((table[key].split(" ")[0], start + i, start + i + length))
            if i:
                work.append((piece[:i], start, start + i))
            if i + length < len(piece):
                work.append((piece[i + length:], start + i + length, end))
        work = left_over
    return sorted(done + work, key=lambda p: p[1])


def group_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Consecutive output characters whose input spans overlap form one piece."""
    pieces: list[tuple[str, int, int]] = []
    i = 0
    while i < len(text):
        start, end = spans[i]
        j = i + 1
        while j < len(text) and spans[j][0] < end:
            end = max(end, spans[j][1])
            j += 1
        if pieces:
            start = pieces[-1][2]
        pieces.append((text[i:j], start, end))
        i = j
    return pieces


def _longest_entry(text: str, max_len: int, min_len: int, table: dict):
    length = min(len(text), max_len)
    while length >= min_len:
        for i in range(len(text) - length + 1):
            key = text[i:i + length]
            if key in table:
                return i, length, key
        length -= 1
    return None


def _emit_aligned(builder: MapBuilder, chunk: str, converted: str, cc) -> None:
    pieces = aligned_convert(chunk, cc)
    if pieces is None or "".join(p[0] for p in pieces) != converted or not _contiguous(pieces, chunk):
        builder.replace(len(chunk), converted)
        return
    for text, start, end in pieces:
        builder.replace(end - start, text)


def _contiguous(pieces, chunk) -> bool:
    pos = 0
    for _, start, end in pieces:
        if start != pos:
            return False
        pos = end
    return pos == len(chunk)


def convert_chinese(text: str, profile: str, method: str = "opencc") -> tuple[str, OffsetMap]:
    """Traditional → simplified by an OpenCC profile, touching only runs with Han characters.

    `method` "opencc" converts with opencc-python-reimplemented itself, "fast" with fast_convert (the same
    text and map; the reference where fast_convert cannot promise that for the profile)."""
    if not HAN_RE.search(text):
        return text, OffsetMap()
    if method == "fast":
        from pipeline.text.fast_convert import convert_fast

        found = convert_fast(text, profile)
        if found is not None:
            return found
    return convert_with(text, converter(profile))


def convert_with(text: str, cc) -> tuple[str, OffsetMap]:
    """`convert_chinese` by a given opencc-python-reimplemented converter (the reference)."""
    if not HAN_RE.search(text):
        return text, OffsetMap()
    builder = MapBuilder()
    parts = cc.split_chars_re.split(text)
    for index, part in enumerate(parts):
        if index % 2 or not part or not HAN_RE.search(part):
            builder.copy(part)
            continue
        converted = cc.convert(part)
        if len(converted) == len(part):
            builder.replace(len(part), converted)
        else:
            _emit_aligned(builder, part, converted, cc)
    return builder.build()


def normalize_text(text: str, profile: str = "t2s", method: str = "opencc") -> Normalized:
    """Original text → the text terms are matched in (entities decoded, NFKC, simplified by `method`:
    opencc or fast, the same text)."""
    step1, map1 = unescape_entities(text)
    step2, map2 = fold_nfkc(step1)
    if _FOLDED_RE.search(step2):          # translate by a dict looks up every character: 15× the search
        step2 = step2.translate(_FOLD)
    step3, map3 = convert_chinese(step2, profile, method)
    return Normalized(step3, MapChain([map1, map2, map3]))


def fold_term(term: str) -> str:
    """A codebook term folded as transcript text is (NFKC: full-width letters → ASCII; hyphen and quote
    variants), without invisible format characters (zero-width space and joiners, BOM) a term copied from
    a web page or a PDF may hold, which text would never match."""
    folded = unicodedata.normalize("NFKC", term).translate(_FOLD)
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf").strip()


def normalize_term(term: str) -> str:
    """A Chinese codebook term → its matching form (folded as text is, then t2s)."""
    return converter("t2s").convert(fold_term(term))


def count_han(text: str) -> int:
    return len(HAN_RE.findall(text))


def detect_script(text: str) -> str:
    """"zh-Hans", "zh-Hant" or "en", judged on the first 20,000 characters.

    Traditional when at least 5% of the Han characters there are ones OpenCC's t2s changes
    (judged character by character: fast, and context does not matter for the script).
    """
    sample = text[:20000]
    han = HAN_RE.findall(sample)
    if not han or len(han) < len(LATIN_WORD_RE.findall(sample)):
        return "en"
    counts = Counter(han)                       # each distinct character converted once, on its own line
    distinct = list(counts)
    simplified = converter("t2s").convert("\n".join(distinct)).split("\n")
    changed = sum(counts[a] for a, b in zip(distinct, simplified, strict=False) if a != b)
    return "zh-Hant" if changed / len(han) >= 0.05 else "zh-Hans"


def profile_for(language: str, region: str = "") -> str:
    """OpenCC profile for a language tag (`zh-Hant-TW` → tw2sp) or a roster region."""
    tag = language.lower().replace("_", "-")
    place = region.strip().lower()
    if tag.endswith("-tw") or (tag.startswith("zh-hant") and place in _TAIWAN):
        return "tw2sp"
    if tag.endswith("-hk") or tag.endswith("-mo") or (tag.startswith("zh-hant") and place in _HONG_KONG):
        return "hk2s"
    return "t2s"


_TAIWAN = {"taiwan", "tw", "台湾", "臺灣", "台灣"}
_HONG_KONG = {"hong kong", "hongkong", "hk", "香港", "macau", "macao", "澳门", "澳門"}
