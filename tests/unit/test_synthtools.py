"""Tests for analysis.synthetic.synthtools: the small pieces the synthetic generators share."""

from __future__ import annotations

import json

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


class TestCalibratedFiles:
    VALUES = {"a.const": -0.6087, "b.x.2": 0.1 + 0.2, "c": 1e-17, "d": -1.376, "e": 3.0}

    def test_write_then_read_gives_identical_floats(self, tmp_path):
        path = tmp_path / "sub" / "m.json"
        synthtools.write_calibrated(self.VALUES, path)
        back = synthtools.read_calibrated(path)
        assert list(back) == list(self.VALUES)  # order kept
        assert all(back[k].hex() == v.hex() for k, v in self.VALUES.items())  # bit for bit
        assert all(type(v) is float for v in back.values())
        assert json.loads(path.read_text(encoding="utf-8"))["b.x.2"] == 0.30000000000000004
        assert not list(path.parent.glob(".*.tmp"))

    def test_numpy_values_written_as_plain_floats(self, tmp_path):
        path = tmp_path / "m.json"
        synthtools.write_calibrated({"x": np.float64(2.5), "y": -1}, path)
        assert path.read_text(encoding="utf-8") == '{\n  "x": 2.5,\n  "y": -1.0\n}\n'

    def test_not_numbers(self, tmp_path):
        path = tmp_path / "m.json"
        path.write_text('{"x": "1.0"}', encoding="utf-8")
        with pytest.raises(ValueError, match="not a JSON object of numbers"):
            synthtools.read_calibrated(path)

    def test_the_generators_files(self):
        for name in ("liv_och_halsa", "liv_och_halsa_ung"):
            path = synthtools.calibrated_path(name)
            assert path.parent == synthtools.CALIBRATED_DIR and path.is_file()
            assert synthtools.read_calibrated(path)


class TestCalibrateMain:
    @pytest.fixture()
    def module(self, tmp_path):
        path = tmp_path / "m.json"
        synthtools.write_calibrated({"x": 1.0}, path)
        return path

    def test_usage_without_the_subcommand(self, module, capsys):
        assert synthtools.calibrate_main([], "analysis.m", module, 3, lambda r: {}) == 2
        assert "usage: python -m analysis.m calibrate" in capsys.readouterr().err

    def test_prints_and_writes(self, module, capsys):
        seen = []

        def run(replicates):
            seen.append(replicates)
            return {"x": float(replicates)}

        assert synthtools.calibrate_main(["calibrate"], "analysis.m", module, 3, run) == 0
        assert seen == [3] and synthtools.read_calibrated(module) == {"x": 1.0}
        assert '"x": 3.0' in capsys.readouterr().out
        assert synthtools.calibrate_main(["calibrate", "7", "--write"], "analysis.m", module, 3,
                                         run) == 0
        assert seen == [3, 7] and synthtools.read_calibrated(module) == {"x": 7.0}
