"""Notebook hygiene before a commit: chapters are MyST text, never ``.ipynb`` files with outputs.

Run by pre-commit and ``make lint`` (``.pre-commit-config.yaml``)::

    python -m analysis.book.hygiene [FILE ...]

It fails, naming each file, when

* a given file is an ``.ipynb`` notebook outside ``tests/fixtures/`` (the only source of a
  chapter is its ``notebooks/*.md``; executed notebooks live in the build's cache);
* ``notebooks/`` holds anything but MyST notebooks, whether git tracks it or not: an ``.ipynb``
  saved or created there in JupyterLab, or an ``.md`` file without jupytext's MyST front
  matter (hidden folders such as ``.ipynb_checkpoints``, and the git-ignored ``<stem>_files/``
  that a chapter run in JupyterLab writes, are left alone);
* a given ``.ipynb`` (fixtures too) holds outputs or execution counts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

from analysis.core.paths import project_root

#: Notebooks may be committed only here (test inputs, as .gitignore allows).
FIXTURES = "tests/fixtures/"
CONVERT = "the chapter's source is notebooks/<stem>.md (convert: jupytext --to myst <file>)"


def notebook_outputs(path: Path) -> list[str]:
    """Where an ``.ipynb`` file holds outputs: ``cell N: 2 outputs, execution count 5``."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"cannot be read as a notebook ({exc})"]
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        n, count = len(cell.get("outputs") or []), cell.get("execution_count")
        if n or count is not None:
            out.append(f"cell {i}: {n} output(s), execution count {count}")
    return out


def front_matter_format(md: Path) -> str | None:
    """The jupytext format named in a text notebook's front matter (``myst``), or None.

    Kept light on purpose (no pandas): pre-commit runs this on every commit."""
    text = md.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return None
    try:
        meta = yaml.safe_load(text.split("---", 2)[1]) or {}
    except (yaml.YAMLError, IndexError):
        return None
    fmt = (meta.get("jupytext") or {}).get("text_representation") or {}
    return fmt.get("format_name")


def notebooks_folder_problems(root: Path) -> list[str]:
    """Files in ``notebooks/`` that are not MyST notebooks (tracked or not)."""
    problems = []
    folder = root / "notebooks"
    for p in sorted(folder.rglob("*")) if folder.is_dir() else []:
        rel = p.relative_to(root)
        if (p.is_dir() or any(part.startswith(".") for part in rel.parts[1:])
                or any(part == "__pycache__" or part.endswith("_files") for part in rel.parts[1:-1])):
            continue
        if p.suffix != ".md":
            problems.append(f"{rel}: notebooks/ holds only MyST .md notebooks; {CONVERT}")
            if p.suffix == ".ipynb":
                problems += [f"{rel}: {w}" for w in notebook_outputs(p)]
            continue
        if front_matter_format(p) != "myst":
            problems.append(f"{rel}: not a MyST notebook (front matter needs jupytext: "
                            "text_representation: format_name: myst)")
    return problems


def problems(root: Path, files: list[str]) -> list[str]:
    """Everything :mod:`this check <analysis.book.hygiene>` refuses, one line per problem."""
    out = notebooks_folder_problems(root)
    for f in sorted(set(files)):
        p = Path(f)
        rel = p.resolve().relative_to(root.resolve()).as_posix() if p.is_absolute() else f
        if p.suffix != ".ipynb" or (root / rel).is_relative_to(root / "notebooks"):
            continue  # notebooks/ was checked as a whole above
        if not rel.startswith(FIXTURES):
            out.append(f"{rel}: .ipynb files are not committed; {CONVERT}")
        out += [f"{rel}: {w} (clear the outputs)" for w in notebook_outputs(root / rel)]
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: exit 1 and list the problems, if any."""
    files = sys.argv[1:] if argv is None else argv
    found = problems(project_root(), files)
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
