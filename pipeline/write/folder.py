"""An output folder on disk (run, audit, compare, scores, agreement): claimed, written under a temporary name,
then renamed into place — never half-written [writes disk]."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from pipeline.errors import OutputError, PipelineError
from pipeline.versions import __version__

FORMAT_VERSION = 1              # of every folder qcode writes: its manifest, CSVs and workbook
WORKBOOK = "codebook.xlsx"
MANIFEST = "run.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


CLAIM = ".qcode-writing"        # `.NAME.qcode-writing` beside a folder a command writes: `pid host`
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?:partial|replaced)-(?P<pid>\d+)(?:-temp)?$")


def _host() -> str:
    return platform.node() or "?"


def claim_of(out: Path) -> Path:
    """The lock file beside `out` that a command writing it holds from its start until `out` is in place."""
    return out.parent / f".{out.name}{CLAIM}"


def _claimed_by(out: Path) -> str | None:
    """Who is writing `out` now ("process N on HOST"), or None when nobody alive is (no claim, or a stale one)."""
    try:
        pid_text, _, host = claim_of(out).read_text(encoding="utf-8").partition(" ")
    except (OSError, UnicodeDecodeError):
        return None
    if not pid_text.strip().isdigit():
        return None
    pid, host = int(pid_text), host.strip()
    if pid == os.getpid() and host in ("", _host()):
        return None                                  # this command's own claim
    return f"process {pid} on {host or '?'}" if _alive(pid, host) else None


def _alive(pid: int, host: str) -> bool:
    """Whether the process that wrote a claim or left a temporary folder may still run (another host, or a
    platform where qcode cannot tell: assume it does)."""
    if host not in ("", _host()) or sys.platform == "win32":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _disk_failure(error: BaseException) -> bool:
    """A write that the disk refused: an OSError, or lxml's serialiser failing to write openpyxl's sheet XML
    (it reports a full disk or a file-size limit as `SerialisationError: IO_…`, not as an OSError)."""
    if isinstance(error, OutputError):
        return False
    return isinstance(error, OSError) or (type(error).__module__.startswith("lxml")
                                          and str(error).startswith("IO_"))


def check_out_dir(out: Path, force: bool, manifest_name: str = MANIFEST, workbook_name: str = WORKBOOK) -> None:
    """An existing non-empty folder is refused; --force replaces it only while its workbook
    is as qcode wrote it (a reviewer edits codebook.xlsx in place). A folder another qcode is
    writing is refused, --force or not."""
    try:
        if not out.exists():
            return
        if not out.is_dir():
            raise OutputError(out, "exists and is not a folder", hint="choose another --out")
        if (writer := _claimed_by(out)) is not None:
            raise OutputError(out, f"another qcode is writing this folder ({writer})",
                              hint="wait for it to finish, or choose another --out")
        if not any(out.iterdir()):
            return
    except OSError as error:
        raise OutputError(out, f"cannot be read ({error.strerror})", hint="choose another --out") from None
    if not force:
        raise OutputError(out, "the output folder exists and is not empty",
                          hint="choose another --out, or add --force to replace a run folder qcode wrote")
    manifest = out / manifest_name
    workbook = out / workbook_name
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8")).get("workbook_sha256")
    except (OSError, ValueError, AttributeError):
        recorded = None
    if not recorded:
        raise OutputError(out, f"--force refused: this folder is not one qcode wrote (no {manifest_name})",
                          hint="choose another --out; qcode only replaces its own run folders")
    if workbook.exists() and sha256_file(workbook) != recorded:
        raise OutputError(workbook, "--force refused: the workbook was changed since qcode wrote it "
                          "(a reviewer's work?)", hint="choose another --out, or move the reviewed workbook away")


class OutputFolder:
    """The one skeleton of every command that writes a folder.

        folder = OutputFolder(options.out, options.force)     # refuses a folder it may not replace
        ...                                                    # read inputs, compute
        with folder:                                           # claims the target; a temporary folder beside it
            write_csv(folder.path("x.csv"), frame)
            out = folder.seal(manifest)                        # or folder.commit() where the manifest is written

    Entering claims the target (created if need be, with a `.qcode-writing` file naming this process,
    made exclusively), so a second command writing to the same folder is refused instead of replacing it.
    Leaving the `with` block by an exception (Ctrl-C included) removes the temporary folder after
    calling what `on_discard` registered (to close writers), and the target is left as it was.
    openpyxl's temporary sheet files go to a temporary folder beside the target, not the system's,
    and leftovers of a killed run (its pid dead) are removed by the next run into the same place.
    Every failure of the disk (read-only, full) is an OutputError naming the folder.
    """

    def __init__(self, out: Path, force: bool = False, workbook: str = WORKBOOK, manifest: str = MANIFEST):
        check_out_dir(out, force, manifest_name=manifest, workbook_name=workbook)
        self.out = out
        self.force = force
        self.workbook = workbook
        self.manifest = manifest
        self.tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
        self.temp = out.parent / f".{out.name}.partial-{os.getpid()}-temp"      # openpyxl's sheet files
        self._on_discard: list = []
        self._tempdir = None
        self._claimed = False

    def _claim(self) -> None:
        """Create the lock beside the target, exclusively: of two commands, one holds it and the other is refused.
        It stays until the target is in place, so no moment is left in which a second command could start."""
        lock = claim_of(self.out)
        written = lock.with_name(f"{lock.name}-{os.getpid()}")    # whole before it is visible: a reader never
        written.write_text(f"{os.getpid()} {_host()}", encoding="utf-8")   # sees an empty, "stale" claim
        try:
            try:
                os.link(written, lock)                # exclusive: fails where the lock exists
            except FileExistsError:
                if (writer := _claimed_by(self.out)) is not None:
                    raise OutputError(self.out, f"another qcode is writing this folder ({writer})",
                                      hint="wait for it to finish, or choose another --out") from None
                lock.unlink(missing_ok=True)          # a killed run's claim
                os.link(written, lock)
        finally:
            written.unlink(missing_ok=True)
        self._claimed = True

    @contextmanager
    def _disk(self, what: str):
        """An OSError of the disk as an OutputError naming the folder (a read-only folder, a full disk)."""
        try:
            yield
        except OSError as error:
            raise self._refused(what, error) from None

    def _refused(self, what: str, error: BaseException) -> OutputError:
        return OutputError(self.out, f"{what} ({getattr(error, 'strerror', None) or error})",
                           hint="check that the folder is writable and the disk has room, or choose another --out")

    def __enter__(self) -> OutputFolder:
        with self._disk("cannot be created"):
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self._claim()
        try:                                         # claimed: is it still what the check saw? (a run that
            check_out_dir(self.out, self.force, self.manifest, self.workbook)  # finished meanwhile is not)
        except OutputError:
            self.release()
            raise
        with self._disk("cannot be written"):
            self._remove_leftovers()
            for folder in (self.tmp, self.temp):
                if folder.exists():
                    shutil.rmtree(folder)
                folder.mkdir()
        self._tempdir, tempfile.tempdir = tempfile.tempdir, str(self.temp)
        return self

    def __exit__(self, kind, error, trace) -> None:
        tempfile.tempdir = self._tempdir
        if kind is not None:
            self.discard()
        shutil.rmtree(self.temp, ignore_errors=True)
        self.release()
        if kind is not None and _disk_failure(error):
            raise self._refused("cannot be written", error) from None

    def _remove_leftovers(self) -> None:
        """Temporary folders a killed run into the same target left (its name, and a dead pid: provably ours)."""
        for entry in self.out.parent.iterdir():
            match = _LEFTOVER.match(entry.name)
            if match and match["name"] == self.out.name and entry.is_dir() and not entry.is_symlink() \
                    and not _alive(int(match["pid"]), _host()):
                shutil.rmtree(entry, ignore_errors=True)

    def on_discard(self, action) -> None:
        """Call `action()` first if the command fails (to close what writes into the folder)."""
        self._on_discard.append(action)

    def path(self, name: str) -> Path:
        return self.tmp / name

    def seal(self, manifest: dict) -> Path:
        """Record the workbook's checksum in the manifest (what --force checks), write it, rename into place."""
        manifest["workbook_sha256"] = sha256_file(self.path(self.workbook))
        write_json(self.path(self.manifest), manifest)
        return self.commit()

    def commit(self) -> Path:
        with self._disk("cannot be written"):
            if not self.out.exists() or not any(self.out.iterdir()):     # new, or an empty folder
                try:
                    os.rename(self.tmp, self.out)     # onto an empty folder too: atomic on POSIX
                except OSError:
                    self.out.rmdir()
                    os.rename(self.tmp, self.out)
                return self.out
            check_out_dir(self.out, True, self.manifest, self.workbook)   # a reviewer may have saved meanwhile
            old = self.out.parent / f".{self.out.name}.replaced-{os.getpid()}"
            self.out.rename(old)
            self.tmp.rename(self.out)
            shutil.rmtree(old, ignore_errors=True)
        return self.out

    def discard(self) -> None:
        for action in self._on_discard:
            action()
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.release()

    def release(self) -> None:
        """Give the claim up (only this command's own: a refused command never removes another's lock)."""
        if self._claimed:
            claim_of(self.out).unlink(missing_ok=True)
            self._claimed = False


def manifest_header(**fields) -> dict:
    """The first keys of every manifest qcode writes: format, qcode's version, when (then `fields`)."""
    return {"format_version": FORMAT_VERSION, "qcode_version": __version__,
            "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"), **fields}


def default_out_file(stem: str, suffix: str, base: Path = Path("outputs")) -> Path:
    """outputs/STEM.SUFFIX, made unique with -2, -3, … and its folder created: a single file a command writes
    by default lands in outputs/, never beside its input (a codebook in codebooks/, a transcript)."""
    base.mkdir(parents=True, exist_ok=True)
    out, n = base / f"{stem}{suffix}", 2
    while out.exists() or claim_of(out).exists():
        out, n = base / f"{stem}-{n}{suffix}", n + 1
    return out


def default_out_dir(kind: str = "run", base: Path = Path("outputs"), suffix: str = "") -> Path:
    """outputs/KIND-DATE_TIME (+ suffix, for a single file), made unique with -2, -3, … (not created)."""
    stamp = dt.datetime.now().strftime(f"{kind}-%Y-%m-%d_%H%M%S")
    out = base / f"{stamp}{suffix}"
    n = 2
    while out.exists():
        out = base / f"{stamp}-{n}{suffix}"
        n += 1
    return out


def check_file_target(out: Path, force: bool, what: str, ours, error: type[PipelineError] = OutputError,
                      not_ours: str = "qcode did not write it", replaceable: str = "a file qcode wrote",
                      suffix: str = "") -> None:
    """The one rule for a command that writes a single file: refuse a name without the `suffix` the file must
    have (".xlsx"; "" for any), a folder, a missing parent folder, and an existing file unless --force and
    `ours(out)` says qcode wrote it (`replaceable`: how the hint names such a file; "" where the command has no
    --force)."""
    if suffix and out.suffix.lower() != suffix:
        raise error(out, f"the {what} must be an {suffix} file", hint=f"give a name ending in {suffix}")
    if out.is_dir():
        raise error(out, "is a folder", hint=f"give a file name for the {what}")
    if out.exists() and not (force and ours(out)):
        raise error(out, "already exists" + (f" and {not_ours}" if force else ""),
                    hint="give another name with -o" + ("" if force or not replaceable else
                                                        f", or --force to replace {replaceable}"))
    if not out.parent.is_dir():
        raise error(out, f"its folder {out.parent} does not exist", hint="create it first")


def replace_whole(out: Path, write) -> Path:
    """`write(path)` under a hidden name beside `out`, then renamed over it: a reader never sees half a file,
    and a failed write leaves nothing behind."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        write(partial)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return out


def write_csv(path: Path, frame: pd.DataFrame, index: bool = False) -> None:
    """UTF-8 with BOM, so that Excel shows Chinese correctly; text never read as a formula (`to_csv_cell`)."""
    if index:
        frame = frame.reset_index(names=["" if n is None else n for n in frame.index.names])
    csv_frame(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


# A CSV cell a spreadsheet would read as a formula starts with one of these (OWASP's CSV injection rule);
# the `'` before them: a text qcode already wrote with the prefix keeps it as written.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
_CSV_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")       # C0 but tab, LF and CR


def to_csv_cell(value):
    """A cell as qcode writes it to a CSV file. Text starting with =, +, -, @, tab or CR gets a leading `'`
    (OWASP), so a spreadsheet shows it as text, never runs it as a formula; control characters but tab, LF and
    CR become U+FFFD (as in the workbook). Text that already starts with `'`s before one of those characters
    gets one `'` more, so that `from_csv_cell` gives back exactly the text. Numbers and empty cells unchanged."""
    if not isinstance(value, str):
        return value
    value = _CSV_CONTROL.sub("\ufffd", value)
    return "'" + value if _FORMULA_START.match(value) else value


def from_csv_cell(value):
    """A cell of a CSV qcode wrote, as it was before `to_csv_cell` prefixed it (control characters aside)."""
    if isinstance(value, str) and value.startswith("'") and _FORMULA_START.match(value, 1):
        return value[1:]
    return value


def _text_columns(frame: pd.DataFrame, cell) -> pd.DataFrame:
    """`frame` with `cell` applied to its column names and to every cell of its text columns."""
    frame = frame.rename(columns=cell)                    # a new frame: the caller's stays as it was
    for position, dtype in enumerate(frame.dtypes):
        if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, (pd.StringDtype, pd.CategoricalDtype)):
            column = frame.iloc[:, position]
            if isinstance(dtype, pd.CategoricalDtype):
                dtype = object
            frame.isetitem(position, pd.Series([cell(v) for v in column], index=column.index, dtype=dtype))
    return frame


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as `write_csv` writes it: every text cell and column name through `to_csv_cell`."""
    return _text_columns(frame, to_csv_cell)


def read_csv_table(path: Path) -> pd.DataFrame:
    """A CSV file qcode wrote, cells as text, as they were before `write_csv` (the `'` before =, +, -, @ gone).
    Raises what pandas raises for a file it cannot read (OSError, UnicodeDecodeError, ValueError)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return _text_columns(frame, from_csv_cell)


def read_csv_chunks(path: Path, rows: int):
    """`read_csv_table` in frames of at most `rows` rows (a table too large to hold whole: a corpus's assignments)."""
    with pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", chunksize=rows) as chunks:
        for frame in chunks:
            yield _text_columns(frame, from_csv_cell)


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")
