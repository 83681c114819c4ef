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

    def test_bytes_unchanged_by_the_national_map(self):
        """map_svg shares its projection with area_map_svg; the län's map stays byte-identical
        to the one published before the national edition (sha256 of this call's output)."""
        import hashlib

        links = {c: f"_generated/kommuner/profil_kommun__area_{c}.html" for c in geo.KOMMUNER}
        svg = kommunkarta.map_svg(catalog.load("kommungranser"), links)
        assert hashlib.sha256(svg.encode()).hexdigest() == (
            "e34498ed2170bc321bbef5a4f54a1ecf5ad5fa3d9ae8aa60b8c314bd359b3c12")


class TestAreaMapSvg:
    def test_any_areas_with_links_fills_and_outline(self):
        b = catalog.load("kommungranser_riket")
        lan = catalog.load("lansgranser_riket")
        links = {"2584": "kiruna.html", "1880": "orebro.html"}
        svg = kommunkarta.area_map_svg(b, links, {"2584": "Kiruna"}, {"2584": "#123456"},
                                       aria_label="Karta & test", outline=lan, tolerance=0.01,
                                       legend=kommunkarta.legend_html({"A": "#123456"}, "Färg:"))
        assert svg.count("<path") == 290 + 21
        assert re.findall(r'<a href="([^"]+)"', svg) == ["orebro.html", "kiruna.html"]
        assert 'aria-label="Kiruna"' in svg and "<title>Kiruna</title>" in svg
        assert 'fill="#123456"' in svg and 'aria-label="Karta &amp; test"' in svg
        assert svg.count('pointer-events="none"') == 21 and "Färg:" in svg
        assert "tabindex" not in svg
        quiet = kommunkarta.area_map_svg(b, links, {}, {}, aria_label="x", focusable=False)
        assert quiet.count('tabindex="-1"') == 2

    def test_simplifying_makes_it_smaller(self):
        b = catalog.load("kommungranser_riket")
        full = kommunkarta.area_map_svg(b, {}, {}, {}, aria_label="x")
        small = kommunkarta.area_map_svg(b, {}, {}, {}, aria_label="x", tolerance=0.01)
        assert len(small) < 0.85 * len(full)

    def test_colours_for_all_nine_kommungrupper(self):
        assert sorted(kommunkarta.KOMMUNGRUPP_COLOURS) == list(range(1, 10))
        assert len(set(kommunkarta.KOMMUNGRUPP_COLOURS.values())) == 9

class TestWithoutForbund:
    def test_one_colour_no_legend_and_the_region_named(self, monkeypatch):
        links = {c: f"p_{c}.html" for c in geo.KOMMUNER}
        assert ('aria-label="Karta över Örebro läns 12 kommuner' in
                kommunkarta.map_svg(catalog.load("kommungranser"), links))
        monkeypatch.setattr(geo, "FORBUND", {})
        monkeypatch.setattr(geo, "LAN_NAMN", "Uppsala län")
        svg = kommunkarta.map_svg(catalog.load("kommungranser"), links)
        assert set(re.findall(r'fill="(#\w+)"', svg)) == {"#eeeeee"}
        assert "samordningsförbundet" not in svg
        assert 'aria-label="Karta över Uppsala läns 12 kommuner' in svg
