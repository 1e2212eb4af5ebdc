"""A run's tables → the wide interviewee matrix as interviewees.sav and .dta, and a parquet twin of every CSV.

The matrix has one row per coded interviewee: the roster as used (roster.csv's columns), a 0/1 column per
stakeholder group, then per code `m_CODE` (mentions), `u_CODE` (coding units) and `p_CODE` (0/1: mentioned).
Its values are the CSVs' values: roster.csv and by_interviewee.csv; the parquet files hold each CSV's table with
the same values (text without the `'` the CSV puts before a formula-like cell, control characters U+FFFD).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.models import Codebook, Roster
from pipeline.write.excel import numeric_ids
from pipeline.write.folder import OutputFolder, read_csv_chunks
from pipeline.write.stats_files import (
    LabelledTable,
    clean_text,
    fits_value_label,
    variable_label,
    variable_names,
    write_dta,
    write_parquet,
    write_parquet_chunks,
    write_sav,
)

SAV, DTA = "interviewees.sav", "interviewees.dta"
# Roster columns whose values are categories: numbers 1, 2, … with the values as value labels (in sorted order);
# an empty cell is missing. A column with a value too long for a value label stays text.
CATEGORICAL = ("gender", "age_group", "country", "region", "language")
_ROSTER_LABELS = {"interviewee_id": "interviewee id (roster)", "file": "transcript file",
                  "stakeholder_groups": "stakeholder groups (roster; also the group_ columns)",
                  "speaker_labels": "the interviewee's speaker labels (roster)",
                  "respondent_words": "respondent words: the interviewee's own words in the transcript"}
PRESENT = {0: "not mentioned", 1: "mentioned"}
MEMBER = {0: "no", 1: "yes"}
ASSIGNMENT_COUNTS = ("line", "char_start", "char_end")
ASSIGNMENT_CHUNK = 5_000      # rows of assignments.csv held at once while its parquet twin is written


def as_written(frame: pd.DataFrame, as_numbers: bool) -> pd.DataFrame:
    """A table with the values its CSV holds: text cleaned as the CSV cleans it (no `'` prefix), ids as numbers
    where every id is a plain integer."""
    frame = frame.copy()
    for column in frame.columns:
        if column == "interviewee_id" and as_numbers:
            frame[column] = frame[column].astype(str).astype("int64")
        elif pd.api.types.is_object_dtype(frame[column]) or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = pd.Series([clean_text(v) if isinstance(v, str) else v for v in frame[column]],
                                      index=frame.index, dtype=object)
    return frame


def _coded_groups(roster: Roster, ids: set[str]) -> list[str]:
    seen: dict[str, None] = {}
    for person in roster.interviewees:
        if person.id in ids:
            for group in person.groups:
                seen.setdefault(group, None)
    return list(seen)


def interviewee_matrix(roster_table: pd.DataFrame, by_interviewee: pd.DataFrame, roster: Roster,
                       codebook: Codebook) -> LabelledTable:
    """The wide matrix of a run: `roster_table` is roster.csv's table, `by_interviewee` by_interviewee.csv's."""
    ids = [str(i) for i in roster_table["interviewee_id"]]
    as_numbers = numeric_ids(ids)
    columns: list[tuple[str, pd.Series, str, dict[int, str] | None, str]] = []   # original, values, label, …
    for column in roster_table.columns:
        values = roster_table[column]
        label = _ROSTER_LABELS.get(column, column)
        if column == "interviewee_id":
            values = values.astype(str).astype("int64") if as_numbers else values.astype(str)
            columns.append((column, values, label, None, "nominal"))
        elif column == "respondent_words":
            columns.append((column, values.astype("int64"), label, None, "scale"))
        elif column in CATEGORICAL and all(fits_value_label(str(v)) for v in values):
            categories = sorted({str(v) for v in values if str(v)})
            code = {c: n for n, c in enumerate(categories, start=1)}
            numbers = pd.Series([code.get(str(v)) for v in values], dtype="float64")   # empty: missing
            columns.append((column, numbers, label, {n: clean_text(c) for c, n in code.items()}, "nominal"))
        else:
            columns.append((column, values.astype(str), label, None, "nominal"))
    groups_of = {person.id: person.groups for person in roster.interviewees}
    for group in _coded_groups(roster, set(ids)):
        member = [int(group in groups_of.get(i, ())) for i in ids]
        columns.append((f"group_{group}", pd.Series(member, dtype="int64"), f"stakeholder group: {group}", MEMBER,
                        "nominal"))
    long = by_interviewee.assign(interviewee_id=by_interviewee["interviewee_id"].astype(str))
    mentions = long.pivot(index="interviewee_id", columns="code", values="mentions")
    units = long.pivot(index="interviewee_id", columns="code", values="units")
    for what, prefix, table in (("mentions", "m", mentions), ("coding units", "u", units),
                                ("mentioned (0/1)", "p", mentions)):
        for code in codebook.codes:
            counts = [int(table.at[i, code.id]) if code.id in table.columns and i in table.index else 0
                      for i in ids]
            values = pd.Series([int(n > 0) for n in counts] if prefix == "p" else counts, dtype="int64")
            name = " ".join(filter(None, (code.label, code.label_zh)))
            columns.append((f"{prefix}_{code.id}", values, f"{code.id}: {what} ({name})",
                            PRESENT if prefix == "p" else None, "nominal" if prefix == "p" else "scale"))
    names = variable_names([original for original, *_ in columns])
    frame = pd.DataFrame({name: values.reset_index(drop=True)
                          for name, (_, values, *_) in zip(names, columns, strict=True)})
    return LabelledTable(
        frame=frame,
        labels={name: variable_label(label) for name, (_, _, label, _, _) in zip(names, columns, strict=True)},
        value_labels={name: values for name, (_, _, _, values, _) in zip(names, columns, strict=True) if values},
        measures={name: measure for name, (*_, measure) in zip(names, columns, strict=True)})


def _assignments_as_written(chunk: pd.DataFrame, as_numbers: bool) -> pd.DataFrame:
    for column in ASSIGNMENT_COUNTS:
        chunk[column] = chunk[column].astype("int64")
    return as_written(chunk, as_numbers)


def write_stats_files(folder: OutputFolder, tables: dict[str, pd.DataFrame], roster: Roster,
                      codebook: Codebook) -> list[str]:
    """interviewees.sav and .dta, and NAME.parquet beside every NAME.csv of `tables` and assignments.csv; the
    names of the files written."""
    as_numbers = numeric_ids(tables["roster.csv"]["interviewee_id"])
    written = []
    for name, frame in tables.items():
        target = f"{Path(name).stem}.parquet"
        write_parquet(folder.path(target), as_written(frame, as_numbers))
        written.append(target)
    write_parquet_chunks(folder.path("assignments.parquet"),
                         (_assignments_as_written(chunk, as_numbers)
                          for chunk in read_csv_chunks(folder.path("assignments.csv"), ASSIGNMENT_CHUNK)))
    matrix = interviewee_matrix(tables["roster.csv"], tables["by_interviewee.csv"], roster, codebook)
    write_sav(folder.path(SAV), matrix)
    write_dta(folder.path(DTA), matrix)
    return ["assignments.parquet", *written, SAV, DTA]
