"""Where the project is: the repository root and the folders the library reads and writes."""

from __future__ import annotations

import os
from pathlib import Path

CATALOG_RELPATH = Path("data") / "catalog.yml"
ENV_ROOT = "ANALYSIS_ROOT"
#: A folder the build gives its notebooks for work they would otherwise repeat in every kernel:
#: validated input tables (:func:`analysis.sources.catalog.load`) and code hashes
#: (:func:`analysis.core.codehash.code_hash`). Unset (the default outside a build), nothing is
#: remembered between processes.
ENV_WORK_CACHE = "ANALYSIS_WORK_CACHE"


def project_root() -> Path:
    """The repository root: ``$ANALYSIS_ROOT``, else the nearest parent with ``data/catalog.yml``
    (searched from the working directory, then from this package's folder)."""
    env = os.environ.get(ENV_ROOT)
    if env:
        return Path(env).resolve()
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for parent in (start, *start.parents):
            if (parent / CATALOG_RELPATH).is_file():
                return parent
    raise FileNotFoundError(
        f"Cannot find {CATALOG_RELPATH} above {Path.cwd()}; set {ENV_ROOT} to the repository root"
    )


def interim_dir(name: str) -> Path:
    """``data/interim/<name>`` under the project root: git-ignored generated data."""
    return project_root() / "data" / "interim" / name


def private_dir(*parts: str) -> Path:
    """``data/private/...`` under the project root: local confidential files, never committed."""
    return project_root().joinpath("data", "private", *parts)


def work_cache(*parts: str) -> Path | None:
    """``$ANALYSIS_WORK_CACHE/<parts>`` when the build set it, else None (:data:`ENV_WORK_CACHE`)."""
    base = os.environ.get(ENV_WORK_CACHE)
    return Path(base).joinpath(*parts) if base else None
