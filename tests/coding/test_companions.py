"""`term & a | b`: a term that counts only in a coding unit that also holds one of its companions."""

from conftest import code_text, found, qcode, write

CODEBOOK = """\
codes:
  - id: privacy
    terms:
      zh: ["实联制 & 个资 | 隐私"]
  - id: inclusiveness
    terms:
      en: ["accessib* & wheelchair* | blind | disabled | elderly"]
    exclude:
      en: ["accessible building & museum"]
"""


def test_a_chinese_term_counts_only_beside_a_companion_in_the_same_sentence(tmp_path):
    text = "唐鳳：實聯制要保護個資。實聯制已經上線。\n"
    result = code_text(tmp_path, text, codebook=CODEBOOK, language="zh-Hant-TW", labels=("唐鳳",))
    assert found(result) == [("privacy", "實聯制")]              # the first sentence only; 個資 itself is no term
    assert result.assignments[0].term == "实联制 & 个资 | 隐私"


def test_an_english_term_counts_only_beside_a_companion(tmp_path):
    text = "Anna: The site is accessible to blind readers. The models are accessible to developers.\n"
    result = code_text(tmp_path, text, codebook=CODEBOOK, labels=("Anna",))
    assert found(result) == [("inclusiveness", "accessible")]
    assert result.assignments[0].segment_text.startswith("The site is accessible")


def test_with_turn_units_the_companion_may_be_in_another_sentence_of_the_turn(tmp_path):
    text = "Anna: The lift is for wheelchair users. The entrance is accessible.\n"
    sentence = code_text(tmp_path, text, codebook=CODEBOOK, labels=("Anna",))
    turn = code_text(tmp_path, text, codebook=CODEBOOK, labels=("Anna",), unit="turn")
    assert found(sentence) == [] and found(turn) == [("inclusiveness", "accessible")]


def test_an_exclusion_with_a_companion_cancels_only_beside_it(tmp_path):
    text = ("Anna: The museum has an accessible building for wheelchair users. "
            "The accessible building is for wheelchair users.\n")
    result = code_text(tmp_path, text, codebook=CODEBOOK, labels=("Anna",))
    assert [a.segment_text[:9] for a in result.assignments] == ["The acces"]    # the museum's is cancelled


def test_a_malformed_companion_term_is_a_problem_naming_the_line(tmp_path):
    codebook = write(tmp_path, "cb.yaml", 'codes:\n  - id: a\n    terms: {en: ["x & ", "y & a & b", "z"]}\n')
    result = qcode("check", codebook)
    assert result.exit_code == 1
    assert "malformed companion term 'x &'" in result.output or "malformed companion term" in result.output
    assert result.output.count("malformed companion term") == 2


def test_check_shows_in_which_units_a_companion_term_counts(tmp_path):
    printed = qcode("check", write(tmp_path, "cb.yaml", CODEBOOK)).output
    assert "实联制 & 个资 | 隐私  jieba: 实 | 联 | 制  only in a unit holding: 个资 or 隐私" in printed
    assert "only in a unit holding: wheelchair* or blind or " in printed        # then the lemmas of the rest
    assert "Taiwan text" not in printed
