"""Normalized and segmented files kept on disk between runs, so a codebook edit re-runs only the matching.

An entry is keyed by everything that shapes normalization and segmentation: the file's bytes
(sha256), its path in the transcripts folder, the language/region/speaker labels the roster
gives it, the coding unit, whether interviewer turns are coded, the user dictionary's bytes,
the Chinese segmenter (jieba or rjieba) and its version, the Chinese converter (OpenCC itself or
fast_convert, with pyahocorasick's version), and the versions of qcode, Python,
jieba, spaCy, spacy-lookups-data and OpenCC. A changed input is a new key, so an entry is
never stale; a damaged entry is ignored and rewritten. The folder is safe to delete at any
time. `qcode audit` and `qcode agreement` read the same cache when they code a run's files again.

Entries are pickles, which run code when loaded, so a planted file must never be loaded: each
entry is signed with HMAC-SHA256 under a random key kept in the user's config folder
(`cache.key`, readable by the user only), and an entry whose signature does not verify is
treated as absent. A received file never names the cache folder (only `--cache` or the default).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import secrets
import sys
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path

from pipeline.text.segment import remember_term_forms, term_forms
from pipeline.versions import CODING_LIBRARIES, LibraryChoice, installed_versions

CACHE_FORMAT = 3                      # 2: entries signed (HMAC-SHA256); 3: the speaker table, guessed roles
ENV_VARIABLE = "QCODE_CACHE"          # overrides the default folder (tests point it at a temporary one)
CONFIG_VARIABLE = "QCODE_CONFIG"      # overrides the user's config folder, where the signing key lives
_MAGIC = b"qcode-c2"                  # an entry: magic, 32-byte signature, pickle
_KEY_BYTES = 32


def default_cache_dir() -> Path:
    """The user's cache folder: $QCODE_CACHE, else the platform's convention."""
    if os.environ.get(ENV_VARIABLE):
        return Path(os.environ[ENV_VARIABLE])
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "qcode" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "qcode"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qcode"


def cache_folder(given: Path | None, no_cache: bool) -> Path | None:
    """The cache a command uses: the one given on the command line, else the user's; none with --no-cache."""
    return None if no_cache else Path(given) if given else default_cache_dir()


def config_dir() -> Path:
    """The user's config folder for qcode: $QCODE_CONFIG, else the platform's convention."""
    if os.environ.get(CONFIG_VARIABLE):
        return Path(os.environ[CONFIG_VARIABLE])
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "qcode"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "qcode"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "qcode"


def signing_key() -> bytes | None:
    """The user's cache-signing key, made on first use (mode 0600); None where it cannot be kept (then the
    cache is neither read nor written: it only costs speed)."""
    return _key_in(config_dir() / "cache.key")


@lru_cache(maxsize=4)
def _key_in(path: Path) -> bytes | None:
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # written whole under a private name, then linked into place: a second process never reads half a key
            temporary = path.with_name(f".{path.name}.{os.getpid()}")
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(handle, "wb") as out:
                out.write(secrets.token_bytes(_KEY_BYTES))
            with suppress(FileExistsError):          # another process made it first: use theirs
                os.link(temporary, path)
            temporary.unlink(missing_ok=True)
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) == _KEY_BYTES else None


def environment_key(user_dict: str, segmenter: LibraryChoice | None = None,
                    converter: LibraryChoice | None = None) -> str:
    """The part of every key that is the same for a whole run: library versions, segmenter, converter, user
    dictionary."""
    from pipeline.versions import __version__

    found = {"format": CACHE_FORMAT, "qcode": __version__, "python": sys.version.split()[0],
             **installed_versions(CODING_LIBRARIES)}
    found["segmenter"] = [segmenter.name, segmenter.version] if segmenter else None
    found["converter"] = [converter.name, converter.version] if converter else None
    found["user_dict"] = hashlib.sha256(Path(user_dict).read_bytes()).hexdigest() if user_dict else ""
    return hashlib.sha256(json.dumps(found, sort_keys=True).encode()).hexdigest()


def entry_key(environment: str, checksum: str, job, unit: str, include_interviewer: bool) -> str:
    parts = [environment, checksum, job.source_file, job.language, job.region, job.default_language,
             "\x1f".join(job.respondent_labels), unit, str(include_interviewer)]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


class SegmentCache:
    """Signed entries in a folder; anything unsigned, damaged or unreadable is a miss, never an error."""

    def __init__(self, folder: str | Path, key: bytes | None = None, suffix: str = ".entry"):
        self.folder = Path(folder)
        self.key = key if key is not None else signing_key()
        self.suffix = suffix                # `.entry`: a file's segmentation; `.terms`: compiled English terms

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{self.suffix}"

    def _signature(self, payload: bytes) -> bytes:
        return hmac.new(self.key, payload, hashlib.sha256).digest()

    def load(self, key: str):
        """The stored entry, or None (absent, unsigned, damaged or unreadable: then it is simply coded again)."""
        if not self.key:
            return None
        path = self._path(key)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:                              # absent, a folder, unreadable
            return None
        head, signature, payload = data[:len(_MAGIC)], data[len(_MAGIC):len(_MAGIC) + 32], data[len(_MAGIC) + 32:]
        if head != _MAGIC or not hmac.compare_digest(signature, self._signature(payload)):
            return None                              # not written by this user's qcode: never unpickled
        try:
            return pickle.loads(payload)             # noqa: S301 - signed by this user's own key
        except (EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            return None

    def store(self, key: str, value) -> None:
        """Write under a temporary name and rename, so a reader never sees half an entry. A cache that
        cannot be written (disk full, read-only, a file where the folder should be) only costs speed."""
        if not self.key:
            return
        path = self._path(key)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle:
                handle.write(_MAGIC + self._signature(payload) + payload)
            os.replace(temporary, path)
        except OSError:
            with suppress(OSError):
                temporary.unlink(missing_ok=True)


@contextmanager
def term_forms_cached(folder: str | Path | None):
    """Within: English terms are compiled with the words and lemmas found for them before (kept in the cache folder,
    keyed by the versions of spaCy and its lookups data), so that a re-run after a codebook edit loads spaCy only
    for a term it has never seen; new ones are kept on leaving. No folder (or no signing key): nothing kept."""
    cache = SegmentCache(folder, suffix=".terms") if folder is not None else None
    if cache is None or not cache.key:
        yield
        return
    from pipeline.versions import __version__

    found = {"format": CACHE_FORMAT, "kind": "English term forms", "qcode": __version__,
             **installed_versions(("spacy", "spacy-lookups-data"))}
    key = hashlib.sha256(json.dumps(found, sort_keys=True).encode()).hexdigest()
    known = cache.load(key)
    if isinstance(known, dict):
        remember_term_forms(known)
    yield
    forms = term_forms()
    if forms != known:
        cache.store(key, forms)
