"""A REFI-QDA codebook or project → a qcode codebook YAML: codes, descriptions, hierarchy, no terms."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET

import yaml

from pipeline.errors import ExchangeError
from pipeline.read import safe_yaml
from pipeline.refi.codebook_export import TERMS_MARK
from pipeline.refi.read import WRITERS, ExchangeFile
from pipeline.text.normalize import HAN_RE

_NOT_ID = re.compile(r"[^a-z0-9]+")
_ID = re.compile(r"[a-z][a-z0-9_]*")


def split_name(name: str) -> tuple[str, str]:
    """"Equity 公平" → ("Equity", "公平"): a Chinese label after a Latin one; otherwise (name, "")."""
    name = name.strip()
    first_han = HAN_RE.search(name)
    if first_han and first_han.start() > 0 and name[first_han.start() - 1].isspace():
        head, tail = name[:first_han.start()].strip(), name[first_han.start():]
        if re.search(r"[A-Za-z]", head) and not re.search(r"[A-Za-z]", tail):
            return head, tail
    return name, ""


def make_id(label: str, taken: set[str]) -> str:
    """A qcode id from a name: ASCII letters and digits joined by `_`, unique, starting with a letter."""
    ascii_name = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    base = _NOT_ID.sub("_", ascii_name).strip("_")[:40].strip("_") or "code"
    if not base[0].isalpha():
        base = f"code_{base}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    taken.add(candidate)
    return candidate


def split_description(text: str) -> tuple[str, dict]:
    """A Description → (definition, terms) — terms only where qcode wrote them (`qcode terms: {…}`)."""
    head, mark, tail = text.partition(TERMS_MARK)
    if mark and (not head or head.endswith("\n")):
        try:
            terms = safe_yaml.load(tail)          # no aliases: a 752-byte alias bomb here took 3.4 GB
        except yaml.YAMLError:
            terms = None
        if isinstance(terms, dict) and all(isinstance(v, list) or k == "id" for k, v in terms.items()):
            return head.strip(), {str(k): str(v) if k == "id" else [str(t) for t in v] for k, v in terms.items()}
    return text.strip(), {}


def codebook_entries(exchange: ExchangeFile) -> tuple[list[dict], list[dict]]:
    """Codable codes and non-codable folders, in document order, with `parent` from the nesting."""
    codebook = exchange.root if exchange.root.tag == exchange.tag("CodeBook") \
        else exchange.root.find(exchange.tag("CodeBook"))
    codes_element = codebook.find(exchange.tag("Codes")) if codebook is not None else None
    if codes_element is None:
        raise ExchangeError(exchange.path, "holds no codebook (no <Codes> element)",
                            hint=f"export a project or codebook with codes from {WRITERS}")
    codes: list[dict] = []
    groups: list[dict] = []
    taken: set[str] = set()

    # In document order, parents before children; a list of pending elements rather than recursion,
    # so no nesting of codes can overflow the stack (read_exchange refuses deep files anyway).
    pending: list[tuple[ET.Element, str]] = [(e, "") for e in reversed(codes_element.findall(exchange.tag("Code")))]
    while pending:
        element, parent = pending.pop()
        name = element.get("name", "").strip() or "(unnamed code)"
        label, label_zh = split_name(name)
        described = element.find(exchange.tag("Description"))
        definition, terms = split_description(described.text or "" if described is not None else "")
        kept = terms.get("id", "")                  # the id qcode exported, where it is still free and valid
        if _ID.fullmatch(kept) and kept not in taken:
            taken.add(kept)
        else:
            kept = make_id(label, taken)
        entry: dict = {"id": kept, "label": label}
        if label_zh:
            entry["label_zh"] = label_zh
        if parent:
            entry["parent"] = parent
        if definition:
            entry["definition"] = definition
        if element.get("guid"):
            entry["guid"] = element.get("guid")
        if element.get("color"):
            entry["color"] = element.get("color")
        if element.get("isCodable", "true").strip().lower() in ("false", "0"):
            groups.append(entry)
        else:
            entry["terms"] = {"en": terms.get("en", []), "zh": terms.get("zh", [])}
            excludes = {lang: terms[f"exclude_{lang}"] for lang in ("en", "zh") if terms.get(f"exclude_{lang}")}
            if excludes:
                entry["exclude"] = excludes
            codes.append(entry)
        pending.extend((child, entry["id"]) for child in reversed(element.findall(exchange.tag("Code"))))
    if not codes:
        raise ExchangeError(exchange.path, "holds no codable code (only folders)" if groups else "holds no codes",
                            hint=f"export a codebook with codes from {WRITERS}")
    return codes, groups


