"""Offset maps: a span of a rewritten text maps back to the characters of the text it was made from."""

import re

from pipeline.text.offsets import MapBuilder, MapChain, OffsetMap, rewrite

ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
ENTITY = re.compile("|".join(map(re.escape, ENTITIES)))
SHARP_S = re.compile("ß")
ZERO_WIDTH = re.compile("\u200b")


def unescape(text):
    return rewrite(text, ENTITY, lambda m: ENTITIES[m.group(0)])


def back(mapping, start, end):
    return mapping.start(start), mapping.end(end)


def test_empty_map_is_the_identity():
    mapping = OffsetMap()
    assert not mapping
    assert [back(mapping, s, s + 2) for s in range(4)] == [(0, 2), (1, 3), (2, 4), (3, 5)]


def test_rewrite_without_a_match_returns_the_text_and_an_empty_map():
    text, mapping = unescape("no entities here")
    assert text == "no entities here" and not mapping


def test_rewrite_to_the_same_text_records_nothing():
    text, mapping = rewrite("a-b", re.compile("-"), lambda m: "-")
    assert text == "a-b" and not mapping


def test_same_length_rewrite_maps_character_to_character():
    # a full-width comma becomes an ASCII one: no length change, no span recorded
    text, mapping = rewrite("甲，乙", re.compile("，"), lambda m: ",")
    assert text == "甲,乙" and not mapping
    assert back(mapping, 2, 3) == (2, 3)


def test_span_after_a_shorter_replacement_maps_back():
    original = "R&amp;D matters"
    text, mapping = unescape(original)
    assert text == "R&D matters"
    start = text.index("matters")
    s, e = back(mapping, start, start + len("matters"))
    assert original[s:e] == "matters"


def test_span_after_a_longer_replacement_maps_back():
    original = "Straße und Recht"
    text, mapping = rewrite(original, SHARP_S, lambda m: "ss")
    assert text == "Strasse und Recht"
    start = text.index("Recht")
    assert original[slice(*back(mapping, start, start + 5))] == "Recht"


def test_span_inside_a_replacement_maps_to_the_whole_replaced_text():
    original = "Straße"
    text, mapping = rewrite(original, SHARP_S, lambda m: "ss")
    # either "s" of "ss" came from "ß"
    assert back(mapping, 4, 5) == (4, 5)
    assert back(mapping, 5, 6) == (4, 5)
    assert original[slice(*back(mapping, 0, len(text)))] == original


def test_word_holding_a_replacement_maps_to_the_original_word():
    original = "x &lt;tag&gt; y"
    text, mapping = unescape(original)
    assert text == "x <tag> y"
    assert original[slice(*back(mapping, 2, 7))] == "&lt;tag&gt;"


def test_deleted_characters_are_skipped():
    original = "\u200bdata\u200bjustice"
    text, mapping = rewrite(original, ZERO_WIDTH, lambda m: "")
    assert text == "datajustice"
    assert original[slice(*back(mapping, 0, 4))] == "data"
    assert original[slice(*back(mapping, 4, 11))] == "justice"


def test_end_of_an_empty_prefix_is_zero():
    _, mapping = unescape("&amp;x")
    assert mapping.end(0) == 0


def test_span_at_the_end_of_the_text_maps_to_the_end_of_the_original():
    original = "a &amp; b &amp;"
    text, mapping = unescape(original)
    assert text == "a & b &"
    assert back(mapping, len(text) - 1, len(text)) == (len(original) - 5, len(original))


def test_map_builder_records_only_length_changes():
    builder = MapBuilder()
    builder.copy("ab")
    builder.replace(1, "X")          # same length: no span
    builder.replace(3, "Y")          # 3 characters → 1
    builder.copy("cd")
    text, mapping = builder.build()
    assert text == "abXYcd"
    assert builder.spans == [(3, 4, 3, 6)]
    assert back(mapping, 4, 6) == (6, 8)
    assert back(mapping, 2, 3) == (2, 3)


def test_chain_of_two_rewrites_maps_back_to_the_first_text():
    text0 = "Straße &amp; Weg"
    text1, first = unescape(text0)              # "Straße & Weg"
    text2, second = rewrite(text1, SHARP_S, lambda m: "ss")
    assert text2 == "Strasse & Weg"
    chain = MapChain([first, second])
    start = text2.index("Weg")
    assert text0[slice(*chain.span(start, start + 3))] == "Weg"
    assert text0[slice(*chain.span(8, 9))] == "&amp;"
    assert text0[slice(*chain.span(0, 7))] == "Straße"


def test_chain_leaves_out_empty_maps():
    _, mapping = unescape("a&amp;b")
    chain = MapChain([OffsetMap(), mapping, OffsetMap()])
    assert chain.maps == [mapping]
    assert MapChain().span(3, 5) == (3, 5)


def test_every_output_word_maps_back_to_the_original_it_was_made_from():
    original = "Fuß&amp;Ball \u200bgroß &lt;=&gt; Maß&amp;Ziel ßß"
    text1, first = unescape(original)
    text2, second = rewrite(text1, SHARP_S, lambda m: "ss")
    text3, third = rewrite(text2, ZERO_WIDTH, lambda m: "")
    assert text3 == "Fuss&Ball gross <=> Mass&Ziel ssss"
    chain = MapChain([first, second, third])
    for word in re.finditer(r"\S+", text3):
        start, end = chain.span(word.start(), word.end())
        again = original[start:end]
        for pattern, replace in ((ENTITY, lambda m: ENTITIES[m.group(0)]), (SHARP_S, lambda m: "ss"),
                                 (ZERO_WIDTH, lambda m: "")):
            again = pattern.sub(replace, again)
        assert again == word.group(0), (word.group(0), original[start:end])
