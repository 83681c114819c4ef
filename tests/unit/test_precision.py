"""The rounding policy: decimals per kind of figure, differences that agree with shown values,
no star on a shown interval that reaches zero."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core import precision, text

ROOT = Path(__file__).resolve().parents[2]
Z95 = 1.959963984540054


def _num(s: str) -> float:
    return float(s.replace(text.MINUS, "-").replace(text.NBSP, "").replace("%", "")
                 .replace(",", ".").strip())


def _cell_parts(cell: str) -> tuple[float, bool, float, float]:
    m = re.fullmatch(r"(\S+)( \*)? \((\S+)\u00a0till\u00a0(\S+)\)", cell)
    assert m, cell
    return _num(m[1]), bool(m[2]), _num(m[3]), _num(m[4])


class TestRule:
    def test_unknown_kind_names_the_known_ones(self):
        with pytest.raises(ValueError, match="andel_enkat"):
            precision.rule("procentenheter")

    def test_every_rule_has_a_swedish_label_and_valid_decimals(self):
        for kind, r in precision.RULES.items():
            assert r.label and -2 <= r.decimals <= 3, kind


class TestDecimals:
    def test_policy(self):
        assert precision.decimals("andel_enkat") == 0
        assert precision.decimals("andel") == 1
        assert precision.decimals("kvot") == 1
        assert precision.decimals("antal") == 0
        assert precision.decimals("antal_skattat") == -1
        assert precision.decimals("oddskvot") == 2


class TestShown:
    def test_share_in_per_cent(self):
        assert precision.shown(0.8149, "andel_enkat") == 81.0
        assert precision.shown(0.13897, "andel") == 13.9

    def test_missing(self):
        assert math.isnan(precision.shown(None, "andel"))
        assert math.isnan(precision.shown(float("nan"), "andel"))


class TestFmt:
    def test_examples(self):
        assert precision.fmt(0.8149, "andel_enkat") == "81\u00a0%"
        assert precision.fmt(0.13897, "andel") == "13,9\u00a0%"
        assert precision.fmt(80.1982, "kvot") == "80,2"
        assert precision.fmt(1.80123, "kvot_per_person") == "1,80"
        assert precision.fmt(9137.2, "antal_skattat") == "9\u00a0140"
        assert precision.fmt(240.4, "tkr") == "240\u00a0tkr"
        assert precision.fmt(1.234, "procent", sign=True) == "+1,2\u00a0%"
        assert precision.fmt(None, "andel") == ".."

    def test_agrees_with_shown(self):
        for v in (0.0049, 0.5, 0.12345, 0.995):
            assert _num(precision.fmt(v, "andel")) == precision.shown(v, "andel")


class TestFormatter:
    def test_column_formatter(self):
        f = precision.formatter("andel")
        assert f(0.13897) == "13,9\u00a0%"

    def test_unknown_kind_fails_at_once(self):
        with pytest.raises(ValueError):
            precision.formatter("nope")


class TestDifference:
    def test_difference_of_shown_values(self):
        # 81 % and 80 % shown: the difference shown is +1, not the +2 of the unrounded 1,98
        assert precision.difference(0.8149, 0.7951, "andel_enkat") == 1.0
        assert precision.difference(0.6349, 0.6951, "andel_enkat") == -7.0

    def test_missing(self):
        assert math.isnan(precision.difference(None, 0.5, "andel_enkat"))


class TestInterval:
    def test_rounded_outward(self):
        assert precision.interval(0.003, 0.052, "andel_enkat") == (0.0, 6.0)
        assert precision.interval(-0.052, -0.011, "andel_enkat") == (-6.0, -1.0)

    def test_floating_point_noise_is_not_rounded_outward(self):
        # 0.07 * 100 is 7.000000000000001 in binary floating point
        assert precision.interval(0.03, 0.07, "andel_enkat") == (3.0, 7.0)

    def test_one_decimal(self):
        assert precision.interval(0.01234, 0.05678, "andel") == (1.2, 5.7)


class TestExcludesZero:
    def test_reaching_zero_when_shown(self):
        # the unrounded interval excludes 0, the shown one (0 till +6) does not
        assert not precision.excludes_zero(0.003, 0.052, "andel_enkat")
        assert precision.excludes_zero(0.011, 0.052, "andel_enkat")
        assert precision.excludes_zero(-0.052, -0.011, "andel_enkat")


class TestIntervalText:
    def test_text(self):
        assert precision.interval_text(-0.0111, 0.0501) == "\u22122\u00a0till\u00a0+6"
        assert precision.interval_text(None, 0.05) == "."


class TestDifferenceCell:
    def test_issue_examples(self):
        # youth 81 % vs 80 % was shown "+2"; adults 63 % vs 70 % was shown "−8"
        d, _, _, _ = _cell_parts(precision.difference_cell(0.8149, 0.7951, -0.02, 0.06))
        assert d == 1.0
        d, _, _, _ = _cell_parts(precision.difference_cell(0.6349, 0.6951, -0.11, -0.01))
        assert d == -7.0

    def test_no_star_when_shown_interval_reaches_zero(self):
        cell = precision.difference_cell(0.55, 0.52, 0.002, 0.058)
        assert "*" not in cell and "(0\u00a0till\u00a0+6)" in cell
        assert "*" in precision.difference_cell(0.56, 0.52, 0.012, 0.068)

    def test_no_star_without_verdict(self):
        assert "*" not in precision.difference_cell(0.56, 0.52, 0.012, 0.068, verdict=False)

    def test_missing(self):
        assert precision.difference_cell(None, 0.5, None, None) == "."

    @settings(max_examples=2000, deadline=None)
    @given(a=st.floats(0, 1), b=st.floats(0, 1), se=st.floats(1e-4, 0.2),
           kind=st.sampled_from(["andel_enkat", "andel"]))
    def test_property_shown_values_agree(self, a, b, se, kind):
        """For any unrounded pair: the shown difference is the difference of the shown values,
        it lies inside the shown interval, and a star never sits on a shown interval that
        contains 0."""
        lower, upper = a - b - Z95 * se, a - b + Z95 * se
        cell = precision.difference_cell(a, b, lower, upper, kind)
        d, star, lo, hi = _cell_parts(cell)
        shown_a, shown_b = _num(precision.fmt(a, kind)), _num(precision.fmt(b, kind))
        assert d == pytest.approx(shown_a - shown_b, abs=1e-9), cell
        assert lo - 1e-9 <= d <= hi + 1e-9, cell
        assert lo <= 100 * lower + 1e-9 and hi >= 100 * upper - 1e-9, cell
        if star:
            assert lo > 0 or hi < 0, cell
            assert lower > 0 or upper < 0, cell  # only a significant difference is starred


class TestPolicyTable:
    def test_one_row_per_rule(self):
        t = precision.policy_table()
        assert len(t) == len({r.label for r in precision.RULES.values()})
        assert t["Slags tal"].is_unique
        assert list(t.columns) == ["Slags tal", "Visas med", "Skillnader och förändringar",
                                   "Exempel"]


class TestPolicyMarkdown:
    def test_methods_page_states_the_policy(self):
        """book/metoder.md carries the policy exactly as the library states it."""
        page = (ROOT / "book" / "metoder.md").read_text(encoding="utf-8")
        # the page wraps the policy's table in a captioned table directive
        bare = "\n".join(ln for ln in page.splitlines()
                         if not ln.startswith((":::{table}", ":align:")) and ln != ":::")
        assert precision.policy_markdown() in bare.replace("\n\n| Slags tal", "\n| Slags tal")

    def test_swedish_and_complete(self):
        md = precision.policy_markdown()
        assert "avrundas utåt" in md and "asterisk" in md
        for r in precision.RULES.values():
            assert r.label in md
