"""Do the English and Chinese versions of the same interview mention the same codes?

    python scripts/parallel_agreement.py [--codebook FILE] [--shared ../shared] [--detail]

Codes both sides of the 27 pairs in shared/corpora/zh-interviews/parallel-en-zh.tsv (Audrey
Tang's turns only) and reports, for the first 20 pairs (used to tune the codebook's term lists)
and the last 7 (held out), the agreement over pair × code cells where either side has the code.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.codebook import load_codebook  # noqa: E402
from pipeline.coding import FileJob, Settings, code_file  # noqa: E402
from pipeline.match import Matcher  # noqa: E402

LABELS = ("Audrey Tang", "唐鳳")
TUNING_PAIRS = 20


def read_pairs(shared: Path) -> list[tuple[Path, Path]]:
    zh = shared / "corpora" / "zh-interviews"
    with open(zh / "parallel-en-zh.tsv", encoding="utf-8") as handle:
        return [(zh / row["en_file"], zh / row["zh_file"]) for row in csv.DictReader(handle, delimiter="\t")]


def code_counts(path: Path, language: str, matcher: Matcher) -> dict[str, int]:
    job = FileJob(path=str(path), source_file=path.name, interviewee_id=path.stem, stakeholder_groups="",
                  language=language, respondent_labels=LABELS)
    counts: dict[str, int] = {}
    for a in code_file(job, Settings(), matcher).assignments:
        counts[a.code] = counts.get(a.code, 0) + 1
    return counts


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
    codebook = load_codebook(codebook_path)
    matcher = Matcher(codebook)
    rows = [(code_counts(en, "en", matcher), code_counts(zh, "zh-Hant-TW", matcher))
            for en, zh in read_pairs(shared)]
    return {"pairs": rows, "codes": codebook.ids,
            "tuning": agreement(rows[:TUNING_PAIRS], codebook.ids),
            "held_out": agreement(rows[TUNING_PAIRS:], codebook.ids)}


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
