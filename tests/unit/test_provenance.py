"""The data-kind vocabulary."""

from __future__ import annotations

import pytest

from analysis.core import provenance as pv


class TestCheck:
    def test_known_and_unknown(self):
        assert pv.check("syntetisk") == "syntetisk"
        with pytest.raises(ValueError, match="unknown data kind 'synthetic'"):
            pv.check("synthetic")


class TestOf:
    def test_synthetic_or_real(self):
        assert pv.of(True) == pv.SYNTHETIC
        assert pv.of(False) == pv.MEASURED
        assert pv.of(False, pv.MODELLED) == pv.MODELLED


class TestCombine:
    def test_synthetic_wins_then_modelled(self):
        assert pv.combine([pv.MEASURED, pv.SYNTHETIC, pv.MODELLED]) == pv.SYNTHETIC
        assert pv.combine([pv.MEASURED, pv.MODELLED]) == pv.MODELLED
        assert pv.combine([pv.MEASURED]) == pv.MEASURED

    def test_empty_refused(self):
        with pytest.raises(ValueError):
            pv.combine([])


class TestIsSynthetic:
    def test_only_synthetic(self):
        assert pv.is_synthetic(pv.SYNTHETIC) and not pv.is_synthetic(pv.MODELLED)
