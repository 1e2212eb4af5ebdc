"""A codebook's YAML text + ticked terms and exclusions → the text of its next version, every comment and line
of the old kept, each addition marked with a comment naming where it came from (pure: no disk).

The additions are placed where a person would type them: at the end of the code's `en:`/`zh:` list (a flow
list `[a, b]` or a block list of `- a` lines), or as a new `zh:` / `exclude:` entry after the code's last line.
A codebook laid out otherwise (e.g. `terms: {en: [...]}` on one line) is written out again as plain YAML,
with a comment saying its comments were not kept. Either way the result is read back and checked to hold
exactly the old terms plus the new ones before it is returned.
"""

from __future__ import annotations

import json
import re

import yaml

from pipeline.errors import CodebookError
from pipeline.models import Codebook
from pipeline.read.codebook import codebook_from_yaml, codebook_yaml, compile_term
from pipeline.read.safe_yaml import NoAliasLoader

FIELDS = ("terms", "exclude")
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


class _Layout(Exception):
    """The codebook is laid out in a way the additions cannot be typed into; it is written out again."""


def one_line(text: str) -> str:
    """Text from a received file as one line of a YAML comment."""
    return _LINE_BREAKS.sub(" ", text).strip()


def quoted(item: str) -> str:
    """A term as a YAML double-quoted scalar (JSON's string syntax is YAML's): any text, never YAML syntax."""
    return json.dumps(item, ensure_ascii=False)


def language_of(text: str) -> str:
    """en or zh, as the codebook reads the term (a term holding Han characters is Chinese)."""
    return compile_term(text, "x").lang


def next_version(version: str) -> str:
    """The version after `version`: 1 → 2; a version that is no number → 2."""
    return str(int(version) + 1) if version.strip().isdigit() else "2"


def with_additions(text: str, additions: dict, version: str, header: str, source: str) -> str:
    """`text` with `additions` (code id → field → language → [items]) and `version:` set to `version`."""
    try:
        new = _typed_in(text, additions, version, header)
        if _holds(new, text, additions, source):
            return new
    except (_Layout, yaml.YAMLError, CodebookError):
        pass
    new = _written_out(text, additions, version, header)
    if not _holds(new, text, additions, source):
        raise CodebookError(source, "the new codebook version does not hold the additions as asked",
                            hint="add the ticked terms by hand (the suggestions workbook lists them)")
    return new


def _holds(new: str, old: str, additions: dict, source: str) -> bool:
    """Whether `new` reads as the old codebook plus exactly the additions, language by language."""
    before, after = codebook_from_yaml(old, source), codebook_from_yaml(new, source)
    if before.ids != after.ids:
        return False
    for code_before, code_after in zip(before.codes, after.codes, strict=True):
        for field, attribute in (("terms", "terms"), ("exclude", "excludes")):
            added = additions.get(code_before.id, {}).get(field, {})
            for lang in ("en", "zh"):
                was = [t.text for t in getattr(code_before, attribute) if t.lang == lang]
                now = [t.text for t in getattr(code_after, attribute) if t.lang == lang]
                if now != was + list(added.get(lang, [])):
                    return False
    return True


def _typed_in(text: str, additions: dict, version: str, header: str) -> str:
    root = yaml.compose(text, Loader=NoAliasLoader)
    if not isinstance(root, yaml.MappingNode):
        raise _Layout
    edits: list[tuple[int, int, str]] = []          # (start, end, new text) of the old text
    top = _keys(root)
    if "version" in top:
        node = top["version"][1]
        edits.append((node.start_mark.index, node.end_mark.index, quoted(version)))
    elif "codes" in top:
        at = _line_start(text, top["codes"][0].start_mark.index)
        edits.append((at, at, f"version: {quoted(version)}\n"))
    codes = top.get("codes", (None, None))[1]
    if not isinstance(codes, yaml.SequenceNode):
        raise _Layout
    comment = "  # added by qcode suggest --apply"
    for code in codes.value:
        keys = _keys(code) if isinstance(code, yaml.MappingNode) else {}
        code_id = keys["id"][1].value if "id" in keys and isinstance(keys["id"][1], yaml.ScalarNode) else None
        if code_id not in additions:
            continue
        if code.flow_style:
            raise _Layout
        for field in FIELDS:
            by_language = {lang: items for lang, items in additions[code_id].get(field, {}).items() if items}
            if not by_language:
                continue
            if field not in keys or _empty(keys[field][1]):
                indent = " " * keys["id"][0].start_mark.column
                lines = [f"{indent}{field}:{comment}"] + [f"{indent}  {lang}: [{', '.join(map(quoted, items))}]"
                                                         for lang, items in by_language.items()]
                if field in keys:                    # `exclude:` with nothing after it
                    node = keys[field][0]
                    end = _line_end(text, node.end_mark.index)
                    edits.append((_line_start(text, node.start_mark.index), end, "\n".join(lines)))
                else:
                    edits.append(_after(text, code, lines))
                continue
            spec = keys[field][1]
            if not isinstance(spec, yaml.MappingNode) or spec.flow_style:
                raise _Layout
            languages = _keys(spec)
            for lang, items in by_language.items():
                if lang not in languages or _empty(languages[lang][1]):
                    if lang in languages:
                        raise _Layout
                    indent = " " * spec.value[0][0].start_mark.column
                    edits.append(_after(text, spec, [f"{indent}{lang}: [{', '.join(map(quoted, items))}]{comment}"]))
                else:
                    edits.append(_into_list(text, languages[lang][1], items, comment))
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        text = text[:start] + new + text[end:]
    return header + text


def _keys(node: yaml.MappingNode) -> dict:
    return {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _empty(node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null")


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end == -1 else end


def _last_scalar(node):
    """The node whose end is the last character of `node`'s text (a block collection's end mark lies on the
    line of whatever follows it, comments included)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        node = node.value[-1][1] if isinstance(node, yaml.MappingNode) else node.value[-1]
    return node


def _after(text: str, node, lines: list[str]) -> tuple[int, int, str]:
    """New lines right after the last line of `node`."""
    last = _last_scalar(node)
    end = last.end_mark.index
    if last.end_mark.column == 0 and end > 0:            # a block scalar (`>-`) ends at the next line's start
        return end, end, "\n".join(lines) + "\n"
    end = _line_end(text, end)
    return end, end, "\n" + "\n".join(lines)


def _into_list(text: str, node, items: list[str], comment: str) -> tuple[int, int, str]:
    if not isinstance(node, yaml.SequenceNode):
        raise _Layout
    if node.flow_style:
        close = node.end_mark.index - 1
        if text[close] != "]" or not node.value:
            raise _Layout
        indent = " " * node.value[0].start_mark.column
        between = text[node.value[-1].end_mark.index:close]
        comma = "" if "," in between.split("#")[0] else ","
        added = ", ".join(map(quoted, items))
        return close, close, f"{comma}\n{indent}# added by qcode suggest --apply\n{indent}{added}"
    last = node.value[-1]
    line_start = _line_start(text, last.start_mark.index)
    dash = text.find("-", line_start, last.start_mark.index)
    if dash < 0:
        raise _Layout
    indent = " " * (dash - line_start)
    end = _line_end(text, _last_scalar(last).end_mark.index)
    return end, end, "".join(f"\n{indent}- {quoted(item)}{comment}" for item in items)


def _written_out(text: str, additions: dict, version: str, header: str) -> str:
    """The codebook written out again as plain YAML (its comments lost, which the header says)."""
    data = yaml.load(text, Loader=NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    data["version"] = version
    for code in data.get("codes", []):
        if not isinstance(code, dict) or code.get("id") not in additions:
            continue
        for field, by_language in additions[code["id"]].items():
            spec = code.get(field)
            if isinstance(spec, list):
                spec = {"en": spec}
            spec = dict(spec or {})
            for lang, items in by_language.items():
                current = spec.get(lang) or []
                spec[lang] = ([current] if isinstance(current, str) else list(current)) + list(items)
            code[field] = spec
    note = "# The codebook was written out again: the comments of the earlier version are not kept here.\n"
    return header + note + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def codebook_text(codebook: Codebook, original: bytes | None) -> str:
    """The codebook as YAML text to add to: the file's own text for a .yaml codebook, else written out."""
    if original is not None:
        return original.decode("utf-8-sig")
    return codebook_yaml(codebook)
