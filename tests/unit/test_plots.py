"""Tests for analysis.present.plots: the house style (size, text, colours), phone layouts and the
repel step that keeps line-end labels apart."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis.core import geo
from analysis.methods import population
from analysis.methods import working_age as wa
from analysis.present import plots
from analysis.sources import catalog


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _overlaps(texts) -> list[tuple[str, str]]:
    """Pairs of texts whose drawn boxes overlap (matplotlib's renderer)."""
    from matplotlib.text import Text

    fig = texts[0].figure
    renderer = fig.canvas.get_renderer()
    # the text's own box (an annotation's extent would include its leader line)
    boxes = [(t.get_text(), Text.get_window_extent(t, renderer)) for t in texts]
    return [(a, b) for (a, ba), (b, bb) in itertools.combinations(boxes, 2) if ba.overlaps(bb)]


class TestStyle:
    def test_palette_is_dark_enough(self):
        # WCAG 2.1 non-text contrast: 3:1 against the white page
        for c in plots.PALETTE + list(plots.SEX_COLOURS.values()):
            assert (1.05) / (_luminance(c) + 0.05) >= 3, c

    def test_default_size_is_the_column(self):
        w, _h = plots.size()
        assert w * plots.PX_PER_INCH == plots.WIDTH_PX[plots.DESKTOP]
        assert plots.SMALL * plots.PX_PER_INCH / 72 >= plots.MIN_TEXT_PX

    def test_unknown_layout(self):
        with pytest.raises(ValueError, match="unknown layout"):
            plots.size("tablet")


class TestSize:
    def test_phone_is_narrow_and_not_flat(self):
        w, h = plots.size(plots.MOBILE, (12, 3))
        assert w * plots.PX_PER_INCH == plots.WIDTH_PX[plots.MOBILE] and h >= 0.75 * w

    def test_mobile_height(self):
        assert plots.size(plots.MOBILE, (8, 4), mobile_height=6)[1] == 6


class TestRepel:
    def test_apart_in_order_and_least_moved(self):
        y = np.array([10.0, 10.5, 11.0, 30.0])
        out = plots.repel(y, 4)
        assert np.all(np.diff(out) >= 4 - 1e-9)
        assert out[3] == 30.0  # far enough already: not moved
        assert out[:3].mean() == pytest.approx(y[:3].mean())  # a cluster moves about its mean

    def test_unsorted_input_keeps_identity(self):
        out = plots.repel([5.0, 0.0, 5.1], 2)
        assert out[1] < out[0] < out[2] or out[1] < out[2] < out[0]
        assert sorted(np.diff(np.sort(out))) == pytest.approx([2, 2]) or \
            np.all(np.diff(np.sort(out)) >= 2 - 1e-9)

    def test_bounds(self):
        out = plots.repel([0.0, 0.1, 0.2], 1, lo=0, hi=10)
        assert out.min() >= 0 and np.all(np.diff(np.sort(out)) >= 1 - 1e-9)

    def test_negative_gap(self):
        with pytest.raises(ValueError):
            plots.repel([1.0], -1)


class TestResponsive:
    def _df(self):
        return pd.DataFrame({"ar": [2000, 2010] * 2, "v": [1.0, 2.0, 1.0, 2.01],
                             "g": ["Sydnärke"] * 2 + ["Degerfors/Karlskoga"] * 2})

    def test_variant_is_the_phone_layout(self):
        fig = plots.lines(self._df(), "ar", "v", "g")
        phone = plots.variant(fig, plots.MOBILE)
        assert phone.get_size_inches()[0] * plots.PX_PER_INCH == plots.WIDTH_PX[plots.MOBILE]
        assert plots.variant(phone, plots.MOBILE) is None
        assert phone.legends  # a legend below instead of end labels

    def test_plain_figure_has_no_variant(self):
        fig, _ax = plots.plt.subplots()
        assert plots.variant(fig, plots.MOBILE) is None


class TestLines:
    def test_close_end_labels_do_not_overlap(self):
        # ch. 2: Sydnärke and Degerfors/Karlskoga end at nearly the same value
        df = pd.DataFrame({"ar": [2000, 2019] * 4,
                           "v": [900, 1000, 880, 1003, 2500, 3000, 600, 995],
                           "g": sum(([n] * 2 for n in ("Sydnärke", "Degerfors/Karlskoga",
                                                       "Lekeberg/Örebro", "SOFINT")), [])})
        fig = plots.lines(df, "ar", "v", "g")
        fig.canvas.draw()
        assert _overlaps(fig.axes[0].texts) == []

    def test_min_text_after_enforcing(self):
        fig = plots.lines(TestResponsive()._df(), "ar", "v", "g")
        fig.axes[0].text(0.5, 0.5, "liten", fontsize=4, transform=fig.axes[0].transAxes)
        assert plots.enforce_min_text(fig) >= plots.MIN_PT
        assert min(plots.text_sizes_pt(fig)) >= plots.MIN_PT


class TestSmallMultiples:
    def test_independent_axes_are_noted(self):
        df = pd.DataFrame({"ar": [2000, 2010] * 3, "v": [1, 2, 10, 20, 100, 200],
                           "k": ["a", "a", "b", "b", "c", "c"]})
        fig = plots.small_multiples(df, "ar", "v", "k", ncols=3)
        assert "egen skala" in fig._suptitle.get_text()
        shared = plots.small_multiples(df, "ar", "v", "k", ncols=3, sharey=True)
        assert shared._suptitle is None
        assert plots.variant(fig, plots.MOBILE).axes[0].get_gridspec().ncols == 2

    def test_many_panels_get_taller_not_squeezed(self):
        def fig_for(n):
            df = pd.DataFrame({"ar": [2000, 2010] * n, "v": [1, 2] * n,
                               "k": [f"k{i}" for i in range(n) for _ in (0, 1)]})
            return plots.small_multiples(df, "ar", "v", "k")

        twelve, twentysix = fig_for(12), fig_for(26)  # Örebro län, Stockholms län
        assert twelve.get_size_inches()[1] == pytest.approx(
            plots.size(plots.DESKTOP, (10, 7))[1])
        assert twentysix.get_size_inches()[1] == pytest.approx(
            plots.size(plots.DESKTOP, (10, 7 * 2.3))[1])


class TestChoropleth:
    def test_labels_have_a_halo_and_are_legible(self):
        gdf = catalog.load("kommungranser")
        gdf = gdf.assign(v=np.linspace(0, 1, len(gdf)),
                         kommun_namn=[geo.kommun_namn(k) for k in gdf["kommun_kod"]])
        fig = plots.choropleth(gdf, "v", annotate="kommun_namn")
        labels = fig.axes[0].texts
        assert len(labels) == 12
        assert all(t.get_path_effects() and t.get_fontsize() >= plots.MIN_PT for t in labels)

    def test_only_areas_big_enough_are_named(self):
        gdf = catalog.load("kommungranser")
        gdf = gdf.assign(v=np.linspace(0, 1, len(gdf)),
                         kommun_namn=[geo.kommun_namn(k) for k in gdf["kommun_kod"]])
        assert len(plots.choropleth(gdf, "v", annotate="kommun_namn",
                                    label_min_share=0.01).axes[0].texts) == 12  # Kumla: 1,9 %
        big = plots.choropleth(gdf, "v", annotate="kommun_namn", label_min_share=0.1)
        assert 0 < len(big.axes[0].texts) < 12


class TestWrapLabels:
    def test_phone_figure_fits_its_width(self):
        # long category labels and axis label: wrapped so nothing sticks out of 340 px
        df = pd.DataFrame({"k": ["Förtids-/sjukpensionär (18–64 år)", "Ej problem med löpande "
                                 "utgifter", "Män"], "v": [0.3, 0.7, 0.8]})
        fig = plots.hbar(df, "k", "v", share=True, layout=plots.MOBILE,
                         xlabel="Andel med god självskattad hälsa (åldersstandardiserad)")
        fig.canvas.draw()
        box = fig.get_tightbbox(fig.canvas.get_renderer())
        assert box.width * plots.PX_PER_INCH <= plots.WIDTH_PX[plots.MOBILE] + 1
        assert "\n" in fig.axes[0].get_xlabel()

    def test_names_are_never_split(self):
        df = pd.DataFrame({"k": ["Ljusnarsberg", "Västernorrland", "Västra Götaland"],
                           "v": [1, 2, 3]})
        fig = plots.hbar(df, "k", "v", layout=plots.MOBILE)
        assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [
            "Ljusnarsberg", "Västernorrland", "Västra\nGötaland"]


class TestNamedFigures:
    """The figures the readers' review named, drawn from the book's own data."""

    @pytest.mark.parametrize("edition", [2015, 2019])
    def test_forbund_series_end_labels_apart(self, edition):
        # ch. 2 "Målgrupp per förbund": Sydnärke and Degerfors/Karlskoga end close together
        kolada = catalog.load("kolada_befolkning")
        lan = population.lan_series(catalog.load("folkmangd_lan_alder_kon"), kolada, edition)
        areas = wa.by_area(wa.kommun_16_64(population.kolada_age_groups(kolada), lan))
        series = areas[(areas["area_type"] == "forbund") & (areas["ar"] <= edition)]
        fig = plots.lines(series.assign(område=series["area_name"]), "ar", "malgrupp", "område")
        fig.canvas.draw()
        assert len(fig.axes[0].texts) == 4 and _overlaps(fig.axes[0].texts) == []
