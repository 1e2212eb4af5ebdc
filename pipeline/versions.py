"""Installed versions of the libraries that shape qcode's results (run.json, cache keys, segmenter choice)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def installed_version(package: str) -> str | None:
    """The installed distribution's version, or None where it is not installed."""
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def installed_versions(packages) -> dict[str, str | None]:
    return {name: installed_version(name) for name in packages}
