"""The edition comparison."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.book import whatchanged


def table(rows, kind="uppmätt", chapter="04_liv_och_halsa"):
    return pd.DataFrame(rows, columns=["indicator_id", "indicator", "area_code", "period", "value",
                                       "lower", "upper", "unit"]).assign(data_kind=kind,
                                                                         chapter=chapter)


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

    def test_empty_previous_edition(self):
        # a partial build (--only) of a notebook the previous edition lacks: nothing to compare
        new = table([("a", "A", "18", "2019", 110.0, None, None, "antal")])
        assert whatchanged.compare(table([]), new)["status"].tolist() == ["ny"]
        assert whatchanged.compare(table([]), table([])).empty

    def test_no_indicators_in_either_edition(self):
        # a partial build of profile templates only: no chapter records indicators
        empty = table([])
        c = whatchanged.compare(empty, empty)
        assert c.empty and "status" in c

    def test_duplicate_keys_refused(self):
        t = table([("a", "A", "18", "2019", 1.0, None, None, "antal")] * 2)
        with pytest.raises(ValueError, match="repeats"):
            whatchanged.compare(t, t)


class TestCompareKinds:
    def test_synthetic_rows_get_no_verdict(self):
        w = 1.959963984540054 * 0.01
        prev = table([("p", "P", "18", "2015", 0.70, 0.70 - w, 0.70 + w, "andel")], "syntetisk")
        new = table([("p", "P", "18", "2019", 0.80, 0.80 - w, 0.80 + w, "andel")], "syntetisk")
        c = whatchanged.compare(prev, new).iloc[0]
        assert pd.isna(c["beyond_interval"]) and c["data_kind"] == "syntetisk"

    def test_missing_kind_counts_as_synthetic(self):
        prev = table([("a", "A", "18", "2015", 1.0, None, None, "antal")]).drop(columns="data_kind")
        new = table([("a", "A", "18", "2019", 2.0, None, None, "antal")])
        assert whatchanged.compare(prev, new).iloc[0]["data_kind"] == "syntetisk"

    def test_shown_change_is_difference_of_shown_values(self):
        # 10,0 % and 10,2 % shown: the change shown is +0,2 although the unrounded one is 0,1
        prev = table([("a", "A", "18", "2015", 0.10049, None, None, "andel"),
                      ("k", "K", "18", "2015", 80.149, None, None, "kvot"),
                      ("s", "S", "18", "2015", 0.6349, 0.60, 0.67, "andel_enkat")])
        new = table([("a", "A", "18", "2019", 0.10151, None, None, "andel"),
                     ("k", "K", "18", "2019", 80.151, None, None, "kvot"),
                     ("s", "S", "18", "2019", 0.6951, 0.66, 0.73, "andel_enkat")])
        c = whatchanged.compare(prev, new)
        md = whatchanged.page_md(2019, 2015, c)
        assert "10,0\u00a0% (2015)" in md and "+0,2 procentenheter" in md
        assert "80,1 (2015)" in md and "80,2 (2019)" in md and "+0,1<" in md  # one decimal
        assert "63\u00a0% (2015)" in md and "+7 procentenheter" in md

    def test_change_that_rounds_to_zero_is_unchanged(self):
        prev = table([("a", "A", "18", "2015", 0.1000, None, None, "andel"),
                       ("b", "B", "18", "2015", 100.2, None, None, "antal")])
        new = table([("a", "A", "18", "2019", 0.1004, None, None, "andel"),
                     ("b", "B", "18", "2019", 100.4, None, None, "antal")])
        c = whatchanged.compare(prev, new).set_index("indicator_id")
        assert c.loc["a", "status"] == "oförändrad" and c.loc["b", "status"] == "oförändrad"


class TestPageMd:
    def _comparison(self):
        prev = pd.concat([
            table([("a", "A", "18", "2015", 100.0, None, None, "antal"),
                   ("a", "A", "1880", "2015", 50.0, None, None, "antal"),
                   ("z", "Z", "18", "2015", 7.0, None, None, "antal")], chapter="01_befolkning"),
            table([("s", "S", "1814", "2015", 0.5, 0.4, 0.6, "andel")], "syntetisk")])
        new = pd.concat([
            table([("a", "A", "18", "2019", 110.0, None, None, "antal"),
                   ("a", "A", "1880", "2019", 45.0, None, None, "antal"),
                   ("z", "Z", "18", "2019", 7.0, None, None, "antal")], chapter="01_befolkning"),
            table([("s", "S", "1814", "2019", 0.7, 0.6, 0.8, "andel")], "syntetisk")])
        return whatchanged.compare(prev, new)

    def test_headline_counts_the_changed_rows(self):
        md = whatchanged.page_md(2019, 2015, self._comparison())
        real, synth = md.split("## Syntetiska data")
        assert 'data-antal-andrade="2"' in real
        assert real.count('class="vha-rad"') == 2  # the unchanged "z" is not a row

    def test_synthetic_section_has_no_verdict(self):
        md = whatchanged.page_md(2019, 2015, self._comparison())
        real, synth = md.split("## Syntetiska data")
        assert 'data-datatyp="syntetisk"' in synth and 'data-datatyp="syntetisk"' not in real
        for word in ("osäkerheten", "▲", "▼", "ökning", "minskning"):
            assert word not in synth

    def test_kommun_filter_is_static(self):
        md = whatchanged.page_md(2019, 2015, self._comparison())
        assert 'id="vha-1880"' in md and "<script" not in md
        assert '#vha-1880:checked ~ .vha-innehall tr.vha-rad:not([data-omrade="1880"])' in md
