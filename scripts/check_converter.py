"""Sweep the fast converter against opencc-python-reimplemented over every profile and every corpus file.

    python scripts/check_converter.py [--shared ../shared]

For every profile the installed library ships and every text file of ../shared/corpora (transcripts and
the parallel TSV) it converts the whole file both ways (normalize.convert_with, fast_convert.convert_by)
and compares the text and the offset maps; it prints per profile the files, the replacements the maps
hold, both times, and exits 1 on the first difference. tests/text/test_fast_convert.py runs the
profiles qcode uses on every file and a sample in the rest; this is the full sweep.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import opencc  # noqa: E402

from pipeline.text.fast_convert import FastConverter, convert_by  # noqa: E402
from pipeline.text.normalize import convert_with  # noqa: E402


def main(argv: list[str]) -> int:
    shared = Path(argv[argv.index("--shared") + 1]) if "--shared" in argv else REPO.parent / "shared"
    files = sorted(p for p in (shared / "corpora").rglob("*") if p.suffix in (".md", ".txt", ".tsv"))
    if not files:
        print(f"no corpus files under {shared / 'corpora'}")
        return 1
    texts = [p.read_text(encoding="utf-8") for p in files]
    profiles = sorted(p.stem for p in (Path(opencc.__file__).parent / "config").glob("*.json"))
    for profile in profiles:
        reference = opencc.OpenCC(profile)
        fast = FastConverter(reference)
        spans, reference_s, fast_s = 0, 0.0, 0.0
        for path, text in zip(files, texts, strict=True):
            clock = time.perf_counter()
            expected, expected_map = convert_with(text, reference)
            middle = time.perf_counter()
            got, got_map = convert_by(text, fast)
            reference_s += middle - clock
            fast_s += time.perf_counter() - middle
            if got != expected or got_map._spans != expected_map._spans:
                print(f"{profile}: {path} differs")
                return 1
            spans += len(expected_map._spans)
        print(f"{profile:6} {len(files)} files identical, {spans} map replacements; opencc {reference_s:.2f} s, "
              f"fast {fast_s:.2f} s ({reference_s / fast_s:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
