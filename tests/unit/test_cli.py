"""The top-level error handler of the commands."""

from __future__ import annotations

import errno

from analysis.core import cli
from analysis.core.errors import InputError


class TestExplain:
    def test_expected_and_unexpected(self):
        assert cli.explain(InputError("f.csv", "bad")) == "f.csv: bad"
        assert "disk is full" in cli.explain(OSError(errno.ENOSPC, "No space", "x"))
        assert cli.explain(ZeroDivisionError()) is None
        assert cli.explain(RuntimeError("done"), expected=(RuntimeError,)) == "done"


class TestRun:
    def test_status_message_and_debug(self, capsys):
        assert cli.run(lambda: 3) == 3 and cli.run(lambda: "x") == 0

        def bad():
            raise InputError("f.csv", "bad")

        assert cli.run(bad, prog="p") == cli.EXIT_FAILED
        err = capsys.readouterr().err
        assert err.startswith("p: f.csv: bad") and "Traceback" not in err
        assert cli.run(bad, debug=True) == 1 and "Traceback" in capsys.readouterr().err
