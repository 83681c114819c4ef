"""Error types that tell an analyst exactly which file, column and rows are wrong."""

from __future__ import annotations

from collections.abc import Sequence


class InputError(ValueError):
    """Bad input data: names the file, the column and the offending rows.

    Parameters
    ----------
    path
        The file (or catalogue entry) that was being read.
    message
        What is wrong, in one sentence.
    column
        The offending column, if one can be named.
    rows
        Offending row numbers as the analyst sees them in the file (1-based data rows,
        header excluded), at most a handful are listed.
    values
        The offending values, in the same order as ``rows``.
    """

    def __init__(
        self,
        path: str,
        message: str,
        column: str | None = None,
        rows: Sequence[int] | None = None,
        values: Sequence[object] | None = None,
    ) -> None:
        self.path = str(path)
        self.column = column
        self.rows = list(rows) if rows is not None else []
        self.values = list(values) if values is not None else []
        self.message = message
        super().__init__(self._format())

    def _format(self) -> str:
        parts = [f"{self.path}: {self.message}"]
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.rows:
            shown = self.rows[:10]
            more = f" (and {len(self.rows) - 10} more)" if len(self.rows) > 10 else ""
            if self.values:
                pairs = ", ".join(
                    f"row {r}: {v!r}" for r, v in zip(shown, self.values[:10], strict=False)
                )
                parts.append(f"{pairs}{more}")
            else:
                parts.append(f"rows {', '.join(map(str, shown))}{more}")
        return " | ".join(parts)
