"""ExportedText and lf_text: file offsets ↔ positions in an exported (LF, code point or UTF-16) source."""

import pytest

from pipeline.refi.positions import CODEPOINTS, UTF16, ExportedText, lf_text


def utf16_units(text: str) -> int:
    """UTF-16 code units of a text, counted by encoding it (independent of the module)."""
    return len(text.encode("utf-16-le")) // 2


def test_lf_text_turns_crlf_and_lone_cr_into_lf():
    assert lf_text("a\r\nb\rc\nd\r\n") == "a\nb\nc\nd\n"


def test_lf_text_leaves_lf_text_alone():
    assert lf_text("a\nb\n\n") == "a\nb\n\n"


def test_crlf_before_a_span_shifts_it_left_by_one_per_cr():
    file_text = "Anna: hi\r\nBo: privacy\r\nAnna: fairness\r\n"
    exported = ExportedText(file_text)
    start = file_text.index("privacy")
    later = file_text.index("fairness")
    assert exported.position(start) == start - 1
    assert exported.position(later) == later - 2
    assert exported.text[exported.position(later):exported.position(later + len("fairness"))] == "fairness"


def test_span_before_any_crlf_is_not_moved():
    exported = ExportedText("Anna: privacy\r\nBo: ok\r\n")
    assert exported.position(6) == 6


def test_lone_cr_is_kept_as_one_character_and_moves_nothing():
    file_text = "Anna: hi\rBo: privacy"
    exported = ExportedText(file_text)
    start = file_text.index("privacy")
    assert exported.position(start) == start
    assert exported.text[start:start + 7] == "privacy"


def test_file_offset_inverts_position_away_from_crlf_pairs():
    file_text = "a\r\nb\r\n\r\ncd\ref\r\n"
    exported = ExportedText(file_text)
    plain = [i for i in range(len(file_text) + 1) if file_text[i - 1:i + 1] != "\r\n"]
    for offset in plain:
        assert exported.file_offset(exported.position(offset)) == offset, offset


def test_cr_and_lf_of_a_pair_share_one_position_which_maps_back_to_the_cr():
    # a span ending at the line end ends before the CR: the boundary goes back to the CR's offset
    exported = ExportedText("ab\r\ncd")
    assert exported.position(2) == exported.position(3) == 2
    assert exported.file_offset(2) == 2
    assert exported.file_offset(3) == 4                              # "c"


def test_exported_characters_are_the_files_without_the_crs_of_pairs():
    file_text = "a\r\nb\r\n\r\ncd\ref\r\n"
    exported = ExportedText(file_text)
    kept = [i for i in range(len(file_text)) if file_text[i:i + 2] != "\r\n"]
    assert [exported.position(o) for o in kept] == list(range(len(exported.text)))
    assert ["\n" if file_text[o] == "\r" else file_text[o] for o in kept] == list(exported.text)   # lone CR → LF


def test_end_of_text_maps_to_end_of_export():
    file_text = "x\r\ny\r\n"
    exported = ExportedText(file_text)
    assert exported.position(len(file_text)) == len(exported.text) == 4
    assert exported.file_offset(4) == len(file_text)


def test_without_astral_characters_utf16_equals_code_points():
    exported = ExportedText("受访者：隐私很重要。\r\n")
    assert not exported.has_astral()
    assert [exported.position(i, UTF16) for i in range(11)] == [exported.position(i, CODEPOINTS) for i in range(11)]


@pytest.mark.parametrize("before, astral", [("😀 ", 1), ("𠮷 ", 1), ("😀𠮷 ", 2), ("a😀b𠮷c😀 ", 3), ("no astral ", 0)])
def test_utf16_and_code_points_differ_by_the_astral_characters_before_a_span(before, astral):
    file_text = f"Anna: {before}privacy 😀 after"
    exported = ExportedText(file_text)
    start = file_text.index("privacy")
    assert exported.position(start, UTF16) - exported.position(start, CODEPOINTS) == astral
    assert exported.position(start, UTF16) == utf16_units(file_text[:start])


def test_astral_character_after_a_span_does_not_move_it():
    exported = ExportedText("privacy 😀")
    assert (exported.position(0, UTF16), exported.position(7, UTF16)) == (0, 7)
    assert exported.position(9, UTF16) == 10                       # the end, past 😀's two units


def test_utf16_span_slices_the_same_passage_from_the_utf16_text():
    file_text = "𠮷野家：\r\n受访者：😀 我们讨论大数据杀熟。\r\n"
    exported = ExportedText(file_text)
    start = file_text.index("大数据杀熟")
    end = start + len("大数据杀熟")
    units = exported.text.encode("utf-16-le")
    a, b = exported.position(start, UTF16), exported.position(end, UTF16)
    assert units[2 * a:2 * b].decode("utf-16-le") == "大数据杀熟"
    # code points: one CR dropped before it; UTF-16: plus 𠮷 and 😀 as two units each
    assert exported.position(start) == start - 1
    assert a == start - 1 + 2


def test_file_offset_inverts_utf16_position():
    file_text = "😀a\r\n𠮷b😀c\r\n"
    exported = ExportedText(file_text)
    for offset in (0, 1, 4, 5, 6, 7, len(file_text)):
        assert exported.file_offset(exported.position(offset, UTF16), UTF16) == offset, offset


def test_utf16_position_inside_a_surrogate_pair_is_its_character():
    exported = ExportedText("a😀b")
    # UTF-16: a=0, 😀=1..2, b=3; position 2 is 😀's low surrogate
    assert exported.file_offset(2, UTF16) == 1
    assert exported.file_offset(3, UTF16) == 2


def test_length_in_each_unit():
    exported = ExportedText("𠮷\r\n😀ab")
    assert exported.length(CODEPOINTS) == 5                       # 𠮷 \n 😀 a b
    assert exported.length(UTF16) == 7 == utf16_units(exported.text)
    assert exported.has_astral()
