"""present.spine: the overview's HTML (formats, positions, data attributes)."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from analysis.present import spine


def row(**kw):
    base = {"indicator_id": "x", "label": "Mått", "group": "G", "area_code": "1863",
            "period": 2019, "year_note": "", "value": 0.3, "rest_value": 0.25, "riket_value": 0.2,
            "benchmark": "riket", "benchmark_value": 0.2, "kommun_min": 0.1, "kommun_q25": 0.15,
            "kommun_q75": 0.25, "kommun_max": 0.3, "polarity": "hog", "unit": "andel",
            "verdict": "battre", "verdict_label": "Bättre", "colour": "#7fbf7b",
            "trend": "upp", "trend_label": "ökar", "synthetic": False, "definition": "D",
            "producer": "SCB"}
    base.update(kw)
    return pd.Series(base)


class TestFmt:
    def test_units(self):
        assert spine.fmt(0.123, "andel") == "12,3\u00a0%"
        assert spine.fmt(0.8149, "andel_enkat") == "81\u00a0%"  # survey shares: whole per cent
        assert spine.fmt(80.149, "kvot") == "80,1"
        assert spine.fmt(2136.0, "kr") == "2\u00a0136\u00a0kr"
        assert spine.fmt(-1.8, "procent") == "\u22121,8\u00a0%"
        assert spine.fmt(math.nan, "andel") == ".."


class TestPositions:
    def test_benchmark_in_the_middle_and_farthest_at_the_edge(self):
        x = spine.positions(row())
        assert x["benchmark_value"] == 100 and x["value"] == pytest.approx(195)
        assert x["kommun_min"] == pytest.approx(5)

    def test_low_is_better_mirrors(self):
        x = spine.positions(row(polarity="lag"))
        assert x["value"] == pytest.approx(5)


class TestSpineHtml:
    def test_one_row_per_indicator_with_colour(self):
        df = pd.DataFrame([row(), row(indicator_id="y", verdict="samre_998", colour="#b2182b"),
                           row(indicator_id="s", synthetic=True, group="Syntetiska data",
                               verdict="syntetisk", colour="#9e9e9e")])
        h = spine.spine_html(df, "Hällefors")
        rows = re.findall(r'data-indicator="(\w+)" data-verdict="(\w+)" data-colour="([#\w]+)"', h)
        assert rows == [("x", "battre", "#7fbf7b"), ("y", "samre_998", "#b2182b"),
                        ("s", "syntetisk", "#9e9e9e")]
        assert spine.STAMP in h and "SYNTETISKA DATA" in h
        assert h.count('class="kik-mark kik-dot"') == 3
        assert "<script" not in h and "http" not in h  # static and offline
