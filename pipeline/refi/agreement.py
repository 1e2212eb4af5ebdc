"""qcode's coding of a run vs a project coded by hand in another tool: agreement per code, disagreements.

The two codings are compared on the run's coding units (sentences, or turns with `--unit turn`) of
the respondent's speech: for each unit and code, did qcode assign the code there, and does a hand
selection coded with it overlap the unit? Codes are matched by GUID (a project made from
`qcode export-project`) or else by name; sources by name and then by text, which must be the
transcript's own.
"""

from __future__ import annotations

from bisect import bisect_right
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from pipeline.errors import ExchangeError, Problem, note
from pipeline.models import RESPONDENT, Code
from pipeline.refi.codebook_export import code_guid, code_name
from pipeline.refi.positions import CODEPOINTS, UTF16, ExportedText, lf_text
from pipeline.refi.project import HandProject, guid_key
from pipeline.stats.agreement import (
    BETWEEN_FIGURES,
    DISAGREEMENT_COLUMNS,
    KAPPA_NOTE,
    cohen_kappa,
    kappa_note,
    krippendorff_alpha_nominal,
    percent_agreement,
)
from pipeline.text.normalize import fold_name
from pipeline.write.excel import write_frame

CODED, NOT_CODED = "coded", "not coded"
FIGURE_COLUMNS = BETWEEN_FIGURES + ["both", "qcode_only", "second_only", KAPPA_NOTE]
QCODE_USER = "qcode"


def match_codes(codes: list[Code], project: HandProject) -> tuple[dict[str, str], pd.DataFrame]:
    """Project code GUID → qcode code id: by the GUID qcode exports, else by name (id, label, label_zh)."""
    by_guid = {guid_key(code_guid(c)): c.id for c in codes}
    by_name: dict[str, str] = {}
    for c in codes:
        for key in (c.id, c.label, c.label_zh, code_name(c)):
            if key:
                by_name.setdefault(fold_name(key), c.id)
    mapping, rows = {}, []
    for guid, name in project.codes.items():
        code, how = by_guid.get(guid), "guid"
        if code is None:
            code, how = by_name.get(fold_name(name)), "name"
        if code is not None:
            mapping[guid] = code
        rows.append({"project_code": name, "guid": guid, "qcode_code": code or "", "matched_by": how if code else ""})
    return mapping, pd.DataFrame(rows, columns=["project_code", "guid", "qcode_code", "matched_by"])


def _names(source_file: str) -> set[str]:
    path = Path(source_file)
    return {fold_name(source_file), fold_name(path.name), fold_name(path.stem)}


def first_difference(a: str, b: str) -> str:
    index = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    line = a.count("\n", 0, index) + 1
    return f"line {line}, character {index - (a.rfind(chr(10), 0, index) + 1) + 1}"


def match_sources(project: HandProject, texts: dict[str, ExportedText], guids: dict[str, str],
                  where: str) -> tuple[dict[str, str], list[Problem], pd.DataFrame]:
    """Project source GUID → run source_file, where the source's text is the transcript's text."""
    matched: dict[str, str] = {}
    problems: list[Problem] = []
    rows = []

    for source in project.sources:
        status = ""
        if source.text is None:
            status = "text not in the project"
        else:
            theirs = lf_text(source.text)
            names = {fold_name(source.name), fold_name(Path(source.name).stem)}
            named = [f for f in texts if guids[f] == source.guid] or [f for f in texts if names & _names(f)]
            found = next((f for f in named if theirs.rstrip() == texts[f].text.rstrip()), None)
            if found is None and named:
                status = f"text differs from {named[0]} at {first_difference(texts[named[0]].text, theirs)}"
            elif found is None:
                found = next((f for f in texts if f not in matched.values()
                              and theirs.rstrip() == texts[f].text.rstrip()), None)
                status = "" if found else "no transcript of the run has this name or text"
            if found is not None and found in matched.values():
                found, status = None, "a second source with the same transcript"
            if found is not None:
                matched[source.guid] = found
                status = "compared"
        if status != "compared" and source.text is not None:
            problems.append(Problem(where, f"source {source.name!r}: {status}; its {len(source.selections)} "
                                    "selection(s) are not compared",
                                    hint="code the very transcripts the run coded (e.g. the sources of "
                                         "`qcode export-project`)"))
        rows.append({"project_source": source.name, "run_file": matched.get(source.guid, ""),
                     "selections": len(source.selections), "status": status})
    return matched, problems, pd.DataFrame(rows, columns=["project_source", "run_file", "selections", "status"])


def position_unit(option: str, origin: str) -> str:
    if option in (CODEPOINTS, UTF16):
        return option
    return UTF16 if "nvivo" in origin.lower() else CODEPOINTS


def respondent_units(result) -> tuple[list[int], list[tuple[int, int]]]:
    """A file's respondent coding units: their starts (for bisect) and their (start, end) spans."""
    spans = [(a, b) for a, b, _speaker, role in result.unit_spans if role == RESPONDENT]
    return [a for a, _ in spans], spans


def chosen_coders(project: HandProject, user: str, where: str) -> set[str] | None:
    """User GUIDs whose codings count: the one named, or everyone but qcode (None = every coding)."""
    if user:
        chosen = {g for g, name in project.users.items() if fold_name(name) == fold_name(user) or g == user.lower()}
        if not chosen:
            raise ExchangeError(where, f"has no user {user!r} (users: {', '.join(sorted(project.users.values()))})",
                                hint="give a user name the project lists, or leave --user out")
        return chosen
    others = {g for g, name in project.users.items() if fold_name(name) != QCODE_USER}
    if project.users and not others:
        raise ExchangeError(where, "holds only qcode's own coding (it is an export of a run, not coded by hand)",
                            hint="code it in another tool and export it again; `--user qcode` compares qcode's "
                                 "exported coding with the run, as a check")
    return others if len(others) < len(project.users) else None


def hand_units(project, source_map, texts, units, code_map, coders, unit, where, notes):
    """(file, unit index, code) → the selections that mark it; and per code, selections outside speech."""
    hand: dict[tuple, list[str]] = {}
    outside: dict[str, int] = {}
    skipped_codes = 0
    for source in project.sources:
        source_file = source_map.get(source.guid)
        if source_file is None:
            continue
        exported = texts[source_file]
        starts, spans = units[source_file]
        limit = exported.length(unit)
        for selection in source.selections:
            codings = [c for c in selection.codings if coders is None or c.user_guid in coders]
            if not codings:
                continue
            if not 0 <= selection.start < selection.end <= limit:
                notes.append(Problem(where, f"source {source.name!r}: selection {selection.start}–{selection.end} "
                                     f"lies outside its text (length {limit} in {unit}); left out",
                                     hint="check --positions (NVivo counts UTF-16 units)"))
                continue
            start = exported.file_offset(selection.start, unit)
            end = exported.file_offset(selection.end, unit)
            hit = []
            for index in range(max(bisect_right(starts, start) - 1, 0), len(spans)):
                if spans[index][0] >= end:
                    break
                if spans[index][1] > start:
                    hit.append(index)
            shown = selection.name or exported.file_text[start:end]
            for coding in codings:
                code = code_map.get(coding.code_guid)
                if code is None:
                    skipped_codes += 1
                    continue
                label = f"{project.users.get(coding.user_guid, 'unnamed coder')}: {shown}"
                if not hit:
                    outside[code] = outside.get(code, 0) + 1
                for index in hit:
                    hand.setdefault((source_file, index, code), []).append(label)
    if skipped_codes:
        notes.append(note(where, f"{skipped_codes} hand coding(s) use codes the run's codebook does not have "
                                 "(see the Codes sheet); not compared"))
    return hand, outside


def machine_units(assignments: pd.DataFrame, units: dict):
    """(file, unit index, code) → qcode's rows there (respondent speech of compared files)."""
    marks: dict[tuple, list] = {}
    for row in assignments[assignments["source_file"].isin(list(units))].itertuples():
        if row.speaker_role != RESPONDENT:
            continue
        starts, _ = units[row.source_file]
        index = bisect_right(starts, row.char_start) - 1
        if index >= 0:
            marks.setdefault((row.source_file, index, row.code), []).append(row)
    return set(marks), marks


def agreement_figures(shared, recoded, units, machine, machine_rows, hand):
    files = sorted(units)
    rows, disagreements = [], []
    cells = {code: ([], []) for code in shared}
    for source_file in files:
        result = recoded.results[source_file]
        _, spans = units[source_file]
        for index, (start, end) in enumerate(spans):
            for code in shared:
                ours = (source_file, index, code) in machine
                theirs = (source_file, index, code) in hand
                cells[code][0].append(CODED if ours else NOT_CODED)
                cells[code][1].append(CODED if theirs else NOT_CODED)
                if ours != theirs:
                    qrows = machine_rows.get((source_file, index, code), [])
                    labels = hand.get((source_file, index, code), [])
                    disagreements.append({
                        "assignment_id": qrows[0].assignment_id if qrows else "", "source_file": source_file,
                        "line": result.text.count("\n", 0, start) + 1, "code": code,
                        "matched_text": " | ".join(r.matched_text for r in qrows) or
                        " | ".join(label.split(": ", 1)[1] for label in labels),
                        "segment_text": result.text[start:end].strip(),
                        "first": CODED if ours else NOT_CODED, "second": CODED if theirs else NOT_CODED,
                        "first_note": ", ".join(dict.fromkeys(f"term {r.term}" if r.term else "added by a reviewer"
                                                              for r in qrows)),
                        "second_note": "; ".join(labels)})
    for code in shared + ["overall"]:
        ones = [v for c in shared for v in cells[c][0]] if code == "overall" else cells[code][0]
        twos = [v for c in shared for v in cells[c][1]] if code == "overall" else cells[code][1]
        pairs = list(zip(ones, twos, strict=True))
        kappa = cohen_kappa(ones, twos)
        rows.append({"code": code, "rows": len(pairs), "percent_agreement": percent_agreement(ones, twos),
                     "kappa": kappa, "alpha": krippendorff_alpha_nominal(ones, twos),
                     "both": sum(1 for a, b in pairs if a == b == CODED),
                     "qcode_only": sum(1 for a, b in pairs if a == CODED != b),
                     "second_only": sum(1 for a, b in pairs if b == CODED != a),
                     KAPPA_NOTE: kappa_note(ones, twos, kappa, ("qcode", "the hand coding"),
                                            "unit×code cell" if code == "overall" else "unit")})
    return (pd.DataFrame(rows, columns=FIGURE_COLUMNS),
            pd.DataFrame(disagreements, columns=DISAGREEMENT_COLUMNS))


ABOUT = ("Rows are the run's coding units (sentences, or turns with --unit turn) in the respondent's speech "
         "of the compared transcripts, once per code. first = qcode (the run's coding, reviewed where the run "
         "was audited), second = the project's hand coding: a unit counts as coded when a selection coded "
         "with the code overlaps it. percent_agreement, Cohen's kappa and Krippendorff's alpha (nominal) as in "
         "`qcode audit --second`; both / qcode_only / second_only count the units coded by both or by one; "
         "kappa_note says why a kappa is 0 (one coder coded every unit, or none: prevalence) or blank (one "
         "category only).")


def write_workbook(path: Path, figures: pd.DataFrame, disagreements: pd.DataFrame, codes: pd.DataFrame,
                   sources: pd.DataFrame, about: list[tuple[str, str]]) -> None:
    """agreement.xlsx: figures per code, the disagreeing units, how codes and sources were matched, notes."""
    workbook = Workbook(write_only=True)
    formats = {"percent_agreement": "0.0%", "kappa": "0.000", "alpha": "0.000"}
    write_frame(workbook, "Agreement", figures, formats=formats, wrap={KAPPA_NOTE})
    write_frame(workbook, "Disagreements", disagreements, wrap={"segment_text", "second_note"})
    write_frame(workbook, "Codes", codes, wrap=set())
    write_frame(workbook, "Sources", sources, wrap={"status"})
    write_frame(workbook, "Notes", pd.DataFrame([("how", ABOUT), *about], columns=["kind", "value"]),
                wrap={"value"})
    workbook.save(path)
