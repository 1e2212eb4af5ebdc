"""A qcode codebook → REFI-QDA codes: the tree from `parent`, stable GUIDs, a .qdc file."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import yaml

from pipeline.models import Code, Codebook
from pipeline.refi.xml import CODEBOOK_NS, stable_guid, to_bytes
from pipeline.versions import __version__

TERMS_MARK = "qcode terms: "        # starts the Description paragraph listing a code's terms (YAML)
ORIGIN = f"qcode {__version__}"


def code_name(code: Code) -> str:
    """The name a QDA tool shows: the label, with the Chinese label after it when there is one."""
    if code.label_zh and code.label_zh not in code.label:
        return f"{code.label} {code.label_zh}"
    return code.label


def code_guid(code: Code, codable: bool = True) -> str:
    return code.guid or stable_guid("code" if codable else "group", code.id)


@dataclass
class Node:
    code: Code
    codable: bool
    children: list[Node] = field(default_factory=list)


def code_tree(codebook: Codebook) -> list[Node]:
    """Codes and groups nested by `parent`, in the codebook's order: a folder sits where its first code
    would; a parent named nowhere becomes a folder of that name."""
    nodes = {c.id: Node(c, True) for c in codebook.codes}
    for group in codebook.groups:
        nodes[group.id] = Node(group, False)
    for parent in dict.fromkeys(c.parent for c in codebook.codes + codebook.groups if c.parent):
        nodes.setdefault(parent, Node(Code(id=parent, label=parent), False))
    roots: list[Node] = []
    placed: set[str] = set()

    def place(node: Node) -> None:
        if node.code.id in placed:
            return
        placed.add(node.code.id)
        parent = node.code.parent
        if parent:
            place(nodes[parent])
        (nodes[parent].children if parent else roots).append(node)

    for node in list(nodes.values()):
        place(node)
    return roots


def description(code: Code) -> str:
    """The definition, then the code's id, terms and exclusions as a YAML mapping a reader can see and
    `import-codebook` reads back (so a codebook survives the round trip with its counts unchanged)."""
    parts = [code.definition] if code.definition else []
    mapping: dict = {lang: [t.text for t in code.terms if t.lang == lang] for lang in ("en", "zh")}
    mapping |= {f"exclude_{lang}": [t.text for t in code.excludes if t.lang == lang] for lang in ("en", "zh")}
    mapping = {key: value for key, value in mapping.items() if value}
    if mapping:
        flow = yaml.safe_dump({"id": code.id, **mapping}, allow_unicode=True, default_flow_style=True,
                              width=1 << 30).strip()
        parts.append(TERMS_MARK + flow)
    return "\n\n".join(parts)


def codes_element(codebook: Codebook) -> ET.Element:
    codes = ET.Element("Codes")

    def add(parent: ET.Element, node: Node) -> None:
        attributes = {"guid": code_guid(node.code, node.codable), "name": code_name(node.code),
                      "isCodable": "true" if node.codable else "false"}
        if node.code.color:
            attributes["color"] = node.code.color
        element = ET.SubElement(parent, "Code", attributes)
        text = description(node.code)
        if text:
            ET.SubElement(element, "Description").text = text
        for child in node.children:
            add(element, child)

    for node in code_tree(codebook):
        add(codes, node)
    return codes


def codebook_qdc(codebook: Codebook) -> bytes:
    root = ET.Element("CodeBook", {"origin": ORIGIN})
    root.append(codes_element(codebook))
    return to_bytes(root, CODEBOOK_NS)


