"""Reviewers' verdicts → proposed exclusions: for each term whose assignments were mostly rejected, the
neighbouring words that separate its rejected uses from its accepted ones, written as codebook exclusions.

A term is looked at when at least MIN_REVIEWED of its assignments were reviewed (accepted, rejected, or recoded
to another code, which counts as rejected for this one) and at least REJECTED_SHARE of them were rejected. Its
candidates come from the words around each reviewed use (WINDOW words each side, within the coding unit;
English lookup lemmas, jieba words):

- `word`: the whole word a Chinese term lies inside (公平 in 公平会 → exclude 公平会), or the English word a
  `word*` term matched (discriminat* in discriminator → exclude discriminator);
- `phrase`: the term with the word right before or after it, nothing but a space between (fair amount);
- `companion`: the term with a word anywhere in the unit (`fair & amount`: an exclusion with a companion
  cancels the term only in a unit that also holds the word).

Each candidate is then matched as the codebook would match it (evidence.probe) and kept when it removes at
least MIN_SUPPORT rejected assignments and at most one accepted one for every ACCEPT_PER_REJECT rejected. Per
term at most MAX_PER_TERM are proposed, each removing rejected assignments the ones before it leave; of two that
remove the same, the one whose added word is rarer in the corpus (fair amount rather than a fair), then the
narrower kind.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from pipeline.coding.near_miss import worth_counting
from pipeline.errors import CodebookError
from pipeline.learn.evidence import ACCEPTED, REJECTED, Evidence, Unit, Verdict, example, probe
from pipeline.models import Term
from pipeline.read.codebook import COMPANION, compile_term
from pipeline.stats.significance import fisher_two_sided

REJECTED_SHARE = 0.5
MIN_REVIEWED = 3
MIN_SUPPORT = 2
ACCEPT_PER_REJECT = 10
WINDOW = 5
MAX_PER_TERM = 3
PROBED_PER_TERM = 12
EXAMPLES = 3
KINDS = ("word", "phrase", "companion")          # the narrower first, where two remove the same


@dataclass
class Exclusion:
    """A proposed exclusion for one term of one code, with what the reviewers said and what it would remove."""

    code: str
    term: str
    exclude: str
    kind: str
    reviewed: int
    rejected: int
    accepted: int
    commonness: int = 0               # units holding its other word: of two that remove the same, the rarer word
    rejected_near: int = 0            # reviewed uses with the candidate's word near them
    accepted_near: int = 0
    fisher_p: float = float("nan")
    removes: dict = field(default_factory=dict)      # verdict → assignments it would cancel
    removed: set = field(default_factory=set)        # (run, assignment id) of the rejected ones it cancels
    examples: list = field(default_factory=list)

    def row(self) -> dict:
        return {"take": "", "code": self.code, "term": self.term, "exclude": self.exclude, "kind": self.kind,
                "term_reviewed": self.reviewed, "term_rejected": self.rejected, "term_accepted": self.accepted,
                "rejected_near": self.rejected_near, "accepted_near": self.accepted_near,
                "fisher_p": self.fisher_p, "removes": sum(self.removes.values()),
                "removes_rejected": self.removes.get(REJECTED, 0), "removes_accepted": self.removes.get(ACCEPTED, 0),
                "removes_unreviewed": sum(n for v, n in self.removes.items() if v not in (REJECTED, ACCEPTED)),
                **{f"example_{i + 1}": (self.examples[i] if i < len(self.examples) else "") for i in range(EXAMPLES)}}


def propose_exclusions(evidence: Evidence) -> list[Exclusion]:
    """The proposed exclusions of every code, in codebook order, the most telling first within each term."""
    by_term: dict[tuple[str, str], list[Verdict]] = defaultdict(list)
    for verdict in evidence.verdicts:
        by_term[(verdict.assignment.code, verdict.assignment.term)].append(verdict)
    common: Counter = Counter()
    for unit in evidence.units.values():
        common.update({w.word for w in unit.words})
    candidates: list[tuple[Exclusion, Term]] = []
    for (code_id, term_text), verdicts in by_term.items():
        reviewed = [v for v in verdicts if v.verdict in (ACCEPTED, REJECTED)]
        rejected = sum(1 for v in reviewed if v.verdict == REJECTED)
        if len(reviewed) < MIN_REVIEWED or rejected < REJECTED_SHARE * len(reviewed) or code_id not in \
                evidence.code_ids() or not term_text:
            continue
        candidates += _candidates(evidence, code_id, term_text, reviewed, rejected, common)
    _measure(evidence, candidates)
    chosen: list[Exclusion] = []
    grouped: dict[tuple[str, str], list[Exclusion]] = defaultdict(list)
    for candidate, _ in candidates:
        if candidate.removes.get(REJECTED, 0) >= MIN_SUPPORT and \
                candidate.removes.get(ACCEPTED, 0) * ACCEPT_PER_REJECT <= candidate.removes.get(REJECTED, 0):
            grouped[(candidate.code, candidate.term)].append(candidate)
    order = {c: i for i, c in enumerate(evidence.code_ids())}
    for key in sorted(grouped, key=lambda k: (order.get(k[0], 0), k[1])):
        left: set = set().union(*(c.removed for c in grouped[key]))
        ranked = sorted(grouped[key], key=lambda c: (-c.removes.get(REJECTED, 0), c.removes.get(ACCEPTED, 0),
                                                     c.commonness, KINDS.index(c.kind), sum(c.removes.values()),
                                                     c.exclude))
        taken = 0
        for candidate in ranked:
            if taken < MAX_PER_TERM and len(candidate.removed & left) >= MIN_SUPPORT:
                chosen.append(candidate)
                left -= candidate.removed
                taken += 1
    return chosen


def _candidates(evidence: Evidence, code_id: str, term_text: str, reviewed: list[Verdict], rejected: int,
                common: Counter) -> list[tuple[Exclusion, Term]]:
    """The term's candidate exclusions with their near-word counts, the likeliest PROBED_PER_TERM of them."""
    head = term_text.partition(COMPANION)[0].strip()
    near: dict[tuple[str, str, str], dict[str, set]] = defaultdict(lambda: {ACCEPTED: set(), REJECTED: set()})
    for verdict in reviewed:
        unit = evidence.units.get(verdict.unit_key)
        if unit is None:
            continue
        for kind, text, other in _around(unit, verdict, head):
            near[(kind, text, other)][verdict.verdict].add(id(verdict))
    accepted = len(reviewed) - rejected
    found = []
    for (kind, text, other), seen in near.items():
        rej, acc = len(seen[REJECTED]), len(seen[ACCEPTED])
        if rej < MIN_SUPPORT or acc * ACCEPT_PER_REJECT > rej:
            continue
        try:
            term = compile_term(text, code_id)
        except CodebookError:
            continue                  # a word that cannot be written as a term (e.g. only punctuation)
        p = fisher_two_sided((rej, acc), (rejected, accepted)) if accepted else float("nan")
        found.append((Exclusion(code_id, term_text, text, kind, len(reviewed), rejected, accepted,
                                common[other] if other else 0, rej, acc, p), term))
    found.sort(key=lambda c: (-c[0].rejected_near, c[0].accepted_near, c[0].commonness, KINDS.index(c[0].kind),
                              c[0].exclude))
    return found[:PROBED_PER_TERM]


def _around(unit: Unit, verdict: Verdict, head: str) -> set[tuple[str, str, str]]:
    """(kind, exclusion as written, the word it adds to the term) for each word around one use of a term."""
    a = verdict.assignment
    inside = [i for i, w in enumerate(unit.words) if w.start < a.char_end and a.char_start < w.end]
    if not inside:
        return set()
    first, last = inside[0], inside[-1]
    words = unit.words
    han = words[first].han
    found: set[tuple[str, str, str]] = set()
    covering = "".join(w.word for w in words[first:last + 1]) if han else ""
    if han and covering != head and len(covering) > len(head):
        found.add(("word", covering, ""))
    if not han and "*" in head and " " not in head:
        found.add(("word", words[first].word, ""))           # the form a `word*` term matched
    phrase_head = covering if han else head
    plain = COMPANION not in head
    if plain and first > 0 and not unit.gaps[first - 1].strip() and words[first - 1].han == han:
        other = words[first - 1]
        found.add(("phrase", other.word + phrase_head if han else f"{other.surface} {head}", other.word))
    if plain and last + 1 < len(words) and not unit.gaps[last].strip() and words[last + 1].han == han:
        other = words[last + 1]
        found.add(("phrase", phrase_head + other.word if han else f"{head} {other.surface}", other.word))
    for i in range(max(0, first - WINDOW), min(len(words), last + 1 + WINDOW)):
        if first <= i <= last or not worth_counting(words[i].word):
            continue
        found.add(("companion", f"{head}{COMPANION}{words[i].word if words[i].han else words[i].surface}",
                   words[i].word))
    return found


def _measure(evidence: Evidence, candidates: list[tuple[Exclusion, Term]]) -> None:
    """What each candidate would cancel: the code matched with the exclusion added, against the code as it is."""
    if not candidates:
        return
    codes = {c.id: c for c in evidence.codebook.codes}
    variants = [replace(codes[e.code], excludes=[*codes[e.code].excludes, term]) for e, term in candidates]
    found = probe(evidence, variants)
    for (exclusion, _), hits in zip(candidates, found, strict=True):
        kept = {(run, a.source_file, a.char_start, a.char_end) for run, a in hits}
        removed = [v for v in evidence.verdicts if v.assignment.code == exclusion.code
                   and (v.run, v.assignment.source_file, v.assignment.char_start, v.assignment.char_end) not in kept]
        for v in removed:
            exclusion.removes[v.verdict] = exclusion.removes.get(v.verdict, 0) + 1
        exclusion.removed = {(v.run, v.assignment.assignment_id) for v in removed if v.verdict == REJECTED}
        shown = sorted(removed, key=lambda v: (v.verdict != REJECTED, v.run, v.assignment.source_file,
                                               v.assignment.char_start))
        exclusion.examples = [f"{v.verdict}: {example(v.assignment)}" for v in shown[:EXAMPLES]]
