"""Swedish number formats."""

from __future__ import annotations

import math

from analysis.core import text

NB = "\u00a0"


class TestNum:
    def test_thousands_and_decimal_comma(self):
        assert text.num(1234567.891, 1) == f"1{NB}234{NB}567,9"

    def test_integer(self):
        assert text.num(304805) == f"304{NB}805"

    def test_negative_uses_minus_sign(self):
        assert text.num(-1150) == f"\u22121{NB}150"

    def test_sign(self):
        assert text.num(70, sign=True) == "+70" and text.num(0, sign=True) == "0"

    def test_missing(self):
        assert text.num(None) == ".." and text.num(math.nan) == ".."

    def test_negative_decimals_round_to_thousands(self):
        assert text.num(63512, -3) == f"64{NB}000"

    def test_no_negative_zero(self):
        assert text.num(-0.04, 1) == "0,0"


class TestPct:
    def test_share(self):
        assert text.share(0.118) == f"11,8{NB}%"

    def test_pct_with_sign(self):
        assert text.pct(9.3, 1, sign=True) == f"+9,3{NB}%"

    def test_year_range(self):
        assert text.year_range(2009, 2019) == "2009\u20132019"
