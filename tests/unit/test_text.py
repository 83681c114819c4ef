"""Swedish number formats."""

from __future__ import annotations

import math

import pytest

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


class TestFormatter:
    def test_same_text_as_the_function(self):
        assert text.formatter("share", 1, sign=True)(0.0123) == text.share(0.0123, 1, sign=True)
        assert text.formatter("num")(1234.4) == text.num(1234.4)
        assert text.formatter("num", -2)(63512) == text.num(63512, -2)

    def test_points(self):
        assert text.points(-0.0123, 1) == text.num(-1.23, 1)
        assert text.formatter("points", 1, sign=True)(0.05) == "+5,0"
        assert text.points(None) == ".."

    def test_unknown_kind(self):
        with pytest.raises(ValueError, match="unknown formatter"):
            text.formatter("money")


class TestParseYears:
    def test_forms(self):
        assert text.parse_years("2016-2018") == [2016, 2017, 2018]
        assert text.parse_years("2015,2019") == [2015, 2019]

    def test_backwards(self):
        with pytest.raises(ValueError, match="backwards"):
            text.parse_years("2019-2015")


class TestParseYearsForms:
    @pytest.mark.parametrize(
        ("spec", "years"),
        [("2016-2024", list(range(2016, 2025))), ("2024", [2024]), ("2016,2018,2020-2021", [2016, 2018, 2020, 2021])],
    )
    def test_forms(self, spec, years):
        assert text.parse_years(spec) == years

    @pytest.mark.parametrize("spec", ["16-24", "2024-2016", "last five", ""])
    def test_bad(self, spec):
        with pytest.raises(ValueError):
            text.parse_years(spec)


class TestRank:
    def test_top_of_the_list(self):
        assert text.rank(1, 12) == "störst av länets 12 kommuner"
        assert text.rank(2, 12) == "näst störst av länets 12 kommuner"
        assert text.rank(3, 12) == "tredje störst av länets 12 kommuner"
        assert text.rank(6, 12) == "sjätte störst av länets 12 kommuner"

    def test_bottom_counts_from_the_other_end(self):
        assert text.rank(12, 12) == "minst av länets 12 kommuner"
        assert text.rank(11, 12) == "näst minst av länets 12 kommuner"
        assert text.rank(10, 12) == "tredje minst av länets 12 kommuner"

    def test_other_words_and_no_tail(self):
        assert text.rank(2, 5, "högst", "lägst", of=None) == "näst högst"
        assert text.rank(4, 5, "högst", "lägst", of=None) == "näst lägst"
        assert text.rank(1, 4, of="förbundets {n} kommuner") == "störst av förbundets 4 kommuner"

    def test_beyond_the_ordinal_words(self):
        assert text.rank(21, 290, of=None) == "21:e störst"

    def test_synthetic_data_are_never_ranked(self):
        with pytest.raises(ValueError, match="measured or modelled"):
            text.rank(1, 12, data="synthetic")
        assert text.rank(1, 12, data="modelled").startswith("störst")

    def test_position_out_of_range(self):
        with pytest.raises(ValueError):
            text.rank(0, 12)
        with pytest.raises(ValueError):
            text.rank(13, 12)


class TestCountWord:
    def test_words_to_twelve_then_digits(self):
        assert text.count_word(8) == "åtta" and text.count_word(12) == "tolv"
        assert text.count_word(26) == "26" and text.count_word(290) == "290"
