"""Matching semantics: each promise of DESIGN.md, with the cases that must not match."""

from conftest import SMALL_CODEBOOK, code_text, found


def test_chinese_term_inside_one_word_is_counted(tmp_path):
    # jieba reads 不公平 as one word and 隐私权 as one word: the terms lie inside them.
    result = code_text(tmp_path, "受访者：这不公平，隐私权也很重要。")
    assert ("equity", "公平") in found(result)
    assert ("privacy", "隐私") in found(result)


def test_term_straddling_two_words_is_not_counted(tmp_path):
    # 办公平台 is 办公|平台: 公平 straddles the two words and must not count; 平台 is a whole word.
    result = code_text(tmp_path, "受访者：我们用办公平台。")
    assert found(result) == [("equity", "平台")]


def test_chinese_term_made_of_whole_words_is_counted(tmp_path):
    # 大数据杀熟 spans several jieba words (大|数据|杀熟) and starts and ends on word boundaries.
    result = code_text(tmp_path, "受访者：大数据杀熟很常见。")
    assert ("equity", "大数据杀熟") in found(result)


def test_interviewer_turns_are_not_coded(tmp_path):
    text = "Interviewer: Is privacy important? Is equity?\nAnna: I care about fairness.\n"
    result = code_text(tmp_path, text)
    assert found(result) == [("equity", "fairness")]
    assert result.interviewer_words == 0


def test_include_interviewer_lists_interviewer_mentions_apart(tmp_path):
    text = "Interviewer: Is privacy important?\nAnna: I care about fairness.\n"
    result = code_text(tmp_path, text, include_interviewer=True)
    roles = [(a.code, a.speaker_role) for a in result.assignments]
    assert roles == [("privacy", "interviewer"), ("equity", "respondent")]
    assert result.interviewer_words == 3  # Is, privacy, important


def test_taiwan_text_is_coded_by_simplified_terms_under_tw2sp(tmp_path):
    # tw2sp maps the vocabulary 資料 → 数据, so the simplified term 数据 finds it.
    result = code_text(tmp_path, "受訪者：個人資料很重要。", language="zh-Hant-TW")
    assert result.profile == "tw2sp"
    assert ("privacy", "資料") in found(result)


def test_t2s_profile_keeps_vocabulary(tmp_path):
    # Under plain t2s, 資料 becomes 资料 (not 数据): the 数据 term must not match.
    result = code_text(tmp_path, "受訪者：個人資料很重要。", language="zh-Hant")
    assert result.profile == "t2s"
    assert found(result) == []


def test_traditional_term_matches_simplified_text(tmp_path):
    # The codebook writes 私隱 (traditional); terms go through t2s → 私隐.
    result = code_text(tmp_path, "受访者：私隐是我们的底线。")
    assert found(result) == [("privacy", "私隐")]


def test_english_lemmas_match_inflected_forms(tmp_path):
    result = code_text(tmp_path, "Anna: They discriminated us. Discriminatory pricing is everywhere.\n")
    codes = found(result)
    assert ("equity", "discriminated") in codes
    assert ("equity", "Discriminatory pricing") in codes


def test_english_match_is_case_insensitive_and_lemmatized(tmp_path):
    result = code_text(tmp_path, "Anna: PRIVACY matters, and our personal data too.\n")
    # "data" is also the exact-form equity term `=data` of the test codebook.
    assert found(result) == [("privacy", "PRIVACY"), ("privacy", "personal data"), ("equity", "data")]


def test_exact_form_does_not_match_other_forms(tmp_path):
    # `=data` matches the form "data" only; "datum" shares its lemma but must not count.
    result = code_text(tmp_path, "Anna: One datum is not data.\n")
    assert found(result) == [("equity", "data")]


def test_wildcard_matches_prefix_of_a_word_only(tmp_path):
    result = code_text(tmp_path, "Anna: Discrimination exists; nondiscriminatory rules too.\n")
    assert found(result) == [("equity", "Discrimination")]


def test_exclusion_cancels_the_code_inside_it(tmp_path):
    result = code_text(tmp_path, "Anna: Private equity is not equity.\n")
    assert found(result) == [("equity", "equity")]
    assert result.assignments[0].char_start == len("Anna: Private equity is not ")


def test_hyphenated_text_matches_a_spaced_phrase(tmp_path):
    result = code_text(tmp_path, "Anna: We do tech-for-good work.\n")
    assert found(result) == [("good", "tech-for-good")]


def test_phrase_does_not_cross_sentences(tmp_path):
    result = code_text(tmp_path, "Anna: I like tech. For good reasons.\n")
    assert found(result) == []


def test_english_terms_inside_chinese_turns(tmp_path):
    result = code_text(tmp_path, "受访者：我们关心 privacy 和 tech for good。")
    assert found(result) == [("privacy", "privacy"), ("good", "tech for good")]


def test_chinese_terms_inside_english_turns(tmp_path):
    result = code_text(tmp_path, "Anna: The key is 隐私, as we say in Chinese.\n")
    assert found(result) == [("privacy", "隐私")]


def test_full_width_letters_are_folded(tmp_path):
    result = code_text(tmp_path, "受访者：ＰＲＩＶＡＣＹ很重要。")
    assert found(result) == [("privacy", "ＰＲＩＶＡＣＹ")]


def test_overlapping_matches_of_one_code_count_once_longest_wins(tmp_path):
    # "discriminatory pricing" and "discriminat*" are both equity and overlap: one mention, the longer.
    result = code_text(tmp_path, "Anna: discriminatory pricing.\n")
    assert found(result) == [("equity", "discriminatory pricing")]


def test_different_codes_may_share_text(tmp_path):
    result = code_text(tmp_path, "受访者：大数据杀熟。")
    assert sorted(found(result)) == [("equity", "大数据杀熟"), ("privacy", "数据")]


def test_offsets_point_into_the_original_file(tmp_path):
    text = "标题\r\nQ: 问题？\r\n受訪者：這裡有「私隱」和ＡＩ。\r\n"
    result = code_text(tmp_path, text, language="zh-Hant-HK")
    (mention,) = result.assignments
    assert text[mention.char_start:mention.char_end] == "私隱"
    assert mention.line == 3
    assert mention.matched_text == "私隱"


def test_offsets_count_code_points_after_astral_characters(tmp_path):
    text = "Anna: 😀😀 𠀀 privacy\n"
    result = code_text(tmp_path, text)
    (mention,) = result.assignments
    assert (mention.char_start, mention.char_end) == (text.index("privacy"), text.index("privacy") + 7)


def test_html_entities_are_decoded_for_matching_offsets_stay_in_file(tmp_path):
    text = "Anna: &quot;tech&#45;for&#45;good&quot; matters.\n"
    result = code_text(tmp_path, text)
    (mention,) = result.assignments
    assert mention.matched_text == "tech&#45;for&#45;good"
    assert text[mention.char_start:mention.char_end] == mention.matched_text


def test_segment_text_is_the_sentence_in_original_text(tmp_path):
    result = code_text(tmp_path, "受訪者：第一句。私隱很重要！第三句。", language="zh-Hant-HK")
    (mention,) = result.assignments
    assert mention.segment_text == "私隱很重要！"


def test_turn_unit_makes_the_whole_turn_the_segment(tmp_path):
    result = code_text(tmp_path, "受訪者：第一句。私隱很重要！第三句。", language="zh-Hant-HK", unit="turn")
    (mention,) = result.assignments
    assert mention.segment_text == "第一句。私隱很重要！第三句。"


ONE_LETTER_STEM = SMALL_CODEBOOK.replace('en: [privacy, personal data]', 'en: [privacy, personal data, "x*", "zo*"]')


def test_prefix_terms_of_one_and_two_letters_are_found_at_every_word(tmp_path):
    # the matcher sifts words by their first two letters before testing a stem; a one-letter stem tests every word
    result = code_text(tmp_path, "Anna: x xylophones, zoos and a zone; not ax nor ozone. Discriminat too.\n",
                       codebook=ONE_LETTER_STEM)
    assert found(result) == [("privacy", "x"), ("privacy", "xylophones"), ("privacy", "zoos"),
                             ("privacy", "zone"), ("equity", "Discriminat")]
    two_letters = SMALL_CODEBOOK.replace('en: [privacy, personal data]', 'en: [privacy, personal data, "zo*"]')
    (tmp_path / "two").mkdir()
    result = code_text(tmp_path / "two", "Anna: z zoos, a zone; not ozone.\n", codebook=two_letters)
    assert found(result) == [("privacy", "zoos"), ("privacy", "zone")]
