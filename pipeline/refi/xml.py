"""REFI-QDA XML (QDA-XML 1.0): namespaces, stable GUIDs, the schemas, safe reading and writing."""

from __future__ import annotations

import functools
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from pipeline.errors import ExchangeError
from pipeline.read.archives import declares_dtd

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
SCHEMA_FILES = {CODEBOOK_NS: "Codebook.xsd", PROJECT_NS: "Project.xsd"}
SCHEMA_LOCATIONS = {CODEBOOK_NS: "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd",
                    PROJECT_NS: "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"}
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MAX_XML = 256 * 1024 * 1024
# GUIDs qcode derives are uuid5 names under this namespace: the same code, file or assignment
# gets the same GUID on every export, so a tool can match a re-export to what it imported before.
QCODE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://qcode.invalid/refi-qda")


def stable_guid(kind: str, *parts: str) -> str:
    return str(uuid.uuid5(QCODE_NAMESPACE, "\x1f".join((kind, *parts))))


def q(ns: str, tag: str) -> str:
    """A qualified tag name, `{urn:…}Tag`."""
    return f"{{{ns}}}{tag}"


@functools.cache
def schema(ns: str):
    import xmlschema

    return xmlschema.XMLSchema(SCHEMAS / SCHEMA_FILES[ns])


def schema_errors(root: ET.Element, ns: str, limit: int = 5) -> list[str]:
    """Why `root` is not valid against the schema of `ns` (the first few reasons), or []."""
    errors = []
    for error in schema(ns).iter_errors(root):
        errors.append(f"{error.path}: {error.reason}")
        if len(errors) >= limit:
            break
    return errors


def to_bytes(root: ET.Element, ns: str) -> bytes:
    """Serialize a tree built with plain tag names into namespace `ns`; refuse what its schema refuses."""
    root.attrib = {"xmlns": ns, "xmlns:xsi": XSI, "xsi:schemaLocation": f"{ns} {SCHEMA_LOCATIONS[ns]}",
                   **root.attrib}
    ET.indent(root, space=" ")
    data = ('<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")
    data = data.encode("utf-8")
    errors = schema_errors(ET.fromstring(data), ns)
    if errors:
        raise ExchangeError(SCHEMA_FILES[ns], "qcode built a file its schema refuses: " + "; ".join(errors),
                            hint="nothing was written; please report this with the input you exported")
    return data


def parse(data: bytes, source: str) -> ET.Element:
    """Parse exchange XML another tool wrote; refuse DTDs and entities; say where a syntax error is."""
    if len(data) > MAX_XML:
        raise ExchangeError(source, f"is {len(data):,} bytes of XML, more than qcode reads ({MAX_XML:,})",
                            hint="export the codebook alone (.qdc) from your QDA software")
    if declares_dtd(data):
        raise ExchangeError(source, "declares a DTD or entities, which REFI-QDA files never hold "
                            "(entity-expansion attack?)", hint="export the file again from your QDA software")
    try:
        return ET.fromstring(data)
    except ET.ParseError as error:
        line, column = error.position
        reason = str(error).split(": line")[0]
        raise ExchangeError(source, f"is not well-formed XML ({reason}, column {column + 1})", line=line,
                            hint="export the file again from your QDA software") from None


def namespace_of(root: ET.Element) -> str:
    return root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
