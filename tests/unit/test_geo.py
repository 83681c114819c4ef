"""Tests for analysis.core.geo: the förbund → kommun mapping is complete and unambiguous."""

from __future__ import annotations

import pytest

from analysis.core import geo


class TestKommunTillForbund:
    def test_default_mapping(self):
        m = geo.kommun_till_forbund()
        assert sorted(m) == sorted(geo.KOMMUNER)
        assert m["1814"] == m["1880"] == "LO"
        assert [k for k, f in m.items() if f == "SN"] == ["1882", "1861", "1881", "1860"]
        assert sorted(k for k, f in m.items() if f == "DK") == ["1862", "1883"]
        assert sorted(k for k, f in m.items() if f == "SO") == ["1863", "1864", "1884", "1885"]

    def test_mapping_passed_in(self):
        m = {k: f.kommuner for k, f in geo.FORBUND.items()}
        assert geo.kommun_till_forbund(m) == geo.kommun_till_forbund()

    def test_kommun_under_two_forbund(self):
        m = {k: list(f.kommuner) for k, f in geo.FORBUND.items()}
        m["DK"].append("1880")
        with pytest.raises(ValueError, match="1880 is listed under both LO and DK"):
            geo.kommun_till_forbund(m)

    def test_unknown_kommun(self):
        m = {k: list(f.kommuner) for k, f in geo.FORBUND.items()}
        m["SO"].append("0180")
        with pytest.raises(ValueError, match="0180"):
            geo.kommun_till_forbund(m)

    def test_kommun_without_forbund(self):
        m = {k: [c for c in f.kommuner if c != "1884"] for k, f in geo.FORBUND.items()}
        with pytest.raises(ValueError, match="1884"):
            geo.kommun_till_forbund(m)
