"""qcode's own version, and the installed versions of the libraries that shape its results (run.json, cache keys,
segmenter choice)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__version__ = "0.1.0"


def installed_version(package: str) -> str | None:
    """The installed distribution's version, or None where it is not installed."""
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def installed_versions(packages) -> dict[str, str | None]:
    return {name: installed_version(name) for name in packages}
