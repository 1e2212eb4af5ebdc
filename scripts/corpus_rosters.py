"""Write rosters for the real corpora in ../shared/corpora, naming each file's respondents.

    python scripts/corpus_rosters.py OUT_DIR [--shared ../shared]

writes OUT_DIR/roster-audreyt-en.csv, roster-practicalai.csv and roster-audreyt-zh.csv, each
relative to its corpus folder (en-interviews/ or zh-interviews/). Audrey Tang (唐鳳) is the
respondent of her interviews; in Practical AI the guests are, and the hosts interview.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

AUDREY = "Audrey Tang; 唐鳳; 唐凤"
PRACTICAL_AI_HOSTS = {"Daniel Whitenack", "Chris Benson"}
COLUMNS = ["interviewee_id", "file", "stakeholder_groups", "country", "region", "language", "speaker_labels"]


def _manifest(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def corpus_rosters(shared: Path) -> dict[str, tuple[Path, list[dict]]]:
    """{set name: (transcripts folder, roster rows)} for the three real sets."""
    en = shared / "corpora" / "en-interviews"
    zh = shared / "corpora" / "zh-interviews"
    sets: dict[str, tuple[Path, list[dict]]] = {}
    rows = [{"interviewee_id": f"en{n:03d}", "file": r["file"], "stakeholder_groups": "Policy Maker",
             "country": "Taiwan", "region": "Taiwan", "language": "en", "speaker_labels": AUDREY}
            for n, r in enumerate(_manifest(en / "manifest-audreyt-en.csv"), start=1)]
    sets["audreyt-en"] = (en, rows)
    rows = []
    for n, r in enumerate(_manifest(en / "manifest-practicalai.csv"), start=1):
        speakers = [s.strip() for s in r["speakers"].split(";") if s.strip() and s.strip() != "Break"]
        guests = [s for s in speakers if s not in PRACTICAL_AI_HOSTS] or speakers
        rows.append({"interviewee_id": f"pai{n:03d}", "file": r["file"], "stakeholder_groups": "Developer",
                     "country": "United States", "region": "", "language": "en",
                     "speaker_labels": "; ".join(guests)})
    sets["practicalai"] = (en, rows)
    rows = [{"interviewee_id": f"zh{n:03d}", "file": r["file"], "stakeholder_groups": "Policy Maker",
             "country": "Taiwan", "region": "Taiwan", "language": "zh-Hant-TW", "speaker_labels": AUDREY}
            for n, r in enumerate(_manifest(zh / "manifest-audreyt-zh.csv"), start=1)]
    sets["audreyt-zh"] = (zh, rows)
    return sets


def write_roster(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else Path(".")
    shared = Path(argv[argv.index("--shared") + 1]) if "--shared" in argv else \
        Path(__file__).resolve().parent.parent.parent / "shared"
    out.mkdir(parents=True, exist_ok=True)
    for name, (folder, rows) in corpus_rosters(shared).items():
        path = write_roster(out / f"roster-{name}.csv", rows)
        print(f"{path}  ({len(rows)} files, relative to {folder})")


if __name__ == "__main__":
    main(sys.argv[1:])
