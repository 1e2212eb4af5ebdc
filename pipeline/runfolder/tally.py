"""Assignments × roster → tables per interviewee, stakeholder group, country, term and code pair."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from pipeline.models import RESPONDENT, Codebook, Roster


@dataclass
class Mention:
    """The slice of an assignment the tallies need."""

    interviewee_id: str
    code: str
    term: str
    role: str = RESPONDENT


@dataclass
class Tallies:
    by_interviewee: pd.DataFrame     # long form
    wide: pd.DataFrame               # one row per interviewee, a column per code
    presence: pd.DataFrame
    units: pd.DataFrame              # as `wide`, a column per code: coding units holding it
    by_group: pd.DataFrame
    by_country: pd.DataFrame | None
    by_term: pd.DataFrame
    cooccurrence: pd.DataFrame
    codebook: pd.DataFrame
    interviewer: pd.DataFrame | None


def group_column(group: str) -> str:
    return "group_" + re.sub(r"\W+", "_", group.strip().lower()).strip("_")


def tally(mentions: list[Mention], roster: Roster, codebook: Codebook, words: dict[str, int],
          unit_codes: list[tuple[str, int, tuple[str, ...]]], include_interviewer: bool = False) -> Tallies:
    """All tables of a run. `words`: respondent words per coded interviewee; `unit_codes`:
    (file, unit, codes) for every coding unit holding a respondent mention."""
    people = [p for p in roster.interviewees if p.id in words]
    codes = codebook.ids
    respondent = [m for m in mentions if m.role == RESPONDENT]
    counts: dict[tuple[str, str], int] = {}
    for m in respondent:
        counts[(m.interviewee_id, m.code)] = counts.get((m.interviewee_id, m.code), 0) + 1
    owner = {p.file: p.id for p in people}
    units: dict[tuple[str, str], int] = {}       # distinct coding units holding the code, per interviewee
    for source_file, _unit, present in unit_codes:
        for code in present:
            key = (owner.get(source_file, ""), code)
            units[key] = units.get(key, 0) + 1

    long_rows = []
    for person in people:
        n_words = words[person.id]
        for code in codes:
            n = counts.get((person.id, code), 0)
            long_rows.append({"interviewee_id": person.id, "code": code, "mentions": n,
                              "units": units.get((person.id, code), 0), "respondent_words": n_words,
                              "per_1000_words": round(1000 * n / n_words, 4) if n_words else 0.0})
    by_interviewee = pd.DataFrame(long_rows, columns=["interviewee_id", "code", "mentions", "units",
                                                      "respondent_words", "per_1000_words"])

    groups = roster.groups
    wide_rows = []
    for person in people:
        row = {"interviewee_id": person.id}
        row.update({c: person.attributes.get(c, "") for c in roster.attribute_columns})
        row["stakeholder_groups"] = "; ".join(person.groups)
        row.update({group_column(g): int(g in person.groups) for g in groups})
        row["respondent_words"] = words[person.id]
        row.update({code: counts.get((person.id, code), 0) for code in codes})
        wide_rows.append(row)
    wide_columns = (["interviewee_id"] + roster.attribute_columns + ["stakeholder_groups"]
                    + [group_column(g) for g in groups] + ["respondent_words"] + codes)
    wide = pd.DataFrame(wide_rows, columns=wide_columns)
    presence = wide.copy()
    unit_matrix = wide.copy()
    for code in codes:
        presence[code] = (presence[code] > 0).astype(int)
        unit_matrix[code] = [units.get((person.id, code), 0) for person in people]

    by_group = _by_category(people, codes, counts, units, lambda p: p.groups, "stakeholder_group")
    countries = {p.country for p in people if p.country}
    by_country = None
    if len(countries) > 1:
        by_country = _by_category(people, codes, counts, units, lambda p: (p.country,) if p.country else (),
                                  "country")
    by_term = _by_term(respondent, codebook)
    cooccurrence = _cooccurrence(unit_codes, codes)
    codebook_table = _codebook_table(codebook, by_group, counts, units, people)
    interviewer = None
    if include_interviewer:
        asked: dict[tuple[str, str], int] = {}
        for m in mentions:
            if m.role != RESPONDENT:
                asked[(m.interviewee_id, m.code)] = asked.get((m.interviewee_id, m.code), 0) + 1
        interviewer = pd.DataFrame(
            [{"interviewee_id": p.id, "code": c, "interviewer_mentions": asked.get((p.id, c), 0)}
             for p in people for c in codes],
            columns=["interviewee_id", "code", "interviewer_mentions"])
    return Tallies(by_interviewee, wide, presence, unit_matrix, by_group, by_country, by_term, cooccurrence,
                   codebook_table, interviewer)


def _by_category(people, codes, counts, units, categories_of, column: str) -> pd.DataFrame:
    members: dict[str, list[str]] = {}
    for person in people:
        for category in categories_of(person):
            members.setdefault(category, []).append(person.id)
    rows = []
    for category, ids in members.items():
        for code in codes:
            per_person = [counts.get((i, code), 0) for i in ids]
            rows.append({column: category, "code": code, "mentions": sum(per_person),
                         "units": sum(units.get((i, code), 0) for i in ids),
                         "interviewees": sum(1 for n in per_person if n), "group_size": len(ids)})
    return pd.DataFrame(rows, columns=[column, "code", "mentions", "units", "interviewees", "group_size"])


def _by_term(respondent: list[Mention], codebook: Codebook) -> pd.DataFrame:
    mentions: dict[tuple[str, str], int] = {}
    people: dict[tuple[str, str], set] = {}
    for m in respondent:
        key = (m.code, m.term)
        mentions[key] = mentions.get(key, 0) + 1
        people.setdefault(key, set()).add(m.interviewee_id)
    rows = []
    for code in codebook.codes:
        for term in code.terms:
            key = (code.id, term.text)
            rows.append({"code": code.id, "term": term.text, "mentions": mentions.get(key, 0),
                         "interviewees": len(people.get(key, ()))})
    return pd.DataFrame(rows, columns=["code", "term", "mentions", "interviewees"])


def _cooccurrence(unit_codes, codes: list[str]) -> pd.DataFrame:
    index = {c: i for i, c in enumerate(codes)}
    matrix = [[0] * len(codes) for _ in codes]
    for _, _, present in unit_codes:
        for a in present:
            for b in present:
                if a in index and b in index:
                    matrix[index[a]][index[b]] += 1
    frame = pd.DataFrame(matrix, index=codes, columns=codes)
    frame.index.name = "code"
    return frame


def _codebook_table(codebook: Codebook, by_group: pd.DataFrame, counts, units, people) -> pd.DataFrame:
    rows = []
    for code in codebook.codes:
        per_person = [counts.get((p.id, code.id), 0) for p in people]
        row = {"code": code.id, "label": code.label, "label_zh": code.label_zh, "parent": code.parent,
               "definition": code.definition,
               "terms_en": "; ".join(t.text for t in code.terms if t.lang == "en"),
               "terms_zh": "; ".join(t.text for t in code.terms if t.lang == "zh"),
               "exclude": "; ".join(t.text for t in code.excludes),
               "mentions": sum(per_person), "units": sum(units.get((p.id, code.id), 0) for p in people),
               "interviewees": sum(1 for n in per_person if n)}
        for _, g in by_group[by_group["code"] == code.id].iterrows():
            row[f"interviewees: {g['stakeholder_group']}"] = int(g["interviewees"])
        rows.append(row)
    return pd.DataFrame(rows)
