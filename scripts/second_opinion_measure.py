"""Reviewed training workbooks + an evaluation roster → the second opinion's suggestions and the share a reviewer
accepted (issue 17, item 3).

    python scripts/second_opinion_measure.py TRANSCRIPTS ROSTER CODEBOOK OUT REVIEWED.xlsx... \
        [--per-100-files 20] [--verdicts VERDICTS.csv]

codes the evaluation files of ROSTER with `qcode run --suggest-from REVIEWED.xlsx…`, with 20 suggestions per
code per 100 evaluation files (at least one), and prints the model's cross-validated figures and every
suggestion. VERDICTS.csv (source_file, line, code, verdict = accept | reject), a reviewer's judgement of those
suggestions, gives the share accepted per code. Corpus text and workbooks stay outside the repository.
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

from pipeline.commands.run import RunOptions, run_corpus
from pipeline.read.roster import read_roster


def main(argv: list[str]) -> None:
    options = [a for a in argv if a.startswith("--")]
    per_100 = float(argv[argv.index("--per-100-files") + 1]) if "--per-100-files" in options else 20.0
    verdicts = Path(argv[argv.index("--verdicts") + 1]) if "--verdicts" in options else None
    values = [a for i, a in enumerate(argv) if not a.startswith("--") and (i == 0 or not argv[i - 1].startswith("--"))]
    transcripts, roster, codebook, out, *reviewed = map(Path, values)
    files = len(read_roster(roster).interviewees)
    top = max(1, math.ceil(per_100 * files / 100))
    report = run_corpus(RunOptions(transcripts=transcripts, roster=roster, codebook=codebook, out=out, jobs=2,
                                   suggest_from=reviewed, suggest_top=top))
    if not hasattr(report, "manifest"):
        sys.exit("\n".join(line.text for line in report.lines()))
    print(f"{files} evaluation files: top {top} suggestion(s) per code")
    for line in report.manifest["second_opinion"]["summary"]:
        print(line)
    import pandas as pd

    suggested = pd.read_excel(out / "codebook.xlsx", sheet_name="Suggested", dtype=str).fillna("")
    for row in suggested.itertuples(index=False):
        print(f"{row.code}\t{row.score}\t{row.source_file}:{row.line}\t{row.drivers}\t{row.matched_text[:80]}")
    if verdicts is None:
        return
    with open(verdicts, encoding="utf-8-sig") as handle:
        judged = {(r["source_file"], r["line"], r["code"]): r["verdict"] for r in csv.DictReader(handle)}
    for code, rows in suggested.groupby("code", sort=False):
        said = [judged.get((r.source_file, r.line, code), "") for r in rows.itertuples(index=False)]
        accepted, decided = said.count("accept"), sum(1 for v in said if v in ("accept", "reject"))
        print(f"{code}: {accepted} of {decided} judged suggestion(s) accepted"
              + (f" ({accepted / decided:.0%})" if decided else "") + f"; {len(said) - decided} not judged")


if __name__ == "__main__":
    main(sys.argv[1:])
