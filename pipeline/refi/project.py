"""The coding in a REFI-QDA project another tool wrote: codes, users, text sources and their selections."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.errors import Problem
from pipeline.refi.read import ExchangeFile


@dataclass
class HandCoding:
    code_guid: str
    user_guid: str


@dataclass
class HandSelection:
    guid: str
    name: str
    start: int
    end: int
    codings: list[HandCoding] = field(default_factory=list)


@dataclass
class HandSource:
    guid: str
    name: str
    text: str | None                      # None where the project does not carry the text
    selections: list[HandSelection] = field(default_factory=list)


@dataclass
class HandProject:
    codes: dict[str, str]                 # guid → name (every code of the tree)
    users: dict[str, str]                 # guid → name
    sources: list[HandSource]
    problems: list[Problem] = field(default_factory=list)


def guid_key(guid: str) -> str:
    """A GUID as compared: braces dropped, lower case (tools write either)."""
    return guid.strip("{}").lower()


def read_project(exchange: ExchangeFile) -> HandProject:
    t = exchange.tag
    where = str(exchange.path)
    codes = {guid_key(c.get("guid", "")): c.get("name", "") for c in exchange.root.iter(t("Code"))}
    users = {guid_key(u.get("guid", "")): (u.get("name") or u.get("id") or "unnamed user")
             for u in exchange.root.iter(t("User"))}
    problems: list[Problem] = []
    sources = []
    holder = exchange.root.find(t("Sources"))
    for element in holder.findall(t("TextSource")) if holder is not None else []:
        name = element.get("name") or element.get("guid", "")
        text = _source_text(exchange, element, name, problems)
        source = HandSource(guid_key(element.get("guid", "")), name, text)
        for selection in element.findall(t("PlainTextSelection")):
            try:
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            except (TypeError, ValueError):
                problems.append(Problem(where, f"source {name!r}: a selection has no whole-number positions; "
                                        "left out"))
                continue
            codings = [HandCoding(guid_key(ref.get("targetGUID", "")),
                                  guid_key(coding.get("creatingUser") or selection.get("creatingUser") or ""))
                       for coding in selection.findall(t("Coding")) for ref in coding.findall(t("CodeRef"))]
            source.selections.append(HandSelection(guid_key(selection.get("guid", "")), selection.get("name", ""),
                                                   start, end, codings))
        if element.findall(t("Coding")):
            problems.append(Problem(where, f"source {name!r} is coded as a whole; only coded selections are "
                                    "compared", kind="note"))
        sources.append(source)
    return HandProject(codes=codes, users=users, sources=sources, problems=problems)


def _source_text(exchange: ExchangeFile, element, name: str, problems: list) -> str | None:
    content = element.find(exchange.tag("PlainTextContent"))
    if content is not None:
        return content.text or ""
    path = element.get("plainTextPath", "")
    if not path.startswith("internal://"):
        problems.append(Problem(str(exchange.path), f"source {name!r}: its text is outside the project "
                                f"({path or 'no plainTextPath'}); its coding is not compared",
                                hint="export the project with its sources embedded (internal)"))
        return None
    data = exchange.source_bytes(path[len("internal://"):])
    if data is None:
        problems.append(Problem(str(exchange.path), f"source {name!r}: sources/{path[11:]} is missing from the "
                                "archive; its coding is not compared", hint="export the project again"))
        return None
    try:
        return data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig")
    except UnicodeDecodeError:
        pass
    problems.append(Problem(str(exchange.path), f"source {name!r}: sources/{path[11:]} is not UTF-8 text; its "
                            "coding is not compared", hint="REFI-QDA sources are UTF-8; export the project again"))
    return None
