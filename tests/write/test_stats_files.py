"""SPSS and Stata files from strangers' names and text: valid, stable names; labels and text within the limits."""

import pandas as pd
import pyreadstat

from pipeline.write.stats_files import (
    MAX_NAME,
    MAX_SPSS_TEXT,
    LabelledTable,
    variable_label,
    variable_name,
    variable_names,
    write_dta,
    write_sav,
)


def test_names_are_ascii_lowercase_and_start_with_a_letter():
    assert variable_name("Policy Maker") == "policy_maker"
    assert variable_name("m_Équité") == "m_equite"                # accents folded, not dropped
    assert variable_name("2nd wave") == "v_2nd_wave"
    assert variable_name("性别").startswith("v_") and variable_name("性别").isascii()
    assert variable_name("性别") != variable_name("年龄")


def test_reserved_words_of_spss_and_stata_are_avoided():
    assert [variable_name(w) for w in ("with", "AND", "in", "str12", "long")] == \
        ["with_", "and_", "in_", "str12_", "long_"]


def test_long_names_are_cut_to_32_characters_and_stay_distinct_and_stable():
    long_ids = ["m_" + "a" * 40 + "_one", "m_" + "a" * 40 + "_two"]
    names = variable_names(long_ids)
    assert all(len(n) <= MAX_NAME for n in names) and len(set(names)) == 2
    assert names == variable_names(long_ids)                      # the same on every run


def test_names_that_clash_after_folding_get_distinct_names():
    names = variable_names(["Gender", "gender", "gender!"])
    assert len(set(names)) == 3 and names[0] == "gender"


def test_labels_are_cut_to_80_characters():
    label = variable_label("x" * 100)
    assert len(label) == 80 and label.endswith("…")


def test_text_past_the_spss_limit_is_cut_in_the_sav_only(tmp_path):
    text = "公" * 12_000                                          # 36,000 bytes of UTF-8
    table = LabelledTable(pd.DataFrame({"note": [text, "b\x07"], "n": [1, 2]}), labels={"note": "a note"})
    write_sav(tmp_path / "t.sav", table)
    write_dta(tmp_path / "t.dta", table)
    sav, _ = pyreadstat.read_sav(tmp_path / "t.sav")
    assert len(sav.note[0].encode("utf-8")) <= MAX_SPSS_TEXT and text.startswith(sav.note[0])
    assert sav.note[1] == "b\ufffd"                                 # a control character, as in the CSVs
    dta = pd.read_stata(tmp_path / "t.dta")
    assert dta.note[0] == text                                     # Stata: a strL holds it whole
