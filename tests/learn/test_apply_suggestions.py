"""The next codebook version: ticked terms and exclusions typed into the old text where a person would type them,
every comment kept; a layout they cannot be typed into is written out again, saying so."""

import pytest

from pipeline.errors import CodebookError
from pipeline.learn.apply_suggestions import next_version, with_additions
from pipeline.read.codebook import codebook_from_yaml

BLOCK = """\
name: Block
version: "3"
codes:
  - id: equity
    label: Equity
    definition: >-
      Fair treatment,
      over two lines.
    terms:
      en:
        - fair   # the plain sense
        - equality
  # the next code
  - id: privacy
    label: Privacy
    terms:
      en: [privacy, "personal data",
           # Taiwan
           surveil*]
    exclude:
      en: [facial recognition model]
"""


def terms(text, code, attribute="terms"):
    return [t.text for t in getattr(codebook_from_yaml(text, "new.yaml").code(code), attribute)]


def test_items_go_at_the_end_of_block_and_flow_lists_with_every_comment_kept():
    new = with_additions(BLOCK, {"equity": {"terms": {"en": ["fair treatment"]}},
                                 "privacy": {"terms": {"en": ["data protection"]}, "exclude": {"en": ["a & b"]}}},
                         "4", "# v4\n", "new.yaml")
    assert terms(new, "equity") == ["fair", "equality", "fair treatment"]
    assert terms(new, "privacy") == ["privacy", "personal data", "surveil*", "data protection"]
    assert terms(new, "privacy", "excludes") == ["facial recognition model", "a & b"]
    for comment in ("# the plain sense", "# the next code", "# Taiwan"):
        assert comment in new
    assert new.startswith("# v4\n") and codebook_from_yaml(new, "new.yaml").version == "4"


def test_a_missing_language_or_exclude_entry_is_added_after_the_codes_last_line():
    new = with_additions(BLOCK, {"equity": {"terms": {"zh": ["公平"]}, "exclude": {"en": ["fair amount"]}}},
                         "4", "", "new.yaml")
    assert terms(new, "equity") == ["fair", "equality", "公平"]
    assert terms(new, "equity", "excludes") == ["fair amount"]
    assert terms(new, "privacy") == ["privacy", "personal data", "surveil*"]      # the next code untouched
    assert codebook_from_yaml(new, "new.yaml").code("equity").definition == "Fair treatment, over two lines."


def test_a_term_from_a_stranger_is_one_quoted_scalar_never_yaml():
    odd = 'fair: [play]\nid: evil'
    new = with_additions(BLOCK, {"equity": {"terms": {"en": [odd]}}}, "4", "", "new.yaml")
    book = codebook_from_yaml(new, "new.yaml")
    assert book.ids == ["equity", "privacy"] and terms(new, "equity")[-1] == odd


def test_a_layout_it_cannot_type_into_is_written_out_again_and_says_so():
    flow = 'name: F\nversion: "1"\ncodes:\n  - {id: equity, label: Equity, terms: {en: [fair]}}  # one line\n'
    new = with_additions(flow, {"equity": {"terms": {"en": ["equality"]}}}, "2", "# v2\n", "new.yaml")
    assert terms(new, "equity") == ["fair", "equality"]
    assert "comments of the earlier version are not kept" in new


def test_additions_the_loaded_codebook_would_not_hold_are_refused():
    with pytest.raises(CodebookError):
        with_additions(BLOCK, {"equity": {"terms": {"en": ["fair"]}}}, "4", "", "new.yaml")   # a duplicate


def test_the_next_version_counts_on_from_the_old():
    assert (next_version("1"), next_version("9"), next_version("draft")) == ("2", "10", "2")
