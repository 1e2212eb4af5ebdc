"""Do the English and Chinese versions of the same interview mention the same codes?

    python scripts/parallel_agreement.py [--codebook FILE] [--shared ../shared] [--detail]

Codes both sides of the 27 pairs in shared/corpora/zh-interviews/parallel-en-zh.tsv (Audrey
Tang's turns only) and reports, for the first 20 pairs (used to tune the codebook's term lists)
and the last 7 (held out), the agreement over pair × code cells where either side has the code.
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import pipeline as qcode  # noqa: E402

LABELS = "Audrey Tang; 唐鳳"
TUNING_PAIRS = 20


def read_pairs(shared: Path) -> list[tuple[Path, Path]]:
    zh = shared / "corpora" / "zh-interviews"
    with open(zh / "parallel-en-zh.tsv", encoding="utf-8") as handle:
        return [(zh / row["en_file"], zh / row["zh_file"]) for row in csv.DictReader(handle, delimiter="\t")]


def agreement(rows: list[tuple[dict, dict]], codes: list[str]) -> tuple[float, int, int]:
    """Share of pair × code cells, among those where either side has the code, where both do."""
    both = either = 0
    for en, zh in rows:
        for code in codes:
            if en.get(code) or zh.get(code):
                either += 1
                both += bool(en.get(code) and zh.get(code))
    return (both / either if either else 1.0), both, either


def measure(codebook_path: Path, shared: Path) -> dict:
    """Code both sides of every pair through the public API (the respondent's turns only)."""
    folder = shared / "corpora"                  # both sides lie inside it (qcode reads nothing outside its folder)
    pairs = [(Path(os.path.normpath(en)), Path(os.path.normpath(zh))) for en, zh in read_pairs(shared)]
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / "roster.csv"
        with open(roster, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["interviewee_id", "file", "stakeholder_groups", "language", "speaker_labels"])
            for n, (en, zh) in enumerate(pairs):
                writer.writerow([f"en{n}", en.relative_to(folder).as_posix(), "pair", "en", LABELS])
                writer.writerow([f"zh{n}", zh.relative_to(folder).as_posix(), "pair", "zh-Hant-TW", LABELS])
        coded = qcode.code_corpus(folder, codebook_path, roster)
    counts = coded.assignments.groupby(["interviewee_id", "code"]).size()
    side = {person: {code: int(n) for (p, code), n in counts.items() if p == person}
            for person in coded.roster["interviewee_id"]}
    rows = [(side.get(f"en{n}", {}), side.get(f"zh{n}", {})) for n in range(len(pairs))]
    ids = coded.codebook.ids
    return {"pairs": rows, "codes": ids, "tuning": agreement(rows[:TUNING_PAIRS], ids),
            "held_out": agreement(rows[TUNING_PAIRS:], ids)}


def main(argv: list[str]) -> None:
    codebook = Path(argv[argv.index("--codebook") + 1]) if "--codebook" in argv else \
        REPO / "codebooks" / "data_justice.yaml"
    shared = Path(argv[argv.index("--shared") + 1]) if "--shared" in argv else REPO.parent / "shared"
    result = measure(codebook, shared)
    if "--detail" in argv:
        pairs = read_pairs(shared)
        for (en_path, _), (en, zh) in zip(pairs, result["pairs"], strict=True):
            cells = [f"{c}:{en.get(c, 0)}/{zh.get(c, 0)}" for c in result["codes"] if en.get(c) or zh.get(c)]
            print(f"{en_path.name[:50]:50} " + " ".join(cells))
    for name in ("tuning", "held_out"):
        share, both, either = result[name]
        print(f"{name:9} agreement {share:.3f} ({both} of {either} pair×code cells where either side has the code)")


if __name__ == "__main__":
    main(sys.argv[1:])
