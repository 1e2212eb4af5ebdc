"""REFI-QDA exchange: .qdc/.qdpx written valid and exact, codebooks imported, hand coding compared."""

import hashlib
import re
import xml.etree.ElementTree as ET
import zipfile

import pandas as pd
import pytest
import xmlschema
from conftest import REPO, SHARED, Desk, qcode, write
from sklearn.metrics import cohen_kappa_score

REFI = SHARED / "refi-qda"
SCHEMAS = REPO / "pipeline" / "refi" / "schemas"
P = "{urn:QDA-XML:project:1.0}"
C = "{urn:QDA-XML:codebook:1.0}"
needs_refi = pytest.mark.skipif(not REFI.is_dir(), reason="../shared/refi-qda is absent (a researcher's clone): "
                                                          "the real REFI-QDA samples cannot be read")

CODEBOOK = """\
name: exchange test
version: "2"
codes:
  - id: equity
    label: Equity
    label_zh: 公平
    parent: keywords
    definition: fair and equal treatment
    terms:
      en: [equity, fairness, "discriminat*"]
      zh: [公平, 平台]
  - id: privacy
    label: Privacy
    parent: keywords
    terms:
      en: [privacy, personal data, "=data"]
      zh: [隐私, 数据]
  - id: good
    label: Tech for good
    terms:
      en: [tech for good]
"""

# p1: UTF-8 with BOM and CR LF line ends, astral characters (emoji, CJK extension B) before the terms;
# p2: Markdown, LF, English with emoji; p3: UTF-16 with its BOM.
P1 = ("访谈记录\r\n采访者：您怎么看？\r\n受访者：我觉得😀数据𠮷公平很重要。隐私也要保护。\r\n"
      "采访者：还有呢？\r\n受访者：𠮷平台要公平。\r\n")
P2 = ("Interviewer: What matters to you?\nAnna: 🙂 Fairness 𠀀 matters. Privacy and personal data too.\n"
      "Interviewer: And?\nAnna: Tech for good, and 𠀀 equity.\n")
P3 = "受访者：Privacy 是核心😀，公平也是。\n采访者：谢谢。\n"
ROSTER = ("interviewee_id,file,stakeholder_groups,country,sector\np1,p1.txt,Policy Maker,China,government\n"
          "p2,p2.md,Developer,UK,\np3,p3.txt,\"Developer; Community\",China,ngo\n")


@pytest.fixture
def exchange_run(tmp_path):
    folder = tmp_path / "transcripts"
    write(folder, "p1.txt", "\ufeff" + P1)
    write(folder, "p2.md", P2)
    write(folder, "p3.txt", P3, encoding="utf-16")
    write(folder, "roster.csv", ROSTER)
    codebook = write(tmp_path, "codebook.yaml", CODEBOOK)
    out = tmp_path / "run"
    result = qcode("run", folder, "--codebook", codebook, "--out", out, "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    return out


def schema(name):
    """The schema from ../shared where present (the reference copy), else the one qcode ships."""
    path = REFI / name if (REFI / name).is_file() else SCHEMAS / name
    return xmlschema.XMLSchema(str(path))


def code_tree(element, ns):
    """(guid, name, isCodable, color, description, children) of each code, recursively."""
    out = []
    for code in element.findall(f"{ns}Code"):
        described = code.find(f"{ns}Description")
        out.append((code.get("guid"), code.get("name"), code.get("isCodable"), code.get("color"),
                    described.text if described is not None else None, code_tree(code, ns)))
    return out


def read_project(path):
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        qde = archive.read("project.qde")
        sources = {n: archive.read(n) for n in names if n.startswith("sources/")}
    return qde, ET.fromstring(qde), sources


def test_shipped_schemas_are_the_published_ones():
    recorded = dict(re.findall(r"\| `(\w+\.xsd)` \| `[^`]+` \| `([0-9a-f]{64})` \|",
                               (SCHEMAS / "README.md").read_text(encoding="utf-8")))
    assert set(recorded) == {"Project.xsd", "Codebook.xsd"}
    for name, digest in recorded.items():
        assert hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest() == digest
        if (REFI / name).is_file():
            assert (SCHEMAS / name).read_bytes() == (REFI / name).read_bytes()


def test_exported_codebook_is_valid_with_stable_guids_and_tree(tmp_path):
    codebook = write(tmp_path, "codebook.yaml", CODEBOOK)
    first, second = tmp_path / "a.qdc", tmp_path / "b.qdc"
    assert qcode("export-codebook", codebook, "-o", first).exit_code == 0
    result = qcode("export-codebook", codebook, "-o", second)
    assert result.exit_code == 0 and "3 code(s) in 1 folder(s)" in result.output
    assert first.read_bytes() == second.read_bytes()                       # GUIDs stable across exports
    assert not first.read_bytes().startswith(b"\xef\xbb\xbf")
    schema("Codebook.xsd").validate(str(first))
    tree = code_tree(ET.parse(first).getroot().find(f"{C}Codes"), C)
    assert [(name, codable) for _, name, codable, *_ in tree] == [("keywords", "false"), ("Tech for good", "true")]
    children = tree[0][5]
    assert [(c[1], c[2]) for c in children] == [("Equity 公平", "true"), ("Privacy", "true")]
    assert children[0][4].startswith("fair and equal treatment\n\nqcode terms: {en: [equity, fairness, ")
    guids = [c[0] for c in children] + [tree[0][0], tree[1][0]]
    assert len(set(guids)) == 4 and all(re.fullmatch(r"[0-9a-f-]{36}", g) for g in guids)


HAND_QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Test tool 1.0">
 <Codes>
  <Code guid="A1E5C0DE-0000-4000-8000-000000000001" name="Data justice" isCodable="false">
   <Description>Folder of the study's themes.</Description>
   <Code guid="A1E5C0DE-0000-4000-8000-000000000002" name="Equity 公平" isCodable="true" color="#E06C75">
    <Description>Fairness, equal treatment.
Second paragraph.</Description>
    <Code guid="A1E5C0DE-0000-4000-8000-000000000003" name="价格歧视" isCodable="true"/>
   </Code>
   <Code guid="A1E5C0DE-0000-4000-8000-000000000004" name="Privacy 隐私" isCodable="true" color="#61AFEF"/>
  </Code>
  <Code guid="A1E5C0DE-0000-4000-8000-000000000005" name="Équité (other)" isCodable="true"/>
  <Code guid="A1E5C0DE-0000-4000-8000-000000000006" name="Equity" isCodable="true"/>
 </Codes>
</CodeBook>
"""


def test_codebook_round_trip_qdc_yaml_qdc(tmp_path, monkeypatch):
    import yaml

    original = write(tmp_path, "hand.qdc", HAND_QDC)
    schema("Codebook.xsd").validate(str(original))
    monkeypatch.chdir(tmp_path)
    imported = tmp_path / "outputs" / "hand.yaml"
    result = qcode("import-codebook", original)                       # default: outputs/, never beside the file
    assert result.exit_code == 0, result.output
    assert "5 code(s), 1 folder(s) from Test tool 1.0; 5 code(s) without terms" in result.output
    assert result.output.count("has no terms: it can never be assigned") == 5
    data = yaml.safe_load(imported.read_text(encoding="utf-8"))
    by_id = {c["id"]: c for c in data["codes"]}
    assert list(by_id) == ["equity", "code", "privacy", "equite_other", "equity_2"]
    assert by_id["equity"]["label_zh"] == "公平" and by_id["equity"]["parent"] == "data_justice"
    assert by_id["code"] == {"id": "code", "label": "价格歧视", "parent": "equity",
                             "guid": "A1E5C0DE-0000-4000-8000-000000000003", "terms": {"en": [], "zh": []}}
    folder = data["groups"][0]
    assert folder["id"] == "data_justice" and folder["definition"] == "Folder of the study's themes."
    again = tmp_path / "again.qdc"
    assert qcode("export-codebook", imported, "-o", again).exit_code == 0
    schema("Codebook.xsd").validate(str(again))
    before = code_tree(ET.fromstring(HAND_QDC.encode()).find(f"{C}Codes"), C)
    after = code_tree(ET.parse(again).getroot().find(f"{C}Codes"), C)

    def flat(tree):          # descriptions are kept as one paragraph (qcode folds whitespace in definitions)
        return [(g, n, k, col, " ".join(d.split()) if d else None, flat(ch)) for g, n, k, col, d, ch in tree]

    assert flat(after) == flat(before)
    assert qcode("import-codebook", again, "-o", imported).exit_code == 1              # never overwritten


def test_yaml_qdc_yaml_keeps_terms(tmp_path):
    from pipeline.read.codebook import load_codebook

    source = REPO / "codebooks" / "data_justice.yaml"
    qdc, back = tmp_path / "dj.qdc", tmp_path / "dj.yaml"
    assert qcode("export-codebook", source, "-o", qdc).exit_code == 0
    result = qcode("import-codebook", qdc, "-o", back)
    assert result.exit_code == 0 and "without terms" not in result.output
    one, two = load_codebook(source), load_codebook(back)
    folder = {g.id: g.label for g in two.groups}          # a folder `also named` comes back as id also_named
    assert [(c.label, c.label_zh, c.parent, c.definition, [t.text for t in c.terms]) for c in one.codes] == \
           [(c.label, c.label_zh, folder.get(c.parent, c.parent), c.definition, [t.text for t in c.terms])
            for c in two.codes]


@needs_refi
@pytest.mark.parametrize("name", ["samples/atlasti-win-23.2.3_codes-only.qdpx", "samples/nvivo-mac-15.0.0_project.qdpx",
                                  "samples/maxqda-24.7.0_project.qde", "examples/minimal.qdc",
                                  "examples/minimal.qdpx"])
def test_real_samples_import(tmp_path, name):
    import yaml

    from pipeline.read.codebook import load_codebook
    from pipeline.refi.read import read_exchange

    out = tmp_path / "imported.yaml"
    result = qcode("import-codebook", REFI / name, "-o", out)
    assert result.exit_code == 0, result.output
    exchange = read_exchange(REFI / name)
    codes = list(exchange.root.iter(f"{{{exchange.ns}}}Code"))
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    entries = data["codes"] + data.get("groups", [])
    assert len(entries) == len(codes)
    assert {e["guid"] for e in entries} == {c.get("guid") for c in codes}
    codebook = load_codebook(out)
    # every nested code names its parent's id
    ids = {e["guid"]: e["id"] for e in entries}
    for parent in codes:
        for child in parent.findall(f"{{{exchange.ns}}}Code"):
            entry = next(e for e in entries if e["guid"] == child.get("guid"))
            assert entry["parent"] == ids[parent.get("guid")]
    assert all(not c.terms for c in codebook.codes)


def test_export_project_is_valid_and_each_selection_slices_back(exchange_run, tmp_path):
    result = qcode("export-project", exchange_run)
    assert result.exit_code == 0, result.output
    assignments = pd.read_csv(exchange_run / "assignments.csv", encoding="utf-8-sig", dtype=str,
                              keep_default_na=False)
    assert f"3 source(s), {len(assignments)} coded selection(s) (machine coding), 3 case(s)" in result.output
    assert "for NVivo export again with --positions utf16" in result.output
    default = exchange_run / "project.qdpx"
    utf16 = tmp_path / "nvivo.qdpx"
    assert qcode("export-project", exchange_run, "-o", utf16, "--positions", "utf16").exit_code == 0
    expected = {r.assignment_id: r.matched_text.replace("\r\n", "\n") for r in assignments.itertuples()}
    moved = 0
    for path, unit in ((default, "codepoints"), (utf16, "utf16")):
        qde, root, sources = read_project(path)
        schema("Project.xsd").validate(qde.decode("utf-8"))
        texts = {}
        for name, data in sources.items():
            assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
            texts[name] = data.decode("utf-8")
        assert set(texts) == {f"sources/{s.get('guid')}.txt" for s in root.iter(f"{P}TextSource")}
        seen = {}
        for source in root.iter(f"{P}TextSource"):
            text = texts[source.get("plainTextPath").replace("internal://", "sources/")]
            for selection in source.findall(f"{P}PlainTextSelection"):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                if unit == "utf16":
                    sliced = text.encode("utf-16-le")[2 * start:2 * end].decode("utf-16-le")
                    moved += start != len(text.encode("utf-16-le")[:2 * start].decode("utf-16-le"))
                else:
                    sliced = text[start:end]
                ident = selection.find(f"{P}Description").text.split()[2].rstrip(":")
                seen[ident] = sliced
        assert seen == expected
    assert moved > 0                                # the UTF-16 positions really differ after astral characters
    assert any(a.source_file == "p1.txt" and a.matched_text == "公平" for a in assignments.itertuples())
    # cases are the interviewees with their roster columns as variables
    qde, root, _ = read_project(default)
    variables = {v.get("guid"): v.get("name") for v in root.iter(f"{P}Variable")}
    assert set(variables.values()) >= {"stakeholder_groups", "country", "sector", "respondent_words"}
    cases = {}
    for case in root.iter(f"{P}Case"):
        values = {variables[v.find(f"{P}VariableRef").get("targetGUID")]: v[1].text
                  for v in case.findall(f"{P}VariableValue")}
        cases[case.get("name")] = (values, len(case.findall(f"{P}SourceRef")))
    assert cases["p3"][0]["stakeholder_groups"] == "Developer; Community" and cases["p3"][0]["sector"] == "ngo"
    assert "sector" not in cases["p2"][0] and cases["p1"][1] == 1
    users = [u.get("name") for u in root.iter(f"{P}User")]
    assert users == ["qcode"]
    again = tmp_path / "again.qdpx"
    assert qcode("export-project", exchange_run, "-o", again).exit_code == 0
    assert again.read_bytes() == default.read_bytes()              # a re-export is byte-identical
    assert qcode("export-project", exchange_run).exit_code == 1      # never over an existing file …
    assert qcode("export-project", exchange_run, "--force").exit_code == 0   # … unless qcode wrote it


def test_export_of_an_audited_run_carries_the_reviewed_coding(machine_run, tmp_path):
    desk = Desk(machine_run / "codebook.xlsx")
    desk.set("a.txt", "fairness", decision="reject", reviewer="Li")
    desk.set("a.txt", "privacy", recode_to="equity", reviewer="Li")
    desk.add(source_file="a.txt", line=1, code="good", matched_text="first", decision="add", reviewer="Li")
    reviewed = desk.save(tmp_path / "reviewed.xlsx")
    assert qcode("audit", reviewed, "--out", tmp_path / "audited").exit_code == 0
    out = tmp_path / "p.qdpx"
    result = qcode("export-project", tmp_path / "audited", "-o", out)
    assert result.exit_code == 0 and "(reviewed coding)" in result.output
    _, root, sources = read_project(out)
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{P}User")}
    codes = {c.get("guid"): c.get("name") for c in root.iter(f"{P}Code")}
    got = []
    for source in root.iter(f"{P}TextSource"):
        text = sources[source.get("plainTextPath").replace("internal://", "sources/")].decode()
        for s in source.findall(f"{P}PlainTextSelection"):
            coding = s.find(f"{P}Coding")
            got.append((source.get("name"), text[int(s.get("startPosition")):int(s.get("endPosition"))],
                        codes[coding.find(f"{P}CodeRef").get("targetGUID")], users[s.get("creatingUser")],
                        users[coding.get("creatingUser")]))
    assert sorted(got) == sorted([
        ("a.txt", "Privacy", "Privacy", "qcode", "qcode"),
        ("a.txt", "privacy", "Equity", "qcode", "Li"),            # recoded by Li
        ("a.txt", "first", "Tech for good", "Li", "Li"),          # added by Li
        ("c.txt", "equity", "Equity", "qcode", "qcode"),
        ("c.txt", "Tech for good", "Tech for good", "qcode", "qcode")])


def test_exporting_refuses_changed_transcripts_and_foreign_files(exchange_run, tmp_path):
    foreign = write(tmp_path, "theirs.qdc", HAND_QDC)
    before = foreign.read_bytes()
    result = qcode("export-codebook", tmp_path / "codebook.yaml", "-o", foreign, "--force")
    assert result.exit_code == 1 and "already exists and qcode did not write it" in result.output
    assert foreign.read_bytes() == before
    write(tmp_path / "transcripts", "p2.md", P2 + "Anna: one more line.\n")
    result = qcode("export-project", exchange_run, "-o", tmp_path / "x.qdpx")
    assert result.exit_code == 1 and "p2.md: the transcript changed since the run" in result.output
    assert not (tmp_path / "x.qdpx").exists()


@pytest.mark.parametrize("content, message", [
    (b"not xml at all", "is not well-formed XML"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CodeBook/>', "declares a DTD or entities"),
    (b"<Other xmlns='urn:x'/>", "not a REFI-QDA codebook or project"),
    (b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes/></CodeBook>", "holds no codes"),
    ("zip", "without exactly one project.qde"),
])
def test_bad_exchange_files_get_a_message(tmp_path, content, message):
    path = tmp_path / "bad.qdpx"
    if content == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("sources/a.txt", "text")
    else:
        path.write_bytes(content)
    result = qcode("import-codebook", path, "-o", tmp_path / "out.yaml")
    assert result.exit_code == 1 and message in result.output, result.output
    assert str(path) in result.output and not (tmp_path / "out.yaml").exists()


def hand_project(path, sources, origin="Hand tool 2.0", unit="codepoints", extra_codes=()):
    """A .qdpx written the way another tool would: `sources` = {name: (text, [(code, start, end, user)])}."""
    codes = {"Equity 公平": "c0000000-0000-4000-8000-000000000001", "privacy": "c0000000-0000-4000-8000-000000000002",
             **{name: f"c0000000-0000-4000-8000-00000000010{i}" for i, name in enumerate(extra_codes)}}
    users = {"Mei": "a0000000-0000-4000-8000-000000000001",
             "Tom": "b0000000-0000-4000-8000-000000000002"}
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           f'<Project xmlns="urn:QDA-XML:project:1.0" name="hand" origin="{origin}"><Users>']
    out += [f'<User guid="{g}" name="{n}"/>' for n, g in users.items()]
    out.append("</Users><CodeBook><Codes>")
    out += [f'<Code guid="{g}" name="{n}" isCodable="true"/>' for n, g in codes.items()]
    out.append("</Codes></CodeBook><Sources>")
    files = {}
    for index, (name, (text, selections)) in enumerate(sources.items()):
        guid = f"d0000000-0000-4000-8000-00000000000{index}"
        files[f"sources/{guid}.txt"] = text
        out.append(f'<TextSource guid="{guid}" name="{name}" plainTextPath="internal://{guid}.txt">')
        for number, (code, start, end, user) in enumerate(selections):
            if unit == "utf16":
                start = len(text[:start].encode("utf-16-le")) // 2
                end = len(text[:end].encode("utf-16-le")) // 2
            out.append(f'<PlainTextSelection guid="e0000000-0000-4000-8000-0000000{index:02d}{number:03d}" '
                       f'name="sel" startPosition="{start}" endPosition="{end}" creatingUser="{users[user]}">'
                       f'<Coding guid="f0000000-0000-4000-8000-0000000{index:02d}{number:03d}" '
                       f'creatingUser="{users[user]}"><CodeRef targetGUID="{codes[code]}"/></Coding>'
                       "</PlainTextSelection>")
        out.append("</TextSource>")
    out.append("</Sources></Project>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", "\n".join(out))
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def span(text, piece, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return start, start + len(piece)


def test_agreement_with_a_hand_coded_project(exchange_run, tmp_path):
    """Mei codes p1 and p2 by hand; Tom's codings are left out with --user Mei."""
    p1, p2 = P1.replace("\r\n", "\n"), P2           # the tool holds LF text, as REFI-QDA asks
    units = tmp_path / "hand.qdpx"
    hand_project(units, {
        "p1": (p1, [("Equity 公平", *span(p1, "公平很重要"), "Mei"),          # qcode: equity here too → both
                    ("privacy", *span(p1, "隐私也要保护"), "Mei"),           # qcode: privacy here too → both
                    ("privacy", *span(p1, "您怎么看"), "Mei"),               # an interviewer turn → outside
                    ("Equity 公平", *span(p1, "𠮷平台要公平"), "Tom")]),     # Tom's: left out
        "p2.md": (p2, [("privacy", *span(p2, "Fairness"), "Mei"),            # qcode: equity only → privacy 2nd only
                       ("Equity 公平", *span(p2, "Tech for good"), "Mei")]),  # qcode: equity in that sentence
    }, origin="NVivo 14", unit="utf16", extra_codes=("Other",))
    result = qcode("agreement", exchange_run, units, "--out", tmp_path / "agr", "--user", "Mei", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "2 transcript(s) compared with Mei's coding (positions in utf16)" in result.output
    assert "1 hand selection(s) of 'privacy' lie outside the respondent's coded speech" in result.output
    table = pd.read_csv(tmp_path / "agr" / "agreement.csv", encoding="utf-8-sig").set_index("code")
    run = pd.read_csv(exchange_run / "assignments.csv", encoding="utf-8-sig")
    # the compared units: respondent sentences of p1 and p2 (not p3, which the project lacks)
    sentences = {"p1.txt": ["我觉得😀数据𠮷公平很重要。", "隐私也要保护。", "𠮷平台要公平。"],
                 "p2.md": ["🙂 Fairness 𠀀 matters.", "Privacy and personal data too.",
                           "Tech for good, and 𠀀 equity."]}
    hand = {("p1.txt", 0, "equity"), ("p1.txt", 1, "privacy"), ("p2.md", 0, "privacy"), ("p2.md", 2, "equity")}
    machine = set()
    for row in run[run.source_file.isin(list(sentences)) & (run.speaker_role == "respondent")].itertuples():
        index = next(i for i, s in enumerate(sentences[row.source_file]) if row.segment_text.strip() == s)
        machine.add((row.source_file, index, row.code))
    assert ("p1.txt", 2, "equity") in machine and ("p2.md", 0, "equity") in machine
    for code in ("equity", "privacy"):
        ones = [(f, i, code) in machine for f in sentences for i in range(3)]
        twos = [(f, i, code) in hand for f in sentences for i in range(3)]
        row = table.loc[code]
        assert row["rows"] == 6
        assert row["both"] == sum(a and b for a, b in zip(ones, twos, strict=True))
        assert row["qcode_only"] == sum(a and not b for a, b in zip(ones, twos, strict=True))
        assert row["second_only"] == sum(b and not a for a, b in zip(ones, twos, strict=True))
        assert row["percent_agreement"] == pytest.approx(sum(a == b for a, b in zip(ones, twos, strict=True)) / 6)
        assert row["kappa"] == pytest.approx(cohen_kappa_score(ones, twos))
    assert table.loc["privacy", "second_only"] == 1 and table.loc["equity", "qcode_only"] == 2
    assert "good" not in table.index                       # not in the project: not compared
    disagreements = pd.read_csv(tmp_path / "agr" / "disagreements.csv", encoding="utf-8-sig")
    rows = {(r.source_file, r.code, r.first, r.second, r.line) for r in disagreements.itertuples()}
    assert ("p1.txt", "equity", "coded", "not coded", 5) in rows           # 平台/公平: Tom's coding left out
    assert ("p2.md", "privacy", "not coded", "coded", 2) in rows
    codes = pd.read_csv(tmp_path / "agr" / "codes.csv", encoding="utf-8-sig", keep_default_na=False)
    assert dict(zip(codes.project_code, codes.qcode_code, strict=True)) == {
        "Equity 公平": "equity", "privacy": "privacy", "Other": ""}
    # read as code points, the NVivo positions after 😀 and 𠮷 point one or two characters too far
    wrong = qcode("agreement", exchange_run, units, "--out", tmp_path / "agr2", "--user", "Mei",
                  "--positions", "codepoints", "-j", "1")
    assert wrong.exit_code == 0
    assert not pd.read_csv(tmp_path / "agr2" / "agreement.csv", encoding="utf-8-sig").equals(
        pd.read_csv(tmp_path / "agr" / "agreement.csv", encoding="utf-8-sig"))


@pytest.mark.parametrize("positions", ["codepoints", "utf16"])
def test_qcodes_own_export_agrees_with_its_run(exchange_run, tmp_path, positions):
    project = tmp_path / "own.qdpx"
    assert qcode("export-project", exchange_run, "-o", project, "--positions", positions).exit_code == 0
    refused = qcode("agreement", exchange_run, project, "--out", tmp_path / "a0")
    assert refused.exit_code == 1 and "holds only qcode's own coding" in refused.output
    result = qcode("agreement", exchange_run, project, "--out", tmp_path / "a1", "--user", "qcode",
                   "--positions", positions, "-j", "1")
    assert result.exit_code == 0, result.output
    assert "3 transcript(s) compared" in result.output
    table = pd.read_csv(tmp_path / "a1" / "agreement.csv", encoding="utf-8-sig").set_index("code")
    assert table.loc["overall", "kappa"] == 1.0 and table.loc["overall", "qcode_only"] == 0
    assert table.loc["overall", "second_only"] == 0 and table.loc["overall", "both"] > 0
    assert len(pd.read_csv(tmp_path / "a1" / "disagreements.csv", encoding="utf-8-sig")) == 0


def test_agreement_refuses_what_it_cannot_compare(exchange_run, tmp_path):
    qdc = write(tmp_path, "c.qdc", HAND_QDC)
    result = qcode("agreement", exchange_run, qdc, "--out", tmp_path / "a")
    assert result.exit_code == 1 and "is a codebook, not a coded project" in result.output
    other = hand_project(tmp_path / "other.qdpx", {"p1": (P1, [])}, extra_codes=())
    changed = hand_project(tmp_path / "changed.qdpx", {"p1.txt": ("受访者：别的文本。\n", [])})
    result = qcode("agreement", exchange_run, changed, "--out", tmp_path / "b")
    assert result.exit_code == 1 and "text differs from p1.txt at line 1, character 1" in result.output
    assert "no source of the project is a transcript of the run" in result.output
    result = qcode("agreement", exchange_run, other, "--out", tmp_path / "c", "--user", "Zed")
    assert result.exit_code == 1 and "has no user 'Zed'" in result.output
    assert not any((tmp_path / n).exists() for n in "abc")


def test_agreement_workbook_says_why_a_kappa_is_zero_or_blank(exchange_run, tmp_path):
    """p1 only: Mei codes equity once, privacy never; no one codes `good` there."""
    p1 = P1.replace("\r\n", "\n")
    units = hand_project(tmp_path / "hand.qdpx", {"p1": (p1, [("Equity 公平", *span(p1, "公平很重要"), "Mei")])},
                         extra_codes=("good",))
    result = qcode("agreement", exchange_run, units, "--out", tmp_path / "agr", "--user", "Mei", "-j", "1")
    assert result.exit_code == 0, result.output
    sheet = pd.read_excel(tmp_path / "agr" / "agreement.xlsx", sheet_name="Agreement",
                          keep_default_na=False).set_index("code")
    assert list(sheet.columns) == ["rows", "percent_agreement", "kappa", "alpha", "both", "qcode_only",
                                   "second_only", "kappa_note"]          # the note is appended, the rest unmoved
    # privacy: qcode codes sentences 0 (数据) and 1 (隐私) of p1's three; the hand coding none
    assert (sheet.loc["privacy", "kappa"], sheet.loc["privacy", "qcode_only"]) == (0, 2)
    assert sheet.loc["privacy", "kappa_note"] == (
        "prevalence: the hand coding gave 'not coded' to every one of the 3 units: kappa is 0 (agreement 33.3%); "
        "with one coder constant, chance predicts all the agreement seen (Feinstein & Cicchetti 1990)")
    # good: coded by neither in p1
    assert sheet.loc["good", "kappa"] == "" and sheet.loc["good", "kappa_note"] == (
        "one category only: both coders gave 'not coded' to every one of the 3 units, so kappa (and alpha) is "
        "undefined and left blank")
    assert sheet.loc["equity", "kappa_note"] == "" and sheet.loc["overall", "kappa_note"] == ""
    notes = pd.read_excel(tmp_path / "agr" / "agreement.xlsx", sheet_name="Notes").set_index("kind")
    assert "kappa_note says why a kappa is 0" in notes.loc["how", "value"]
