"""pipeline.text.languages: the tags qcode knows, in any case or with `_`, and what an unknown one most likely means."""

from __future__ import annotations

import pytest

from pipeline.text.languages import language_tag, tag_meant, unknown_language


@pytest.mark.parametrize("typed, tag", [("zh-hans", "zh-Hans"), ("ZH_HANT_TW", "zh-Hant-TW"), ("zh-tw", "zh-TW"),
                                        ("en", "en"), ("en-gb", "en-GB"), ("", "")])
def test_known_tags_are_spelt_as_qcode_spells_them(typed, tag):
    assert language_tag(typed) == tag


@pytest.mark.parametrize("typed, meant", [("Taiwan", "zh-Hant-TW"), ("chinese", "zh-Hans"), ("English", "en"),
                                          ("Hong Kong", "zh-Hant-HK"), ("臺灣", "zh-Hant-TW"), ("zh-Hnt", "zh-Hant")])
def test_an_unknown_tag_gets_the_tag_it_most_likely_means(typed, meant):
    assert language_tag(typed) is None
    assert tag_meant(typed) == meant


def test_a_tag_nothing_resembles_lists_the_known_ones_without_a_guess():
    assert language_tag("klingon") is None and tag_meant("klingon") == ""
    assert unknown_language("klingon") == ("unknown language 'klingon' (known: zh-Hans, zh-Hant-TW, zh-Hant-HK, "
                                           "zh-Hant-MO, zh-Hant, en)")
