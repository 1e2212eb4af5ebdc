"""Reading transcripts: encodings, formats, front matter, and refusing what is not text."""

import io
import zipfile

import docx
import pytest
from conftest import code_text, found, write

from pipeline.errors import TranscriptError
from pipeline.read.transcripts import read_transcript

ZH = "受访者：我们讨论社会公平和个人隐私保护的问题，这是一个非常重要的社会问题。\n"
ZH_HANT = "受訪者：我們討論社會公平和個人隱私保護的問題，這是一個非常重要的社會問題。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_unicode_encodings_are_read(tmp_path, encoding):
    result = code_text(tmp_path, ZH, encoding=encoding)
    assert found(result) == [("equity", "公平"), ("privacy", "隐私")]


def test_bom_is_dropped_and_offsets_count_from_after_it(tmp_path):
    result = code_text(tmp_path, ZH, encoding="utf-8-sig")
    assert result.assignments[0].char_start == ZH.index("公平")


def test_gb18030_file_is_read_without_a_language(tmp_path):
    result = code_text(tmp_path, ZH, encoding="gb18030")
    assert result.encoding == "gb18030"
    assert found(result) == [("equity", "公平"), ("privacy", "隐私")]


def test_big5_file_is_read_by_its_language(tmp_path):
    result = code_text(tmp_path, ZH_HANT, encoding="big5", language="zh-Hant")
    assert result.encoding in ("big5", "cp950")
    assert ("equity", "公平") in found(result)
    assert read_transcript(tmp_path / "t.txt", "t.txt", language="zh-Hant").text == ZH_HANT
    # the coded sentence is the original traditional text (not converted, not mojibake)
    assert {a.segment_text for a in result.assignments} == {ZH_HANT.removeprefix("受訪者：").strip()}


def test_big5_file_is_told_apart_from_gb18030_without_a_language(tmp_path):
    result = code_text(tmp_path, ZH_HANT, encoding="big5")
    assert result.encoding in ("big5", "cp950")
    assert read_transcript(tmp_path / "t.txt", "t.txt").text == ZH_HANT
    assert found(result) == [("equity", "公平"), ("privacy", "隱私")]
    assert {a.segment_text for a in result.assignments} == {ZH_HANT.removeprefix("受訪者：").strip()}


def test_undecodable_file_is_refused_not_coded_as_mojibake(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"Anna: caf\xe9 \xff\xfe\xfd \x81\x20")
    with pytest.raises(TranscriptError, match="not text in any encoding"):
        read_transcript(path, "bad.txt")


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(TranscriptError, match="binary"):
        read_transcript(path, "x.txt")


def test_empty_file_is_refused(tmp_path):
    path = write(tmp_path, "e.txt", "  \n")
    with pytest.raises(TranscriptError, match="empty"):
        read_transcript(path, "e.txt")


def test_front_matter_sets_language_and_is_not_speech(tmp_path):
    text = "---\nlanguage: zh-Hant-TW\ninterviewee: x\n---\n受訪者：資料很重要。\n"
    result = code_text(tmp_path, text)
    assert result.language == "zh-Hant-TW" and result.profile == "tw2sp"
    assert found(result) == [("privacy", "資料")]


def test_front_matter_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, "f.txt", "---\nlanguage: [zh\n---\nAnna: hi\n")
    with pytest.raises(TranscriptError) as info:
        read_transcript(path, "f.txt")
    assert info.value.line is not None and "front matter" in info.value.problem


def make_docx(path, paragraphs):
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)


def test_docx_paragraphs_are_read_in_order(tmp_path):
    path = tmp_path / "d.docx"
    make_docx(path, ["Interview title", "Interviewer: privacy?", "Anna: fairness matters."])
    transcript = read_transcript(path, "d.docx")
    assert transcript.text == "Interview title\nInterviewer: privacy?\nAnna: fairness matters."
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "Anna"]


def test_docx_that_is_not_a_zip_is_refused(tmp_path):
    path = write(tmp_path, "n.docx", "plain text pretending")
    with pytest.raises(TranscriptError, match="not a zip"):
        read_transcript(path, "n.docx")


def test_docx_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<" + b" " * (300 * 1024 * 1024) + b"/>")
    with pytest.raises(TranscriptError, match="zip bomb"):
        read_transcript(path, "bomb.docx")


def test_docx_with_entity_expansion_is_refused(tmp_path):
    good = io.BytesIO()
    make_docx(good, ["Anna: hello"])
    source = zipfile.ZipFile(io.BytesIO(good.getvalue()))
    path = tmp_path / "lol.docx"
    hostile = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
               b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><w:document>&b;</w:document>')
    with zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = hostile if item.filename == "word/document.xml" else source.read(item)
            target.writestr(item, data)
    with pytest.raises(TranscriptError, match="DTD or entities"):
        read_transcript(path, "lol.docx")


def test_vtt_voices_open_turns(tmp_path):
    text = ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\n<v Interviewer>Privacy?</v>\n\n"
            "2\n00:00:02.500 --> 00:00:04.000\n<v Anna>Fairness <i>matters</i>.\n")
    result = code_text(tmp_path, text, name="t.vtt")
    assert found(result) == [("equity", "Fairness")]


def test_srt_name_labels_open_turns(tmp_path):
    text = ("1\n00:00:01,000 --> 00:00:02,000\nHost: privacy?\n\n"
            "2\n00:00:02,500 --> 00:00:04,000\nAnna: 隐私很重要\n\n3\n00:00:05,000 --> 00:00:06,000\n还有公平\n")
    result = code_text(tmp_path, text, name="t.srt")
    assert found(result) == [("privacy", "隐私"), ("equity", "公平")]


def test_file_with_no_labels_is_all_respondent_with_a_note(tmp_path):
    result = code_text(tmp_path, "隐私很重要。\n")
    assert found(result) == [("privacy", "隐私")]
    assert any("no speaker labels" in p.problem for p in result.problems)
