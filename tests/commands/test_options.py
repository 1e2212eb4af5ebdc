"""pipeline.commands.options and what researchers type: one option grammar on every command, help in the order of
the work, --language refused with a did-you-mean, and did-you-means for codebook keys, roster columns and files,
and front matter — all through the real CLI."""

from __future__ import annotations

import json

import pytest
from conftest import SMALL_CODEBOOK, qcode, write
from openpyxl import Workbook

from pipeline.cli import main
from pipeline.commands.options import WORKFLOW, in_workflow_order

# Where each common option applies: a command that writes has -o/--out and (unless it never replaces a file)
# --force; every command has --quiet; a command whose inputs can have problems has --strict.
GRAMMAR = {
    "init": {"quiet"},
    "run": {"out", "force", "quiet", "strict"},
    "check": {"out", "force", "quiet", "strict"},
    "audit": {"out", "force", "quiet", "strict"},
    "agreement": {"out", "force", "quiet", "strict"},
    "compare": {"out", "force", "quiet"},
    "scores": {"out", "force", "quiet", "strict"},
    "export-codebook": {"out", "force", "quiet", "strict"},
    "import-codebook": {"out", "quiet"},
    "export-project": {"out", "force", "quiet"},
}
SPELLINGS = {"out": {"-o", "--out"}, "force": {"--force"}, "quiet": {"-q", "--quiet"}, "strict": {"--strict"}}


def test_help_lists_the_commands_in_the_order_of_the_work():
    result = qcode("--help")
    names = [line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.startswith("  ")]
    assert names == in_workflow_order(list(main.commands))
    assert names[:3] == ["init", "run", "check"]
    assert names.index("audit") < names.index("compare") < names.index("export-codebook")


def test_commands_qcode_does_not_know_follow_the_workflow_alphabetically():
    assert in_workflow_order(["zeta", "run", "alpha", "init"]) == ["init", "run", "alpha", "zeta"]
    assert len(set(WORKFLOW)) == len(WORKFLOW)


@pytest.mark.parametrize("name", sorted(GRAMMAR))
def test_each_common_option_is_spelt_alike_on_each_command(name):
    options = {opt: param for param in main.commands[name].params for opt in param.opts + param.secondary_opts}
    for option in GRAMMAR[name]:
        spellings = SPELLINGS[option]
        assert spellings <= set(options), (name, option)
        assert len({id(options[s]) for s in spellings}) == 1         # -o and --out are one option
    for option in set(SPELLINGS) - GRAMMAR[name]:
        assert not SPELLINGS[option] & set(options), (name, option)


@pytest.mark.parametrize("name", sorted(main.commands))
def test_each_command_help_ends_with_one_example(name):
    text = main.commands[name].help
    example = text.split("Example:")[1].strip().splitlines()
    assert "\b" in text                                            # click keeps the example's lines as written
    assert all(line.strip().startswith(f"qcode {name}") for line in example)


@pytest.mark.parametrize("typed, meant", [("Taiwan", "zh-Hant-TW"), ("chinese", "zh-Hans"), ("english", "en"),
                                          ("zh-Hnt-HK", "zh-Hant-HK")])
def test_an_unknown_language_is_a_usage_error_with_a_did_you_mean(tmp_path, typed, meant):
    result = qcode("run", tmp_path, "--language", typed, "-o", tmp_path / "out")
    assert result.exit_code == 2                                       # as click's own usage errors
    assert f"unknown language '{typed}': did you mean '{meant}'?" in result.output
    assert not (tmp_path / "out").exists()


def test_a_known_tag_in_any_case_is_taken_as_qcode_spells_it(tmp_path):
    write(tmp_path / "t", "a.txt", "開放資料很重要。\n")
    result = qcode("run", tmp_path / "t", "--codebook", write(tmp_path, "cb.yaml", SMALL_CODEBOOK),
                   "--language", "zh_hant_tw", "-o", tmp_path / "out", "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert manifest["options"]["language"] == "zh-Hant-TW"
    assert [(f["language"], f["opencc_profile"]) for f in manifest["files"]] == [("zh-Hant-TW", "tw2sp")]


def run_folder(tmp_path, roster: str, files: dict, codebook: str = SMALL_CODEBOOK, *options):
    for name, text in files.items():
        write(tmp_path / "t", name, text)
    if roster:
        write(tmp_path / "t", "roster.csv", roster)
    return qcode("run", tmp_path / "t", "--codebook", write(tmp_path, "cb.yaml", codebook),
                 "-o", tmp_path / "out", "-j", "1", *options)


MISSPELT = SMALL_CODEBOOK.replace("  - id: privacy\n    label: Privacy\n    terms:", "  - id: privacy\n"
                                  "    label: Privacy\n    term:")


def test_a_misspelt_codebook_key_is_a_problem_naming_its_line_and_what_follows(tmp_path):
    result = run_folder(tmp_path, "", {"a.txt": "Privacy matters.\n"}, MISSPELT)
    assert result.exit_code == 0                                       # a problem: the other codes are coded
    # line 13 of the codebook is `term:` of code privacy
    assert (f"problem: {tmp_path / 'cb.yaml'}:13: unknown key 'term' in code 'privacy' (did you mean 'terms'?) is "
            "ignored: the code has no terms and can never be assigned") in result.output
    assert "→ rename it 'terms'" in result.output


def test_strict_refuses_a_codebook_with_a_misspelt_key(tmp_path):
    result = run_folder(tmp_path, "", {"a.txt": "Privacy matters.\n"}, MISSPELT, "--strict")
    assert result.exit_code == 1 and not (tmp_path / "out").exists()


def test_an_unknown_column_of_an_xlsx_codebook_gets_a_did_you_mean(tmp_path):
    book = Workbook()
    book.active.append(["id", "label", "term_en"])
    book.active.append(["equity", "Equity", "fairness"])
    book.save(tmp_path / "cb.xlsx")
    result = qcode("check", tmp_path / "cb.xlsx")
    assert result.exit_code == 1
    assert (f"problem: {tmp_path / 'cb.xlsx'}:1: unknown column 'term_en' of sheet 'Sheet' (did you mean "
            "'terms_en'?) is ignored") in result.output


def test_the_roster_names_the_columns_it_needs_and_what_it_has(tmp_path):
    result = run_folder(tmp_path, "id,file,stakeholder_group\n1,a.txt,NGO\n", {"a.txt": "Privacy.\n"})
    assert result.exit_code == 1
    assert (f"{tmp_path / 't' / 'roster.csv'}:1: the roster needs the columns interviewee_id and stakeholder_groups; "
            "it has id, file and stakeholder_group") in result.output
    assert "did you mean 'stakeholder_group' for 'stakeholder_groups'?" in result.output


def test_a_near_miss_of_a_roster_column_is_kept_with_a_did_you_mean_note(tmp_path):
    roster = "interviewee_id,file,stakeholder_groups,contry\nA,a.txt,NGO,China\n"
    result = run_folder(tmp_path, roster, {"a.txt": "Privacy.\n"})
    assert result.exit_code == 0
    assert f"note: {tmp_path / 't' / 'roster.csv'}:1: column 'contry' is kept as an attribute; did you mean " \
           "'country'?" in result.output


def test_a_roster_file_without_its_extension_names_the_file_that_exists(tmp_path):
    roster = "interviewee_id,file,stakeholder_groups\nA,p02_public_governance,NGO\n"
    result = run_folder(tmp_path, roster, {"p02_public_governance.md": "Privacy.\n"})
    assert (f"{tmp_path / 't' / 'roster.csv'}:2: interviewee 'A': file 'p02_public_governance' not found in "
            f"{tmp_path / 't'}: did you mean 'p02_public_governance.md'?") in result.output


def test_an_unknown_language_in_the_roster_is_a_problem_and_left_to_detection(tmp_path):
    roster = "interviewee_id,file,stakeholder_groups,language\nA,a.txt,NGO,Taiwan\n"
    result = run_folder(tmp_path, roster, {"a.txt": "開放資料很重要。\n"})
    assert result.exit_code == 0
    assert "roster.csv:2: interviewee 'A': unknown language 'Taiwan': did you mean 'zh-Hant-TW'?" in result.output
    manifest = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert manifest["files"][0]["language"] == "zh-Hant"               # detected, not a silent t2s "Taiwan"


def test_unknown_front_matter_keys_and_languages_are_problems_with_a_did_you_mean(tmp_path):
    text = "---\nlangauge: en\ncountry: UK\n---\nPrivacy matters.\n"
    result = run_folder(tmp_path, "", {"a.txt": text, "b.txt": "---\nlanguage: english\n---\nPrivacy.\n"})
    assert result.exit_code == 0
    assert "problem: a.txt:2: unknown front-matter key 'langauge' is ignored: did you mean 'language'?" \
        in result.output
    assert "problem: b.txt:2: front matter: unknown language 'english': did you mean 'en'?" in result.output


def test_check_finds_the_shipped_codebook_by_its_name_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert qcode("check", "codebooks/data_justice.yaml", "-q").exit_code == 0
    result = qcode("check", "codebooks/data_justic.yaml")
    assert result.exit_code == 1
    hint = result.output.split("→")[1]
    assert "codebooks/data_justic.yaml" not in hint and "data_justice.yaml" in hint      # the real place, not the same


def test_quiet_prints_problems_and_where_the_output_is(tmp_path):
    result = run_folder(tmp_path, "", {"a.txt": "Privacy matters.\n"}, MISSPELT, "-q")
    lines = result.output.splitlines()
    assert lines[-1] == f"workbook: {tmp_path / 'out' / 'codebook.xlsx'}"
    assert not any(line.startswith("note:") for line in lines)
    assert any(line.startswith("problem:") for line in lines)


def test_export_codebook_writes_to_outputs_never_beside_the_codebook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    codebook = write(tmp_path / "codebooks", "mine.yaml", SMALL_CODEBOOK)
    for expected in ("outputs/mine.qdc", "outputs/mine-2.qdc"):       # a second export does not replace the first
        result = qcode("export-codebook", codebook)
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[-1].endswith(f"→ {expected}")
    assert sorted(p.name for p in (tmp_path / "codebooks").iterdir()) == ["mine.yaml"]


def test_export_codebook_strict_refuses_a_codebook_with_a_problem(tmp_path):
    result = qcode("export-codebook", write(tmp_path, "cb.yaml", MISSPELT), "--strict", "-o", tmp_path / "x.qdc")
    assert result.exit_code == 1 and "--strict: 1 problem(s)" in result.output
    assert not (tmp_path / "x.qdc").exists()


def test_import_codebook_hint_names_an_option_it_has(tmp_path):
    qdc = tmp_path / "c.qdc"
    assert qcode("export-codebook", write(tmp_path, "cb.yaml", SMALL_CODEBOOK), "-o", qdc).exit_code == 0
    taken = write(tmp_path, "taken.yaml", "mine")
    result = qcode("import-codebook", qdc, "-o", taken)
    assert result.exit_code == 1
    assert "give another name with -o" in result.output and "--force" not in result.output
    assert taken.read_text(encoding="utf-8") == "mine"
