"""The one code hash of the package: a module's source and that of everything it imports.

Every cache keys on this (the notebook cache of :mod:`analysis.book.build` and the on-disk
caches of :mod:`analysis.core.diskcache`): a cached result is reused only while none of the
modules that made it, followed transitively through their imports (module-level and, should
any exist, function-level), has changed. Editing :mod:`analysis.methods.disclosure` therefore
re-runs every notebook and rebuilds every interim table that uses it, and nothing else.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from analysis.core import paths

PACKAGE = "analysis"
#: The package folder (``src/analysis``) of this installation.
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def module_file(module: str, package_dir: Path = PACKAGE_DIR) -> Path | None:
    """The source file of a dotted ``analysis`` module name, or None if it is not in the package."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    base = package_dir.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _resolve(node: ast.ImportFrom, current: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = current.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(tree: ast.AST, current: str = PACKAGE, is_package: bool = True) -> set[str]:
    """Dotted names of the ``analysis`` modules a parsed file imports (anywhere in the file).

    ``from analysis.methods import survey`` gives ``analysis.methods.survey`` (or the package
    ``analysis.methods`` when ``survey`` is not a module: :func:`closure` keeps what exists)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == PACKAGE}
        elif isinstance(node, ast.ImportFrom):
            mod = _resolve(node, current, is_package)
            if mod.split(".")[0] != PACKAGE:
                continue
            out.add(mod)
            out |= {f"{mod}.{a.name}" for a in node.names}
    return out


@lru_cache(maxsize=1024)
def _file_imports(path: str, mtime_ns: int, size: int, module: str) -> frozenset[str]:
    p = Path(path)
    tree = ast.parse(p.read_text(encoding="utf-8"), filename=path)
    return frozenset(imports_of(tree, module, p.name == "__init__.py"))


def file_imports(path: Path, module: str = PACKAGE) -> set[str]:
    """:func:`imports_of` for a Python file, cached on the file's mtime and size."""
    st = path.stat()
    return set(_file_imports(str(path), st.st_mtime_ns, st.st_size, module))


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def closure(modules: Iterable[str], package_dir: Path = PACKAGE_DIR) -> dict[str, Path]:
    """Every ``analysis`` module that ``modules`` import, transitively, with its file.

    Importing ``a.b.c`` runs ``a/__init__``, ``a/b/__init__`` too, so package ``__init__``
    files are part of the closure."""
    seen: dict[str, Path] = {}
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = module_file(name, package_dir)
        if path is None:
            continue
        seen[name] = path
        todo += _parents(name)
        todo += sorted(file_imports(path, name))
    return seen


def package_data(path: Path) -> list[Path]:
    """Data files that belong to a package's code: for a package ``__init__.py``, every
    non-Python file below its folder but outside its subpackages (e.g.
    ``synthetic/calibrated/*.json``, the fitted parameters of the generators). They change
    results as much as code does."""
    if path.name != "__init__.py":
        return []
    folder = path.parent
    out = []
    for p in folder.rglob("*"):
        rel = p.relative_to(folder).parts
        inside_subpackage = any((folder.joinpath(*rel[:i]) / "__init__.py").is_file()
                                for i in range(1, len(rel)))
        if (p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in rel
                and not inside_subpackage):
            out.append(p)
    return sorted(out)


def _stamps(files: list[str]) -> list[list[int]] | None:
    try:
        return [[st.st_mtime_ns, st.st_size] for st in map(os.stat, files)]
    except OSError:
        return None


def code_hash(modules: Iterable[str], package_dir: Path = PACKAGE_DIR) -> str:
    """Hash of the source of ``modules`` and of everything they import (:func:`closure`),
    with the data files of every package in that closure (:func:`package_data`).

    In a build (:func:`analysis.core.paths.work_cache` set) the result is remembered in
    ``codehash.json`` there with the size and mtime of every file that went into it, so the
    notebooks' kernels do not parse the same modules again; any change to one of those files
    (or a new file in a package's data) computes it afresh."""
    modules = sorted(set(modules))
    memo_file = paths.work_cache("codehash.json")
    memo_key = json.dumps([modules, str(package_dir)])
    memo: dict = {}
    if memo_file is not None:
        try:
            memo = json.loads(memo_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            memo = {}
        hit = memo.get(memo_key) if isinstance(memo, dict) else None
        if hit and _stamps(hit["files"]) == hit["stamps"]:
            return hit["hash"]
    h = hashlib.sha256()
    files = []
    for _name, path in sorted(closure(modules, package_dir).items()):
        # a folder is stamped too: a module or data file added to it changes its mtime
        for f in [path, *package_data(path)]:
            files += [str(f), str(f.parent)]
            h.update(str(f.relative_to(package_dir)).encode())
            h.update(b"\0")
            h.update(f.read_bytes())
    digest = h.hexdigest()
    if memo_file is not None:
        memo = memo if isinstance(memo, dict) else {}
        memo[memo_key] = {"hash": digest, "files": sorted(set(files)),
                          "stamps": _stamps(sorted(set(files)))}
        try:
            memo_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = memo_file.with_name(f"{memo_file.name}.tmp-{os.getpid()}")
            tmp.write_text(json.dumps(memo), encoding="utf-8")
            tmp.replace(memo_file)
        except OSError:
            pass  # only a memo: the next caller computes it again
    return digest
