"""Codebook file (.yaml or .xlsx) → Codebook, validated, with every term in its matching form."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import yaml

from pipeline.defaults import default_codebook
from pipeline.errors import CodebookError, Problem, did_you_mean, note
from pipeline.models import Code, Codebook, Term, WordPattern
from pipeline.read.safe_yaml import NoAliasLoader, YamlRefused
from pipeline.text.normalize import HAN_RE, fold_term, normalize_term
from pipeline.text.segment import english_words, lemma

CODE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
GUID_RE = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$")
COLOR_RE = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
_TERM_SPLIT = re.compile(r"[;\n；]")
# A codebook is a few KB (the shipped one 6 KB; a rich one of 2,000 terms ~100 KB). Beyond these it is
# not a codebook: a 50 MB file of 120,000 terms took 84 s and 929 MB before the first transcript.
MAX_CODEBOOK_BYTES = 4 * 1024 * 1024
MAX_TERMS = 20_000              # terms and exclusions of all codes together
TOP_KEYS = ("name", "version", "codes", "groups")
GROUP_KEYS = ("id", "label", "label_zh", "parent", "definition", "guid", "color")
CODE_KEYS = GROUP_KEYS[:5] + ("terms", "exclude") + GROUP_KEYS[5:]
XLSX_COLUMNS = GROUP_KEYS + ("terms_en", "terms_zh", "exclude_en", "exclude_zh")


class _LineLoader(NoAliasLoader):
    """A YAML loader (no anchors or aliases) that remembers the line each mapping starts on (`__line__`) and
    the line of each key (`__keys__`, for a did-you-mean there)."""


def _mapping_with_line(loader, node, deep=False):
    mapping = loader.construct_mapping(node, deep=deep)
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__keys__"] = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook; raise CodebookError naming the line of the first problem."""
    path = Path(path)
    shipped = default_codebook()
    if not path.is_file() and path.as_posix() in ("codebooks/data_justice.yaml", "data_justice.yaml"):
        path = shipped if shipped.is_file() else path    # the shipped codebook's name, from any folder
    if not path.is_file():
        raise CodebookError(path, "the codebook file does not exist",
                            hint=f"give the path to a .yaml or .xlsx codebook (qcode's default is {shipped.resolve()}"
                                 "; `qcode init FOLDER` copies it into a new project for you to edit)")
    size = path.stat().st_size
    if size > MAX_CODEBOOK_BYTES:
        raise CodebookError(path, f"is {size:,} bytes, more than a codebook can be ({MAX_CODEBOOK_BYTES:,})",
                            hint="a codebook lists codes and their terms; split off what is not one")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raw = _read_xlsx(path)
    elif path.suffix.lower() in (".yaml", ".yml"):
        raw = _read_yaml(path)
    else:
        raise CodebookError(path, f"a codebook must be .yaml or .xlsx, not {path.suffix or 'no extension'}",
                            hint="save the codebook as YAML (see codebooks/data_justice.yaml)")
    return build_codebook(raw, str(path))


def codebook_from_yaml(text: str, source: str) -> Codebook:
    """A codebook from YAML text (e.g. the copy a workbook's Run sheet keeps)."""
    return build_codebook(_parse_yaml(text, source), source)


def _read_yaml(path: Path) -> dict:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookError(path, "is not UTF-8 text", hint="save the codebook as UTF-8") from None
    return _parse_yaml(text, path)


def _parse_yaml(text: str, path) -> dict:
    if len(text) > MAX_CODEBOOK_BYTES:
        raise CodebookError(path, f"is {len(text):,} characters of YAML, more than a codebook can be "
                            f"({MAX_CODEBOOK_BYTES:,})", hint="a codebook lists codes and their terms")
    try:
        raw = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except YamlRefused as exc:
        raise CodebookError(path, str(exc.problem),
                            hint="write each term out, without `&name`/`*name` marks (an alias can expand to "
                                 "billions of terms) and nested no deeper than codes → terms → language",
                            line=exc.problem_mark.line + 1) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CodebookError(path, f"YAML syntax error: {reason}",
                            hint="check indentation and quote terms holding `:` `*` `#` or `=`",
                            line=mark.line + 1 if mark else None) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("codes"), list):
        raise CodebookError(path, "has no `codes:` list", line=1,
                            hint="a codebook is `name:`, `version:` and a `codes:` list of codes")
    return raw


def _read_xlsx(path: Path) -> dict:
    from pipeline.read.archives import MAX_TABLE_UNPACKED
    from pipeline.read.sheets import open_workbook, sheet_rows

    workbook = open_workbook(path, CodebookError, hint="save it from Excel as .xlsx", max_unpacked=MAX_TABLE_UNPACKED)
    sheet = workbook["Codebook"] if "Codebook" in workbook.sheetnames else workbook.worksheets[0]
    rows = sheet_rows(sheet, path, CodebookError)
    header = [str(h or "").strip().lower() for h in next(rows, [])]
    unknown = [unknown_key(path, f"unknown column {h!r} of sheet {sheet.title!r} is ignored", h, XLSX_COLUMNS, 1)
               for h in header if h and h not in XLSX_COLUMNS]
    if "id" not in header:
        rows.close()
        workbook.close()
        raise CodebookError(path, f"sheet {sheet.title!r} has no `id` column", line=1,
                            hint="columns: id, label, label_zh, parent, definition, terms_en, terms_zh, "
                                 "exclude_en, exclude_zh")
    codes = []
    for number, row in enumerate(rows, start=2):
        values = {header[i]: row[i] for i in range(min(len(header), len(row))) if header[i]}
        if not any(v not in (None, "") for v in values.values()):
            continue
        entry = {k: values.get(k) for k in ("id", "label", "label_zh", "parent", "definition", "guid", "color")}
        entry["terms"] = {lang: _split_terms(values.get(f"terms_{lang}")) for lang in ("en", "zh")}
        entry["exclude"] = {lang: _split_terms(values.get(f"exclude_{lang}")) for lang in ("en", "zh")}
        entry["__line__"] = number
        codes.append(entry)
    workbook.close()
    return {"name": path.stem, "version": "", "codes": codes, "__problems__": unknown}


def _split_terms(cell) -> list[str]:
    if cell in (None, ""):
        return []
    return [t.strip() for t in _TERM_SPLIT.split(str(cell)) if t.strip()]


def build_codebook(raw: dict, source: str) -> Codebook:
    """Validate entries: a bad code or term is left out and reported, the rest is used."""
    _check_term_count(raw["codes"], source)
    codes: list[Code] = []
    seen: dict[str, int] = {}
    issues: list[Problem] = list(raw.get("__problems__", []))
    issues += unknown_keys(raw, source, TOP_KEYS, "at the top of the codebook")
    for entry in raw["codes"]:
        code = _code_entry(entry, source, seen, issues, "code")
        if code is None:
            continue
        line = code.line
        code.terms = _compile_terms(entry.get("terms"), code.id, source, line, "terms", issues)
        code.excludes = _compile_terms(entry.get("exclude"), code.id, source, line, "exclude", issues)
        unknown = unknown_keys(entry, source, CODE_KEYS, f"in code {code.id!r}",
                               "" if code.terms else "the code has no terms and can never be assigned")
        issues += unknown
        if not code.terms and not unknown:
            issues.append(note(source, f"code {code.id!r} has no terms: it can never be assigned",
                               hint="add English or Chinese terms, or keep it for reviewers to add", line=line))
        codes.append(code)
    if not codes:
        raise CodebookError(source, "the codebook has no valid codes",
                            hint="add at least one code with an id and terms")
    groups = []
    if isinstance(raw.get("groups"), list):
        for entry in raw["groups"]:
            if group := _code_entry(entry, source, seen, issues, "group"):
                groups.append(group)
                issues += unknown_keys(entry, source, GROUP_KEYS, f"in group {group.id!r}",
                                       "a group is a folder, never assigned" if "terms" in entry else "")
    elif raw.get("groups") not in (None, ""):
        issues.append(Problem(source, "`groups:` must be a list of `- id: …` folders; it is left out",
                              hint="a group has an id, a label and optionally a parent, like a code"))
    _break_parent_loops(codes + groups, source, issues)
    return Codebook(name=str(raw.get("name") or Path(source).stem), version=str(raw.get("version") or ""),
                    codes=codes, path=source, notes=issues, groups=groups)


def unknown_keys(mapping: dict, source: str, known: tuple, where: str, then: str = "") -> list[Problem]:
    """A problem for each key qcode does not read, with a did-you-mean (`term:` → `terms:`); `then` says what
    follows for the entry (e.g. that a code is left with no terms)."""
    return [unknown_key(source, f"unknown key {key!r} {where} is ignored", key, known,
                        mapping.get("__keys__", {}).get(str(key), mapping.get("__line__")), then)
            for key in mapping if not str(key).startswith("__") and str(key) not in known]


def unknown_key(source, message: str, key, known: tuple, line, then: str = "") -> Problem:
    if meant := did_you_mean(str(key), known):
        message = message.replace(" is ignored", f" (did you mean {meant!r}?) is ignored", 1)
    return Problem(str(source), message + (f": {then}" if then else ""), line=line,
                   hint=f"rename it {meant!r}" if meant else f"the keys qcode reads here: {', '.join(known)}")


def _check_term_count(entries: list, source: str) -> None:
    """Refuse a codebook of more than MAX_TERMS terms before compiling any (compiling is the slow part)."""
    count = 0
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        for field in ("terms", "exclude"):
            spec = entry.get(field)
            lists = [v for k, v in spec.items() if not k.startswith("__")] if isinstance(spec, dict) else [spec]
            count += sum(len(items) if isinstance(items, list) else 1 for items in lists if items)
        if count > MAX_TERMS:
            raise CodebookError(source, f"has more than {MAX_TERMS:,} terms, more than qcode codes with",
                                line=entry.get("__line__"),
                                hint="a codebook's terms are the words that mark a code; keep the telling ones")


def _code_entry(entry, source: str, seen: dict, issues: list, kind: str) -> Code | None:
    """The fields a code and a group share; None (and a problem) for an entry that cannot be used."""
    if not isinstance(entry, dict):
        issues.append(Problem(source, f"an entry of `{kind}s:` is not a mapping with `id:`",
                              hint="write `- id: equity` and indent its fields"))
        return None
    line = entry.get("__line__")
    code_id = str(entry.get("id") or "").strip()
    if not CODE_ID_RE.match(code_id):
        issues.append(Problem(source, f"invalid {kind} id {code_id!r}: the {kind} is left out", line=line,
                              hint="ids are lowercase and start with a letter: [a-z][a-z0-9_]*, "
                                   "e.g. data_literacy"))
        return None
    if code_id in seen:
        issues.append(Problem(source, f"duplicate {kind} id {code_id!r} (first on line {seen[code_id]}): "
                              "this one is left out", line=line,
                              hint="give each code and group its own id, or merge them"))
        return None
    seen[code_id] = line
    code = Code(id=code_id, label=str(entry.get("label") or code_id),
                label_zh=str(entry.get("label_zh") or ""), parent=str(entry.get("parent") or "").strip(),
                definition=" ".join(str(entry.get("definition") or "").split()), line=line)
    guid, color = str(entry.get("guid") or "").strip(), str(entry.get("color") or "").strip()
    if guid and not GUID_RE.match(guid):
        issues.append(Problem(source, f"{kind} {code_id!r}: `guid: {guid}` is not a GUID; a new one is derived",
                              line=line, hint="a GUID looks like 3f2504e0-4f89-41d3-9a0c-0305e82c3301"))
    elif guid:
        code.guid = guid
    if color and not COLOR_RE.match(color):
        issues.append(Problem(source, f"{kind} {code_id!r}: `color: {color}` is not #RRGGBB; it is left out",
                              line=line, hint="write a colour as #E06C75"))
    elif color:
        code.color = color
    return code


def _break_parent_loops(codes: list[Code], source: str, issues: list) -> None:
    """A code that is its own ancestor cannot sit in a tree: its parent is dropped, with a problem."""
    parent_of = {c.id: c.parent for c in codes}
    for code in codes:
        seen, at = {code.id}, code.parent
        while at in parent_of:
            if at in seen:
                issues.append(Problem(source, f"code {code.id!r}: `parent: {code.parent}` makes a loop; "
                                      "the code is placed at the top", line=code.line,
                                      hint="a code cannot sit inside itself or its own children"))
                code.parent = parent_of[code.id] = ""
                break
            seen.add(at)
            at = parent_of[at]


def _compile_terms(spec, code_id: str, source: str, line, field: str, issues: list) -> list[Term]:
    if spec in (None, "", []):
        return []
    if isinstance(spec, list):
        spec = {"en": spec}
    if not isinstance(spec, dict):
        issues.append(Problem(source, f"code {code_id!r}: `{field}:` must map `en:`/`zh:` to lists of terms",
                              line=line, hint="e.g. terms: {en: [equity, fairness], zh: [公平]}"))
        return []
    terms: list[Term] = []
    seen: set = set()
    for lang, items in spec.items():
        if str(lang).startswith("__"):
            continue
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list):
            issues.append(Problem(source, f"code {code_id!r}: `{field}.{lang}` must be a list of terms",
                                  line=line, hint="write terms as [a, b] or one `- term` per line"))
            continue
        for item in items:
            try:
                term = compile_term(str(item), code_id, source, line)
            except CodebookError as exc:
                issues.append(exc.as_problem())
                continue
            key = (term.lang, term.zh, term.words, term.companions)
            if key not in seen:
                seen.add(key)
                terms.append(term)
                issues.extend(note(source, message, line=line, hint=hint) for message, hint in term_cautions(term)
                              if field == "terms")
    return terms


def term_cautions(term: Term) -> list[tuple[str, str]]:
    """What a researcher should know about how a term matches: (message, hint) pairs, shown as notes."""
    cautions = []
    if term.text != fold_term(term.text):
        shown = term.zh if term.lang == "zh" else fold_term(term.text)
        cautions.append((f"code {term.code!r}: term {term.text!r} holds full-width, invisible or variant "
                         f"characters; it is matched as {shown!r}, as transcript text is folded",
                         "write the term in plain characters"))
    if term.lang == "zh" and len(HAN_RE.findall(term.zh)) == 1 and len(term.zh) == 1:
        cautions.append((f"code {term.code!r}: term {term.text!r} is a single Chinese character: it counts inside "
                         f"every word that holds it", "prefer the words you mean (e.g. 隐私 rather than 私)"))
    return cautions


COMPANION = " & "          # `实联制 & 个资 | 隐私`: the term counts only in a coding unit that holds a companion


def compile_term(text: str, code_id: str, source: str = "", line=None) -> Term:
    """One term as written → its matching form; a term holding Han characters is Chinese. `term & a | b`
    gives the term companions: it counts only in a coding unit (sentence or turn) that also holds a or b."""
    text = text.strip()
    if COMPANION in text or text.endswith(COMPANION.rstrip()):
        head, _, tail = (text + " ").partition(COMPANION)
        tail = tail.strip()
        alternatives = [part.strip() for part in tail.split("|")]
        if not head.strip() or not all(alternatives) or COMPANION.strip() in tail:
            raise CodebookError(source, f"code {code_id!r}: malformed companion term {text!r}, left out", line=line,
                                hint="write `term & word` or `term & word | other word`: one `&`, then "
                                     "alternatives separated by `|`")
        main = compile_term(head, code_id, source, line)
        companions = tuple(compile_term(part, code_id, source, line) for part in alternatives)
        return replace(main, text=text, companions=companions)
    if not fold_term(text):
        raise CodebookError(source, f"code {code_id!r} has an empty term", line=line, hint="remove it")
    if HAN_RE.search(text):
        if "*" in text or text.startswith("="):
            raise CodebookError(source, f"code {code_id!r}: malformed Chinese term {text!r} is left out", line=line,
                                hint="`*` and `=` apply to English words only; a Chinese term already "
                                     "matches inside longer words")
        return Term(code=code_id, text=text, lang="zh", zh=normalize_term(text))
    return Term(code=code_id, text=text, lang="en", words=_english_patterns(fold_term(text), code_id, source, line))


def _english_patterns(text: str, code_id: str, source: str, line) -> tuple[WordPattern, ...]:
    patterns: list[WordPattern] = []
    for piece in text.split():
        exact = piece.startswith("=")
        body = piece[1:] if exact else piece
        prefix = body.endswith("*")
        body = body[:-1] if prefix else body
        if "*" in body or "=" in body or (exact and prefix) or not body:
            raise CodebookError(source, f"code {code_id!r}: malformed wildcard in term {text!r}, left out", line=line,
                                hint="`word*` (star at the end of a word) matches by prefix, "
                                     "`=word` the exact form; nothing else may hold * or =")
        words = english_words(body)
        if not words:
            raise CodebookError(source, f"code {code_id!r}: term {text!r} has no letters or digits",
                                line=line, hint="remove it")
        if exact or prefix:
            if len(words) > 1 and prefix:
                patterns.extend(WordPattern("lemma", lemma(w)) for w in words[:-1])
                patterns.append(WordPattern("prefix", words[-1]))
            elif len(words) > 1:
                patterns.extend(WordPattern("exact", w) for w in words)
            else:
                patterns.append(WordPattern("prefix" if prefix else "exact", words[0]))
        else:
            patterns.extend(WordPattern("lemma", lemma(w)) for w in words)
    return tuple(patterns)


def codebook_yaml(codebook: Codebook) -> str:
    """The codebook as YAML (what a run folder keeps a copy of, and import writes)."""
    codes = []
    for code in codebook.codes:
        entry = _entry(code)
        entry["terms"] = _terms_by_language(code.terms)
        if code.excludes:
            entry["exclude"] = _terms_by_language(code.excludes)
        codes.append(entry)
    data = {"name": codebook.name, "version": codebook.version, "codes": codes}
    if codebook.groups:
        data["groups"] = [_entry(group) for group in codebook.groups]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _entry(code: Code) -> dict:
    entry = {"id": code.id, "label": code.label}
    for key in ("label_zh", "parent", "definition", "guid", "color"):
        if getattr(code, key):
            entry[key] = getattr(code, key)
    return entry


def _terms_by_language(terms: list[Term]) -> dict:
    out: dict[str, list[str]] = {}
    for term in terms:
        out.setdefault(term.lang, []).append(term.text)
    return out
