"""Precision and recall of a codebook's codes against a coder's gold standard, on whole transcripts.

    python scripts/validate_codebook.py [--codebook FILE] [--set held_out|development] [--coder a|b]
                                        [--agreement] [--shared ../shared] [--json OUT]

The gold standard is codebooks/validation/gold-coder-a*.csv (coder b's files, gold-coder-b*.csv, are a second
reading of some of the same files, for the coders' own agreement): `file,line,code,passage,note`, one row per coding
unit (sentence) and code a careful coder marked in the respondent's speech, the passage an exact piece of
that line. Files are those of codebooks/validation/split.csv in the chosen set that the gold standard
covers (a file with no gold row is not measured: it was not read). qcode codes each file as `qcode run`
would (the respondent is Audrey Tang / 唐鳳), and both codings are compared on coding units:
precision = units qcode coded with the code that the coder also coded / units qcode coded with it;
recall = the same / units the coder coded with it. A gold passage outside the respondent's coded
speech is reported and left out.
"""

from __future__ import annotations

import csv
import json
import sys
from bisect import bisect_right
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import pipeline as qcode  # noqa: E402

RESPONDENT = ("Audrey Tang", "唐鳳", "唐凤")
CODES = ("equity", "privacy", "distribution", "inclusiveness")
VALIDATION = REPO / "codebooks" / "validation"


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def unit_of(starts: list[int], spans: list, offset: int) -> int | None:
    """The index of the respondent unit holding `offset`, or None."""
    index = bisect_right(starts, offset) - 1
    if index < 0:
        return None
    start, end, _speaker, role = spans[index]
    return index if start <= offset < end and role == "respondent" else None


def measure(codebook: Path, which: str, shared: Path, coder: str = "a") -> dict:
    split = {row["file"]: row for row in read_csv(VALIDATION / "split.csv") if row["set"] == which}
    gold = [row for path in sorted(VALIDATION.glob(f"gold-coder-{coder}*.csv")) for row in read_csv(path)
            if row["file"] in split]
    counts = {(lang, code): {"both": 0, "qcode": 0, "gold": 0} for lang in ("en", "zh") for code in CODES}
    outside, files = [], sorted({row["file"] for row in gold})
    for name in files:
        path = shared / "corpora" / name
        language = split[name]["language"]
        lang = "zh" if language.startswith("zh") else "en"
        result = qcode.code_transcript(path, codebook, language=language, speaker_labels=RESPONDENT,
                                       keep_units=True)
        spans = result.unit_spans
        starts = [s[0] for s in spans]
        coded = {code: set() for code in CODES}
        for a in result.assignments:
            if a.code in coded and a.speaker_role == "respondent":
                if (unit := unit_of(starts, spans, a.char_start)) is not None:
                    coded[a.code].add(unit)
        marked = coder_units(name, [r for r in gold if r["file"] == name], result, outside)
        for code in CODES:
            cell = counts[(lang, code)]
            cell["both"] += len(coded[code] & marked[code])
            cell["qcode"] += len(coded[code])
            cell["gold"] += len(marked[code])
    return {"set": which, "files": files, "counts": {f"{k[0]}:{k[1]}": v for k, v in counts.items()},
            "outside": outside}


def coder_units(name: str, rows: list[dict], result, outside: list[str] | None = None) -> dict[str, set[int]]:
    """A coder's rows of one file → the respondent units they coded, per code; a passage not found on its line
    inside the respondent's coded speech is added to `outside`."""
    text, spans = result.text, result.unit_spans
    starts = [s[0] for s in spans]
    lines = text.split("\n")
    line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    marked = {code: set() for code in CODES}
    for row in rows:
        number = int(row["line"])
        begin = line_starts[number - 1]
        found = text.find(row["passage"], begin, begin + len(lines[number - 1]))
        unit = unit_of(starts, spans, found) if found >= 0 else None
        if unit is None:
            if outside is not None:
                outside.append(f"{name}:{row['line']} {row['code']} {row['passage'][:30]!r}")
        elif row["code"] in marked:
            marked[row["code"]].add(unit)
    return marked


def coders_agreement(shared: Path) -> dict:
    """Coder a vs coder b on the files both read: per code, units both / only one coded and Cohen's kappa over
    every respondent unit (scikit-learn's cohen_kappa_score)."""
    from sklearn.metrics import cohen_kappa_score

    split = {row["file"]: row for row in read_csv(VALIDATION / "split.csv")}
    rows = {c: [r for p in sorted(VALIDATION.glob(f"gold-coder-{c}*.csv")) for r in read_csv(p)] for c in "ab"}
    shared_files = sorted({r["file"] for r in rows["a"]} & {r["file"] for r in rows["b"]})
    vectors = {code: ([], []) for code in CODES}
    for name in shared_files:
        language = split[name]["language"]
        result = qcode.code_transcript(shared / "corpora" / name, language=language, speaker_labels=RESPONDENT,
                                       keep_units=True)
        units = [i for i, s in enumerate(result.unit_spans) if s[3] == "respondent"]
        a = coder_units(name, [r for r in rows["a"] if r["file"] == name], result)
        b = coder_units(name, [r for r in rows["b"] if r["file"] == name], result)
        for code in CODES:
            vectors[code][0].extend(int(u in a[code]) for u in units)
            vectors[code][1].extend(int(u in b[code]) for u in units)
    figures = {}
    for code, (a, b) in vectors.items():
        both = sum(x and y for x, y in zip(a, b, strict=True))
        figures[code] = {"units": len(a), "both": both, "a_only": sum(a) - both, "b_only": sum(b) - both,
                         "kappa": float(cohen_kappa_score(a, b)) if len(set(a) | set(b)) > 1 else float("nan")}
    return {"files": shared_files, "codes": figures}


def table(result: dict) -> str:
    lines = ["| code | EN precision | EN recall | ZH precision | ZH recall |", "|---|---|---|---|---|"]
    for code in CODES:
        cells = []
        for lang in ("en", "zh"):
            c = result["counts"][f"{lang}:{code}"]
            cells.append(f"{c['both'] / c['qcode']:.2f} ({c['both']}/{c['qcode']})" if c["qcode"] else "– (0/0)")
            cells.append(f"{c['both'] / c['gold']:.2f} ({c['both']}/{c['gold']})" if c["gold"] else "– (0/0)")
        lines.append(f"| {code} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    codebook = Path(argv[argv.index("--codebook") + 1]) if "--codebook" in argv else \
        REPO / "codebooks" / "data_justice.yaml"
    which = argv[argv.index("--set") + 1] if "--set" in argv else "held_out"
    shared = Path(argv[argv.index("--shared") + 1]) if "--shared" in argv else REPO.parent / "shared"
    coder = argv[argv.index("--coder") + 1] if "--coder" in argv else "a"
    result = measure(codebook, which, shared, coder)
    print(f"{which}: {len(result['files'])} file(s) read whole by a coder; units as (both/qcode) and (both/coder)")
    print(table(result))
    for place in result["outside"]:
        print(f"left out (not in the respondent's coded speech): {place}")
    if "--agreement" in argv:
        agreement = coders_agreement(shared)
        print(f"coder a vs coder b on {len(agreement['files'])} file(s):")
        for code, f in agreement["codes"].items():
            print(f"  {code}: both {f['both']}, a only {f['a_only']}, b only {f['b_only']} of {f['units']} units; "
                  f"kappa {f['kappa']:.2f}")
        result["coders"] = agreement
    if "--json" in argv:
        Path(argv[argv.index("--json") + 1]).write_text(json.dumps(result, ensure_ascii=False, indent=2),
                                                         encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
