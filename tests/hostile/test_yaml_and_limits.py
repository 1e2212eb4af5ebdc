"""YAML alias bombs, deep nesting and oversized inputs: refused by name (and line), in bounded memory.

A 572-byte codebook of nested aliases once took 3-4 GB; the same in one transcript's front matter
stopped the whole run. Now an anchor or alias is refused where it starts, like a syntax error; a
file or part beyond a named size, term count or depth is refused with a message saying so.
"""

import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from conftest import SMALL_CODEBOOK, qcode, qcode_in_bounded_memory, write

from pipeline.read.codebook import MAX_CODEBOOK_BYTES, MAX_TERMS
from pipeline.read.safe_yaml import MAX_DEPTH
from pipeline.read.transcripts import MAX_FRONT_MATTER
from pipeline.refi.read import MAX_DEPTH as MAX_XML_DEPTH


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """`a0: &a0 [lol, …]`, `a1: &a1 [*a0, *a0, …]` …: `width ** levels` strings from a few hundred bytes."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * width)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


def with_good_transcript(folder: Path, bad_name: str) -> None:
    write(folder, "good.txt", "Anna: privacy and fairness matter.\n")
    write(folder, "roster.csv", f"interviewee_id,file,stakeholder_groups\ng,good.txt,G1\nb,{bad_name},G2\n")


def coded_files(out: Path) -> list[str]:
    return [f["source_file"] for f in json.loads((out / "run.json").read_text(encoding="utf-8"))["files"]]


# --- codebooks --------------------------------------------------------------------------------------------------

def test_a_codebook_alias_bomb_is_refused_naming_the_line_in_bounded_memory(tmp_path):
    codebook = write(tmp_path, "codebook.yaml", 'name: bomb\nversion: "1"\n' + alias_bomb()
                     + "codes:\n  - id: equity\n    label: Equity\n    terms:\n      en: *a8\n")
    assert codebook.stat().st_size < 600
    write(tmp_path / "t", "a.txt", "Anna: fairness.\n")
    result = qcode_in_bounded_memory("run", tmp_path / "t", "--codebook", codebook, "--out", tmp_path / "run",
                                     "-q", "-j", "1")
    assert result.returncode == 1
    assert f"{codebook}:3: YAML anchors and aliases (&a0) are not accepted" in result.output
    assert not (tmp_path / "run").exists()


def test_a_codebook_nested_beyond_the_depth_limit_is_refused(tmp_path):
    codebook = write(tmp_path, "codebook.yaml", "codes: " + "[" * 10_000 + "]" * 10_000 + "\n")
    result = qcode("check", codebook)
    assert result.exit_code == 1
    assert f"{codebook}:1: YAML nested more than {MAX_DEPTH} levels deep is not accepted" in result.output


def test_a_codebook_file_over_the_size_limit_is_refused_unread(tmp_path):
    codebook = write(tmp_path, "codebook.yaml", SMALL_CODEBOOK + "# " + "x" * MAX_CODEBOOK_BYTES + "\n")
    result = qcode("check", codebook)
    assert result.exit_code == 1
    assert f"{codebook}: is {codebook.stat().st_size:,} bytes, more than a codebook can be" in result.output


def test_a_codebook_of_too_many_terms_is_refused_before_compiling_them(tmp_path):
    terms = ", ".join(f"w{n}" for n in range(MAX_TERMS + 1))
    codebook = write(tmp_path, "codebook.yaml", f'name: many\nversion: "1"\ncodes:\n  - id: many\n'
                     f"    terms:\n      en: [{terms}]\n")
    result = qcode("check", codebook)
    assert result.exit_code == 1
    assert f"{codebook}:4: has more than {MAX_TERMS:,} terms" in result.output


def test_the_shipped_codebook_is_far_inside_the_limits():
    from conftest import DEFAULT_CODEBOOK

    from pipeline.read.codebook import load_codebook

    codebook = load_codebook(DEFAULT_CODEBOOK)
    assert DEFAULT_CODEBOOK.stat().st_size * 100 < MAX_CODEBOOK_BYTES
    assert sum(len(c.terms) + len(c.excludes) for c in codebook.codes) * 20 < MAX_TERMS


# --- front matter and transcript bytes --------------------------------------------------------------------------

def test_a_front_matter_alias_bomb_is_a_problem_for_that_file_only_in_bounded_memory(tmp_path, codebook_file):
    folder = tmp_path / "t"
    with_good_transcript(folder, "bad.md")
    bad = write(folder, "bad.md", "---\n" + alias_bomb() + "language: *a8\n---\nBo: equity.\n")
    assert bad.stat().st_size < 600
    out = tmp_path / "run"
    result = qcode_in_bounded_memory("run", folder, "--codebook", codebook_file, "--out", out, "-q", "-j", "1")
    assert result.returncode == 0, result.output
    assert "bad.md:2: the front matter: YAML anchors and aliases (&a0) are not accepted" in result.output
    assert coded_files(out) == ["good.txt"]


def test_front_matter_over_the_size_limit_is_a_problem_for_that_file_only(tmp_path, codebook_file):
    folder = tmp_path / "t"
    with_good_transcript(folder, "big.md")
    write(folder, "big.md", "---\nnote: " + "x" * MAX_FRONT_MATTER + "\n---\nBo: equity.\n")
    out = tmp_path / "run"
    result = qcode("run", folder, "--codebook", codebook_file, "--out", out, "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "big.md:1: the front matter (between the --- lines) is" in result.output
    assert f"more than qcode reads ({MAX_FRONT_MATTER:,})" in result.output
    assert coded_files(out) == ["good.txt"]


def test_a_nul_byte_after_the_first_8_kb_makes_the_file_binary(tmp_path, codebook_file):
    folder = tmp_path / "t"
    with_good_transcript(folder, "late.txt")
    (folder / "late.txt").write_bytes(b"Bo: equity matters.\n" * 500 + b"\x00tail\n")
    assert (folder / "late.txt").read_bytes().index(b"\x00") > 8192
    out = tmp_path / "run"
    result = qcode("run", folder, "--codebook", codebook_file, "--out", out, "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "late.txt: a binary file, not text (it holds NUL bytes)" in result.output
    assert coded_files(out) == ["good.txt"]


# --- REFI-QDA codebooks and projects ----------------------------------------------------------------------------

def qdc(codes: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Hand 1.0">'
            f"<Codes>{codes}</Codes></CodeBook>\n")


def nested_codes(depth: int) -> str:
    return ("".join(f'<Code guid="c0000000-0000-4000-8000-{n:012d}" name="c{n}" isCodable="true">'
                    for n in range(depth)) + "</Code>" * depth)


def test_a_qdc_whose_terms_are_an_alias_bomb_is_imported_without_them_in_bounded_memory(tmp_path):
    description = "Fairness.\nqcode terms: \n" + alias_bomb() + "en: *a8\n"
    path = write(tmp_path, "bomb.qdc", qdc('<Code guid="c0000000-0000-4000-8000-000000000001" name="Equity" '
                                           f'isCodable="true"><Description>{escape(description)}</Description></Code>'))
    assert path.stat().st_size < 800
    out = tmp_path / "out.yaml"
    result = qcode_in_bounded_memory("import-codebook", path, "-o", out)
    assert result.returncode == 0, result.output
    assert "lol" in out.read_text(encoding="utf-8")             # kept as the definition's text, not as terms
    assert "terms:\n    en: []" in out.read_text(encoding="utf-8")


def test_a_qdc_nested_beyond_the_depth_limit_is_refused_by_import_codebook(tmp_path):
    path = write(tmp_path, "deep.qdc", qdc(nested_codes(5000)))
    result = qcode("import-codebook", path, "-o", tmp_path / "out.yaml")
    assert result.exit_code == 1
    assert f"{path}: nests its elements more than {MAX_XML_DEPTH} levels deep" in result.output
    assert not (tmp_path / "out.yaml").exists()


def test_a_code_tree_within_the_depth_limit_is_imported_in_order(tmp_path):
    path = write(tmp_path, "tree.qdc", qdc(nested_codes(MAX_XML_DEPTH - 5)))
    out = tmp_path / "out.yaml"
    result = qcode("import-codebook", path, "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.index("id: c0\n") < text.index("id: c1\n") < text.index(f"id: c{MAX_XML_DEPTH - 6}\n")
    assert f"parent: c{MAX_XML_DEPTH - 7}\n" in text


def test_a_deep_project_is_refused_by_agreement(machine_run, tmp_path):
    project = ('<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="p" '
               f'origin="Hand 1.0"><CodeBook><Codes>{nested_codes(5000)}</Codes></CodeBook></Project>\n')
    path = tmp_path / "deep.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project)
    result = qcode("agreement", machine_run, path, "--out", tmp_path / "agr", "-j", "1")
    assert result.exit_code == 1
    assert f"{path}: nests its elements more than {MAX_XML_DEPTH} levels deep" in result.output
    assert not (tmp_path / "agr").exists()
