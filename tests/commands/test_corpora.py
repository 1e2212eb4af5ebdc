"""Real public interviews from ../shared/corpora, coded with rosters that name the respondents."""

import json
import sys

import pytest
from click.testing import CliRunner
from conftest import REPO, SHARED, needs_shared

from pipeline.cli import main

sys.path.insert(0, str(REPO / "scripts"))

pytestmark = needs_shared


@pytest.fixture(scope="module")
def rosters(tmp_path_factory):
    from corpus_rosters import corpus_rosters, write_roster

    folder = tmp_path_factory.mktemp("rosters")
    return {name: (corpus, write_roster(folder / f"{name}.csv", rows))
            for name, (corpus, rows) in corpus_rosters(SHARED).items()}


@pytest.mark.parametrize("name", ["audreyt-en", "practicalai", "audreyt-zh"])
def test_real_corpus_is_coded_with_no_problem(rosters, tmp_path, name):
    corpus, roster = rosters[name]
    out = tmp_path / name
    result = CliRunner().invoke(main, ["run", str(corpus), "--roster", str(roster), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["problems"] == []
    files = manifest["files"]
    assert all(f["respondent_turns"] > 0 and f["respondent_words"] > 0 for f in files)
    if name == "audreyt-zh":
        assert {f["opencc_profile"] for f in files} == {"tw2sp"}


def test_english_and_chinese_versions_agree_on_codes_on_the_tuning_pairs():
    from parallel_agreement import measure

    result = measure(REPO / "codebooks" / "data_justice.yaml", SHARED)
    share, _, either = result["tuning"]
    assert either > 50 and share >= 0.80
