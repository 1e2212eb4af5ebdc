"""Draw the codebook's validation split once: development files (tuning) and held-out files (measuring only).

    python scripts/validation_split.py [--shared ../shared] > codebooks/validation/split.csv

Held-out files are drawn at random (seed 16) among the CC0 interviews with Audrey Tang (audreyt-en,
audreyt-zh) that are not one of the 27 English/Chinese pairs (those measure EN/ZH agreement) and
that a coder can read whole: 1,500–6,000 words in English, 3,000–12,000 Han characters in Chinese.
Four of each language; every other file of the shared corpora (practicalai included) is development.
The split is kept in the repository and never redrawn: tuning never touches the held-out files.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED, HELD_OUT = 16, 4


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main(argv: list[str]) -> None:
    shared = Path(argv[argv.index("--shared") + 1]) if "--shared" in argv else REPO.parent / "shared"
    corpora = shared / "corpora"
    paired = set()
    with open(corpora / "zh-interviews" / "parallel-en-zh.tsv", encoding="utf-8") as handle:
        for pair in csv.DictReader(handle, delimiter="\t"):
            paired.add(Path("en-interviews", pair["en_file"]).as_posix().replace("en-interviews/../en-interviews/",
                                                                                 "en-interviews/"))
            paired.add(f"zh-interviews/{pair['zh_file']}")
    en = [f"en-interviews/{r['file']}" for r in rows(corpora / "en-interviews" / "manifest-audreyt-en.csv")
          if 1500 <= int(r["ws_words"]) <= 6000]
    zh = [f"zh-interviews/{r['file']}" for r in rows(corpora / "zh-interviews" / "manifest-audreyt-zh.csv")
          if 3000 <= int(r["han_chars"]) <= 12000]
    draw = random.Random(SEED)
    held = set(draw.sample(sorted(f for f in en if f not in paired), HELD_OUT))
    held |= set(draw.sample(sorted(f for f in zh if f not in paired), HELD_OUT))
    everything = [f"en-interviews/{r['file']}" for r in rows(corpora / "en-interviews" / "manifest-audreyt-en.csv")]
    everything += [f"en-interviews/{r['file']}" for r in rows(corpora / "en-interviews" / "manifest-practicalai.csv")]
    everything += [f"zh-interviews/{r['file']}" for r in rows(corpora / "zh-interviews" / "manifest-audreyt-zh.csv")]
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["file", "language", "set"])
    for name in everything:
        language = "zh-Hant-TW" if name.startswith("zh-") else "en"
        out.writerow([name, language, "held_out" if name in held else "development"])


if __name__ == "__main__":
    main(sys.argv[1:])
