"""A run folder → a REFI-QDA project (.qdpx): codebook, transcripts as sources, one selection per assignment."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass

import pandas as pd

from pipeline.refi.codebook_export import ORIGIN, code_guid, codes_element
from pipeline.refi.positions import ExportedText
from pipeline.refi.xml import stable_guid
from pipeline.runfolder.load import RunTables
from pipeline.write.folder import read_csv_table

QCODE_USER = "qcode"
_NOT_VARIABLES = ("interviewee_id", "file", "speaker_labels")
_INTEGER_VARIABLES = ("respondent_words",)


def _timestamp(created: str) -> str:
    """The run's creation time in UTC, as xsd:dateTime with Z."""
    try:
        moment = dt.datetime.fromisoformat(created)
    except (TypeError, ValueError):
        moment = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _reviewers(tables: RunTables) -> dict[str, str]:
    """assignment_id → who decided it, for a reviewed run (decisions.csv); {} for a machine run."""
    path = tables.path / "decisions.csv"
    if tables.coding != "reviewed" or not path.is_file():
        return {}
    frame = read_csv_table(path)
    return {row.assignment_id: (row.reviewer or "reviewer") for row in frame.itertuples()
            if row.decision or row.recode_to}


def source_guid(entry: dict) -> str:
    """A transcript's source GUID: from its path and checksum, so a re-export keeps it."""
    return stable_guid("source", entry["source_file"], entry.get("sha256", ""))


def _user(users: dict[str, str], name: str) -> str:
    return users.setdefault(name, stable_guid("user", name))


def _variables(roster: pd.DataFrame) -> list[str]:
    return [c for c in roster.columns if c not in _NOT_VARIABLES]


@dataclass
class BuiltProject:
    root: ET.Element                  # project.qde
    source_texts: dict[str, str]      # source GUID → its text as exported
    users: dict[str, str]             # name → GUID
    selections: int = 0
    astral_sources: int = 0           # sources where code points and UTF-16 positions differ


def build_project(tables: RunTables, texts: dict[str, str], assignments: pd.DataFrame,
                  positions: str) -> BuiltProject:
    """The project.qde tree with one coded selection per assignment, and the texts of its sources."""
    created = _timestamp(tables.manifest.get("created", ""))
    reviewers = _reviewers(tables)
    users: dict[str, str] = {}
    qcode = _user(users, QCODE_USER)
    root = ET.Element("Project", {"name": tables.path.name, "origin": ORIGIN, "creatingUserGUID": qcode,
                                  "creationDateTime": created})
    users_element = ET.SubElement(root, "Users")
    codebook = ET.SubElement(root, "CodeBook")
    codebook.append(codes_element(tables.codebook))
    guid_of_code = {c.id: code_guid(c) for c in tables.codebook.codes}

    files = tables.manifest.get("files", [])
    guid_of_source = {f["source_file"]: source_guid(f) for f in files}
    sources_of: dict[str, list[str]] = {}
    for entry in files:
        sources_of.setdefault(str(entry.get("interviewee_id")), []).append(guid_of_source[entry["source_file"]])
    variables = _variables(tables.roster)
    if variables:
        element = ET.SubElement(root, "Variables")
        for name in variables:
            ET.SubElement(element, "Variable", {"guid": stable_guid("variable", name), "name": name,
                                                "typeOfVariable": "Integer" if name in _INTEGER_VARIABLES
                                                else "Text"})
    cases = ET.SubElement(root, "Cases")
    for person in tables.roster.itertuples(index=False):
        person = person._asdict()
        case = ET.SubElement(cases, "Case", {"guid": stable_guid("case", person["interviewee_id"]),
                                             "name": person["interviewee_id"]})
        for name in variables:
            value = str(person.get(name, "")).strip()
            if value:
                holder = ET.SubElement(case, "VariableValue")
                ET.SubElement(holder, "VariableRef", {"targetGUID": stable_guid("variable", name)})
                kind = "IntegerValue" if name in _INTEGER_VARIABLES else "TextValue"
                ET.SubElement(holder, kind).text = value
        for guid in sources_of.get(person["interviewee_id"], []):
            ET.SubElement(case, "SourceRef", {"targetGUID": guid})
    if not len(cases):
        root.remove(cases)

    sources = ET.SubElement(root, "Sources")
    by_file = {name: rows for name, rows in assignments.groupby("source_file", sort=False)}
    built = BuiltProject(root, {}, users)
    for entry in files:
        source_file = entry["source_file"]
        guid = guid_of_source[source_file]
        exported = ExportedText(texts[source_file])
        built.source_texts[guid] = exported.text
        built.astral_sources += exported.has_astral()
        source = ET.SubElement(sources, "TextSource", {"guid": guid, "name": source_file,
                                                      "plainTextPath": f"internal://{guid}.txt",
                                                      "creatingUser": qcode, "creationDateTime": created})
        ET.SubElement(source, "Description").text = (
            f"interviewee {entry.get('interviewee_id', '')}; language {entry.get('language', '')}; "
            f"OpenCC {entry.get('opencc_profile') or 'none'}; read as {entry.get('encoding', '')}; "
            f"sha256 {entry.get('sha256', '')}")
        rows = by_file.get(source_file)
        if rows is None:
            continue
        for row in rows.sort_values(["char_start", "char_end", "code"]).itertuples():
            reviewer = reviewers.get(row.assignment_id)
            coder = _user(users, reviewer) if reviewer else qcode
            finder = coder if _added(row) else qcode
            selection = ET.SubElement(source, "PlainTextSelection", {
                "guid": stable_guid("selection", row.assignment_id), "name": row.matched_text,
                "startPosition": str(exported.position(row.char_start, positions)),
                "endPosition": str(exported.position(row.char_end, positions)),
                "creatingUser": finder, "creationDateTime": created})
            ET.SubElement(selection, "Description").text = (
                f"qcode assignment {row.assignment_id}: term {row.term!r}, {row.speaker_role}"
                + (f" {row.speaker}" if row.speaker else "") + f", line {row.line}")
            coding = ET.SubElement(selection, "Coding", {"guid": stable_guid("coding", row.assignment_id, row.code),
                                                         "creatingUser": coder, "creationDateTime": created})
            ET.SubElement(coding, "CodeRef", {"targetGUID": guid_of_code[row.code]})
            built.selections += 1
    for name, guid in users.items():
        ET.SubElement(users_element, "User", {"guid": guid, "name": name})
    return built


def _added(row) -> bool:
    """A row a reviewer added on the desk: qcode's own rows always name the term they matched."""
    return row.term == ""


def zip_project(qde: bytes, source_texts: dict[str, str], created: str) -> bytes:
    """project.qde + sources/<guid>.txt (UTF-8, no BOM, LF); fixed times, so a re-export is identical."""
    moment = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [("project.qde", qde)] + [(f"sources/{g}.txt", t.encode("utf-8"))
                                                     for g, t in sorted(source_texts.items())]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


