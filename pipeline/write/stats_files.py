"""Labelled tables → SPSS .sav (pyreadstat), Stata .dta (pandas) and parquet (pyarrow) files [writes disk].

Names and text come from rosters and codebooks other people wrote, so each is made to fit both formats:

- a variable name is ASCII letters, digits and `_`, starting with a letter, lower case (SPSS ignores case), at
  most 32 characters (Stata's limit, within SPSS's 64) and no reserved word of either; a name that had to be cut
  or made unique ends in six hex digits of its original's SHA-1, so it is the same on every run. The original
  name leads the variable label: the mapping travels in the file.
- a variable label holds at most 80 characters (Stata's limit); a longer one is cut and ends in "…".
- text values: Stata keeps any length (strL past 2,045 bytes); SPSS holds at most 32,767 bytes, so a longer
  text is cut there (at a character boundary) in the .sav only.
- value labels go only on numeric variables (0/1, and categories coded 1, 2, …), each at most 120 bytes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

MAX_NAME = 32                  # Stata's limit on a variable name (SPSS: 64 bytes)
MAX_LABEL = 80                 # Stata's limit on a variable label (characters)
MAX_SPSS_TEXT = 32_767         # bytes of one SPSS string value
MAX_STATA_STR = 2_045          # bytes of a Stata fixed-width str; longer text is written as strL
MAX_VALUE_LABEL = 120          # bytes of one SPSS value label (Stata's limit is higher)

# SPSS's reserved words, and Stata's that a lower-case name starting with a letter could spell.
RESERVED = {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with",
            "byte", "double", "float", "if", "in", "int", "long", "strl", "using"}
_STATA_STR = re.compile(r"^str\d+$")
# What no file format here should hold: C0 controls but tab, LF and CR (U+FFFD, as in qcode's CSVs), lone
# surrogates (not UTF-8).
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


@dataclass
class LabelledTable:
    """A table for SPSS and Stata: variables named to fit both, with variable and value labels."""

    frame: pd.DataFrame                                   # columns are the variable names
    labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[int, str]] = field(default_factory=dict)
    measures: dict[str, str] = field(default_factory=dict)   # SPSS measure: nominal, ordinal or scale


def clean_text(value: str) -> str:
    """Text as qcode's CSVs hold it (control characters U+FFFD), without their `'` before formulas."""
    return _UNWRITABLE.sub("\ufffd", value)


def _digest(name: str) -> str:
    return hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:6]


def variable_name(original: str) -> str:
    """A name SPSS and Stata both accept, derived from `original` (a column, group or code id)."""
    folded = unicodedata.normalize("NFKD", original).encode("ascii", "ignore").decode("ascii").lower()
    name = re.sub(r"[^a-z0-9_]+", "_", folded).strip("_")
    if not name:
        return f"v_{_digest(original)}"
    if not name[0].isalpha():
        name = f"v_{name}"
    if name in RESERVED or _STATA_STR.match(name):
        name += "_"
    if len(name) > MAX_NAME:
        name = f"{name[:MAX_NAME - 7].rstrip('_')}_{_digest(original)}"
    return name


def variable_names(originals: list[str]) -> list[str]:
    """One distinct variable name per original, in order; the same originals give the same names."""
    names: list[str] = []
    taken: set[str] = set()
    for original in originals:
        name = variable_name(original)
        if name in taken:
            name = f"{name[:MAX_NAME - 7].rstrip('_')}_{_digest(original)}"
        n = 2
        while name in taken:                  # two originals with the same digest prefix: never in practice
            name = f"{name[:MAX_NAME - 4].rstrip('_')}_{n}"
            n += 1
        taken.add(name)
        names.append(name)
    return names


def variable_label(text: str) -> str:
    text = clean_text(" ".join(text.split()))
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 1] + "…"


def fits_value_label(text: str) -> bool:
    return len(clean_text(text).encode("utf-8")) <= MAX_VALUE_LABEL


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]


def write_sav(path: Path, table: LabelledTable) -> None:
    import pyreadstat

    frame = table.frame.copy()
    text = _text_columns(frame)
    for column in text:
        frame[column] = [_cut_bytes(clean_text(str(v)), MAX_SPSS_TEXT) for v in frame[column]]
    pyreadstat.write_sav(frame, str(path), column_labels=dict(table.labels),
                         variable_value_labels={k: {float(v): t for v, t in labels.items()}
                                                for k, labels in table.value_labels.items()},
                         variable_measure=dict(table.measures),
                         variable_format={c: "F12.0" for c in frame.columns if c not in text})   # whole numbers


def write_dta(path: Path, table: LabelledTable) -> None:
    frame = table.frame.copy()
    long_text = []
    for column in _text_columns(frame):
        frame[column] = pd.Series([clean_text(str(v)) for v in frame[column]], index=frame.index, dtype=object)
        if max((len(v.encode("utf-8")) for v in frame[column]), default=0) > MAX_STATA_STR:
            long_text.append(column)
    # version None: 118 (Unicode), or 119 past 32,767 variables
    frame.to_stata(path, write_index=False, version=None, variable_labels=dict(table.labels),
                   value_labels={k: dict(v) for k, v in table.value_labels.items()}, convert_strl=long_text)


def write_parquet(path: Path, frame: pd.DataFrame) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


def write_parquet_chunks(path: Path, frames) -> None:
    """One parquet file from a stream of frames of the same columns (the first frame's types for all): memory
    holds one frame, not the table. At least one frame."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    try:
        for frame in frames:
            if writer is None:
                table = pa.Table.from_pandas(frame, preserve_index=False)
                writer = pq.ParquetWriter(path, table.schema)
            else:
                table = pa.Table.from_pandas(frame, schema=writer.schema, preserve_index=False)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
