"""The edition comparison."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.book import whatchanged


def table(rows):
    return pd.DataFrame(rows, columns=["indicator_id", "indicator", "area_code", "period", "value",
                                       "lower", "upper", "unit"])


class TestCompare:
    def test_register_figure_has_no_interval(self):
        prev = table([("a", "A", "18", "2015", 100.0, None, None, "antal")])
        new = table([("a", "A", "18", "2019", 110.0, None, None, "antal")])
        c = whatchanged.compare(prev, new).iloc[0]
        assert c["change"] == 10 and pd.isna(c["beyond_interval"]) and c["status"] == "ändrad"

    def test_survey_change_beyond_and_within(self):
        # se 0.01 each: interval of the change 1.96*sqrt(2)*0.01 = 0.0277
        w = 1.959963984540054 * 0.01
        prev = table([("p", "P", "18", "2015", 0.70, 0.70 - w, 0.70 + w, "andel"),
                      ("q", "Q", "18", "2015", 0.70, 0.70 - w, 0.70 + w, "andel")])
        new = table([("p", "P", "18", "2019", 0.74, 0.74 - w, 0.74 + w, "andel"),
                     ("q", "Q", "18", "2019", 0.72, 0.72 - w, 0.72 + w, "andel")])
        c = whatchanged.compare(prev, new).set_index("indicator_id")
        assert bool(c.loc["p", "beyond_interval"]) is True
        assert bool(c.loc["q", "beyond_interval"]) is False

    def test_new_and_dropped_indicators(self):
        prev = table([("old", "O", "18", "2015", 1.0, None, None, "kvot")])
        new = table([("new", "N", "18", "2019", 2.0, None, None, "kvot")])
        c = whatchanged.compare(prev, new).set_index("indicator_id")
        assert c.loc["old", "status"] == "utgått" and c.loc["new", "status"] == "ny"

    def test_duplicate_keys_refused(self):
        t = table([("a", "A", "18", "2019", 1.0, None, None, "antal")] * 2)
        with pytest.raises(ValueError, match="repeats"):
            whatchanged.compare(t, t)
