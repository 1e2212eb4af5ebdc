"""A run's final coding → the quotes report's content: per code its counts by group and a capped, spread choice
of passages, the rule that chose them stated."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.models import RESPONDENT, Codebook
from pipeline.runfolder.load import RunTables, counted
from pipeline.runfolder.texts import read_assignments
from pipeline.write.docx_report import CodeSection, Quote, QuotesDocument


@dataclass
class FinalCoding:
    """What the report reads: a run folder's tables, or a reviewed workbook's decisions applied to its run."""

    manifest: dict
    codebook: Codebook
    assignments: pd.DataFrame     # assignments.csv's columns: the final coding
    roster: pd.DataFrame          # roster.csv's columns: one row per coded interviewee
    by_group: pd.DataFrame        # by_group.csv's columns, counts as integers
    counts: pd.DataFrame          # by_interviewee.csv's columns: interviewee_id, code, mentions, units
    source: str                   # where the coding comes from, for the title page


@dataclass
class Passage:
    """The coding unit holding a code (several mentions of it in one sentence are one passage)."""

    interviewee_id: str
    source_file: str
    line: int
    char_start: int
    text: str
    matched: list[str]


def run_coding(tables: RunTables) -> FinalCoding:
    """The final coding of a run folder (the reviewed one where the folder is an audit's)."""
    by_group = tables.table("by_group")
    for column in ("mentions", "units", "interviewees", "group_size"):
        by_group[column] = counted(by_group[column], tables.path / "by_group.csv")
    counts = tables.counts
    if "units" not in counts.columns:
        counts = counts.assign(units=0)
    coding = tables.manifest.get("coding", "machine")
    return FinalCoding(tables.manifest, tables.codebook, read_assignments(tables), tables.roster, by_group, counts,
                       f"{tables.path} ({coding} coding)")


def rule_text(per_code: int) -> str:
    return (f"At most {per_code} quotes per code. A passage is the coding unit (sentence or turn, as the run "
            "coded) holding the code in an interviewee's own words; several mentions in one passage are one "
            "quote, and interviewers' words are never quoted. Quotes are taken in rounds: each round takes the "
            "next passage, in transcript order, of every interviewee who said the code, the interviewees taken "
            "from each stakeholder group in turn (in the roster's order), so that every group and every "
            "interviewee is quoted once before anyone is quoted twice. The chosen quotes are shown in the "
            "roster's order, each interviewee's in transcript order, as the transcript writes them (not "
            "converted between traditional and simplified Chinese). The same run gives the same quotes.")


def _groups(cell: str) -> list[str]:
    return [g for g in (part.strip() for part in str(cell).split(";")) if g]


def speaking_order(roster: pd.DataFrame) -> list[str]:
    """Interviewees in the order quotes are taken: the first of each group in turn, then the second, …"""
    members: dict[str, list[str]] = {}
    for person_id, cell in zip(roster["interviewee_id"].astype(str), roster["stakeholder_groups"], strict=True):
        for group in _groups(cell) or [""]:
            members.setdefault(group, []).append(person_id)
    order: dict[str, None] = {}
    for rank in range(max((len(m) for m in members.values()), default=0)):
        for people in members.values():
            if rank < len(people):
                order.setdefault(people[rank], None)
    return list(order)


def passages_of(assignments: pd.DataFrame, code: str) -> dict[str, list[Passage]]:
    """The passages holding `code`, per interviewee, in transcript order."""
    rows = assignments[(assignments["code"] == code) & (assignments["speaker_role"] == RESPONDENT)]
    rows = rows.sort_values(["source_file", "char_start", "char_end"], kind="stable")
    found: dict[tuple[str, str, str], Passage] = {}
    for row in rows.itertuples(index=False):
        key = (str(row.interviewee_id), row.source_file, row.segment_text)
        passage = found.get(key)
        if passage is None:
            found[key] = Passage(str(row.interviewee_id), row.source_file, int(row.line), int(row.char_start),
                                 row.segment_text, [row.matched_text])
        elif row.matched_text not in passage.matched:
            passage.matched.append(row.matched_text)
    per_person: dict[str, list[Passage]] = {}
    for passage in found.values():
        per_person.setdefault(passage.interviewee_id, []).append(passage)
    return per_person


def choose(per_person: dict[str, list[Passage]], order: list[str], cap: int) -> list[Passage]:
    """At most `cap` passages, taken in rounds: each round the next passage of every interviewee in `order` (then
    of anyone the roster does not list, by id)."""
    people = [p for p in order if p in per_person] + sorted(set(per_person) - set(order))
    chosen: list[Passage] = []
    rank = 0
    while len(chosen) < cap and any(rank < len(per_person[p]) for p in people):
        for person in people:
            if rank < len(per_person[person]) and len(chosen) < cap:
                chosen.append(per_person[person][rank])
        rank += 1
    return chosen


def count_table(coding: FinalCoding, code: str) -> list[list[str]]:
    rows = [["Stakeholder group", "Interviewees with the code / in the group", "Mentions", "Units"]]
    for g in coding.by_group[coding.by_group["code"] == code].itertuples(index=False):
        rows.append([str(g.stakeholder_group), f"{int(g.interviewees)} / {int(g.group_size)}",
                     str(int(g.mentions)), str(int(g.units))])
    mine = coding.counts[coding.counts["code"] == code]
    rows.append(["All interviewees", f"{int((mine['mentions'] > 0).sum())} / {len(coding.roster)}",
                 str(int(mine["mentions"].sum())), str(int(mine["units"].sum()))])
    return rows


def _attribution(passage: Passage, person: dict) -> str:
    who = f"interviewee {passage.interviewee_id}"
    name = str(person.get("name", "")).strip()
    if name:
        who = f"{name} ({who})"
    parts = [who, ", ".join(_groups(person.get("stakeholder_groups", ""))), str(person.get("country", "")).strip()]
    place = f"{passage.source_file}, line {passage.line}"
    coded = "coded on: " + ", ".join(passage.matched)
    return " · ".join([", ".join(p for p in parts if p), place, coded])


def quotes_document(coding: FinalCoding, per_code: int) -> QuotesDocument:
    roster = coding.roster
    people = {str(r["interviewee_id"]): r for r in roster.to_dict("records")}
    order = speaking_order(roster)
    position = {person: n for n, person in enumerate(roster["interviewee_id"].astype(str))}
    sections = []
    for code in coding.codebook.codes:
        per_person = passages_of(coding.assignments, code.id)
        chosen = choose(per_person, order, per_code)
        chosen.sort(key=lambda p: (position.get(p.interviewee_id, len(position)), p.interviewee_id, p.source_file,
                                   p.char_start))
        total = sum(len(v) for v in per_person.values())
        summary = (f"{len(chosen)} of {total} passage(s) quoted, from {len(per_person)} interviewee(s)."
                   if total else "No interviewee's words hold this code.")
        quotes = [Quote(p.text, _attribution(p, people.get(p.interviewee_id, {}))) for p in chosen]
        heading = " · ".join(filter(None, (code.label or code.id, code.label_zh)))
        sections.append(CodeSection(heading, code.id, code.definition, count_table(coding, code.id), summary, quotes))
    manifest = coding.manifest
    groups = coding.by_group.drop_duplicates("stakeholder_group")
    facts = [("Codebook", f"{coding.codebook.name} (version {coding.codebook.version})"),
             ("Coding", coding.source),
             ("Coded on", str(manifest.get("created", ""))[:10] or "unknown"),
             ("Coding unit", str(manifest.get("options", {}).get("unit", "sentence"))),
             ("Transcripts", f"{len(manifest.get('files', []))} file(s), {len(roster)} interviewee(s)"),
             ("Stakeholder groups", "; ".join(f"{g.stakeholder_group} ({int(g.group_size)})"
                                             for g in groups.itertuples(index=False))),
             ("Quotes", f"at most {per_code} per code"),
             ("qcode", str(manifest.get("qcode_version", "")))]
    review = manifest.get("review")
    if isinstance(review, dict):
        facts.insert(2, ("Reviewed by", ", ".join(map(str, review.get("reviewers", []))) or "an unnamed reviewer"))
        facts.insert(3, ("Reviewed workbook", Path(str(review.get("workbook", ""))).name))
    title = f"Quotes by code: {coding.codebook.name}"
    return QuotesDocument(title, facts, rule_text(per_code), sections)
