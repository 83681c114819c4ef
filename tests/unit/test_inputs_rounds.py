"""The one rounds loader of the survey inputs (analysis.inputs.rounds)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.inputs import rounds

ROOT = Path(__file__).resolve().parents[2]


class TestSelect:
    def test_up_to_the_edition_and_in_years(self):
        assert rounds.select([2017, 2008, 2012, 2020], 2019) == [2008, 2012, 2017]
        assert rounds.select([2008, 2012, 2017], 2019, years=[2012, 2017]) == [2012, 2017]
        assert rounds.select([2008, 2012, 2017], 2019, latest=True) == [2017]

    def test_none_names_the_rounds(self):
        with pytest.raises(ValueError, match=r"no Liv & hälsa round up to 2000 \(rounds: \[2008"):
            rounds.select([2008, 2012], 2000, what="Liv & hälsa")


class TestLoad:
    def _load(self, source, **kw):
        made = []

        def make_synthetic(wanted, frames):
            made.append((wanted, sorted(frames)))
            return {y: f"synthetic {y}" for y in wanted}

        out = rounds.load(2019, source=source, read_real=lambda s: {2012: "real 2012",
                                                                    2017: "real 2017",
                                                                    2021: "real 2021"},
                          synthetic_rounds=(2008, 2017, 2020), make_synthetic=make_synthetic,
                          make_frame=lambda y: pd.DataFrame({"year": [y]}),
                          synthetic_source="syntetiska data", **kw)
        return out, made

    def test_synthetic_without_a_source(self):
        out, made = self._load(None)
        assert dict(out) == {2008: "synthetic 2008", 2017: "synthetic 2017"}
        assert made == [([2008, 2017], [2008, 2017])]
        assert out.synthetic and out.source == "syntetiska data"
        assert sorted(out.frames) == [2008, 2017]

    def test_real_rounds_when_a_source_is_set(self):
        out, made = self._load("data/private/x", latest=True)
        assert dict(out) == {2017: "real 2017"} and made == []
        assert not out.synthetic and out.source == "data/private/x"
        assert list(out.frames) == [2017]


class TestPublicSource:
    def test_never_an_absolute_path(self, tmp_path):
        assert rounds.public_source("data/private/x") == "data/private/x"
        assert rounds.public_source(tmp_path / "lh") == "lh"
        inside = ROOT / "data" / "private" / "liv_och_halsa"
        assert rounds.public_source(inside) == "data/private/liv_och_halsa"

