"""Normalized and segmented files kept on disk between runs, so a codebook edit re-runs only the matching.

An entry is keyed by everything that shapes normalization and segmentation: the file's bytes
(sha256), its path in the transcripts folder, the language/region/speaker labels the roster
gives it, the coding unit, whether interviewer turns are coded, the user dictionary's bytes,
the Chinese segmenter (jieba or rjieba) and its version, and the versions of qcode, Python,
jieba, spaCy, spacy-lookups-data and OpenCC. A changed input is a new key, so an entry is
never stale; a damaged entry is ignored and rewritten. The folder is safe to delete at any
time. `qcode audit` and `qcode agreement` read the run's cache when they code its files again.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
from pathlib import Path

from pipeline.text.zh_words import Segmenter
from pipeline.versions import installed_versions

CACHE_FORMAT = 1
ENV_VARIABLE = "QCODE_CACHE"          # overrides the default folder (tests point it at a temporary one)
_LIBRARIES = ("jieba", "spacy", "spacy-lookups-data", "opencc-python-reimplemented")


def default_cache_dir() -> Path:
    """The user's cache folder: $QCODE_CACHE, else the platform's convention."""
    if os.environ.get(ENV_VARIABLE):
        return Path(os.environ[ENV_VARIABLE])
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "qcode" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "qcode"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qcode"


def environment_key(user_dict: str, segmenter: Segmenter | None = None) -> str:
    """The part of every key that is the same for a whole run: library versions, segmenter, user dictionary."""
    from pipeline.versions import __version__

    found = {"format": CACHE_FORMAT, "qcode": __version__, "python": sys.version.split()[0],
             **installed_versions(_LIBRARIES)}
    found["segmenter"] = [segmenter.name, segmenter.version] if segmenter else None
    found["user_dict"] = hashlib.sha256(Path(user_dict).read_bytes()).hexdigest() if user_dict else ""
    return hashlib.sha256(json.dumps(found, sort_keys=True).encode()).hexdigest()


def entry_key(environment: str, checksum: str, job, unit: str, include_interviewer: bool) -> str:
    parts = [environment, checksum, job.source_file, job.language, job.region, job.default_language,
             "\x1f".join(job.respondent_labels), unit, str(include_interviewer)]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


class SegmentCache:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def load(self, key: str):
        """The stored entry, or None (absent, or unreadable: then it is simply coded again)."""
        path = self._path(key)
        try:
            with open(path, "rb") as handle:
                return pickle.load(handle)
        except FileNotFoundError:
            return None
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            path.unlink(missing_ok=True)
            return None

    def store(self, key: str, value) -> None:
        """Write under a temporary name and rename, so a reader never sees half an entry. A cache that
        cannot be written (disk full, read-only) only costs speed."""
        path = self._path(key)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)
