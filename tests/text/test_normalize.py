"""Normalization: entities, NFKC and OpenCC, and the map back to original offsets."""

import pytest
from conftest import CORPORA, needs_shared

from pipeline.text.normalize import converter, detect_script, fold_nfkc, normalize_text, profile_for, unescape_entities


def spans_back(original, normalized_text, normalized, needle):
    start = normalized_text.index(needle)
    a, b = normalized.span(start, start + len(needle))
    return original[a:b]


def test_entities_decode_and_map_back():
    text, offsets = unescape_entities("a &quot;b&quot; &amp; c")
    assert text == 'a "b" & c'
    assert offsets.start(text.index("&")) == len('a &quot;b&quot; ')
    assert offsets.end(text.index("&") + 1) == len('a &quot;b&quot; &amp;')


def test_nfkc_folds_full_width_and_maps_back():
    text, offsets = fold_nfkc("ＡＢＣ，ﬁne")
    assert text == "ABC,fine"
    assert (offsets.start(4), offsets.end(6)) == (4, 5)   # "fi" came from the one character "ﬁ"


def test_tw2sp_converts_vocabulary_with_changing_length_and_maps_back():
    original = "我的記憶體不夠，資料很多"
    normalized = normalize_text(original, "tw2sp")
    assert "内存" in normalized.text and "数据" in normalized.text
    assert spans_back(original, normalized.text, normalized, "内存") == "記憶體"
    assert spans_back(original, normalized.text, normalized, "数据") == "資料"
    assert spans_back(original, normalized.text, normalized, "很多") == "很多"


def test_profiles_follow_language_and_region():
    assert profile_for("zh-Hant-TW") == "tw2sp"
    assert profile_for("zh-Hant-HK") == "hk2s"
    assert profile_for("zh-Hant") == "t2s"
    assert profile_for("zh-Hant", "Taiwan") == "tw2sp"
    assert profile_for("zh-Hans") == "t2s"
    assert profile_for("en") == "t2s"


def test_script_detection():
    assert detect_script("这是简体中文的句子，我们讨论数据隐私和公平。") == "zh-Hans"
    assert detect_script("這是繁體中文的句子，我們討論資料隱私與公平。") == "zh-Hant"
    assert detect_script("This is English, with one word 隐私.") == "en"


@needs_shared
def test_aligned_conversion_reproduces_opencc_on_real_taiwan_text():
    # Every chunk whose length changes is re-converted with spans; it must equal the library's output.
    from pipeline.text.normalize import aligned_convert

    cc = converter("tw2sp")
    files = sorted((CORPORA / "zh-interviews" / "audreyt-zh").glob("*.md"))[:25]
    changed = 0
    for path in files:
        for chunk in cc.split_chars_re.split(path.read_text(encoding="utf-8"))[::2]:
            converted = cc.convert(chunk)
            if chunk and len(converted) != len(chunk):
                changed += 1
                pieces = aligned_convert(chunk, cc)
                assert "".join(p[0] for p in pieces) == converted
    if not changed:
        pytest.skip("no length-changing chunk in these files")


def test_no_character_past_the_scanned_planes_resizes_or_is_a_mark():
    # fold_nfkc learns which characters NFKC resizes from the planes below NFKC_PLANES_END only
    import sys
    import unicodedata

    from pipeline.text.normalize import NFKC_PLANES_END

    beyond = [cp for cp in range(NFKC_PLANES_END, sys.maxunicode + 1)
              if unicodedata.combining(chr(cp)) or len(unicodedata.normalize("NFKC", chr(cp))) != 1]
    assert beyond == []


def test_nfkc_of_resizing_characters_and_marks_maps_each_back():
    original = "ﬁx ㈱ e\u0301t\u00e9 Ｆｕｌｌ，"
    text, offsets = fold_nfkc(original)
    assert text == "fix (株) été Full,"
    assert (offsets.start(0), offsets.end(2)) == (0, 1)          # "fi" came from "ﬁ"
    start = text.index("(株)")
    assert (offsets.start(start), offsets.end(start + 3)) == (3, 4)           # "ﬁx " is three characters
    start = text.index("été")
    assert original[offsets.start(start):offsets.end(start + 1)] == "e\u0301"


def test_nfkc_after_turning_characters_one_for_one_is_the_librarys_nfkc():
    """fold_nfkc turns the characters NFKC maps to one other by str.translate before NFKC: the same text, for
    every code point alone and for texts that mix marks, jamo, full-width forms, ligatures and Han."""
    import random
    import unicodedata

    from pipeline.text.normalize import nfkc

    for cp in range(0x110000):
        if not 0xD800 <= cp <= 0xDFFF:
            assert nfkc(chr(cp)) == unicodedata.normalize("NFKC", chr(cp)), hex(cp)
    pool = ([chr(c) for c in range(0x300, 0x370)] + [chr(c) for c in range(0x1100, 0x1200, 7)]
            + [chr(c) for c in range(0xFF01, 0xFF5E, 3)] + list("ﬁ㈱Å½ｶﾞﾟeEaA가각數据，。、")
            + [chr(c) for c in (0x9C7, 0x9BE, 0xB47, 0xB3E, 0xFF9E, 0x3099, 0x212B, 0x2126)])
    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 8)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text)
