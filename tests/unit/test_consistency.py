"""National consistency of the kommun population series (analysis.sources.consistency)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.sources import catalog, consistency

CODES = pd.DataFrame({"municipality_code": ["0101", "0102", "0201", "0202"],
                      "county_code": ["01", "01", "02", "02"]})
MOVE = {"changes": [{"year": 2001, "kommun": "0201", "from_lan": "01", "to_lan": "02",
                     "what": "flytt"}]}


def kommuner(**over) -> pd.DataFrame:
    df = pd.DataFrame({"kommun_kod": ["0101", "0102", "0201", "0202"],
                       "1999": [10, 20, 5, 3], "2000": [11, 21, 6, 3], "2001": [12, 22, 7, 3]})
    for k, v in over.items():
        df[k] = v
    return df


def lan(values01, values02) -> pd.DataFrame:
    # two rows per län (by sex), summed by the reconciliation
    rows = []
    for code, vals in (("01", values01), ("02", values02)):
        for half in (0, 1):
            rows.append({"lan_kod": code, **{str(1999 + i): v // 2 + (v % 2) * half
                                             for i, v in enumerate(vals)}})
    return pd.DataFrame(rows)


def test_complete_series_passes_and_gaps_fail():
    consistency.check_kommun_series(kommuner(), CODES, "f.csv")
    with pytest.raises(InputError, match="0102") as e:
        consistency.check_kommun_series(kommuner().iloc[[0, 2, 3]], CODES, "f.csv")
    assert "f.csv" in str(e.value)
    with pytest.raises(InputError, match="not consecutive"):
        consistency.check_kommun_series(kommuner().drop(columns="2000"), CODES, "f.csv")
    with pytest.raises(InputError, match="positive whole") as e:
        consistency.check_kommun_series(kommuner(**{"2000": [11, None, 6, 3]}), CODES, "f.csv")
    assert "'2000'" in str(e.value) and "row 2" in str(e.value)
    with pytest.raises(InputError, match="more than one row"):
        consistency.check_kommun_series(pd.concat([kommuner(), kommuner().iloc[[1]]]),
                                        CODES, "f.csv")


def test_move_between_lan_is_applied_before_the_change_only():
    changes = consistency.parse_changes(MOVE, "cat")
    # the kommun series puts 0201 in län 02 every year; the län series had it in 01 until 1999
    # (31 December 2000 already on the division of 2001: the year before the change)
    t = consistency.reconcile_lan(kommuner(), lan([10 + 20 + 5, 11 + 21, 12 + 22], [3, 9, 10]),
                                  CODES, changes, exact_from=1999, tolerance=0, file="f.csv")
    assert (t["skillnad"] == 0).all()
    assert t.set_index(["lan_kod", "ar"]).loc[("01", 1999), "flytt"] == 5
    assert t.set_index(["lan_kod", "ar"]).loc[("01", 2000), "flytt"] == 0
    assert t.set_index(["lan_kod", "ar"]).loc[("00", 2001), "lan"] == 12 + 22 + 7 + 3
    with pytest.raises(InputError, match="län 01 1999"):
        consistency.reconcile_lan(kommuner(), lan([35, 32, 34], [3, 9, 10]), CODES, [],
                                  exact_from=1999, tolerance=0, file="f.csv")


def test_tolerance_applies_only_before_exact_from():
    lan_vals = lan([10 + 20 + 5 + 1, 11 + 21, 12 + 22], [3, 9, 10])
    changes = consistency.parse_changes(MOVE, "cat")
    t = consistency.reconcile_lan(kommuner(), lan_vals, CODES, changes, exact_from=2000,
                                  tolerance=0.05, file="f.csv")
    assert t.set_index(["lan_kod", "ar"]).loc[("01", 1999), "status"] == "inom tolerans"
    with pytest.raises(InputError, match="exact from 1999"):
        consistency.reconcile_lan(kommuner(), lan_vals, CODES, changes, exact_from=1999,
                                  tolerance=0.05, file="f.csv")


@pytest.mark.parametrize("bad, msg", [
    ({"year": 2000, "kommun": "0201", "what": "x"}, "exactly one"),
    ({"year": 2000, "kommun": "0201", "what": "x", "from_lan": "01"}, "no to_lan"),
    ({"year": 2000, "kommun": "0201"}, "lacks"),
    ({"year": 2000, "kommun": "0201", "what": "x", "from_kommun": "0101", "oops": 1}, "unknown"),
])
def test_bad_boundary_changes_are_refused(bad, msg):
    with pytest.raises(InputError, match=msg):
        consistency.parse_changes({"changes": [bad]}, "cat")


def test_change_naming_an_unknown_kommun_is_refused():
    ch = consistency.parse_changes({"changes": [{"year": 2000, "kommun": "0999",
                                                 "from_kommun": "0101", "what": "x"}]}, "c")
    with pytest.raises(InputError, match="0999"):
        consistency.check_kommun_series(kommuner(), CODES, "f.csv", ch)


def test_the_real_national_series_reconcile():
    t = catalog.check_consistency("folkmangd_kommun_riket")
    assert t is not None
    assert set(t["lan_kod"]) == {f"{c:02d}" for c in (1, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14,
                                                        17, 18, 19, 20, 21, 22, 23, 24, 25)} | {"00"}
    exact = t[t["ar"] >= 1982]
    assert (exact["skillnad"] == 0).all()
    # Heby (0331) is moved back to Västmanlands län for the years before 2006
    heby = t.set_index(["lan_kod", "ar"]).loc[("19", 2000), "flytt"]
    assert heby > 13000
    assert t.set_index(["lan_kod", "ar"]).loc[("19", 2006), "flytt"] == 0
    assert t.set_index(["lan_kod", "ar"]).loc[("00", 2015), "lan"] == 9_851_017


def test_without_the_heby_move_the_real_series_fail(monkeypatch):
    real = catalog.entry

    def no_move(name, root=None):
        ent = real(name, root)
        if name == "folkmangd_kommun_riket":
            ent = dict(ent)
            ent["boundaries"] = {"changes": [c for c in ent["boundaries"]["changes"]
                                             if "from_lan" not in c]}
        return ent

    monkeypatch.setattr(catalog, "entry", no_move)
    with pytest.raises(InputError, match="län 03 1968: kommunerna 223289, länet 209521"):
        catalog.check_consistency("folkmangd_kommun_riket")


def test_datasets_without_reconcile_return_none():
    assert catalog.check_consistency("kommunkoder") is None
