"""On-disk cache of generated data: one folder per key, built once under a lock, written atomically.

The synthetic generators (:func:`analysis.synthetic.synth_ung.cached_rounds`,
:func:`analysis.inputs.barnfattigdom.synthetic_children` and the real-register path
:func:`analysis.inputs.barnfattigdom.register_children`) keep what they build under git-ignored
``data/interim/<name>/<key>/``. The key is a hash of everything the data depend on: the
parameters, every input table (:func:`frame_hash`) and the source of the modules that make them
(:func:`code_hash`, the import-closure hash that the notebook cache uses too). Notebooks run in parallel, so a folder is built under an exclusive file lock
(:func:`lock`; one process builds, the others wait and then read it) and written into a temporary
folder that is renamed into place, so no reader ever sees a half-written folder. Folders written
by other versions of the code can never be reached again and are removed (:func:`prune`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

import pandas as pd

from analysis.core import codehash, paths

T = TypeVar("T")


def frame_hash(df: pd.DataFrame) -> str:
    """Hash of a table's column names and values (not its index)."""
    h = hashlib.sha256()
    h.update(",".join(map(str, df.columns)).encode())
    h.update(pd.util.hash_pandas_object(df.reset_index(drop=True), index=False).to_numpy()
             .tobytes())
    return h.hexdigest()


def code_hash(*modules: str) -> str:
    """The code key of the cache: :func:`analysis.core.codehash.code_hash` of the module(s) that
    build the value (e.g. ``"analysis.inputs.barnfattigdom"``), i.e. their source and that of
    everything they import, transitively. The notebook cache uses the same function, so the
    two can never disagree about what changed; no list of modules is kept by hand."""
    return codehash.code_hash(modules)


def key(payload: Mapping) -> str:
    """The cache key of ``payload`` (parameters, input hashes, code hash): 24 hex digits."""
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def default_root(name: str) -> Path:
    """``data/interim/<name>`` under the project root (git-ignored)."""

    return paths.interim_dir(name)


@contextlib.contextmanager
def lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (notebooks run in parallel; one builds, the others wait)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def prune(root: Path, code: str, keep: str) -> None:
    """Remove cache folders (and their locks) written by other versions of the code: no key made
    by this code can point to them again."""
    for meta in root.glob("*/meta.json"):
        folder = meta.parent
        if folder.name == keep:
            continue
        try:
            old = json.loads(meta.read_text(encoding="utf-8")).get("code")
        except (OSError, ValueError):
            continue
        if old != code:
            shutil.rmtree(folder, ignore_errors=True)
            (root / f"{folder.name}.lock").unlink(missing_ok=True)


def cached(root: Path, key: str, code: str, build: Callable[[], T],
           write: Callable[[T, Path], Mapping], read: Callable[[Path, dict], T]) -> T:
    """The value cached in ``root / key``, or ``build()`` it and store it there atomically.

    Parameters
    ----------
    root
        The cache folder of one kind of data (:func:`default_root`).
    key
        The folder of this value (:func:`key`).
    code
        :func:`code_hash` of the code that builds the value; stored in ``meta.json`` so that
        :func:`prune` can remove folders of other code versions (done before a build).
    build
        Makes the value (called at most once per key, under the lock).
    write
        ``write(value, folder)`` writes the value's files into a (temporary) folder and returns
        what ``meta.json`` should hold besides ``code`` (JSON-serialisable).
    read
        ``read(folder, meta)`` makes the value again from a finished folder and its meta.

    Returns
    -------
    The value: as built when this call built it, else as read back.
    """
    folder = root / key
    with lock(root / f"{key}.lock"):
        if not (folder / "meta.json").exists():
            prune(root, code, key)
            value = build()
            tmp = root / f"{key}.tmp-{os.getpid()}"
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            meta = {**write(value, tmp), "code": code}
            (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
            shutil.rmtree(folder, ignore_errors=True)
            tmp.rename(folder)
            return value
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return read(folder, meta)


def write_parquet_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as Parquet through a temporary file renamed into place."""
    tmp = path.with_suffix(f".tmp-{os.getpid()}")
    frame.to_parquet(tmp, index=False)
    tmp.replace(path)


def table_key(df: pd.DataFrame) -> str:
    """A key for a table: the catalogue md5 of a loaded table (``attrs["catalog"]``, set by
    :func:`analysis.sources.catalog.load`), else :func:`frame_hash` of its content."""
    return (df.attrs.get("catalog") or {}).get("md5") or frame_hash(df)


def memo(name: str, module: str, payload: Mapping, build: Callable[[], T]) -> T:
    """``build()``, computed once per build and kept for the other notebooks' kernels.

    In a build (:func:`analysis.core.paths.work_cache` set) the value is pickled under
    ``<work cache>/memo/<name>/<key>.pkl``, the key a hash of ``payload`` (e.g. the
    :func:`table_key` of every input and the edition) and of :func:`code_hash` of ``module``
    (the module that computes it, with all it imports); a later call with the same key reads it
    back. A pickle gives back the exact value (dtypes, index, ``attrs``), so a notebook gets
    the same value whether it computed it or read it. Two kernels computing it at once both
    write the same bytes (atomic rename). Outside a build it is just ``build()``.
    """
    base = paths.work_cache("memo", name)
    if base is None:
        return build()
    code = code_hash(module)
    path = base / f"{key({'code': code, **payload})}.pkl"
    try:
        return pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - absent or damaged: computed again
        pass
    value = build()
    try:
        base.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)
    except OSError:
        pass  # only a memo: the next kernel computes it again
    return value
