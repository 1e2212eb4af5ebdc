"""Codebook loading and validation, and `qcode check`."""

import pytest
from click.testing import CliRunner
from conftest import DEFAULT_CODEBOOK, write
from openpyxl import Workbook

from pipeline.cli import main
from pipeline.errors import CodebookError
from pipeline.read.codebook import load_codebook

HEAD = 'name: t\nversion: "1"\ncodes:\n'


def problems(codebook):
    return [p for p in codebook.notes if p.kind == "problem"]


def test_default_codebook_loads_with_the_studys_keywords():
    codebook = load_codebook(DEFAULT_CODEBOOK)
    assert {"equity", "privacy", "distribution", "inclusiveness", "transparency", "accountability",
            "common_good", "data_literacy"} <= set(codebook.ids)
    assert problems(codebook) == []
    privacy = codebook.code("privacy")
    assert "私隐" in {t.zh for t in privacy.terms}          # 私隱, the traditional-only word, as matched


def test_duplicate_code_id_is_a_problem_with_its_line(tmp_path):
    path = write(tmp_path, "c.yaml", HEAD + "  - id: a\n    terms: {en: [x]}\n  - id: a\n    terms: {en: [y]}\n")
    codebook = load_codebook(path)
    (problem,) = problems(codebook)
    assert "duplicate code id 'a'" in problem.problem and problem.line == 6
    assert codebook.ids == ["a"]


def test_invalid_code_id_is_a_problem(tmp_path):
    path = write(tmp_path, "c.yaml", HEAD + "  - id: Equity!\n    terms: {en: [x]}\n  - id: b\n    terms: {en: [y]}\n")
    (problem,) = problems(load_codebook(path))
    assert "invalid code id 'Equity!'" in problem.problem and problem.line == 4


@pytest.mark.parametrize("term", ["*data", "da*ta", "data**", "=data*", "*", "公平*"])
def test_malformed_wildcard_is_a_problem(tmp_path, term):
    path = write(tmp_path, "c.yaml", HEAD + f'  - id: a\n    terms: {{en: ["{term}", ok]}}\n')
    codebook = load_codebook(path)
    (problem,) = problems(codebook)
    assert "malformed" in problem.problem
    assert [t.text for t in codebook.code("a").terms] == ["ok"]


def test_yaml_syntax_error_names_its_line(tmp_path):
    path = write(tmp_path, "c.yaml", HEAD + "  - id: a\n    terms: {en: [x, y}\n")
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    assert "YAML syntax error" in info.value.problem and info.value.line == 5


def test_code_without_terms_is_a_note_not_a_problem(tmp_path):
    path = write(tmp_path, "c.yaml", HEAD + "  - id: a\n    terms: {en: [x]}\n  - id: empty\n")
    codebook = load_codebook(path)
    assert problems(codebook) == []
    assert any("no terms" in n.problem for n in codebook.notes)


def test_xlsx_codebook_with_the_same_columns(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "label", "terms_en", "terms_zh", "exclude_en"])
    sheet.append(["equity", "Equity", "equity; fairness", "公平", "private equity"])
    workbook.save(tmp_path / "c.xlsx")
    code = load_codebook(tmp_path / "c.xlsx").code("equity")
    assert [t.text for t in code.terms] == ["equity", "fairness", "公平"]
    assert [t.text for t in code.excludes] == ["private equity"]


def test_check_shows_jieba_splits_lemmas_and_warnings(tmp_path):
    path = write(tmp_path, "c.yaml", HEAD + "  - id: a\n    terms: {en: [discriminated, x], zh: [大数据杀熟, 資料]}\n"
                 "  - id: b\n    terms: {en: [x]}\n")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "大 | 数据 | 杀熟" in result.output
    assert "matched as: discriminate" in result.output
    assert "Taiwan text (tw2sp)" in result.output          # 資料 → 资料, but Taiwan text has 数据
    assert "listed under a, b" in result.output


def test_check_exits_non_zero_on_problems(tmp_path):
    path = write(tmp_path, "c.yaml", HEAD + "  - id: a\n    terms: {en: ['*x', y]}\n")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert "malformed wildcard" in result.output


def test_check_of_missing_file_is_a_clear_message(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Traceback" not in result.output


def test_run_with_a_broken_codebook_names_file_and_line(tmp_path):
    path = write(tmp_path, "c.yaml", HEAD + "  - id: a\n   terms: [x\n")
    folder = tmp_path / "t"
    write(folder, "x.txt", "Anna: x\n")
    result = CliRunner().invoke(main, ["run", str(folder), "--codebook", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert f"{path}:" in result.output and "YAML syntax error" in result.output
    assert "Traceback" not in result.output
