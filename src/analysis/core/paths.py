"""Where the project is: the repository root and the folders the library reads and writes."""

from __future__ import annotations

import os
from pathlib import Path

CATALOG_RELPATH = Path("data") / "catalog.yml"
ENV_ROOT = "ANALYSIS_ROOT"


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
