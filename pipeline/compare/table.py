"""Run folders × a roster column → groups of interviewees, the codes they share, and one row per (group, code)
with rates and the tests of whether the groups differ."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.errors import CompareError, Problem, note
from pipeline.runfolder.load import RunTables
from pipeline.stats.significance import (
    benjamini_hochberg,
    fisher_two_sided,
    log_likelihood_g2,
    log_ratio,
    pearson_chi2,
)

GROUP_COLUMNS = ("stakeholder_group", "stakeholder_groups")
COMPARE_COLUMNS = ["group", "code", "label", "interviewees_mentioning", "group_size", "share", "mentions",
                   "respondent_words", "per_1000_words", "units", "units_per_1000_words", "log_ratio", "fisher_p",
                   "fisher_p_adj", "chi2", "chi2_p", "chi2_p_adj", "chi2_warning", "g2", "g2_p", "g2_p_adj",
                   "definition"]
_SPLIT = re.compile(r"\s*[;,、]\s*")


@dataclass
class Member:
    """One coded interviewee of one run."""

    run: str
    interviewee_id: str
    words: int
    mentions: dict[str, int]
    units: dict[str, int] | None = None       # coding units holding each code (None: a run from before units)


@dataclass
class Groups:
    by: str
    members: dict[str, list[Member]]          # group → members, in order of first appearance
    overlapping: list[tuple[Member, list[str]]] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return list(self.members)


@dataclass
class Codes:
    ids: list[str]                            # compared, in the first run's order
    labels: dict[str, str]
    differs: dict[str, str]                   # code → how its definition differs between runs
    not_comparable: pd.DataFrame              # code, in_runs, missing_from
    notes: list[Problem] = field(default_factory=list)


def run_names(runs: list[RunTables]) -> list[str]:
    """Short, distinct names for the runs: folder names, made unique with the parent where needed."""
    names = [r.path.name or str(r.path) for r in runs]
    if len(set(names)) < len(names):
        names = [str(Path(r.path.parent.name) / r.path.name) for r in runs]
    if len(set(names)) < len(names):
        names = [str(r.path) for r in runs]
    return names


def is_group_column(by: str) -> bool:
    return by in GROUP_COLUMNS


def group_interviewees(runs: list[RunTables], by: str, labels: dict[str, str] | None = None,
                       only: list[str] | None = None) -> Groups:
    """Put every coded interviewee of every run in the group(s) named by the roster column `by`
    (or the run's `--label`); stakeholder_groups may name several (they then overlap)."""
    labels = labels or {}
    names = run_names(runs)
    column = "stakeholder_groups" if is_group_column(by) else by
    members: dict[str, list[Member]] = {}
    left_out: dict[str, list[str]] = {}
    overlapping = []
    named: list[str] = []                     # every group the rosters name, before --groups chooses
    for run, name in zip(runs, names, strict=True):
        label = labels.get(name)
        if label is None and column not in run.roster.columns:
            raise CompareError(run.path / "roster.csv", f"the roster has no `{by}` column to group by",
                               hint=f"add it to the run's roster and re-run, or give --label {name}=NAME")
        counts, units = _by_interviewee(run, "mentions"), _by_interviewee(run, "units")
        if run.roster.empty:
            raise CompareError(run.path, "the run coded no interviewee", hint="check that run's problems in run.json")
        for row in run.roster.to_dict("records"):      # by name: a column such as `home region` is no identifier
            person = str(row["interviewee_id"])
            member = Member(name, person, int(row["respondent_words"]), counts.get(person, {}),
                            None if units is None else units.get(person, {}))
            if label is not None:
                groups = [label]
            elif is_group_column(by):
                groups = [g for g in _SPLIT.split(str(row[column]).strip()) if g]
            else:
                groups = [str(row[column]).strip()] if str(row[column]).strip() else []
            named.extend(g for g in groups if g not in named)
            if only is not None:
                groups = [g for g in groups if g in only]
            if not groups:
                left_out.setdefault(name, []).append(person)
                continue
            if len(groups) > 1:
                overlapping.append((member, groups))
            for group in groups:
                members.setdefault(group, []).append(member)
    result = Groups(by=by, members=members, overlapping=overlapping)
    for name, people in left_out.items():
        why = f"not in {', '.join(only)}" if only is not None else f"no `{by}` in the roster"
        result.notes.append(note(name, f"{len(people)} interviewee(s) left out ({why}): {', '.join(people[:10])}"
                                       + (" …" if len(people) > 10 else "")))
    if only is not None:
        missing = [g for g in only if g not in members]
        if missing:
            raise CompareError("--groups", f"no interviewee is in {', '.join(missing)}",
                               hint=f"groups by {by}: {', '.join(named)}")
        result.members = {g: members[g] for g in only}
    _check_groups(result, runs, names)
    return result


def _check_groups(groups: Groups, runs: list[RunTables], names: list[str]) -> None:
    if len(groups.members) < 2:
        where = names[0] if len(runs) == 1 else ", ".join(names)
        only = f" ({next(iter(groups.members))})" if groups.members else ""
        hint = ("choose another --by column" if len(runs) == 1
                else "give each run a name with --label RUN=NAME, or choose another --by column")
        raise CompareError(where, f"only {len(groups.members)} group{only} by {groups.by}: nothing to compare",
                           hint=hint)
    for group, people in groups.members.items():
        if not people:
            raise CompareError(group, "the group is empty", hint="leave it out with --groups")
        if not sum(m.words for m in people):
            raise CompareError(group, f"the group's {len(people)} interviewee(s) have 0 respondent words: "
                               "rates per 1,000 words cannot be computed",
                               hint="check the runs' problems (undecodable or empty transcripts?), "
                                    "or leave the group out with --groups")


def _by_interviewee(run: RunTables, column: str) -> dict[str, dict[str, int]] | None:
    """interviewee → code → the run's count in `column` (mentions, units); None where the run has no such column
    (units are counted since a later qcode)."""
    if column not in run.counts.columns:
        return None
    counts: dict[str, dict[str, int]] = {}
    for person, code, n in zip(run.counts["interviewee_id"], run.counts["code"], run.counts[column], strict=True):
        counts.setdefault(str(person), {})[code] = int(n)
    return counts


def shared_codes(runs: list[RunTables]) -> Codes:
    """The code ids every run's codebook has; the others are listed as not comparable. A shared id
    whose terms differ between runs is compared but flagged, never silently."""
    names = run_names(runs)
    first = runs[0].codebook
    ids = [c for c in first.ids if all(c in r.codebook.ids for r in runs[1:])]
    everything: list[str] = []
    for run in runs:
        everything.extend(c for c in run.codebook.ids if c not in everything)
    rows = []
    for code in everything:
        if code in ids:
            continue
        having = [n for r, n in zip(runs, names, strict=True) if code in r.codebook.ids]
        rows.append({"code": code, "in_runs": "; ".join(having),
                     "missing_from": "; ".join(n for n in names if n not in having)})
    notes = []
    if rows:
        notes.append(note("codebooks", f"{len(rows)} code(s) are not in every run's codebook and are not compared: "
                                       f"{', '.join(r['code'] for r in rows)}",
                          hint="see the Not comparable sheet"))
    versions = {(r.codebook.name, r.codebook.version) for r in runs}
    if len(versions) > 1:
        shown = "; ".join(f"{n}: {r.codebook.name!r} version {r.codebook.version!r}"
                          for r, n in zip(runs, names, strict=True))
        notes.append(note("codebooks", f"the runs used different codebooks or versions ({shown})",
                          hint="shared code ids are compared; check the definition column for codes whose "
                               "terms differ"))
    differs = {}
    for code in ids:
        definitions = [_definition(r.codebook.code(code)) for r in runs]
        if any(d != definitions[0] for d in definitions[1:]):
            differs[code] = _difference(definitions, names)
            notes.append(note("codebooks", f"code {code}: terms differ between runs ({differs[code]}); "
                                           "its counts are not of the same definition",
                              hint="align the codebooks and re-run, or read this code's figures with care"))
    labels = {c.id: " ".join(t for t in (c.label, c.label_zh) if t) or c.id for c in first.codes}   # Equity 公平
    return Codes(ids=ids, labels=labels, differs=differs,
                 not_comparable=pd.DataFrame(rows, columns=["code", "in_runs", "missing_from"]), notes=notes)


def _definition(code) -> frozenset:
    return frozenset([("term", t.lang, t.text) for t in code.terms] + [("exclude", t.lang, t.text)
                                                                        for t in code.excludes])


def _difference(definitions: list[frozenset], names: list[str]) -> str:
    common = frozenset.intersection(*definitions)
    parts = []
    for name, definition in zip(names, definitions, strict=True):
        extra = sorted(definition - common)
        if extra:
            shown = ", ".join(("not " if kind == "exclude" else "") + text for kind, _, text in extra[:5])
            parts.append(f"{name} also has {shown}" + (" …" if len(extra) > 5 else ""))
    return "; ".join(parts)


def compare_table(groups: Groups, codes: Codes) -> pd.DataFrame:
    """One row per (group, code): description always; tests only when groups do not overlap."""
    tested = not groups.overlapping
    names = groups.names
    rows = []
    for code in codes.ids:
        mentioning = [sum(1 for m in groups.members[g] if m.mentions.get(code, 0) > 0) for g in names]
        sizes = [len(groups.members[g]) for g in names]
        mentions = [sum(m.mentions.get(code, 0) for m in groups.members[g]) for g in names]
        words = [sum(m.words for m in groups.members[g]) for g in names]
        units = [math.nan if any(m.units is None for m in groups.members[g])
                 else sum(m.units.get(code, 0) for m in groups.members[g]) for g in names]
        tests = _code_tests(mentioning, sizes, mentions, words) if tested else {}
        for index, group in enumerate(names):
            rows.append({
                "group": group, "code": code, "label": codes.labels.get(code, code),
                "interviewees_mentioning": mentioning[index], "group_size": sizes[index],
                "share": mentioning[index] / sizes[index], "mentions": mentions[index],
                "respondent_words": words[index], "per_1000_words": 1000 * mentions[index] / words[index],
                "units": units[index], "units_per_1000_words": 1000 * units[index] / words[index],
                "log_ratio": (log_ratio(mentions[index], words[index], sum(mentions) - mentions[index],
                                        sum(words) - words[index]) if tested and sum(mentions) else math.nan),
                **tests, "definition": f"differs: {codes.differs[code]}" if code in codes.differs else "same"})
    table = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    for column in ("fisher_p", "chi2_p", "g2_p"):
        per_code = table.drop_duplicates("code")[["code", column]]
        adjusted = dict(zip(per_code["code"], benjamini_hochberg(per_code[column].tolist()), strict=True))
        table[f"{column}_adj"] = table["code"].map(adjusted)
    return table


def _code_tests(mentioning, sizes, mentions, words) -> dict:
    tests = {"fisher_p": math.nan, "chi2": math.nan, "chi2_p": math.nan, "chi2_warning": "",
             "g2": math.nan, "g2_p": math.nan}
    if len(sizes) == 2:
        tests["fisher_p"] = fisher_two_sided((mentioning[0], mentioning[1]), (sizes[0], sizes[1]))
    else:
        result = pearson_chi2(mentioning, sizes)
        if result is None:
            tests["chi2_warning"] = "everyone or no one mentions it: nothing to test"
        else:
            tests["chi2"], tests["chi2_p"] = result.statistic, result.p
            if result.small_cells:
                tests["chi2_warning"] = (f"{result.small_cells} of {2 * len(sizes)} expected counts below 5: "
                                         "the chi-square approximation is rough")
    g2 = log_likelihood_g2(mentions, words)
    if g2 is not None:
        tests["g2"], tests["g2_p"] = g2
    return tests


def overlap_note(groups: Groups) -> Problem | None:
    if not groups.overlapping:
        return None
    example = ", ".join(f"{m.interviewee_id} ({' + '.join(g)})" for m, g in groups.overlapping[:3])
    return note(groups.by, f"{len(groups.overlapping)} interviewee(s) are in more than one group, e.g. {example}: "
                           "the groups overlap, so they are described but not tested (the tests assume each "
                           "interviewee is counted once)",
                hint="to test, compare groups that do not overlap: --groups with groups that share nobody, "
                     "or --by a roster column with one value per interviewee (country, gender, …)")


def parse_labels(items: list[str], names: list[str], paths: list[Path]) -> dict[str, str]:
    """--label RUN=NAME, RUN being a run folder as given, its name, or its path."""
    labels = {}
    for item in items:
        run, sep, name = item.partition("=")
        if not sep or not run.strip() or not name.strip():
            raise CompareError("--label", f"{item!r} is not RUN=NAME", hint="e.g. --label outputs/run-uk=UK")
        matches = [n for n, p in zip(names, paths, strict=True)
                   if run.strip() in (n, str(p), p.name) or Path(run.strip()).resolve() == p.resolve()]
        if not matches:
            raise CompareError("--label", f"{run!r} is none of the run folders compared",
                               hint=f"the runs: {', '.join(names)}")
        labels[matches[0]] = name.strip()
    return labels
