"""Tests for analysis.synthetic.synthtools: the small pieces the synthetic generators share."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.synthetic import synthtools


class TestExpit:
    def test_logistic(self):
        assert synthtools.expit(0.0) == 0.5
        assert np.allclose(synthtools.expit(np.array([-np.log(3), np.log(3)])), [0.25, 0.75])


class TestInterp:
    def test_linear_between_constant_beyond(self):
        table = {2000: 1.0, 2010: 2.0}
        assert synthtools.interp(table, 2005) == 1.5
        assert synthtools.interp(table, 1990) == 1.0 and synthtools.interp(table, 2020) == 2.0


class TestLookup:
    def test_value_per_code_zero_elsewhere(self):
        out = synthtools.lookup({"ak7": 1.0, "gy2": 3.0}, np.array(["ak7", "ak9", "gy2"]))
        assert out.tolist() == [1.0, 0.0, 3.0]


class TestWho5Items:
    C = {"sd": 1.0, "item_centre": 2.5, "item_offset": [0, 0.5, -0.5, 0, 0], "item_scale": 1.0,
         "item_sd": 0.5}

    def test_five_answers_on_the_scale_same_seed_same_answers(self):
        mean = np.linspace(-3, 3, 200)
        a = synthtools.who5_items(mean, self.C, np.random.default_rng(1))
        b = synthtools.who5_items(mean, self.C, np.random.default_rng(1))
        assert a.shape == (200, 5) and a.min() >= 0 and a.max() <= 5
        assert (a == b).all()
        assert a[:50].sum() < a[-50:].sum()  # a higher latent, higher answers


class TestWriteCalibrated:
    def test_replaces_the_block(self, tmp_path):
        src = tmp_path / "m.py"
        src.write_text('A = 1\nCALIBRATED: dict[str, float] = {\n    "x": 1.0,\n}\nB = 2\n')
        synthtools.write_calibrated({"x": 2.5, "y": -1.0}, src)
        assert src.read_text() == ('A = 1\nCALIBRATED: dict[str, float] = {\n    "x": 2.5,\n'
                                   '    "y": -1.0,\n}\nB = 2\n')

    def test_no_block(self, tmp_path):
        src = tmp_path / "m.py"
        src.write_text("A = 1\n")
        with pytest.raises(RuntimeError, match="cannot find"):
            synthtools.write_calibrated({"x": 1.0}, src)


class TestCalibrateMain:
    @pytest.fixture()
    def module(self, tmp_path):
        src = tmp_path / "m.py"
        src.write_text('CALIBRATED: dict[str, float] = {\n    "x": 1.0,\n}\n', encoding="utf-8")
        return src

    def test_usage_without_the_subcommand(self, module, capsys):
        assert synthtools.calibrate_main([], "analysis.m", module, 3, lambda r: {}) == 2
        assert "usage: python -m analysis.m calibrate" in capsys.readouterr().err

    def test_prints_and_writes(self, module, capsys):
        seen = []

        def run(replicates):
            seen.append(replicates)
            return {"x": float(replicates)}

        assert synthtools.calibrate_main(["calibrate"], "analysis.m", module, 3, run) == 0
        assert seen == [3] and '"x": 1.0' in module.read_text(encoding="utf-8")
        assert '"x": 3.0' in capsys.readouterr().out
        assert synthtools.calibrate_main(["calibrate", "7", "--write"], "analysis.m", module, 3,
                                         run) == 0
        assert seen == [3, 7] and '"x": 7.0' in module.read_text(encoding="utf-8")
