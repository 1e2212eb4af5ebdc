"""rjieba (jieba-rs) cuts the same words as jieba, on the real Chinese corpus and through whole runs."""

import json
import re

import pytest
from conftest import CORPORA, SAMPLE, needs_shared, qcode, same_outputs, write
from openpyxl import load_workbook

from pipeline.text import zh_words
from pipeline.text.normalize import converter
from pipeline.text.segment import HAN_RUN_RE
from pipeline.text.zh_words import choose, cut_chinese, cutter

rjieba = pytest.importorskip("rjieba", reason="rjieba is not installed (pip install -e '.[fast]')")


def run_json(out) -> dict:
    return json.loads((out / "run.json").read_text(encoding="utf-8"))


@needs_shared
def test_same_words_on_every_han_run_of_the_chinese_corpus():
    # what segment() hands the segmenter: the Han runs of the speech after OpenCC (Taiwan profile)
    files = sorted((CORPORA / "zh-interviews").rglob("*.md"))
    assert len(files) >= 100
    to_simplified = converter("tw2sp")
    runs = [m.group() for f in files for m in HAN_RUN_RE.finditer(to_simplified.convert(f.read_text("utf-8")))]
    reference, fast = cutter("jieba"), cutter("rjieba")
    differing = [run for run in runs if list(reference(run)) != list(fast(run))]
    assert len(runs) > 100_000 and sum(map(len, runs)) > 1_000_000
    assert differing == []


@needs_shared
def test_same_words_on_whole_mixed_texts():
    # whole files: Latin words, digits, spaces, CRLF and punctuation take jieba's own paths around its blocks
    texts = [p.read_text("utf-8") for p in sorted((CORPORA / "zh-interviews").rglob("*.md"))[:20]]
    texts.append((CORPORA / "zh-interviews" / "parallel-en-zh.tsv").read_text("utf-8"))
    for text in texts:
        assert cut_chinese(text, name="rjieba") == cut_chinese(text, name="jieba")


def test_same_words_at_the_edges_of_jiebas_blocks():
    text = ("我们用AI和big data做3.5%的\r\n分析 C++ 与 C# 😀 𠮷野家 鿖鿿 㐀 丽 —— 大数据杀熟、隐私保护。\t"
            "數據正義 e-mail user_name a.b.c 2024年")
    words = cut_chinese(text, name="rjieba")
    assert words == cut_chinese(text, name="jieba")
    assert "".join(words) == text and "\r\n" in words and "隐私" in words


def test_sample_runs_are_identical_with_either_segmenter(tmp_path):
    for name in ("jieba", "rjieba"):
        result = qcode("run", SAMPLE, "--out", tmp_path / name, "--no-cache", "-q", "--segmenter", name)
        assert result.exit_code == 0, result.output
    same_outputs(tmp_path / "jieba", tmp_path / "rjieba")
    assert run_json(tmp_path / "jieba")["segmenter"]["zh"] == "jieba"
    used = run_json(tmp_path / "rjieba")["segmenter"]
    assert used == {"zh": "rjieba", "version": rjieba_version(), "why": "asked for (--segmenter rjieba)"}
    run_sheet = {row[0]: row[1] for row in load_workbook(tmp_path / "rjieba" / "codebook.xlsx")["Run"]
                 .iter_rows(min_row=2, values_only=True)}
    assert run_sheet["segmenter"].startswith(f"rjieba {used['version']} (")   # the reviewer sees which segmenter


def rjieba_version() -> str:
    from importlib.metadata import version

    return version("rjieba")


def test_auto_picks_rjieba_unless_a_user_dictionary_is_given(tmp_path):
    assert choose("auto").name == "rjieba"
    folder = write(tmp_path / "t", "a.txt", "李：办公平台。\n").parent
    user_dict = write(tmp_path, "dict.txt", "公平台 100000\n")
    result = qcode("run", folder, "--out", tmp_path / "o", "--user-dict", user_dict, "-q", "--no-cache")
    assert result.exit_code == 0, result.output
    used = run_json(tmp_path / "o")["segmenter"]
    assert used["zh"] == "jieba" and "user dictionary" in used["why"]
    refused = qcode("run", folder, "--out", tmp_path / "o2", "--user-dict", user_dict, "--segmenter", "rjieba")
    assert refused.exit_code == 1 and "rjieba cannot read a jieba user dictionary" in refused.output
    assert "dict.txt" in refused.output and not (tmp_path / "o2").exists()


def test_without_rjieba_auto_falls_back_and_asking_for_it_is_refused(tmp_path, monkeypatch):
    installed = zh_words.installed_version
    monkeypatch.setattr(zh_words, "installed_version",
                        lambda package: None if package == "rjieba" else installed(package))
    chosen = choose("auto")
    assert chosen.name == "jieba" and re.search(r"rjieba is not installed", chosen.why)
    folder = write(tmp_path / "t", "a.txt", "李：隐私。\n").parent
    refused = qcode("run", folder, "--out", tmp_path / "o", "--segmenter", "rjieba")
    assert refused.exit_code == 1 and "rjieba is not installed" in refused.output
    assert 'pip install -e ".[fast]"' in refused.output


def test_the_segmenter_is_part_of_the_cache_key(tmp_path):
    folder = write(tmp_path / "t", "a.txt", "李：办公平台。Privacy.\n").parent
    cache = tmp_path / "cache"
    for out, name in (("o1", "jieba"), ("o2", "rjieba"), ("o3", "rjieba")):
        assert qcode("run", folder, "--out", tmp_path / out, "--cache", cache, "-q", "--segmenter", name).exit_code == 0
    assert [run_json(tmp_path / o)["cache"]["files_from_cache"] for o in ("o1", "o2", "o3")] == [0, 0, 1]
