"""Codebook → a readable report of how each term is matched, with warnings (shown by `qcode check`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import Problem
from pipeline.models import Term
from pipeline.read.codebook import load_codebook
from pipeline.text.normalize import converter
from pipeline.text.zh_words import cut_chinese


@dataclass
class TermCheck:
    lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    codes: int = 0
    terms: int = 0


def describe_term(term: Term) -> str:
    """How a term is matched: jieba's split of a Chinese term, word patterns of an English one; a term with
    companions also says in which units it counts."""
    if term.lang == "zh":
        words = " | ".join(cut_chinese(term.zh))
        converted = f" → {term.zh}" if term.zh != term.text and not term.companions else ""
        shown = f"zh  {term.text}{converted}  jieba: {words}"
    else:
        shown = f"en  {term.text}  matched as: {' '.join(w.written() for w in term.words)}"
    if term.companions:
        shown += "  only in a unit holding: " + " or ".join(c.zh or " ".join(w.written() for w in c.words)
                                                           for c in term.companions)
    return shown



def check_codebook(path: Path) -> TermCheck:
    codebook = load_codebook(path)
    report = TermCheck(codes=len(codebook.codes))
    report.problems = [p for p in codebook.notes if p.kind == "problem"]
    notes = [p for p in codebook.notes if p.kind == "note"]
    report.warnings.extend(str(n) for n in notes)
    report.lines.append(f"{codebook.name} (version {codebook.version or '—'}): {len(codebook.codes)} codes")
    owners: dict[tuple, list[str]] = {}
    line_of = {code.id: code.line for code in codebook.codes}
    for code in codebook.codes:
        report.lines.append("")                     # a blank line before each code (printed lines hold no line breaks)
        report.lines.append(f"{code.id}  {code.label}" + (f" / {code.label_zh}" if code.label_zh else ""))
        for term in code.terms:
            report.terms += 1
            report.lines.append("  " + describe_term(term))
            owners.setdefault((term.lang, term.zh, term.words, term.text), []).append(code.id)
            report.warnings.extend(f"{_at(codebook.path, code.line)}: {warning}" for warning in
                                   _term_warnings(code.id, term, code.excludes, {t.zh for t in code.terms}))
        for term in code.excludes:
            report.lines.append("  exclude " + describe_term(term))
    for (_, _, _, text), ids in owners.items():
        if len(set(ids)) > 1:
            first = sorted(set(ids), key=lambda i: line_of[i] or 0)[0]
            report.warnings.append(f"{_at(codebook.path, line_of[first])}: term {text!r} is listed under "
                                   f"{', '.join(sorted(set(ids)))}: each mention counts for every one of them")
    return report


def _at(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else str(path)


def _term_warnings(code_id: str, term: Term, excludes: list[Term], listed: set[str]) -> list[str]:
    warnings = []
    for ex in excludes:
        # an exclusion with companions cancels the term only beside them: it can still match elsewhere
        if ex.lang == term.lang and (ex.zh, ex.words) == (term.zh, term.words) \
                and (not ex.companions or ex.companions == term.companions):
            warnings.append(f"{code_id}: term {term.text!r} is also an exclusion, so it can never match")
    if term.lang == "zh":
        written = term.text.partition(" & ")[0] if term.companions else term.text
        taiwan = converter("tw2sp").convert(converter("s2tw").convert(written))
        if taiwan != term.zh and taiwan not in listed:
            warnings.append(f"{code_id}: {written!r} is matched as {term.zh!r}, but Taiwan text (tw2sp) "
                            f"turns {written!r} into {taiwan!r}: add {taiwan!r} to code it there too")
    return warnings
