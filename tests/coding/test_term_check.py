"""pipeline.coding.term_check: how each term of a tiny codebook is matched (jieba's split, English lemmas), and
the warnings for terms that overlap or can never match."""

from __future__ import annotations

from conftest import write

from pipeline.coding.term_check import check_codebook


def check(tmp_path, codes: str):
    return check_codebook(write(tmp_path, "cb.yaml", f'name: tiny\nversion: "3"\ncodes:\n{codes}'))


def one_code(terms: str, exclude: str = "") -> str:
    text = f"  - id: a\n    label: Alpha\n    terms:\n{terms}"
    return text + (f"    exclude:\n{exclude}" if exclude else "")


def test_report_starts_with_the_codebook_and_counts_codes_and_terms(tmp_path):
    report = check(tmp_path, one_code("      en: [privacy]\n      zh: [隐私]\n")
                   + "  - id: b\n    label: Beta\n    label_zh: 乙\n    terms:\n      en: [trust]\n")
    assert report.lines[0] == "tiny (version 3): 2 codes"
    assert (report.codes, report.terms) == (2, 3)
    for code in ("a  Alpha", "b  Beta / 乙"):                # each code after a blank line of its own
        assert report.lines[report.lines.index(code) - 1] == ""
    assert report.problems == [] and report.warnings == []


def test_chinese_term_shows_its_jieba_split(tmp_path):
    report = check(tmp_path, one_code("      zh: [大数据杀熟]\n"))
    assert "  zh  大数据杀熟  jieba: 大 | 数据 | 杀熟" in report.lines


def test_traditional_chinese_term_shows_its_simplified_form(tmp_path):
    report = check(tmp_path, one_code("      zh: [隱私]\n"))
    assert "  zh  隱私 → 隐私  jieba: 隐私" in report.lines


def test_english_term_shows_its_lemmas(tmp_path):
    report = check(tmp_path, one_code("      en: [studies, running apps]\n"))
    assert "  en  studies  matched as: study" in report.lines
    assert "  en  running apps  matched as: run app" in report.lines


def test_english_prefix_and_exact_forms_are_shown_as_written(tmp_path):
    report = check(tmp_path, one_code('      en: ["discriminat*", "=data"]\n'))
    assert "  en  discriminat*  matched as: discriminat*" in report.lines
    assert "  en  =data  matched as: =data" in report.lines


def test_exclusions_are_listed_after_the_terms(tmp_path):
    report = check(tmp_path, one_code("      en: [equity]\n", "      en: [private equity]\n"))
    assert report.lines[-2:] == ["  en  equity  matched as: equity",
                                 "  exclude en  private equity  matched as: private equity"]
    assert report.terms == 1 and report.warnings == []


def test_a_term_under_two_codes_is_warned(tmp_path):
    report = check(tmp_path, one_code("      zh: [隐私]\n") + "  - id: b\n    label: B\n    terms:\n      zh: [隐私]\n")
    assert report.warnings == [f"{tmp_path / 'cb.yaml'}:4: term '隐私' is listed under a, b: "   # code a's line
                               "each mention counts for every one of them"]


def test_english_terms_with_the_same_lemmas_but_different_text_are_not_warned_as_shared(tmp_path):
    # the owners are keyed by the text as written too: "studies" and "study" are two terms
    report = check(tmp_path, one_code("      en: [studies]\n") + "  - id: b\n    label: B\n    terms:\n"
                                                                  "      en: [study]\n")
    assert report.warnings == []


def test_a_term_that_is_also_an_exclusion_can_never_match(tmp_path):
    # "studies" and the exclusion "study" share the lemma: every match of the term is excluded
    report = check(tmp_path, one_code("      en: [studies]\n", "      en: [study]\n"))
    assert report.warnings == [f"{tmp_path / 'cb.yaml'}:4: a: term 'studies' is also an exclusion, "
                               "so it can never match"]


def test_an_exclusion_with_companions_leaves_the_term_free_elsewhere(tmp_path):
    # "elderly & young" cancels elderly only in a unit that also says young: no warning
    report = check(tmp_path, one_code("      en: [elderly]\n      zh: [长辈]\n",
                                      '      en: ["elderly & young"]\n      zh: ["长辈 & 年轻人"]\n'))
    assert report.warnings == []


def test_a_chinese_term_that_is_also_an_exclusion_can_never_match(tmp_path):
    # 隱私 is simplified to 隐私 before matching, like the exclusion
    report = check(tmp_path, one_code("      zh: [隱私]\n", "      zh: [隐私]\n"))
    assert report.warnings == [f"{tmp_path / 'cb.yaml'}:4: a: term '隱私' is also an exclusion, so it can never match"]


def test_a_term_taiwan_text_writes_otherwise_is_warned(tmp_path):
    # Taiwan's 軟體 (software) becomes 软件 under tw2sp: a 软体 term never meets Taiwan text
    report = check(tmp_path, one_code("      zh: [软体]\n"))
    assert report.warnings == [f"{tmp_path / 'cb.yaml'}:4: a: '软体' is matched as '软体', but Taiwan text "
                               "(tw2sp) turns '软体' into '软件': add '软件' to code it there too"]  # code a's line


def test_no_taiwan_warning_when_the_mainland_form_is_listed_too(tmp_path):
    report = check(tmp_path, one_code("      zh: [软体, 软件]\n"))
    assert report.warnings == []


def test_a_code_without_terms_is_warned_from_the_codebook_notes(tmp_path):
    report = check(tmp_path, one_code("      en: [privacy]\n") + "  - id: b\n    label: B\n")
    assert (report.codes, report.terms, report.problems) == (2, 1, [])
    assert len(report.warnings) == 1 and "code 'b' has no terms: it can never be assigned" in report.warnings[0]
    assert report.warnings[0].startswith(f"{tmp_path / 'cb.yaml'}:8: ")           # file and line of code b


def test_codebook_problems_are_kept_apart_from_the_warnings(tmp_path):
    report = check(tmp_path, one_code("      en: [privacy]\n") + "  - id: a\n    label: Again\n    terms:\n"
                                                                   "      en: [trust]\n")
    assert [(p.kind, p.line) for p in report.problems] == [("problem", 8)]
    assert "duplicate code id 'a' (first on line 4)" in report.problems[0].problem
    assert report.codes == 1 and report.warnings == []
