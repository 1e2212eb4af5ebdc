"""Plain data passed between the stages: transcripts, codebooks, rosters, assignments."""

from __future__ import annotations

from dataclasses import dataclass, field

RESPONDENT = "respondent"
INTERVIEWER = "interviewer"


@dataclass
class Turn:
    """One speaker turn: the speech as spans (start, end) of the transcript text."""

    speaker: str
    role: str
    line: int
    pieces: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Transcript:
    """A decoded transcript file split into speaker turns."""

    source_file: str          # path relative to the transcripts folder, with "/"
    text: str                 # decoded text, BOM dropped, line ends as in the file
    turns: list[Turn]
    encoding: str = "utf-8"
    front_matter: dict = field(default_factory=dict)
    labelled: bool = True     # False: no speaker labels, all respondent
    notes: list = field(default_factory=list)
    decided_by: str = ""      # how roles were decided: roster, known label, only speaker, no labels; "" = not yet
    pages: tuple[int, ...] = ()   # a PDF: where each page starts in `text` (line numbers run on through the file)


@dataclass(frozen=True)
class WordPattern:
    """One word of an English term: a lemma, a surface prefix (`word*`) or an exact form (`=word`)."""

    kind: str   # "lemma" | "prefix" | "exact"
    value: str

    def matches(self, lower: str, lemma: str) -> bool:
        """Whether one text word (lower-cased, and its lemma) is this word of a term."""
        if self.kind == "lemma":
            return lemma == self.value
        if self.kind == "exact":
            return lower == self.value
        return lower.startswith(self.value)

    def written(self) -> str:
        """The word as a codebook writes it: lemma, `prefix*` or `=exact`."""
        return {"lemma": self.value, "prefix": self.value + "*", "exact": "=" + self.value}[self.kind]


@dataclass(frozen=True)
class Term:
    """A codebook term as written, with the form it is matched in."""

    code: str
    text: str
    lang: str                                  # "en" | "zh"
    zh: str = ""                               # simplified form (zh terms)
    words: tuple[WordPattern, ...] = ()        # word patterns (en terms)
    companions: tuple[Term, ...] = ()          # `term & a | b`: counts only in a unit that also holds a or b


@dataclass
class Code:
    id: str
    label: str
    label_zh: str = ""
    parent: str = ""
    definition: str = ""
    terms: list[Term] = field(default_factory=list)
    excludes: list[Term] = field(default_factory=list)
    line: int | None = None
    guid: str = ""            # REFI-QDA identity kept from an imported codebook ("" = derived from the id)
    color: str = ""           # "#RRGGBB", kept from an imported codebook


@dataclass
class Codebook:
    name: str
    version: str
    codes: list[Code]
    path: str = ""
    notes: list = field(default_factory=list)
    groups: list[Code] = field(default_factory=list)   # folders that only hold codes (never assigned)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def code(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(code_id)


@dataclass
class Interviewee:
    id: str
    file: str
    groups: tuple[str, ...]
    attributes: dict = field(default_factory=dict)
    speaker_labels: tuple[str, ...] = ()
    language: str = ""
    line: int | None = None

    @property
    def country(self) -> str:
        return str(self.attributes.get("country") or "")

    @property
    def region(self) -> str:
        return str(self.attributes.get("region") or "")


@dataclass
class Roster:
    interviewees: list[Interviewee]
    path: str = ""                     # "" when there is no roster file
    attribute_columns: list[str] = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def groups(self) -> list[str]:
        seen: dict[str, None] = {}
        for person in self.interviewees:
            for g in person.groups:
                seen.setdefault(g, None)
        return list(seen)

    @property
    def countries(self) -> list[str]:
        seen: dict[str, None] = {}
        for person in self.interviewees:
            if person.country:
                seen.setdefault(person.country, None)
        return list(seen)


ASSIGNMENT_COLUMNS = [
    "assignment_id", "interviewee_id", "stakeholder_groups", "source_file", "line", "page",
    "char_start", "char_end", "speaker", "speaker_role", "code", "term", "matched_text",
    "segment_text", "context_before", "context_after",
]


@dataclass
class Assignment:
    """One coded mention: a code's term found in one coding unit."""

    assignment_id: str
    interviewee_id: str
    stakeholder_groups: str
    source_file: str
    line: int
    char_start: int
    char_end: int
    speaker: str
    speaker_role: str
    code: str
    term: str
    matched_text: str
    segment_text: str
    context_before: str
    context_after: str
    unit: int = 0             # index of the coding unit within its file (co-occurrence)
    segment_start: int = 0    # where segment_text starts in the file text
    decision: str = ""        # the reviewer's columns, carried by reviewed runs
    recode_to: str = ""
    note: str = ""
    reviewer: str = ""
    page: int | str = ""      # a PDF's page (1-based); "" for files without pages (an empty cell, as in the CSV)

    def review(self) -> list:
        return [self.decision, self.recode_to, self.note, self.reviewer]

    def row(self) -> list:
        return [getattr(self, c) for c in ASSIGNMENT_COLUMNS]


@dataclass
class FileResult:
    """What coding one transcript produced; the unit a worker process returns."""

    source_file: str
    interviewee_id: str
    assignments: list[Assignment]
    respondent_words: int
    interviewer_words: int
    language: str
    profile: str
    encoding: str
    checksum: str
    units: int
    turns: int
    respondent_turns: int
    problems: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    unit_codes: list = field(default_factory=list)   # per unit holding codes: sorted code ids
    unit_spans: list = field(default_factory=list)   # with Settings.keep_units: (start, end, speaker, role)
    text: str = ""                                   # the file's text (the Transcripts sheet numbers its lines)
    cached: bool = False                             # normalized and segmented text came from the cache
    speakers: list = field(default_factory=list)     # per label: {source_file, label, role, decided_by, turns, words}
    pages: tuple = ()                                # a PDF: where each page starts in its text (Transcript.pages)
