"""qcode's own version, and the installed versions of the libraries that shape its results (run.json, cache keys,
segmenter choice)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

__version__ = "0.1.0"
# the libraries whose versions shape how one file is coded: the segmenters, lemmas, conversion, and the readers
# whose extracted text is coded (.pdf, .odt, .rtf) — a cache entry's key and a cluster worker's check
CODING_LIBRARIES = ("jieba", "spacy", "spacy-lookups-data", "opencc-python-reimplemented", "pypdf", "odfpy",
                    "striprtf")


@dataclass(frozen=True)
class LibraryChoice:
    """The library a run chose for one job (Chinese words: jieba or rjieba; conversion: opencc or fast), its
    version, and why that one (run.json, the cache key)."""

    name: str
    version: str
    why: str = ""

    def as_dict(self, name_key: str = "name") -> dict:
        return {name_key: self.name, "version": self.version, "why": self.why}


def installed_version(package: str) -> str | None:
    """The installed distribution's version, or None where it is not installed."""
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def installed_versions(packages) -> dict[str, str | None]:
    return {name: installed_version(name) for name in packages}
