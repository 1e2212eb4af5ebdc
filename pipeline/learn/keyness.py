"""Reviewers' verdicts → proposed terms: the words and two-word phrases specific to the passages reviewers
accepted or added for a code, against the rest of the corpus (keyness), with the passages each would add.

Words are what the matcher reads: jieba's words of the OpenCC-simplified text, English lookup lemmas; a phrase
is two such words side by side with nothing but a space between (never across punctuation). Stop words,
single characters and numerals are left out (coding.near_miss.worth_counting), and so is a word a term of the
code already matches. The target is every respondent unit holding an accepted, added or recoded-into
assignment of the code; the reference every other respondent unit of the reviewed runs.

Keyness is Dunning's log-likelihood G² on the word's frequency in the two, per word
(scipy.stats.power_divergence(lambda_="log-likelihood") through stats.significance.log_likelihood_g2,
Rayson & Garside 2000), with Hardie's Log Ratio as the effect size. Chinese words are weighed against the
Chinese words of the two, English against English. A word is proposed when it occurs at least MIN_FREQ times in
at least MIN_UNITS target units of at least MIN_FILES files (one interview's topic is not a code's), is at least
twice as frequent there (Log Ratio ≥ MIN_LOG_RATIO) and G² ≥ MIN_G2 (p < 0.05, one degree of freedom);
Benjamini–Hochberg adjusted p-values over the words tested for the code are shown, not used as a cut (a first
review is small; the researcher decides).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from pipeline.coding.corpus_check import TermScanner
from pipeline.coding.near_miss import worth_counting
from pipeline.errors import CodebookError
from pipeline.learn.evidence import Evidence, Unit, example, probe
from pipeline.models import Code, Codebook
from pipeline.read.codebook import compile_term
from pipeline.stats.significance import benjamini_hochberg, log_likelihood_g2, log_ratio
from pipeline.text.segment import HAN_RUN_RE

MIN_FREQ = 3
MIN_UNITS = 2
MIN_FILES = 2
MIN_LOG_RATIO = 1.0
MIN_G2 = 3.84
TOP_PER_CODE = 15
EXAMPLES = 3


@dataclass
class ProposedTerm:
    """A word or phrase specific to a code's accepted and added passages, and what it would find."""

    code: str
    term: str
    words: tuple[str, ...]              # the matcher's words (lemmas, jieba words)
    target_freq: int
    reference_freq: int
    target_units: int
    g2: float
    p: float
    log_ratio: float
    p_adj: float = float("nan")
    term_of: str = ""                   # other codes whose terms already match it
    finds: int = 0                      # respondent units where the term matches
    already_coded: int = 0              # … that the machine coded with the code already
    in_added: int = 0                   # … holding a passage a reviewer added for the code
    would_add: int = 0                  # … that do not hold the code in the reviewed coding
    in_rejected: int = 0                # … of those, where a reviewer rejected the code
    examples: list = field(default_factory=list)

    def row(self) -> dict:
        return {"take": "", "code": self.code, "term": self.term, "target_freq": self.target_freq,
                "reference_freq": self.reference_freq, "target_units": self.target_units, "g2": self.g2,
                "p": self.p, "p_adj": self.p_adj, "log_ratio": self.log_ratio, "term_of": self.term_of,
                "finds_units": self.finds, "already_coded": self.already_coded, "finds_added": self.in_added,
                "would_add": self.would_add, "would_add_rejected": self.in_rejected,
                **{f"example_{i + 1}": (self.examples[i] if i < len(self.examples) else "") for i in range(EXAMPLES)}}


def unit_tokens(unit: Unit) -> list[tuple[tuple[str, ...], str]]:
    """(words, written form) of each countable word and two-word phrase of a unit."""
    tokens = []
    words = unit.words
    for i, w in enumerate(words):
        if worth_counting(w.word):
            tokens.append(((w.word,), w.word if w.han else w.surface))
        if i + 1 < len(words):
            nxt = words[i + 1]
            if nxt.han == w.han and not unit.gaps[i].strip() and worth_counting(w.word) and worth_counting(nxt.word):
                tokens.append(((w.word, nxt.word), w.word + nxt.word if w.han else f"{w.surface} {nxt.surface}"))
    return tokens


def propose_terms(evidence: Evidence) -> list[ProposedTerm]:
    """Per code (codebook order), the TOP_PER_CODE keyest new words and phrases that find something."""
    counts: dict[tuple, Counter] = {}
    sizes: dict[tuple, tuple[int, int]] = {}          # unit → (Chinese words, English words)
    for key, unit in evidence.units.items():
        counts[key] = Counter(words for words, _ in unit_tokens(unit))
        han = sum(1 for w in unit.words if w.han)
        sizes[key] = (han, len(unit.words) - han)
    total = Counter()
    for found in counts.values():
        total.update(found)
    all_words = tuple(sum(size[i] for size in sizes.values()) for i in (0, 1))
    scanners = {code.id: TermScanner(Codebook("one", "", [code])) for code in evidence.codebook.codes}
    proposed: list[ProposedTerm] = []
    for code in evidence.codebook.codes:
        target = evidence.positives.get(code.id, set()) & counts.keys()
        if not target:
            continue
        proposed += _key_words(code, target, counts, sizes, total, all_words, evidence, scanners)
    _measure(evidence, proposed)
    return [p for p in proposed if p.finds > p.already_coded]


def _key_words(code: Code, target: set, counts: dict, sizes: dict, total: Counter, all_words: tuple[int, int],
               evidence: Evidence, scanners: dict) -> list[ProposedTerm]:
    freq, units, files, written = Counter(), Counter(), defaultdict(set), defaultdict(Counter)
    for key in target:
        freq.update(counts[key])
        units.update(counts[key].keys())
        for words, form in unit_tokens(evidence.units[key]):
            written[words][form] += 1
            files[words].add(key[:2])
    # a Chinese word is weighed against Chinese words, an English one against English words: in a corpus of both,
    # the other language's words would make every common word look key
    target_size = tuple(sum(sizes[k][i] for k in target) for i in (0, 1))
    tested: list[ProposedTerm] = []
    for words, a in freq.items():
        if a < MIN_FREQ or units[words] < MIN_UNITS or len(files[words]) < MIN_FILES or \
                any(scanners[code.id].already_a_term(w) for w in words):
            continue
        script = 0 if HAN_RUN_RE.match(words[0]) else 1
        size, rest = target_size[script], all_words[script] - target_size[script]
        b = total[words] - a
        if not rest:
            continue
        ratio = log_ratio(a, size, b, rest)
        g2 = log_likelihood_g2([a, b], [size, rest])
        if g2 is None:
            continue
        form = sorted(written[words].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        tested.append(ProposedTerm(code.id, form, words, a, b, units[words], g2[0], g2[1], ratio))
    for term, adjusted in zip(tested, benjamini_hochberg([t.p for t in tested]), strict=True):
        term.p_adj = adjusted
    kept = [t for t in tested if t.log_ratio >= MIN_LOG_RATIO and t.g2 >= MIN_G2]
    # a word only ever said inside a key phrase here (tech in tech savvy) adds nothing: the phrase is the narrower
    phrases = {(w, t.target_freq, t.reference_freq) for t in kept if len(t.words) > 1 for w in t.words}
    kept = [t for t in kept if len(t.words) > 1 or (t.words[0], t.target_freq, t.reference_freq) not in phrases]
    kept.sort(key=lambda t: (-t.g2, t.term))
    kept = kept[:TOP_PER_CODE]
    for term in kept:
        term.term_of = ", ".join(other for other, scanner in scanners.items()
                                 if other != code.id and any(scanner.already_a_term(w) for w in term.words))
    return kept


def _measure(evidence: Evidence, proposed: list[ProposedTerm]) -> None:
    """Where each proposed term matches, as a term of its code would."""
    probes: list[Code] = []
    measured: list[ProposedTerm] = []
    for term in proposed:
        try:
            compiled = compile_term(term.term, term.code)
        except CodebookError:
            continue
        probes.append(Code(id=term.code, label=term.code, terms=[compiled]))
        measured.append(term)
    for term, hits in zip(measured, probe(evidence, probes), strict=True):
        places: dict[tuple, object] = {}
        for run, a in hits:
            places.setdefault((run, a.source_file, a.unit), a)
        found = set(places)
        coded = evidence.coded.get(term.code, set())
        new = found - coded
        term.finds = len(found)
        term.already_coded = len(found & evidence.machine.get(term.code, set()))
        term.in_added = len(found & evidence.added.get(term.code, set()))
        term.would_add = len(new)
        term.in_rejected = len(new & evidence.rejected_units.get(term.code, set()))
        shown = sorted(new, key=lambda k: (k in evidence.rejected_units.get(term.code, set()), k))
        shown += sorted(found & evidence.added.get(term.code, set()))
        term.examples = [("adds: " if k in new else "finds added: ") + example(places[k]) for k in shown[:EXAMPLES]]
