"""The fast converter gives the text and the offset maps opencc-python-reimplemented (through normalize) gives."""

import random
from functools import cache
from pathlib import Path

import opencc
import pytest
from conftest import CORPORA, SAMPLE, needs_shared
from opencc import OpenCC

from pipeline.errors import PipelineError
from pipeline.text.fast_convert import FastConverter, choose_converter, convert_by, fast_converter
from pipeline.text.normalize import PROFILES, convert_chinese, convert_with, normalize_text

CONFIGS = Path(opencc.__file__).parent / "config"          # the installed library's profiles
EVERY_PROFILE = sorted(p.stem for p in CONFIGS.glob("*.json"))


@cache
def compiled(profile: str) -> tuple:
    reference = OpenCC(profile)
    return reference, FastConverter(reference)


def assert_same(text: str, profile: str) -> int:
    """Same text, same offset map; returns how many replacements the map holds."""
    reference, fast = compiled(profile)
    expected, expected_map = convert_with(text, reference)
    got, got_map = convert_by(text, fast)
    assert got == expected, (profile, text[:80])
    assert got_map._spans == expected_map._spans, (profile, text[:80])
    return len(expected_map._spans)


def test_every_shipped_profile_is_supported():
    assert len(EVERY_PROFILE) >= 10
    assert all(compiled(profile)[1].supported for profile in EVERY_PROFILE)


def test_taiwan_vocabulary_changes_length_and_maps_back():
    original = "我的記憶體不夠，資料很多"
    fast = normalize_text(original, "tw2sp", "fast")
    assert fast.text == normalize_text(original, "tw2sp", "opencc").text == "我的内存不够,数据很多"
    start = fast.text.index("内存")
    assert fast.span(start, start + 2) == (original.index("記憶體"), original.index("記憶體") + 3)


def test_text_without_han_is_returned_as_is():
    text = "Privacy — “data” ﹁quoted﹂ 123"
    assert convert_chinese(text, "tw2sp", "fast")[0] == text


def test_pieces_without_han_are_not_converted_as_opencc_itself_would():
    # 〇 alone is in no dictionary, but the separators around a Han-free piece keep it out anyway
    for text in ("資料-abc-資料", "ABC 網路 DEF", "網路\n\n網路"):
        assert_same(text, "tw2sp")


def test_every_file_of_the_sample_in_every_profile():
    for path in sorted(SAMPLE.glob("*.*")):
        if path.suffix in (".txt", ".md", ".vtt"):
            text = path.read_text(encoding="utf-8")
            for profile in EVERY_PROFILE:
                assert_same(text, profile)


def fuzzed_strings(profile: str, count: int, seed: int) -> list[str]:
    """Strings of the profile's dictionary entries (whole, cut, and their conversions), rare characters,
    separators, Latin and digits: where the longest-first choice, the groups and the maps are tested."""
    rng = random.Random(seed)
    reference, _ = compiled(profile)
    entries = sorted({key for group in reference._dict_chain_data for _, _, table in group for key in table})
    values = sorted({value.split(" ")[0] for group in reference._dict_chain_data for _, _, table in group
                     for value in table.values()})
    rare = ["𠀀", "𪚥", "㐀", "豈", "〇", "・", "·", "ｶ", "ﬁ", "e\u0301", "\u200b", "A", "z", "7", "資", "料"]
    separators = [" ", "\n", "-", ",", "。", "，", "、", "「", "」", "—", "…", "\t", "　"]
    pieces = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            kind = rng.random()
            if kind < 0.45:
                entry = rng.choice(entries)
                cut = rng.randint(0, len(entry) - 1) if len(entry) > 1 and rng.random() < 0.3 else 0
                parts.append(entry[cut:] if rng.random() < 0.5 else entry[:len(entry) - cut])
            elif kind < 0.6:
                parts.append(rng.choice(values))
            elif kind < 0.8:
                parts.append(rng.choice(rare))
            else:
                parts.append(rng.choice(separators))
        pieces.append("".join(parts))
    return pieces


@pytest.mark.parametrize("profile", EVERY_PROFILE)
def test_twenty_thousand_fuzzed_strings_in_each_profile(profile):
    changed = sum(assert_same(text, profile) > 0 for text in fuzzed_strings(profile, 2000, seed=20))
    if profile in PROFILES:                  # qcode's own profiles get the full twenty thousand
        changed += sum(assert_same(text, profile) > 0 for text in fuzzed_strings(profile, 18000, seed=21))
    if profile in ("tw2sp", "s2twp"):        # their phrase dictionaries change lengths: the maps are exercised
        assert changed > 10


@needs_shared
@pytest.mark.parametrize("profile", PROFILES)
def test_every_han_run_of_every_corpus_file(profile):
    # whole files: every Han run, in the profiles qcode uses (scripts/check_converter.py sweeps every profile)
    files = sorted((CORPORA / "zh-interviews").rglob("*.md")) + sorted((CORPORA / "en-interviews").rglob("*.md"))
    assert len(files) > 250
    spans = sum(assert_same(path.read_text(encoding="utf-8"), profile) for path in files)
    assert spans > 0 if profile == "tw2sp" else spans >= 0


@needs_shared
def test_the_parallel_tsv_and_a_sample_of_files_in_every_other_profile():
    files = sorted((CORPORA / "zh-interviews" / "audreyt-zh").glob("*.md"))[::15]
    texts = [(CORPORA / "zh-interviews" / "parallel-en-zh.tsv").read_text(encoding="utf-8")]
    texts += [path.read_text(encoding="utf-8") for path in files]
    for profile in EVERY_PROFILE:
        for text in texts:
            assert_same(text, profile)


def test_auto_chooses_fast_where_pyahocorasick_is_installed():
    assert choose_converter("auto").name == "fast"
    assert choose_converter("opencc").name == "opencc"
    assert choose_converter("fast").version.startswith("pyahocorasick")
    with pytest.raises(PipelineError):
        choose_converter("cpp")


def test_compiled_profiles_are_kept():
    assert fast_converter("t2s") is fast_converter("t2s")
