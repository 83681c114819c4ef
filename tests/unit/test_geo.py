"""The one definition of the län's areas."""

from __future__ import annotations

import pytest

from analysis import geo


class TestGeo:
    def test_twelve_kommuner_four_forbund(self):
        assert len(geo.KOMMUNER) == 12 and len(geo.FORBUND) == 4

    def test_every_kommun_in_exactly_one_forbund(self):
        m = geo.kommun_till_forbund()
        assert sorted(m) == sorted(geo.KOMMUNER)

    def test_mapping_from_the_review(self):
        m = geo.kommun_till_forbund()
        assert {k for k, f in m.items() if f == "LO"} == {"1814", "1880"}
        assert {k for k, f in m.items() if f == "SN"} == {"1882", "1861", "1881", "1860"}
        assert {k for k, f in m.items() if f == "DK"} == {"1862", "1883"}
        assert {k for k, f in m.items() if f == "SO"} == {"1885", "1863", "1864", "1884"}

    def test_names(self):
        assert geo.kommun_namn("1880") == "Örebro"
        assert geo.area_name("18") == "Örebro län" and geo.area_name("SO") == "SOFINT"

    def test_unknown_code(self):
        with pytest.raises(KeyError, match="Unknown kommun code"):
            geo.kommun_namn("0180")
