"""Speaker turns: labels, Markdown labels, annotations, and who is the respondent."""

from pipeline.models import INTERVIEWER, RESPONDENT
from pipeline.read.turns import is_label, split_turns


def speakers(text, labels=()):
    turns, labelled = split_turns(text, 0, labels)
    return [(t.speaker, t.role, " ".join(text[a:b] for a, b in t.pieces)) for t in turns], labelled


def test_label_of_at_most_four_words_opens_a_turn():
    assert is_label("Dr. Anna Lee-Smith")
    assert is_label("张教授")
    assert not is_label("one two three four five")


def test_label_of_more_than_ten_han_characters_is_speech():
    assert is_label("一二三四五六七八九十")
    assert not is_label("一二三四五六七八九十一")


def test_quotes_brackets_and_punctuation_make_a_line_speech():
    for line in ['He said "no"', "(laughs) Anna", "a=b", "Well, then", "10"]:
        assert not is_label(line), line


def test_lines_without_label_continue_the_turn_and_text_before_first_label_is_not_speech():
    turns, labelled = speakers("My title\nAnna: first line\nsecond line\nQ: question?\n")
    assert labelled
    assert turns == [("Anna", RESPONDENT, "first line second line"), ("Q", INTERVIEWER, "question?")]


def test_interviewer_labels_are_case_and_script_insensitive():
    turns, _ = speakers("INTERVIEWER: a\n問：b\n主持人：c\nAnna: d\n")
    assert [role for _, role, _ in turns] == [INTERVIEWER, INTERVIEWER, INTERVIEWER, RESPONDENT]


def test_speaker_labels_name_the_respondent_and_everyone_else_interviews():
    turns, _ = speakers("Audrey Tang: a\nJournalist: b\n唐鳳：c\n", labels=("Audrey Tang", "唐凤"))
    assert [role for _, role, _ in turns] == [RESPONDENT, INTERVIEWER, RESPONDENT]


def test_markdown_heading_labels_only_open_turns_when_present():
    text = "# 2020 Title\n\n### Audrey Tang:\n\nHello there.\nNote: not a label here.\n\n> (laughter)\n"
    turns, _ = speakers(text)
    assert turns == [("Audrey Tang", RESPONDENT, "Hello there. Note: not a label here.")]


def test_bold_paragraph_labels_and_break_stage_labels():
    text = "**Daniel Whitenack:** Welcome \\[08:02\\] back.\n\nMore words.\n\n**Break:** ad read\n\n**Chris:** Hi.\n"
    turns, _ = speakers(text)
    assert turns == [("Daniel Whitenack", RESPONDENT, "Welcome back. More words."),
                     ("Chris", RESPONDENT, "Hi.")]


def test_block_quotes_and_time_stamps_are_annotations():
    turns, _ = speakers("Anna: one [00:12:03] two\n> (laughter)\n[01:02]\nthree\n")
    assert turns == [("Anna", RESPONDENT, "one two three")]


def test_file_without_labels_is_all_respondent():
    turns, labelled = speakers("Just text.\nMore text.\n")
    assert not labelled
    assert turns == [("", RESPONDENT, "Just text. More text.")]


def test_url_is_not_a_label():
    turns, labelled = speakers("http://example.org is a site\n")
    assert not labelled
