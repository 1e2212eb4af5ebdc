"""What qcode prints or writes as a comment from a stranger's file is shown, never acted on: terminal escapes and
bidi overrides escaped, a line break in a name never a line of its own."""

from __future__ import annotations

import yaml
from conftest import qcode, write

from pipeline.commands.report import one_line, printable

ESC_NAME = "bad\x1b[31mred\u202etxt.txt"           # colours the terminal red, then reverses what follows


def test_printable_escapes_what_a_terminal_would_act_on():
    assert printable("a\x1b[2Jb\u202ec\u2066d\x07\x7f\x9b\x00e") == "a\\x1b[2Jb\\u202ec\\u2066d\\x07\\x7f\\x9b\\x00e"
    assert printable("tab\tstays") == "tab\tstays"
    assert printable("file: problem\n  → hint") == "file: problem\n  → hint"       # qcode's own hint line
    assert printable("evil\nproblem: forged\rline") == "evil\\nproblem: forged\\rline"
    assert printable("公平 Équité ok") == "公平 Équité ok"


def test_one_line_folds_line_breaks():
    assert one_line("Tool\n# not a comment\r\n\u2028x\x85y\tz\x1b") == "Tool # not a comment x y z\\x1b"


def test_a_file_name_with_escape_sequences_is_printed_escaped(tmp_path):
    folder = tmp_path / "t"
    write(folder, ESC_NAME, "")                                   # an empty file: a problem naming it
    write(folder, "ok.txt", "Bo: fairness matters.\n")
    result = qcode("run", folder, "--out", tmp_path / "run", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "bad\\x1b[31mred\\u202etxt.txt: the file is empty" in result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output


def test_a_failure_naming_a_hostile_file_is_printed_escaped(tmp_path):
    result = qcode("check", write(tmp_path, "cb\u202e\x1b]0;title\x07.yaml", "codes: [\n"))
    assert result.exit_code == 1
    assert "cb\\u202e\\x1b]0;title\\x07.yaml" in result.output
    assert not any(c in result.output for c in "\x1b\x07\u202e")


QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"
 origin="Evil tool&#10;name: pwned&#13;&#10;codes: []&#x2028;x&#x85;y&#x202e;">
 <Codes>
  <Code guid="A1E5C0DE-0000-4000-8000-000000000001" name="Equity" isCodable="true"/>
 </Codes>
</CodeBook>
"""


def test_an_origin_with_line_breaks_stays_in_the_yaml_comment(tmp_path):
    qdc = write(tmp_path, "theirs\ncodes: [].qdc", QDC)
    out = tmp_path / "cb.yaml"
    result = qcode("import-codebook", qdc, "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    header = text.split("\nname:")[0].splitlines()
    assert all(line.startswith("# ") for line in header), header
    assert "from theirs codes: [].qdc (written by Evil tool name: pwned codes: [] x y\\u202e) on" in header[0]
    data = yaml.safe_load(text)
    assert data["name"] == "theirs\ncodes: []" and [c["label"] for c in data["codes"]] == ["Equity"]
    assert "Evil tool\\nname: pwned\\r\\ncodes: []" in result.output and "\u202e" not in result.output
