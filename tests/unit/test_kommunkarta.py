"""present.kommunkarta: the clickable map of the kommuner."""

from __future__ import annotations

import re

from analysis.core import geo
from analysis.present import kommunkarta
from analysis.sources import catalog


class TestMapSvg:
    def test_every_kommun_links_to_its_profile(self):
        links = {c: f"p_{c}.html" for c in geo.KOMMUNER}
        svg = kommunkarta.map_svg(catalog.load("kommungranser"), links)
        assert sorted(re.findall(r'<a href="p_(\d{4})\.html"', svg)) == sorted(geo.KOMMUNER)
        for name in geo.KOMMUNER.values():
            assert f">{name}</text>" in svg
        assert "http" not in svg
