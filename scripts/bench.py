"""Benchmark `qcode run` on the real corpora against the bare segmenters on the same text.

    python scripts/bench.py [--scale N] [--jobs N] [--segmenter auto|jieba|rjieba] [--shared ../shared]
                            [--out bench.json] [--cluster local:2] [--sets en,zh,both]

For each set (English, Chinese, both) it writes a roster, runs `qcode run` in a subprocess
(so start-up is counted; the peak RSS is that run's own, qcode and its workers) on one core
twice side by side — the reference path (`--converter opencc`) and the fast one (`auto`) — then
cold on `--jobs` cores and, for both sets, again after a codebook edit; it prints MB/s end to
end for every run, and times
the run's Chinese segmenter (jieba, or rjieba where `auto` finds it), the spaCy tokenizer +
lookup lemmatizer, OpenCC and the fast converter alone on the same speech; jieba and rjieba are both timed bare
where installed. `--scale N` codes N copies of every file, each made distinct (a line naming the
copy is appended) so no cache can serve it. `--cluster SPEC` adds a cold run per set on a Dask cluster
(`local:2`, or a scheduler's address), compared with the cold `--jobs` run; its peak RSS is the client's
alone (this process reads the files and writes the desk; the workers are the cluster's).
"""

from __future__ import annotations

import csv
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from corpus_rosters import COLUMNS, corpus_rosters  # noqa: E402

from pipeline.text.zh_words import choose  # noqa: E402


def build_set(name: str, sets: dict, folder: Path, scale: int) -> tuple[Path, Path, int]:
    """Copy (or link) the set's files into `folder` `scale` times and write its roster."""
    parts = {"en": ["audreyt-en", "practicalai"], "zh": ["audreyt-zh"],
             "both": ["audreyt-en", "practicalai", "audreyt-zh"]}[name]
    rows, size = [], 0
    for part in parts:
        corpus, part_rows = sets[part]
        for copy in range(scale):
            for row in part_rows:
                source = corpus / row["file"]
                target = folder / f"copy{copy}" / row["file"]
                target.parent.mkdir(parents=True, exist_ok=True)
                data = source.read_bytes()
                if scale > 1:
                    data += f"\n\n(copy {copy})\n".encode()
                target.write_bytes(data)
                size += len(data)
                rows.append({**row, "interviewee_id": f"{row['interviewee_id']}-{copy}",
                             "file": f"copy{copy}/{row['file']}"})
    roster = folder / "roster.csv"
    with open(roster, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return folder, roster, size


def edited_codebook(folder: Path) -> Path:
    """The default codebook with one term added: what a researcher does between two runs."""
    text = (REPO / "codebooks" / "data_justice.yaml").read_text(encoding="utf-8")
    edited = text.replace("en: [equity, ", "en: [equity, even-handed, ", 1)
    assert edited != text
    path = folder / "edited.yaml"
    path.write_text(edited, encoding="utf-8")
    return path


# Runs qcode as its child and reports the peak RSS of the run's own processes (qcode and its
# workers: RUSAGE_CHILDREN of a fresh process), so each row's peak is that run's, not the bench's.
_PEAK_WRAPPER = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
                 "print('PEAK_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
                 "sys.exit(code)")


# --cluster: qcode runs in the wrapper itself, so the peak is the client's own (RUSAGE_SELF), not a worker's
_CLIENT_PEAK_WRAPPER = ("import resource, sys\nfrom pipeline.cli import main\ntry:\n    main(sys.argv[4:])\nfinally:\n"
                        "    print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")


def run_qcode(folder: Path, roster: Path, out: Path, jobs: int, cache: Path | None, segmenter: str,
              codebook: Path | None = None, converter: str = "auto", cluster: str | None = None) -> dict:
    started = time.perf_counter()
    command = [sys.executable, "-m", "pipeline", "run", str(folder), "--roster", str(roster), "--out", str(out),
               "-q", "--jobs", str(jobs), "--segmenter", segmenter, "--converter", converter]
    command += ["--cache", str(cache)] if cache else ["--no-cache"]
    if codebook:
        command += ["--codebook", str(codebook)]
    if cluster:
        command += ["--cluster", cluster]
    done = subprocess.run([sys.executable, "-c", _CLIENT_PEAK_WRAPPER if cluster else _PEAK_WRAPPER, *command],
                          capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(done.stderr)
    peak_kb = int(done.stderr.rsplit("PEAK_KB", 1)[1].split()[0])
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assignments = sum(f["mentions"] for f in manifest["files"])
    return {"seconds": round(seconds, 2), "stages": manifest["timings"], "assignments": assignments,
            "peak_rss_mb": round(peak_kb / 1024, 1), "segmenter": manifest["segmenter"]["zh"],
            "converter": manifest["converter"]["name"]}


def bare_segmenters(folder: Path, segmenter: str) -> dict:
    """The Chinese segmenter over the Chinese after OpenCC, spaCy tokenizer + lemmas over the rest, OpenCC alone.

    `segmenters_s` adds the run's own Chinese segmenter; jieba and rjieba are each timed where installed.
    """
    from pipeline.text.normalize import HAN_RE, converter
    from pipeline.text.segment import HAN_RUN_RE, english, lemma
    from pipeline.text.zh_words import cutter

    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.md"))]
    chinese = [t for t in texts if len(HAN_RE.findall(t[:5000])) > 500]
    others = [t for t in texts if t not in chinese]
    cc = converter("tw2sp")
    nlp = english()
    lemma("data")                                   # the lookup table loads before the clock starts
    cc.convert("數據")
    clock = time.perf_counter()
    simplified = [cc.convert(t) for t in chinese]
    opencc_s = time.perf_counter() - clock
    from pipeline.text.normalize import convert_chinese

    convert_chinese("數據", "tw2sp", "fast")             # the automata are built before the clock starts
    clock = time.perf_counter()
    for text in chinese:
        convert_chinese(text, "tw2sp", "fast")
    fast_s = time.perf_counter() - clock
    runs = [run for text in simplified for run in HAN_RUN_RE.findall(text)]
    found = {"opencc_s": round(opencc_s, 2), "fast_convert_s": round(fast_s, 2)}
    for name in ("jieba", "rjieba"):
        try:
            cut = cutter(name)
            list(cut("数据正义"))                   # the dictionary loads before the clock starts
        except ImportError:
            continue
        clock = time.perf_counter()
        for run in runs:
            list(cut(run))
        found[f"{name}_s"] = round(time.perf_counter() - clock, 2)
    clock = time.perf_counter()
    for text in others:
        for token in nlp.tokenizer(text):
            lemma(token.lower_)
    spacy_s = time.perf_counter() - clock
    mb = lambda items: sum(len(t.encode()) for t in items) / 1e6  # noqa: E731
    return {**found, "spacy_s": round(spacy_s, 2), "zh_mb": round(mb(chinese), 2), "en_mb": round(mb(others), 2),
            "segmenters_s": round(opencc_s + found[f"{segmenter}_s"] + spacy_s, 2)}


def main(argv: list[str]) -> None:
    if "-h" in argv or "--help" in argv:
        print(__doc__.strip())
        return
    scale = int(argv[argv.index("--scale") + 1]) if "--scale" in argv else 1
    jobs = int(argv[argv.index("--jobs") + 1]) if "--jobs" in argv else 2
    shared = Path(argv[argv.index("--shared") + 1]) if "--shared" in argv else REPO.parent / "shared"
    target = Path(argv[argv.index("--out") + 1]) if "--out" in argv else REPO / "bench.json"
    requested = argv[argv.index("--segmenter") + 1] if "--segmenter" in argv else "auto"
    cluster = argv[argv.index("--cluster") + 1] if "--cluster" in argv else None
    names = argv[argv.index("--sets") + 1].split(",") if "--sets" in argv else ["en", "zh", "both"]
    segmenter = choose(requested).name
    sets = corpus_rosters(shared)
    print(f"Chinese segmenter: {segmenter}; --jobs {jobs}; scale {scale}")
    table = []
    for name in names:
        work = Path(tempfile.mkdtemp(prefix=f"qcode-bench-{name}-"))
        try:
            folder, roster, size = build_set(name, sets, work / "t", scale)
            runs = {"jobs 1 ref": run_qcode(folder, roster, work / "out0", 1, None, segmenter, converter="opencc"),
                    "jobs 1": run_qcode(folder, roster, work / "out1", 1, None, segmenter),
                    "cold": run_qcode(folder, roster, work / "out", jobs, work / "cache", segmenter)}
            if name == "both":
                runs["re-run"] = run_qcode(folder, roster, work / "out2", jobs, work / "cache", segmenter,
                                           edited_codebook(work))
            if cluster:                     # cold too: a cache of its own
                runs["cluster"] = run_qcode(folder, roster, work / "out3", jobs, work / "cache3", segmenter,
                                            cluster=cluster)
            bare = bare_segmenters(folder, segmenter) if scale == 1 else {}
        finally:
            shutil.rmtree(work, ignore_errors=True)
        for kind, result in runs.items():
            row = describe(name, kind, scale, 1 if kind.startswith("jobs 1") else jobs, size, result, bare)
            table.append(row)
            stages = result["stages"]
            print(f"{name:5} {kind:10} {row['mb']:6.2f} MB  {row['seconds']:7.2f} s  {row['mb_per_s']:5.2f} MB/s  "
                  f"{row['assignments_per_s']:6d} assignments/s  peak {row['peak_rss_mb']:7.1f} MB  "
                  + "  ".join(f"{k} {stages.get(k, 0):.2f}" for k in ("start-up", "read", "normalize", "segment",
                                                                      "cache", "match", "tally", "desk", "write",
                                                                      "coding wall"))
                  + (f"  bare {bare['segmenters_s']:.2f} s (OpenCC {bare['opencc_s']:.2f}, fast converter "
                     f"{bare['fast_convert_s']:.2f}, "
                     + ", ".join(f"{n} {bare[n + '_s']:.2f}" for n in ("jieba", "rjieba") if n + "_s" in bare)
                     + f", spaCy {bare['spacy_s']:.2f})  read→tally {row['overhead_read_to_tally']:.2f}×  "
                     f"end-to-end {row['overhead_end_to_end']:.2f}×" if bare and kind == "jobs 1" else ""))
        one, many, reference = runs["jobs 1"], runs["cold"], runs["jobs 1 ref"]
        print(f"{name:5} one core, reference path (OpenCC) vs fast: {_coding_wall(reference) / _coding_wall(one):.2f}× "
              f"coding wall ({_coding_wall(reference):.2f} s → {_coding_wall(one):.2f} s), "
              f"{reference['seconds'] / one['seconds']:.2f}× end to end; same assignments: "
              f"{reference['assignments'] == one['assignments']}")
        print(f"{name:5} --jobs {jobs} vs 1: {one['seconds'] / many['seconds']:.2f}× end to end, "
              f"{_coding_wall(one) / _coding_wall(many):.2f}× coding (the wall time of the coding loop, "
              "the desk streaming meanwhile)"
              + (f"; re-run after a codebook edit {many['seconds'] / runs['re-run']['seconds']:.2f}× faster than cold"
                 if "re-run" in runs else ""))
        if "cluster" in runs:
            on = runs["cluster"]
            print(f"{name:5} --cluster {cluster} vs --jobs {jobs}: {on['seconds'] / many['seconds']:.2f}× the time "
                  f"end to end (target: at most 1.25×); client peak {on['peak_rss_mb']:.0f} MB")
    bomb = refuse_docx_bomb()
    print(f"a .docx zip bomb (300 MiB of XML deflated) refused in {bomb:.2f} s (target: under 10 s)")
    machine = {"python": platform.python_version(), "machine": platform.machine(), "cpus": __import__("os").cpu_count(),
               "segmenter": segmenter}
    target.write_text(json.dumps({"machine": machine, "runs": table, "docx_bomb_refused_s": round(bomb, 3)},
                                 indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}")


def refuse_docx_bomb() -> float:
    """Seconds qcode takes to refuse a .docx whose document.xml inflates to 300 MiB (checked before parsing)."""
    import zipfile

    from pipeline.errors import TranscriptError
    from pipeline.read.transcripts import read_transcript

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bomb.docx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", b"<" + b" " * (300 << 20) + b"/>")
        started = time.perf_counter()
        try:
            read_transcript(path, "bomb.docx")
        except TranscriptError:
            return time.perf_counter() - started
    raise SystemExit("the .docx zip bomb was read instead of refused")


def _coding_wall(result: dict) -> float:
    return result["stages"]["coding wall"]


def describe(name: str, kind: str, scale: int, jobs: int, size: int, result: dict, bare: dict) -> dict:
    stages = result["stages"]
    coding = sum(stages.get(k, 0) for k in ("read", "normalize", "segment", "cache", "match", "tally"))
    row = {"set": name, "run": kind, "scale": scale, "jobs": jobs, "mb": round(size / 1e6, 2),
           "mb_per_s": round(size / 1e6 / result["seconds"], 2), **result,
           "assignments_per_s": round(result["assignments"] / result["seconds"]), "read_to_tally_s": round(coding, 2)}
    if bare and kind == "jobs 1":        # overhead on one core: the bare segmenters run on one core
        row.update(bare)
        row["overhead_read_to_tally"] = round(coding / bare["segmenters_s"], 2)
        row["overhead_end_to_end"] = round(result["seconds"] / bare["segmenters_s"], 2)
    return row


if __name__ == "__main__":
    main(sys.argv[1:])
