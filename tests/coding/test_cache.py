"""The segmentation cache: a cached run equals a cold one, any input change misses, damage is harmless."""

import json

import pandas as pd
from click.testing import CliRunner
from conftest import SAMPLE, same_outputs, write

from pipeline.cli import main


def run(*args):
    result = CliRunner().invoke(main, ["run", *map(str, args)])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    return result


def from_cache(out) -> int:
    return json.loads((out / "run.json").read_text(encoding="utf-8"))["cache"]["files_from_cache"]


def test_cached_run_is_identical_to_an_uncached_one_with_one_and_two_jobs(tmp_path):
    # the sample holds every format (txt, md, docx, vtt), simplified, traditional (HK, TW) and English
    cache = tmp_path / "cache"
    run(SAMPLE, "--out", tmp_path / "plain", "--no-cache", "-q", "-j", "1")
    run(SAMPLE, "--out", tmp_path / "cold", "--cache", cache, "-q", "-j", "2")
    run(SAMPLE, "--out", tmp_path / "warm", "--cache", cache, "-q", "-j", "1")
    run(SAMPLE, "--out", tmp_path / "warm2", "--cache", cache, "-q", "-j", "2")
    assert [from_cache(tmp_path / o) for o in ("plain", "cold", "warm", "warm2")] == [0, 0, 12, 12]
    for out in ("cold", "warm", "warm2"):
        same_outputs(tmp_path / "plain", tmp_path / out)


def test_codebook_edit_reuses_the_cache_and_counts_the_new_term(tmp_path, codebook_file):
    folder = tmp_path / "t"
    write(folder, "a.txt", "Anna: Privacy first. Then fairness and openness.\n")
    cache = tmp_path / "cache"
    run(folder, "--codebook", codebook_file, "--out", tmp_path / "o1", "--cache", cache, "-q")
    edited = write(tmp_path, "edited.yaml", codebook_file.read_text(encoding="utf-8").replace(
        "[privacy, personal data]", "[privacy, personal data, openness]"))
    run(folder, "--codebook", edited, "--out", tmp_path / "o2", "--cache", cache, "-q")
    run(folder, "--codebook", edited, "--out", tmp_path / "o3", "--no-cache", "-q")
    assert from_cache(tmp_path / "o2") == 1
    same_outputs(tmp_path / "o2", tmp_path / "o3")
    counts = pd.read_csv(tmp_path / "o2" / "by_interviewee.csv", encoding="utf-8-sig").set_index("code")
    assert counts.loc["privacy", "mentions"] == 2            # Privacy + openness (hand count)


def test_changed_file_unit_or_user_dictionary_misses_the_cache(tmp_path, codebook_file):
    folder = tmp_path / "t"
    write(folder, "a.txt", "李：办公平台。Privacy.\n")
    cache = tmp_path / "cache"
    args = [folder, "--codebook", codebook_file, "--cache", cache, "-q"]
    run(*args, "--out", tmp_path / "o1")
    run(*args, "--out", tmp_path / "o2", "--unit", "turn")
    user_dict = write(tmp_path, "dict.txt", "公平台 100000\n")
    run(*args, "--out", tmp_path / "o3", "--user-dict", user_dict)
    write(folder, "a.txt", "李：办公平台。Privacy!\n")
    run(*args, "--out", tmp_path / "o4")
    assert [from_cache(tmp_path / o) for o in ("o1", "o2", "o3", "o4")] == [0, 0, 0, 0]
    run(*args, "--out", tmp_path / "o5", "--user-dict", user_dict)
    user_dict.write_text("平台 5\n", encoding="utf-8")               # same path, new content: a miss
    run(*args, "--out", tmp_path / "o6", "--user-dict", user_dict)
    assert [from_cache(tmp_path / o) for o in ("o5", "o6")] == [0, 0]
    run(*args, "--out", tmp_path / "o7", "--user-dict", user_dict)
    assert from_cache(tmp_path / "o7") == 1


def test_damaged_or_deleted_cache_is_coded_again(tmp_path, codebook_file):
    folder = tmp_path / "t"
    write(folder, "a.txt", "Anna: Privacy first.\n")
    cache = tmp_path / "cache"
    run(folder, "--codebook", codebook_file, "--out", tmp_path / "o1", "--cache", cache, "-q")
    entries = list(cache.rglob("*.entry"))
    assert len(entries) == 1
    entries[0].write_bytes(b"not a pickle")
    run(folder, "--codebook", codebook_file, "--out", tmp_path / "o2", "--cache", cache, "-q")
    assert from_cache(tmp_path / "o2") == 0
    same_outputs(tmp_path / "o1", tmp_path / "o2")
    import shutil

    shutil.rmtree(cache)
    run(folder, "--codebook", codebook_file, "--out", tmp_path / "o3", "--cache", cache, "-q")
    run(folder, "--codebook", codebook_file, "--out", tmp_path / "o4", "--cache", cache, "-q")
    assert [from_cache(tmp_path / o) for o in ("o3", "o4")] == [0, 1]


def test_audit_and_agreement_recode_from_the_cache_the_command_line_names(tmp_path):
    from pipeline.runfolder.recode import recode_run

    cache = tmp_path / "cache"
    run(SAMPLE, "--out", tmp_path / "cached", "--cache", cache, "-q", "-j", "1")
    run(SAMPLE, "--out", tmp_path / "plain", "--no-cache", "-q", "-j", "1")
    manifests = {o: json.loads((tmp_path / o / "run.json").read_text(encoding="utf-8")) for o in ("cached", "plain")}
    from_cache = recode_run(manifests["cached"], "run.json", None, 1, cache)
    coded_again = recode_run(manifests["cached"], "run.json", None, 1, None)     # the record names no folder used
    assert [r.cached for r in from_cache.results.values()] == [True] * 12
    assert [r.cached for r in coded_again.results.values()] == [False] * 12
    for name, result in from_cache.results.items():                 # the same assignments either way
        assert result.assignments == coded_again.results[name].assignments, name


def test_the_converter_is_part_of_the_cache_key():
    from pipeline.coding.cache import environment_key
    from pipeline.text.fast_convert import choose_converter

    keys = {environment_key("", None, choose_converter(name)) for name in ("opencc", "fast")}
    assert len(keys) == 2


COMPILE = """\
import sys
from pathlib import Path
from pipeline.coding.cache import term_forms_cached
from pipeline.read.codebook import load_codebook
with term_forms_cached(Path(sys.argv[1])):
    codebook = load_codebook(Path(sys.argv[2]))
print("spacy" in sys.modules, [(t.text, t.words) for c in codebook.codes for t in c.terms + c.excludes])
"""


def test_a_rerun_compiles_its_english_terms_from_the_cache_and_loads_spacy_only_for_a_new_term(tmp_path):
    import subprocess
    import sys

    from conftest import DEFAULT_CODEBOOK, REPO

    def compiled(codebook):
        done = subprocess.run([sys.executable, "-c", COMPILE, str(tmp_path / "cache"), str(codebook)],
                              capture_output=True, text=True, cwd=REPO, check=True)
        loaded, terms = done.stdout.split(" ", 1)
        return loaded == "True", terms

    first, second = compiled(DEFAULT_CODEBOOK), compiled(DEFAULT_CODEBOOK)
    assert first[0] and not second[0] and first[1] == second[1]
    edited = tmp_path / "edited.yaml"
    text = DEFAULT_CODEBOOK.read_text(encoding="utf-8")
    edited.write_text(text.replace("en: [equity, ", "en: [equity, even-handed, ", 1), encoding="utf-8")
    assert edited.read_text(encoding="utf-8") != text
    loaded, terms = compiled(edited)
    assert loaded and "even-handed" in terms
    assert not compiled(edited)[0]
