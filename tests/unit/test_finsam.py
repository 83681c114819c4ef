"""Tests for analysis.chapters.finsam: the transcribed review figures, their checks, and every recomputed figure."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from analysis.chapters import finsam
from analysis.core import geo, text
from analysis.core.errors import InputError
from analysis.sources import catalog


@pytest.fixture(scope="module")
def raw_path():
    return catalog.path("finsam_genomlysning")


@pytest.fixture(scope="module")
def fig():
    return finsam.figures(catalog.load("finsam_genomlysning"))


def _write(tmp_path, df: pd.DataFrame):
    p = tmp_path / "figures.csv"
    df.to_csv(p, index=False)
    return p


@pytest.fixture()
def raw_df(raw_path):
    return pd.read_csv(raw_path, dtype=str, keep_default_na=False)


class TestQuotes:
    def test_every_quote_on_its_line(self, fig):
        """Each quote is an exact substring of the stated line of the catalogued seed text."""
        cat = catalog.read_catalog()
        src = cat["sources"]["region_orebro_genomlysning_finsam"]
        txt = catalog.project_root() / "data" / src["folder"] / finsam.SEED_FILE
        catalog.check_md5(txt, src["files"][finsam.SEED_FILE])
        assert finsam.check_quotes(fig, txt.read_text(encoding="utf-8")) == []

    def test_wrong_quote_is_reported(self, fig):
        bad = fig.copy()
        bad.loc[0, "quote"] = "not in the text"
        text = "\n".join(["x"] * 3000)
        assert len(finsam.check_quotes(bad.head(1), text)) == 1


class TestReadFigures:
    def test_reads_the_catalogued_file(self, raw_path):
        df = finsam.read_figures(raw_path)
        assert set(df["area_code"]) == {"LO", "SN", "DK", "SO", "1814", "1880", "18"}

    def test_missing_forbund(self, tmp_path, raw_df):
        df = raw_df[~((raw_df["indicator"] == "ae_pagaende") & (raw_df["forbund_kod"] == "DK"))]
        with pytest.raises(InputError, match=r"ae_pagaende.*DK"):
            finsam.read_figures(_write(tmp_path, df))

    def test_non_numeric_count(self, tmp_path, raw_df):
        df = raw_df.copy()
        df.loc[3, "value"] = "ca 140"
        with pytest.raises(InputError, match="not a number") as exc:
            finsam.read_figures(_write(tmp_path, df))
        assert exc.value.column == "value" and exc.value.rows == [4]

    def test_forbund_not_in_mapping(self, tmp_path, raw_df):
        df = raw_df.copy()
        df.loc[1, "forbund_kod"] = "XX"
        with pytest.raises(InputError, match="not an allowed code") as exc:
            finsam.read_figures(_write(tmp_path, df))
        assert exc.value.column == "forbund_kod"

    def test_kommun_under_two_forbund(self, tmp_path, raw_df):
        df = raw_df.copy()
        i = df.index[(df["kommun_kod"] == "1814")][0]
        df.loc[i, "forbund_kod"] = "SN"
        with pytest.raises(InputError, match="1814 is listed under two förbund"):
            finsam.read_figures(_write(tmp_path, df))

    def test_kommun_under_wrong_forbund(self, tmp_path, raw_df):
        df = raw_df.copy()
        df.loc[df["kommun_kod"] == "1814", "forbund_kod"] = "SN"
        with pytest.raises(InputError, match="1814 belongs to förbund LO, not SN"):
            finsam.read_figures(_write(tmp_path, df))

    def test_mapping_with_kommun_under_two_forbund(self, raw_path):
        df = catalog.read_table(raw_path, "csv", "finsam_genomlysning")
        mapping = {k: f.kommuner for k, f in geo.FORBUND.items()}
        mapping["SN"] = (*mapping["SN"], "1814")
        with pytest.raises(InputError, match="1814 is listed under both LO and SN"):
            finsam.check_figures(df, "x.csv", forbund=mapping)

    def test_lan_row_with_code(self, tmp_path, raw_df):
        df = raw_df.copy()
        i = df.index[df["area_type"] == "lan"][0]
        df.loc[i, "forbund_kod"] = "LO"
        with pytest.raises(InputError, match="län row"):
            finsam.read_figures(_write(tmp_path, df))

    def test_unknown_indicator(self, tmp_path, raw_df):
        df = raw_df.copy()
        df.loc[0, "indicator"] = "typo"
        with pytest.raises(InputError, match="not an allowed code"):
            finsam.read_figures(_write(tmp_path, df))


class TestValue:
    def test_lookup(self, fig):
        assert finsam.value(fig, "malgrupp_5pct", "1814") == 230
        with pytest.raises(LookupError):
            finsam.value(fig, "adminkostnad_andel_tilldelning", "LO")  # two periods

    def test_source(self, fig):
        assert finsam.source(fig, "malgrupp_5pct", "SN") == "Bilaga 1: »1576 1157 1297 9108«"


class TestBottomUp:
    def test_total_11519(self, fig):
        bu = finsam.bottom_up_check(fig).set_index("matt")
        assert (bu["status"].iloc[:-1] == "lika").all()
        row = bu.iloc[0]
        assert row["published"] == row["computed"] == 11519

    def test_rows_in_sum(self, fig):
        b = finsam.bilaga1_table(fig).set_index("indicator")
        ins = set(b.index[b["ingar_i_summan"] == "ja"])
        assert ins == {"ae_pagaende", "sjukskrivning_365d", "langtidsarbetslosa",
                       "forsorjningsstod_10man"}
        assert b.loc[list(ins), geo.LAN_KOD].sum() == 11519

    def test_uncertain_correction(self, fig):
        bu = finsam.bottom_up_check(fig)
        last = bu.iloc[-1]
        assert (last["published"], last["computed"], last["status"]) == (416, 412, "avviker")

    def test_long_term_unemployed(self, fig):
        lt = finsam.long_term_unemployed_by_forbund(fig).set_index("area_code")
        assert lt["langtidsarbetslosa"].to_dict() == {"LO": 2997, "SN": 855, "DK": 556, "SO": 950}


class TestReach:
    def test_participants_610(self, fig):
        r = finsam.reach_table(fig).set_index("area_code")
        assert r.loc[["1814", "1880", "SN", "DK", "SO"], "deltagare"].tolist() == [42, 121, 131, 243, 73]
        assert r.loc[geo.LAN_KOD, "deltagare"] == finsam.value(fig, "deltagare") == 610
        assert r.loc["LO", "deltagare"] == 163

    def test_closures(self, fig):
        r = finsam.reach_table(fig).set_index("area_code")
        assert r.loc["1814", "avslut"] == 11
        assert r.loc[geo.LAN_KOD, "avslut"] == 137

    def test_check_all_equal(self, fig):
        rc = finsam.reach_check(fig)
        assert rc["status"].tolist() == ["lika", "lika", "härledd"]


class TestFinance:
    def test_admin_shares(self, fig):
        fc = finsam.finance_check(fig)
        a19 = fc[fc["matt"].str.contains("2019") & fc["matt"].str.startswith("Administration")]
        st = dict(zip(a19["area_code"], a19["status"], strict=True))
        assert st == {"LO": "lika efter avrundning", "SN": "lika efter avrundning",
                      "DK": "lika om extra medel räknas in", "SO": "lika efter avrundning"}
        dk = a19.set_index("area_code").loc["DK", "computed"]
        assert dk == pytest.approx(100 * 1238 / 5600)

    def test_2018_not_computable(self, fig):
        fc = finsam.finance_check(fig)
        assert (fc.loc[fc["matt"].str.contains("2018"), "status"] == "kan inte beräknas").all()

    def test_cost_split_sums(self, fig):
        ft = finsam.finance_table(fig).set_index("area_code")
        assert (100 * ft["kostnad_summa"]).round().astype(int).to_dict() == {
            "LO": 100, "SN": 99, "DK": 100, "SO": 100}

    def test_budget_and_equity(self, fig):
        ft = finsam.finance_table(fig)
        assert ft["tilldelning"].sum() == pytest.approx(22900)
        eq = finsam.equity(fig)
        assert round(100 * eq["andel"]) == finsam.value(fig, "eget_kapital_andel", period="2019") == 24
        assert eq["over_tak_mnkr"] == pytest.approx(5.6 - 0.2 * 22.9)

    def test_per_participant(self, fig):
        ft = finsam.finance_table(fig).set_index("area_code")
        assert ft.loc["DK", "tilldelning_per_deltagare"] == pytest.approx(5600 / 243)
        assert ft.loc["LO", "tilldelning_per_avslut"] == pytest.approx(8000 / 24)


class TestMtCt:
    def test_sums_exact(self, fig):
        mc = finsam.mtct_check(fig)
        assert (mc["status"] == "lika").all() and len(mc) == 9

    def test_column_reading(self, fig):
        t = finsam.mtct_table(fig).set_index("team")
        assert t.loc["Lekeberg", "fte_mt"] == pytest.approx(0.85)
        assert t.loc["Örebro", "fte_ct"] == pytest.approx(5.0)
        assert 600_000 < t.loc["Örebro", "kr_per_fte_ct"] < 660_000
        assert np.isnan(t.loc["Degerfors/Karlskoga", "kr_per_fte_mt"])


class TestIndicatorsByForbund:
    def test_side_by_side(self, fig):
        areas = pd.DataFrame({"area_code": list(geo.FORBUND), "ar": 2019,
                              "n16_64": [100000.0, 30000.0, 20000.0, 25000.0]})
        ib = finsam.indicators_by_forbund(fig, areas).set_index("area_code")
        assert ib["deltagare"].sum() == 610 and ib["avslut"].sum() == 137
        assert ib.loc["SO", "kr_per_16_64"] == pytest.approx(4_000_000 / 25000)


class TestNotReproduced:
    def test_numbers_from_data(self, fig):
        notes = finsam.not_reproduced(fig, 182807)
        joined = " ".join(notes)
        assert "182\u00a0160" in joined and "182\u00a0807" in joined and "412" in joined


def test_schema_is_strict(raw_path):
    text = raw_path.read_text(encoding="utf-8")
    bad = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).assign(extra="x")
    with pytest.raises(InputError, match="unexpected column"):
        catalog.validate(bad, "finsam_genomlysning", "x.csv")


class TestFmt:
    def test_formats(self):
        assert finsam.fmt(11519.0) == "11\u00a0519"
        assert finsam.fmt(5.6) == "5,6"
        assert finsam.fmt(0.85) == "0,85"
        assert finsam.fmt(float("nan")) == ".."


class TestFmtBilaga1:
    def test_decimals_only_when_there_are_any(self):
        assert finsam.fmt_bilaga1(4848.0) == "4\u00a0848"
        assert finsam.fmt_bilaga1(6.7) == "6,7"
        assert finsam.fmt_bilaga1(float("nan")) == ".."


def _areas(year=2019):
    """A small by_area table: two förbund and their kommuner, the target group = 5 % of 16–64."""
    rows = [("LO", "forbund", "Lekeberg/Örebro", 100.0), ("SN", "forbund", "Sydnärke", 40.0),
            ("1814", "kommun", "Lekeberg", 10.0), ("1880", "kommun", "Örebro", 90.0)]
    out = pd.DataFrame(rows, columns=["area_code", "area_type", "area_name", "n16_64"])
    out["ar"] = year
    out["total"] = 2 * out["n16_64"]
    out["andel_16_64"] = 0.5
    out["malgrupp"] = 0.05 * out["n16_64"]
    return out


class TestComputedTargetGroup:
    def test_forbund_overview(self):
        fb = _areas().query("area_type == 'forbund'").set_index("area_code")
        t = finsam.forbund_overview(fb)
        assert list(t.columns) == ["Förbund", "Kommuner", "Folkmängd", "16–64 år", "Målgrupp (5 %)"]
        assert t.loc[0, "Förbund"] == geo.FORBUND["LO"].fullt_namn
        assert t.loc[0, "Kommuner"] == "Lekeberg, Örebro" and t.loc[0, "Målgrupp (5 %)"] == 5

    def test_kommun_target_change(self):
        now = _areas(2019).set_index("area_code")
        then = _areas(2009).assign(malgrupp=lambda d: d["malgrupp"] / 2).set_index("area_code")
        k = finsam.kommun_target_change(now, then).set_index("area_code")
        assert list(k.index) == ["1814", "1880"]
        assert k["forandring"].tolist() == pytest.approx([1.0, 1.0])
        assert k.loc["1880", "förbund"] == geo.forbund_namn("LO")

    def test_kommun_target_rows(self, fig):
        mg = _areas().query("area_code == '1880'")
        rows = finsam.kommun_target_rows(mg, fig, "1880", finsam.REVIEW_YEAR)
        assert len(rows) == 2 and rows.loc[0, "Målgrupp (5 %)"] == "0"
        assert rows.loc[1, "Målgrupp (5 %)"] == "4\u00a0848"
        assert rows.loc[1, "År"] == str(finsam.REVIEW_YEAR)
        assert len(finsam.kommun_target_rows(mg, fig, "1880", finsam.REVIEW_YEAR - 4)) == 1
        assert len(finsam.kommun_target_rows(mg, fig, "1861", finsam.REVIEW_YEAR)) == 1


class TestForbundVsOthers:
    def test_others_are_the_sum_of_the_rest(self, fig):
        areas = pd.DataFrame({"area_code": list(geo.FORBUND), "ar": 2019,
                              "n16_64": [100000.0, 30000.0, 20000.0, 25000.0]})
        ib = finsam.indicators_by_forbund(fig, areas).set_index("area_code")
        t = finsam.forbund_vs_others(fig, ib, "SO").set_index("Mått")
        assert list(t.columns) == [geo.FORBUND["SO"].namn, "Övriga förbund", "Källa"]
        others = ib.drop(index="SO")
        assert t.loc["Deltagare (täckningsgrad × målgrupp)", "Övriga förbund"] == \
            text.num(others["deltagare"].sum())
        assert t.loc["Målgrupp (5 %, Bilaga 1)", "Övriga förbund"] == ".."
