"""The shipped codebook's rules on small texts: each new term finds its sense, each exclusion cancels the wrong one
(the senses seen on the development files; codebooks/validation/development-notes.md)."""

import pytest
from conftest import code_text, found

from pipeline.defaults import default_codebook

CODEBOOK = default_codebook().read_text(encoding="utf-8")


def codes_in(tmp_path, text: str, language: str = "en") -> set[str]:
    result = code_text(tmp_path, f"Audrey Tang: {text}\n", codebook=CODEBOOK, language=language,
                       labels=("Audrey Tang",))
    return {code for code, _ in found(result)}


@pytest.mark.parametrize("text, language, code", [
    ("我們重視數位涵容。", "zh-Hant-TW", "inclusiveness"),
    ("偏鄉的長者也要用得到。", "zh-Hant-TW", "inclusiveness"),
    ("移工和身障朋友都要照顧到。", "zh-Hant-TW", "inclusiveness"),
    ("寬頻人權是基本的。", "zh-Hant-TW", "inclusiveness"),
    ("個資要去識別化才能釋出。", "zh-Hant-TW", "privacy"),
    ("Broadband as a human right reaches rural areas.", "en", "inclusiveness"),
    ("Data should be anonymized before release.", "en", "privacy"),
    ("People should own their data, not the platforms.", "en", "distribution"),
])
def test_a_new_term_finds_its_sense(tmp_path, text, language, code):
    assert code in codes_in(tmp_path, text, language)


@pytest.mark.parametrize("text, language, code", [
    ("公平會正在調查這件事。", "zh-Hant-TW", "equity"),               # the Fair Trade Commission, an institution
    ("這筆預算要再分配。", "zh-Hant-TW", "distribution"),             # a budget, not the value of data
    ("We spent a fair amount of time on it.", "en", "equity"),
    ("The discriminator network learns to tell fakes apart.", "en", "equity"),
    ("We log experiments with Weights & Biases.", "en", "equity"),
    ("The facial recognition model reached 99 percent.", "en", "privacy"),
    ("Companies that get left behind lose the market.", "en", "inclusiveness"),
    ("You can disable search in the settings.", "en", "inclusiveness"),
])
def test_an_exclusion_or_narrowed_term_cancels_the_wrong_sense(tmp_path, text, language, code):
    assert code not in codes_in(tmp_path, text, language)
