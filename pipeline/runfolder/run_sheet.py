"""A run's manifest → the Run sheet a person reads (key/value rows) and the hidden Run record sheet a later
command reads back (the manifest as JSON)."""

from __future__ import annotations

import json

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from pipeline.write.excel import MAX_ROWS, SheetWriter, clean

RUN_SHEET = "Run"
RECORD_SHEET = "Run record"     # hidden: the manifest as JSON, what `qcode audit` reads back
MANIFEST_KEY = "manifest"
MANIFEST_PART = 30_000          # characters of JSON per cell (Excel's limit is 32,767)


def key_value(key: str, value) -> tuple[str, str]:
    """One row of the Run sheet, its value as a person reads it: a list joined by commas, a mapping as
    `name value` pairs, yes/no for a flag, empty for nothing. Add a row to the Run sheet with this."""
    if value is None:
        shown = ""
    elif isinstance(value, bool):
        shown = "yes" if value else "no"
    elif isinstance(value, dict):
        shown = ", ".join(f"{k} {key_value(k, v)[1]}" for k, v in value.items() if v not in (None, "", [], {}))
    elif isinstance(value, list | tuple):
        shown = ", ".join(key_value(key, v)[1] for v in value)
    elif isinstance(value, float):
        shown = f"{value:,.4g}"
    elif isinstance(value, int):
        shown = f"{value:,}"
    else:
        shown = str(value)
    return key, shown


def _input(manifest: dict, name: str) -> dict:
    entry = manifest.get("inputs", {}).get(name)
    return entry if isinstance(entry, dict) else {}


def run_rows(manifest: dict, sheets: list[tuple[str, int]], timings: dict | None = None) -> list[tuple[str, str]]:
    """What the run was, row by row: when, which qcode, which codebook and transcripts, how coded, what came out."""
    files = [f for f in manifest.get("files", []) if isinstance(f, dict)]
    codebook = manifest.get("codebook", {}) if isinstance(manifest.get("codebook"), dict) else {}
    options = manifest.get("options", {}) if isinstance(manifest.get("options"), dict) else {}
    segmenter = manifest.get("segmenter", {}) if isinstance(manifest.get("segmenter"), dict) else {}
    converter = manifest.get("converter", {}) if isinstance(manifest.get("converter"), dict) else {}
    rows = [key_value("created", manifest.get("created")),
            key_value("qcode version", manifest.get("qcode_version")),
            key_value("coding", manifest.get("coding")),
            key_value("codebook", f"{codebook.get('name', '')}, version {codebook.get('version', '')}, "
                                  f"{len(codebook.get('codes', []))} codes"),
            key_value("codebook file", _input(manifest, "codebook").get("path")),
            key_value("codebook sha256", _input(manifest, "codebook").get("sha256")),
            key_value("transcripts folder", manifest.get("inputs", {}).get("transcripts")),
            key_value("roster", _input(manifest, "roster").get("path") or "none (each file its own interviewee)"),
            key_value("roster sha256", _input(manifest, "roster").get("sha256"))]
    if _input(manifest, "user_dict"):
        rows.append(key_value("user dictionary", _input(manifest, "user_dict").get("path")))
    rows += [key_value("coding unit", options.get("unit", "sentence")),
             key_value("language", options.get("language") or "from the roster, front matter or the text"),
             key_value("interviewer turns coded", options.get("include_interviewer", False)),
             key_value("files coded", len(files)),
             key_value("files not coded", f"{len(manifest.get('not_coded') or [])} (each a `not coded` note or a "
                                          "problem below, with the reason)"),
             key_value("respondent words", sum(int(f.get("respondent_words", 0) or 0) for f in files)),
             key_value("mentions", sum(int(f.get("mentions", 0) or 0) for f in files)),
             key_value("segmenter", " ".join(str(segmenter.get(k, "")) for k in ("zh", "version")).strip()
                       + (f" ({segmenter['why']})" if segmenter.get("why") else "")),
             key_value("Chinese converter", " ".join(str(converter.get(k, "")) for k in ("name", "version")).strip()
                       + (f" ({converter['why']})" if converter.get("why") else "")),
             key_value("library versions", manifest.get("versions"))]
    if isinstance(cluster := manifest.get("cluster"), dict):        # coded with --cluster
        rows.append(key_value("coded on", f"a Dask cluster ({cluster.get('address')}): {cluster.get('workers')} "
                                          f"worker(s), {cluster.get('threads')} thread(s)"))
    if isinstance(manifest.get("review"), dict):
        review = manifest["review"]
        rows += [key_value("reviewed workbook", review.get("workbook")),
                 key_value("reviewed rows", review.get("reviewed_rows")),
                 key_value("reviewers", review.get("reviewers"))]
    for line in (manifest.get("second_opinion") or {}).get("summary", []):
        rows.append(key_value("second opinion", line))
    if timings:
        rows.append(key_value("timings (seconds)", {k: round(v, 3) for k, v in timings.items()}))
    for title, count in sheets:
        rows.append((f"sheet: {title}", f"{count} assignment rows"))
    if len(sheets) > 1:
        rows.append(("overflow", f"more than {MAX_ROWS - 1:,} assignments: the desk continues on "
                                 f"{', '.join(t for t, _ in sheets[1:])}; assignments.csv holds them all"))
    for entry in files:
        rows.append((f"file: {entry.get('source_file')}",
                     f"interviewee {entry.get('interviewee_id', '')}, {entry.get('language', '')} "
                     f"({entry.get('opencc_profile') or 'no conversion'}), {entry.get('encoding', '')}, "
                     f"{entry.get('respondent_words', 0):,} respondent words, {entry.get('mentions', 0):,} "
                     f"mentions, sha256 {str(entry.get('sha256', ''))[:12]}…"))
    for issue in manifest.get("problems", []) + manifest.get("notes", []):
        where = issue["file"] + (f":{issue['line']}" if issue.get("line") else "")
        text = f"{where}: {issue['problem']}" + (f" → {issue['hint']}" if issue.get("hint") else "")
        rows.append((issue["kind"], text))
    rows += [key_value("format version", manifest.get("format_version")),
             ("run record", f"the whole record, as JSON, is on the hidden sheet {RECORD_SHEET!r}: qcode audit "
                            "reads it back; do not edit it")]
    return rows


def run_sheet(workbook: Workbook, manifest: dict, sheets: list[tuple[str, int]], timings: dict | None = None,
              rows: list[tuple[str, str]] = ()) -> None:
    """The Run sheet (what the run was, as rows a person reads; `rows` added at the end) and the hidden record."""
    writer = SheetWriter(workbook, RUN_SHEET, ["key", "value"], wrap={"value"}, widths=[26, 90], freeze="A2")
    for key, value in [*run_rows(manifest, sheets, timings), *rows]:
        writer.append([key, value])
    writer.finish()
    record_sheet(workbook, manifest)


def record_sheet(workbook: Workbook, manifest: dict) -> None:
    """The whole manifest as JSON in `manifest i/n` rows of at most 30,000 characters, on a hidden sheet (no
    print area: LibreOffice prints a hidden sheet that has one)."""
    sheet = workbook.create_sheet(RECORD_SHEET)
    sheet.sheet_state = "hidden"
    sheet.append(["key", "value"])
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True)
    parts = [text[start:start + MANIFEST_PART] for start in range(0, len(text), MANIFEST_PART)]
    for index, part in enumerate(parts, start=1):
        value = WriteOnlyCell(sheet, value=clean(part))
        value.data_type = "s"           # JSON text, never a formula (it may start with anything after a cut)
        sheet.append([f"{MANIFEST_KEY} {index}/{len(parts)}", value])
