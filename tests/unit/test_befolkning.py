"""The projection chapter: inputs, the kommun outlook's constraint to the län, labels and texts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.chapters import befolkning as bf
from analysis.core import geo
from analysis.methods import working_age as wa
from analysis.sources import catalog

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("folkmangd_lan_alder_kon_riket", "fodda_lan_riket", "doda_lan_riket",
         "folkmangd_kommun_riket", "kommunkoder", "folkmangd_lan_alder_kon", "kolada_befolkning",
         "folkmangd_kommun", "regionfakta_orebro_lan")


@pytest.fixture(scope="module")
def tables():
    return {n: catalog.load(n, root=ROOT) for n in (*NAMES, "seed_figures")}


@pytest.fixture(scope="module")
def data(tables):
    return bf.prepare(*(tables[n] for n in NAMES), 2019)


@pytest.fixture(scope="module")
def proj(data):
    return bf.project(data)


class TestPrepare:
    def test_gap_and_totals(self, data):
        assert data.last_known == 2015 and data.gap == 4
        assert data.total(2019)[data.i18] == 304805
        assert data.total(2015)[data.i18] == 291012

    def test_cut_at_the_edition(self, tables):
        d = bf.prepare(*(tables[n] for n in NAMES), 2015)
        assert d.gap == 0
        assert int(d.groups["ar"].max()) == 2015
        assert int(d.lan["ar"].max()) == 2015


class TestLanTotals:
    def test_sum_of_kommuner(self, tables):
        t = bf.lan_totals(tables["folkmangd_kommun_riket"], tables["kommunkoder"], ["18", "01"],
                          [2019])
        assert t[2019][0] == 304805


class TestRegionfaktaGroups:
    def test_groups_add_up(self, tables):
        g = bf.regionfakta_groups(tables["regionfakta_orebro_lan"])
        w = g[g["ar"] == 2018].pivot_table(index="region", columns="group", values="observed")
        parts = w[["0-15", "16-24", "25-44", "45-64", "65+"]].sum(axis=1)
        assert parts.to_numpy() == pytest.approx(w["total"].to_numpy())
        assert w.loc[geo.LAN_KOD, "total"] == 302252


class TestFinerGroups:
    def test_31_44_is_25_44_less_ages_25_30(self, tables, data):
        f = bf.finer_groups(tables["regionfakta_orebro_lan"], data.groups).set_index(
            ["kommun_kod", "ar"])
        assert set(f.index.get_level_values("ar")) == {2018}
        assert (f["n31_44"] > 0).all() and len(f) == 12


class TestProject:
    def test_jump_off_is_the_edition(self, data, proj):
        assert proj.years[0] == 2019 and proj.years[-1] == bf.END_YEAR
        assert proj.pop[0, data.i18].sum() == pytest.approx(304805, abs=1)
        assert proj.pop[0].sum((-2, -1)) == pytest.approx(data.total(2019))


@pytest.fixture(scope="module")
def outlook(data, proj):
    iv = bf.intervals(bf.lan_errors(data), bf.END_YEAR - data.edition)
    kiv = bf.kommun_intervals(bf.kommun_errors(data), bf.END_YEAR - data.edition)
    return bf.kommun_outlook(data, proj, kiv, iv)


class TestKommunOutlook:
    def test_kommuner_add_up_to_the_lan(self, outlook):
        t = outlook[outlook["ar"] > 2019]
        kom = t[t["area_code"].isin(list(geo.KOMMUNER))].groupby(["group", "ar"])["value"].sum()
        lan = t[t["area_code"] == geo.LAN_KOD].set_index(["group", "ar"])["value"]
        assert kom.to_numpy() == pytest.approx(lan.reindex(kom.index).to_numpy())

    def test_labels_say_what_a_value_is(self, outlook):
        assert set(outlook.loc[outlook["ar"] > 2019, "typ"]) == {bf.PROJ}
        now = outlook[outlook["ar"] == 2019].set_index(["area_code", "group"])["typ"]
        assert now[("1880", "65+")] == bf.STAT
        assert now[("1880", "80+")] == bf.EST

    def test_intervals_contain_the_projection(self, outlook):
        t = outlook[outlook["ar"] > 2019]
        assert (t["lower80"] < t["value"]).all() and (t["value"] < t["upper80"]).all()

    def test_profile_rows_and_target_group(self, outlook, data, tables):
        rows = bf.profile_rows(outlook, "1880", 2019)
        assert list(rows["Grupp"]) == [bf.GROUP_LABELS[g] for g in bf.PROFILE_GROUPS]
        assert "(skattat)" in rows.iloc[-1, 1]
        areas = wa.by_area(wa.kommun_16_64(data.groups, data.lan))
        tg = bf.target_group_outlook(outlook, areas, data)
        assert set(tg["area_code"]) == {geo.LAN_KOD, *geo.FORBUND}
        assert tg["malgrupp"].to_numpy() == pytest.approx(0.05 * tg["n16_64"].to_numpy())


class TestTexts:
    def test_coverage_verdict(self):
        assert bf.coverage_verdict(0.7, 0.9) == "något för smala"
        assert bf.coverage_verdict(0.8, 0.95) == "ungefär lagom breda"
        assert bf.coverage_verdict(0.9, 0.99) == "något för breda"

    def test_scb_sentence(self):
        t = pd.DataFrame({"lan_namn": ["Uppsala län", "Örebro län", "Värmlands län", "Dalarnas län",
                                       "Gävleborgs län"],
                          "framskrivning": [0.15, 0.09, 0.03, 0.04, 0.035],
                          "scb": [0.10, 0.089, 0.029, 0.033, 0.032]})
        s = bf.scb_sentence(t)
        assert s.startswith("båda ger snabbast tillväxt i Uppsala")
        assert "långsammast i Dalarna, Gävleborg och Värmland" in s


@pytest.mark.slow
class TestChapter:
    def test_the_whole_section(self, data, tables):
        c = bf.chapter(data, tables["seed_figures"], tables["regionfakta_orebro_lan"])
        gv = bf.glue_values(c)
        assert gv["fr_scb_pub"] == "+8,9\u00a0%"
        assert c.better["better"] == "cc"
        assert set(c.scb["lan_kod"]) == set(bf.SEVEN_LAN)
        assert set(c.fan["typ"]) == {bf.STAT, bf.PROJ}
        assert c.check15 is not None and len(c.check15["kommun"]) == 48
        assert set(c.later["ar"]) == {2020, 2022, 2023}
        assert np.isfinite(c.coverage["andel"]).all()


class TestWithoutOrebroMaterial:
    """A region without Regionfakta's kommun age groups, the seed figures or förbund."""

    def test_prepare_without_regionfakta_splits_as_the_lan(self, tables, data):
        d = bf.prepare(*(tables[n] for n in NAMES[:-1]), None, 2019)
        assert d.input_keys == data.input_keys[:-1]
        # Regionfakta only refines 0-15/16-19 and 31-44/45-64 from 2018 on; 2017 is as before.
        assert d.shares.loc[2017].to_numpy() == pytest.approx(data.shares.loc[2017].to_numpy())
        assert not d.shares.loc[2019].equals(data.shares.loc[2019])

    def test_kommun_back_test_starts_when_every_kommun_has_data(self, tables, data):
        assert bf.kommun_first_base(data) == bf.KOMMUN_FIRST_BASE
        kolada = tables["kolada_befolkning"]
        later = kolada[~((kolada["kommun_kod"] == "1814") & (kolada["ar"] < 2003))]
        d = bf.prepare(*(tables[n] for n in NAMES[:6]), later, *(tables[n] for n in NAMES[7:]),
                       2019)
        assert bf.kommun_first_base(d) == 2003

    def test_kommun_intervals_without_forbund(self, data, monkeypatch):
        errors = bf.kommun_errors(data)
        monkeypatch.setattr(geo, "FORBUND", {})
        iv = bf.kommun_intervals(errors[~errors["region"].isin(["LO", "SN", "DK", "SO"])], 5)
        assert set(iv["kind"]) == {"kommun"}


UPPSALA = """
import json, warnings
import numpy as np
warnings.simplefilter("error", RuntimeWarning)
from analysis.chapters import befolkning as bf
from analysis.sources import catalog
d = bf.prepare(*(catalog.load(n) for n in {names!r}), None, 2019)
c = bf.chapter(d, None, None)
gv = bf.glue_values(c)
future = c.outlook[c.outlook["ar"] > 2019][["value", "lower80", "upper80"]]
print(json.dumps({{"first_base": bf.kommun_first_base(d), "pop": gv["fr_pop_now"],
                  "scb": c.scb is None, "later": len(c.later),
                  "lan_groups": c.check15["lan_groups"] is None,
                  "kommuner": int(c.check15["kommun"]["region"].nunique()),
                  "rows": list(bf.kommun_display(c.outlook, 2019)["Område"]),
                  "finite": bool(np.isfinite(future.to_numpy(float)).all()),
                  "scb_keys": [k for k in gv if k.startswith("fr_scb")]}}))
"""


@pytest.mark.slow
class TestUppsala:
    def test_the_section_for_uppsala_lan(self):
        env = dict(os.environ, **{geo.ENV_REGION: "03"})
        out = subprocess.run([sys.executable, "-c", UPPSALA.format(names=NAMES[:-1])], env=env,
                             capture_output=True, text=True, timeout=900, cwd=ROOT)
        assert out.returncode == 0, out.stderr[-3000:]
        r = json.loads(out.stdout.strip().splitlines()[-1])
        assert r["first_base"] == 2003  # Knivsta: Kolada's age groups from 2003
        assert r["pop"] == "383\u00a0713"
        assert r["scb"] and r["later"] == 0 and r["lan_groups"] and r["scb_keys"] == []
        assert r["kommuner"] == 8 and r["finite"]
        assert r["rows"][0] == "Uppsala" and r["rows"][-1] == "Uppsala län" and len(r["rows"]) == 9


def test_division_note_names_the_kommun_that_moved_between_lan():
    from analysis.chapters import befolkning as bef

    changes = [{"year": 2007, "kommun": "0331", "from_lan": "19", "to_lan": "03",
                "what": "Heby kommun flyttades från Västmanlands län till Uppsala län"},
               {"year": 2003, "kommun": "0330", "from_kommun": "0380", "what": "Knivsta"}]
    into = bef.division_note(changes, "03", 1968, 2019)
    assert into.startswith("Heby kommun flyttades") and "före 2007 saknar kommunen" in into
    assert "mellan 2006 och 2007" in into
    assert "före 2007 omfattar kommunen" in bef.division_note(changes, "19", 1968, 2019)
    assert bef.division_note(changes, "18", 1968, 2019) == ""
    assert bef.division_note(changes, "03", 2008, 2019) == ""  # a series that starts later
