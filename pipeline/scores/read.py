"""A workshop score sheet (tidy, or as teams type it from the paper forms) → scores and typed averages, with
problems naming sheet, row and column."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

from pipeline.errors import Problem, ScoresError
from pipeline.read.sheets import read_rows

GENERAL = "General"             # the case of the general assessment (blank case)
OVERALL = "Overall"             # the mean of the case means
MEASURES = ("relevance", "usability")
LOW, HIGH = 1, 5
_MEASURE_NAMES = {"relevance": "relevance", "相关性": "relevance", "相關性": "relevance",
                  "usability": "usability", "可用性": "usability"}
_AVERAGE = re.compile(r"^(avg|average|mean|平均|平均值|平均分)$", re.I)
_OVERALL = re.compile(r"^(overall|total|总体|總體|整体|整體)$", re.I)
_CASE_ROW = re.compile(r"^(case\b|案例|個案|个案).*", re.I)
_PREFIXED = re.compile(r"^(?P<measure>[^\W\d_]+)\s*[-–—_:：]\s*(?P<rest>.+)$")
_META = {"case", "measure", "workshop", "group"}


@dataclass(frozen=True)
class Score:
    workshop: str
    case: str
    group: str
    pillar: str
    measure: str
    value: float
    row: int
    column: str


@dataclass(frozen=True)
class TypedAverage:
    """An average the team typed into the sheet (never used as data; checked)."""

    case: str
    pillar: str
    measure: str
    text: str
    value: float
    decimals: int
    row: int
    column: str
    label: str


@dataclass
class ScoreSheet:
    source: str
    sheet: str
    shape: str                                # "tidy" | "wide"
    pillars: list[str]
    scores: list[Score] = field(default_factory=list)
    typed: list[TypedAverage] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def cases(self) -> list[str]:
        seen = [GENERAL] if any(s.case == GENERAL for s in self.scores) else []
        seen.extend(s.case for s in self.scores if s.case not in seen)
        return seen


def read_scores(path: Path, sheet: str | None = None) -> ScoreSheet:
    sheet_name, rows = read_rows(Path(path), ScoresError, sheet)
    rows = [(number, [_text(c) for c in cells]) for number, cells in rows]
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows:
        raise ScoresError(path, "the sheet is empty", hint="one row per group, one column per pillar")
    reader = _Reader(str(path), sheet_name if Path(path).suffix.lower() in (".xlsx", ".xlsm") else "")
    header = [h.casefold() for h in rows[0][1]]
    if all(c in header for c in ("group", "pillar", "relevance", "usability")):
        return reader.tidy(rows)
    return reader.wide(rows)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_score(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value else None


def decimals_of(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


class _Reader:
    def __init__(self, source: str, sheet: str):
        self.source, self.sheet = source, sheet
        self.problems: list[Problem] = []

    def problem(self, row: int, message: str, hint: str = "", column: int | None = None, name: str = ""):
        where = (f"sheet {self.sheet}, " if self.sheet else "")
        if column is not None:
            where += f"column {get_column_letter(column + 1)}" + (f" ({name})" if name else "") + ": "
        elif where:
            where = where[:-2] + ": "
        self.problems.append(Problem(self.source, where + message, hint=hint, line=row))

    def value(self, text: str, row: int, column: int, pillar: str) -> float | None:
        """One score 1–5, or None (reported) for a blank, a non-number or a score out of range."""
        if not text:
            self.problem(row, "no score: left out of the averages", column=column, name=pillar,
                         hint="type the group's score, or leave it blank on purpose (it stays out)")
            return None
        value = parse_score(text)
        if value is None:
            self.problem(row, f"{text!r} is not a score: left out of the averages", column=column, name=pillar,
                         hint=f"scores are numbers from {LOW} to {HIGH}; a pair is relevance,usability (5,3)")
            return None
        if not LOW <= value <= HIGH:
            self.problem(row, f"{text!r} is outside {LOW}–{HIGH}: left out of the averages", column=column,
                         name=pillar, hint=f"scores run from {LOW} to {HIGH}")
            return None
        return value

    def cell_values(self, text: str, measure: str | None, row: int, column: int, pillar: str) -> dict[str, float]:
        """A cell → {measure: score}: one score for `measure`, or a relevance,usability pair."""
        if not text:
            self.value(text, row, column, pillar)
            return {}
        parts = [p.strip() for p in text.split(",")] if "," in text else [text]
        if measure is None:
            if len(parts) != 2:
                self.problem(row, f"{text!r} is not a relevance,usability pair: left out", column=column,
                             name=pillar, hint="type both scores as 5,3 (or add a `measure` column, or label "
                                               "the row Relevance-G1 / Usability-G1)")
                return {}
            values = {m: self.value(p, row, column, pillar) for m, p in zip(MEASURES, parts, strict=True)}
        else:
            if len(parts) != 1:
                self.problem(row, f"{text!r} holds two scores in a {measure} row: left out", column=column,
                             name=pillar, hint="one score per cell where the row names the measure")
                return {}
            values = {measure: self.value(text, row, column, pillar)}
        return {m: v for m, v in values.items() if v is not None}

    def typed_values(self, text: str, measure: str | None, row: int, column: int, pillar: str
                     ) -> list[tuple[str, str, float]]:
        """A typed average cell → (measure, text, value) for each number in it."""
        if not text:
            return []
        parts = [p.strip() for p in text.split(",")] if "," in text else [text]
        if measure is None and len(parts) == 2:
            pairs = list(zip(MEASURES, parts, strict=True))
        elif measure is not None and len(parts) == 1:
            pairs = [(measure, text)]
        else:
            self.problem(row, f"typed average {text!r} cannot be read: not checked", column=column, name=pillar)
            return []
        return [(m, part, value) for m, part in pairs if (value := parse_score(part)) is not None]

    def tidy(self, rows) -> ScoreSheet:
        header = [h.casefold() for h in rows[0][1]]
        at = {name: header.index(name) for name in ("group", "pillar", "relevance", "usability", "case", "workshop")
              if name in header}
        pillars: list[str] = []
        scores, typed = [], []
        seen: dict[tuple, int] = {}
        for number, cells in rows[1:]:
            get = {name: (cells[i] if i < len(cells) else "") for name, i in at.items()}
            group, pillar = get["group"], get["pillar"]
            case = get.get("case") or GENERAL
            if not group or not pillar:
                self.problem(number, "a row needs a group and a pillar: left out",
                             hint="fill the group and pillar columns")
                continue
            if pillar not in pillars:
                pillars.append(pillar)
            label_kind = _label_kind(group)
            if label_kind in ("average", "overall", "case"):
                target = OVERALL if label_kind == "overall" else (group if label_kind == "case" else case)
                for measure in MEASURES:
                    text = get[measure]
                    if text and (value := parse_score(text)) is not None:
                        typed.append(TypedAverage(target, pillar, measure, text, value, decimals_of(text), number,
                                                  get_column_letter(at[measure] + 1), group))
                continue
            key = (get.get("workshop", ""), case, group, pillar)
            if key in seen:
                self.problem(number, f"group {group!r} has a second row for {pillar} (first on row {seen[key]}): "
                                     "left out", hint="one row per group, case and pillar")
                continue
            seen[key] = number
            for measure in MEASURES:
                value = self.value(get[measure], number, at[measure], measure)
                if value is not None:
                    scores.append(Score(get.get("workshop", ""), case, group, pillar, measure, value, number,
                                        get_column_letter(at[measure] + 1)))
        self._missing_pillars(seen, pillars)
        return ScoreSheet(self.source, self.sheet, "tidy", pillars, scores, typed, self.problems)

    def _missing_pillars(self, seen: dict[tuple, int], pillars: list[str]) -> None:
        groups: dict[tuple, dict[str, int]] = {}
        for (workshop, case, group, pillar), number in seen.items():
            groups.setdefault((workshop, case, group), {})[pillar] = number
        for (_, case, group), have in groups.items():
            for pillar in pillars:
                if pillar not in have:
                    self.problem(min(have.values()), f"group {group!r} has no row for pillar {pillar!r}"
                                 + ("" if case == GENERAL else f" in {case}") + ": its average leaves the group out",
                                 hint="add the row, or check the pillar's spelling")

    def wide(self, rows) -> ScoreSheet:
        header = rows[0][1]
        names = [h.casefold() for h in header]
        label_column = names.index("group") if "group" in names else 0
        meta = {n: i for i, n in enumerate(names) if n in _META and i != label_column}
        pillar_columns = [(i, h) for i, h in enumerate(header) if i != label_column and i not in meta.values() and h]
        if not pillar_columns:
            raise ScoresError(self.source, "no pillar columns in the header row", line=rows[0][0],
                              hint="the first row names the pillars (Power, Equity, …); see the README")
        pillars = [h for _, h in pillar_columns]
        scores: list[Score] = []
        typed: list[TypedAverage] = []
        pending: list[Score] = []
        pending_typed: list[TypedAverage] = []
        case_rows: list[int] = []
        seen: dict[tuple, int] = {}
        has_case_column = "case" in meta
        for number, cells in rows[1:]:
            get = {n: (cells[i] if i < len(cells) else "") for n, i in meta.items()}
            label = cells[label_column] if label_column < len(cells) else ""
            if not label:
                self.problem(number, "the row has no group label: left out",
                             hint="name the group (G1, …) or the average row (Avg, Case 1, Overall)")
                continue
            measure, rest = _split_measure(label)
            if get.get("measure"):
                named = _MEASURE_NAMES.get(get["measure"].casefold())
                if named is None:
                    self.problem(number, f"measure {get['measure']!r} is not relevance or usability: row left out",
                                 column=meta["measure"], name="measure")
                    continue
                measure = named
            kind = _label_kind(rest)
            case = get.get("case") or GENERAL
            if kind != "group":
                target = {"overall": OVERALL, "case": rest}.get(kind, case)
                new = [TypedAverage(target, pillar, m, text, value, decimals_of(text), number,
                                    get_column_letter(i + 1), label)
                       for i, pillar in pillar_columns
                       for m, text, value in self.typed_values(cells[i] if i < len(cells) else "", measure, number,
                                                               i, pillar)]
                if kind == "case" and not has_case_column:
                    case_rows.append(number)
                    for score in pending:
                        scores.append(Score(score.workshop, rest, score.group, score.pillar, score.measure,
                                            score.value, score.row, score.column))
                    typed.extend(TypedAverage(rest, t.pillar, t.measure, t.text, t.value, t.decimals, t.row,
                                              t.column, t.label) for t in pending_typed)
                    pending, pending_typed = [], []
                    typed.extend(new)
                elif kind == "average" and not has_case_column:
                    pending_typed.extend(new)
                else:
                    typed.extend(new)
                continue
            block = case if has_case_column else len(case_rows)     # a group named again in a new case block is new
            base = (get.get("workshop", ""), block, rest)
            measures_here = (measure,) if measure else MEASURES
            first = next((seen[(*base, m)] for m in measures_here if (*base, m) in seen), None)
            if first is not None:
                self.problem(number, f"a second row for group {rest!r}" + (f" ({measure})" if measure else "")
                             + f" (first on row {first}): left out", hint="one row per group (and measure)")
                continue
            seen.update({(*base, m): number for m in measures_here})
            for i, pillar in pillar_columns:
                for m, value in self.cell_values(cells[i] if i < len(cells) else "", measure, number, i,
                                                 pillar).items():
                    target = scores if has_case_column else pending
                    target.append(Score(get.get("workshop", ""), case, rest, pillar, m, value, number,
                                        get_column_letter(i + 1)))
        if pending:
            if case_rows:
                first, last = min(s.row for s in pending), max(s.row for s in pending)
                self.problem(first, f"group rows {first}–{last} come after the last case row (row {case_rows[-1]}) "
                                    "and no case row closes them: left out",
                             hint="add the case's average row (e.g. `Case 3`) below them, or a `case` column")
            else:
                scores.extend(pending)
                typed.extend(pending_typed)
        return ScoreSheet(self.source, self.sheet, "wide", pillars, scores, typed, self.problems)


def _split_measure(label: str) -> tuple[str | None, str]:
    match = _PREFIXED.match(label)
    if match and match["measure"].casefold() in _MEASURE_NAMES:
        return _MEASURE_NAMES[match["measure"].casefold()], match["rest"].strip()
    return None, label


def _label_kind(label: str) -> str:
    if _AVERAGE.match(label):
        return "average"
    if _OVERALL.match(label):
        return "overall"
    if _CASE_ROW.match(label):
        return "case"
    return "group"
