"""The second opinion's features: Chinese character n-grams after OpenCC, English lemmas and lemma pairs."""

from conftest import write

from pipeline.learn.features import respondent_units, shown, unit_features


def test_taiwan_text_gives_the_simplified_character_ngrams():
    features = unit_features("資料不公平", "tw2sp")          # tw2sp: 資料 → 数据
    assert {"zh:数", "zh:数据", "zh:数据不", "zh:公平"} <= set(features)
    assert not any("資" in f or "料" in f for f in features)
    # five characters: 5 unigrams, 4 pairs, 3 triples
    assert len(features) == 12


def test_english_gives_lemmas_and_neighbouring_pairs():
    features = unit_features("Elderly people cannot use apps.", "t2s")
    assert {"en:elderly", "en:people", "en:app", "en:use app", "en:elderly people"} <= set(features)
    assert "en:apps" not in features and not any(f.startswith("zh:") for f in features)


def test_a_mixed_line_puts_both_languages_in_one_space():
    features = set(unit_features("我们用 open data 做事", "t2s"))
    assert {"en:open datum", "en:open", "zh:我们", "zh:做事"} <= features     # spaCy's lookup lemma of data
    assert "en:我们" not in features and shown("en:open datum") == "open datum" and shown("zh:我们") == "我们"


def test_units_are_respondent_sentences_with_the_line_an_added_row_needs(tmp_path):
    from pipeline.coding.code_file import FileJob, Settings, code_file
    from pipeline.coding.match import Matcher
    from pipeline.read.codebook import load_codebook

    write(tmp_path, "t.txt", "Interviewer: Why?\nAnn: First point.\nSecond point on a\nnew line.\n")
    codebook = write(tmp_path, "cb.yaml", 'name: t\nversion: "1"\ncodes:\n  - id: a\n    label: A\n'
                                          '    terms:\n      en: [x]\n')
    job = FileJob(path=str(tmp_path / "t.txt"), source_file="t.txt", interviewee_id="t", stakeholder_groups="")
    result = code_file(job, Settings(keep_units=True), Matcher(load_codebook(codebook)))
    # the interviewer's question is not a unit; the second sentence runs over two lines: its passage is line 3's
    assert [(u.line, u.text, u.passage) for u in respondent_units(result)] == [
        (2, "First point.", "First point."), (3, "Second point on a\nnew line.", "Second point on a")]
