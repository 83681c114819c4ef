"""Regional tables cut from national files (analysis.sources.regional, catalog.resolve): for
Örebro län every converter reproduces the Örebro file from the national one, and a process
started for another region (ANALYSIS_REGION) loads that region's part in the same columns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from analysis.core import geo
from analysis.core.errors import InputError
from analysis.sources import catalog, regional

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = catalog.read_catalog(ROOT)["datasets"]
#: Datasets that are one region's part of a national table.
REGIONAL = sorted(n for n, e in ENTRIES.items() if e.get("national"))
#: Datasets of one region that no national table covers.
REGION_ONLY = sorted(n for n, e in ENTRIES.items() if e.get("region") and not e.get("national"))
OREBRO, UPPSALA, RIKET = geo.region("18"), geo.region("03"), geo.region("riket")


def test_the_regional_and_region_only_datasets():
    assert REGIONAL == ["doda_lan", "fodda_lan", "folkmangd_kommun", "folkmangd_lan_alder_kon",
                        "kolada_befolkning", "kommungranser", "lansgrans"]
    assert REGION_ONLY == ["ekonomiskt_bistand_kommun_2020", "finsam_genomlysning",
                           "newsworthy_orebro_lan_kommun", "regionfakta_orebro_lan",
                           "seed_figures"]
    assert geo.REGION.kod == "18", "the unit tests run for the default region"


# --------------------------------------------------------------------------- the key test
@pytest.mark.parametrize("name", REGIONAL)
def test_national_table_cut_to_orebro_is_the_orebro_file(name):
    """Each converter applied to the national file gives exactly the Örebro file's validated
    table (values, columns, dtypes, row order), after the same validation."""
    ent = catalog.entry(name, ROOT)
    national = catalog.load(ent["national"]["dataset"], root=ROOT)
    cut = regional.reshape(ent["national"]["reshape"], national, OREBRO)
    if ent.get("schema"):
        cut = catalog.validate(cut, ent["schema"], name)
    catalog.check_complete(cut, ent.get("complete"), name)
    own = catalog.load(name, root=ROOT)
    pd.testing.assert_frame_equal(cut, own)
    if isinstance(own, gpd.GeoDataFrame):
        assert cut.crs == own.crs and cut.geometry.geom_equals_exact(own.geometry, 0).all()


def test_kolada_differs_from_scb_only_at_knivsta_before_2003():
    """What the kolada_befolkning note says, exactly: Kolada's totals follow each year's kommun
    division, SCB's series the 2020 division."""
    kolada = regional.kolada_befolkning(catalog.load("kolada_befolkning_riket", root=ROOT), RIKET)
    scb = regional.folkmangd_kommun(catalog.load("folkmangd_kommun_riket", root=ROOT), RIKET)
    both = kolada[kolada["nyckeltal"] == "Invånare totalt, antal"].merge(scb, on=["kommun_kod", "ar"])
    diff = both[both["varde"].ne(both["folkmangd"])]
    assert sorted(set(diff["kommun_kod"])) == ["0330", "0380"]
    assert sorted(set(diff["ar"])) == [1998, 1999, 2000, 2001]
    assert diff[diff["kommun_kod"] == "0330"]["varde"].isna().all()  # Knivsta: no value
    upp = diff[diff["kommun_kod"] == "0380"].set_index("ar")
    kni = diff[diff["kommun_kod"] == "0330"].set_index("ar")
    assert (upp["varde"] == upp["folkmangd"] + kni["folkmangd"]).all()  # Uppsala with Knivsta


# --------------------------------------------------------------------------- converters
def _lan_wide():
    rows = []
    for lan, namn in (("03", "Uppsala län"), ("18", "Örebro län")):
        for kon in ("kvinnor", "män"):
            for alder in ("0", "1"):
                rows.append([lan, namn, kon, alder, 10 * int(lan) + int(alder), 1])
    return pd.DataFrame(rows, columns=["lan_kod", "lan_namn", "kon", "alder", "2000", "2001"])


def test_lan_converter_runs_age_by_age_and_riket_sums_the_lan():
    out = regional.folkmangd_lan(_lan_wide(), UPPSALA)
    assert list(out.columns) == ["lan_kod", "lan_namn", "ar", "kon", "alder", "folkmangd"]
    assert list(zip(out["alder"], out["kon"], out["ar"], strict=True))[:5] == [
        ("0", "kvinnor", 2000), ("0", "kvinnor", 2001), ("0", "män", 2000), ("0", "män", 2001),
        ("1", "kvinnor", 2000)]
    assert set(out["lan_kod"]) == {"03"} and out["folkmangd"].iloc[0] == 30
    riket = regional.folkmangd_lan(_lan_wide(), RIKET)
    assert set(riket["lan_kod"]) == {"00"} and set(riket["lan_namn"]) == {"Riket"}
    assert riket["folkmangd"].iloc[0] == 30 + 180 and len(riket) == len(out)


def test_kolada_converter_keeps_alla_kommuner():
    wide = pd.DataFrame({"nyckeltal": ["a"] * 3, "kommun_kod": ["0000", "0305", "1880"],
                         "kommun_namn": ["Alla kommuner", "Håbo", "Örebro"],
                         "1998": [1.0, 2.0, None]})
    out = regional.kolada_befolkning(wide, UPPSALA)
    assert list(out["kommun_kod"]) == ["0000", "0305"]
    assert list(out.columns) == ["kommun_kod", "kommun_namn", "nyckeltal", "ar", "varde"]
    assert list(regional.kolada_befolkning(wide, RIKET)["kommun_kod"]) == ["0000", "0305", "1880"]


def test_lansgrans_for_riket_is_one_dissolved_polygon():
    gdf = gpd.GeoDataFrame({"lan_kod": ["03", "18"], "lan_namn": ["Uppsala län", "Örebro län"]},
                           geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:4326")
    one = regional.lansgrans(gdf, RIKET)
    assert len(one) == 1 and one["lan_kod"].iloc[0] == "00" and one.crs == gdf.crs
    assert one.geometry.iloc[0].area == pytest.approx(2.0)
    assert list(regional.lansgrans(gdf, UPPSALA)["lan_kod"]) == ["03"]


def test_unknown_converter():
    with pytest.raises(KeyError, match="No converter"):
        regional.reshape("nope", pd.DataFrame(), OREBRO)


# --------------------------------------------------------------------------- resolve
@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_own_region_resolves_to_the_entry_itself(name):
    """What region 18 reads, cites and keys on is unchanged."""
    assert catalog.resolve(name, ROOT) == catalog.entry(name, ROOT)
    assert catalog.resolve(name, ROOT, region="18") == catalog.entry(name, ROOT)
    assert catalog.available(name, ROOT)


@pytest.mark.parametrize("name", REGIONAL)
@pytest.mark.parametrize("region", ["03", "riket"])
def test_other_region_resolves_to_the_national_file(name, region):
    ent, own = catalog.resolve(name, ROOT, region=region), catalog.entry(name, ROOT)
    nat = catalog.entry(own["national"]["dataset"], ROOT)
    assert (ent["relpath"], ent["md5"], ent["source"]) == (nat["relpath"], nat["md5"],
                                                           nat["source"])
    assert (ent.get("schema"), ent.get("complete"), ent["columns"]) == (
        own.get("schema"), own.get("complete"), own["columns"])
    assert ent["national_schema"] == nat.get("schema") and ent["region"] == geo.region(region).kod
    assert "Örebro" not in ent["title"] and "{" not in ent["title"]
    assert (" riket" if region == "riket" else " Uppsala län") in ent["title"]
    assert "reconcile" not in ent and "national" not in ent


@pytest.mark.parametrize("name", REGION_ONLY)
def test_region_only_tables_are_unavailable_elsewhere(name):
    assert catalog.resolve(name, ROOT, region="03")["available"] is False


@pytest.mark.parametrize("bad, msg", [
    ({"dataset": "folkmangd_kommun_riket"}, "needs dataset and reshape"),
    ({"dataset": "folkmangd_kommun_riket", "reshape": "x"}, "not a converter"),
    ({"dataset": "folkmangd_kommun_riket", "reshape": "folkmangd_kommun", "extra": 1}, "needs"),
])
def test_bad_national_spec_is_refused(bad, msg):
    own = {**catalog.entry("folkmangd_kommun", ROOT), "national": bad}
    with pytest.raises(InputError, match=msg):
        regional.resolve_entry("folkmangd_kommun", own,
                               catalog.entry("folkmangd_kommun_riket", ROOT), UPPSALA, "x")


# --------------------------------------------------------------------------- other regions
SCRIPT = r"""
import json
from pathlib import Path
from analysis.book import jobs, params
from analysis.core import geo
from analysis.core.errors import InputError
from analysis.sources import catalog
root = Path.cwd()
out = {"region": geo.REGION.kod, "kommuner": len(geo.KOMMUNER), "tables": {}}
for name in %(names)r:
    df = catalog.load(name)
    codes = sorted(set(df["kommun_kod"])) if "kommun_kod" in df else []
    out["tables"][name] = {
        "rows": len(df), "columns": list(df.columns),
        "dtypes": [str(t) for t in df.dtypes], "kommuner": [c for c in codes if c != "0000"],
        "lan_kod": sorted(set(df["lan_kod"])) if "lan_kod" in df else [],
        "lan_namn": sorted(set(df["lan_namn"])) if "lan_namn" in df else [],
        "md5": df.attrs["catalog"]["md5"], "title": df.attrs["catalog"]["title"],
        "citation": catalog.citation(name)}
    if name == "folkmangd_lan_alder_kon":
        out["lan_total_2015"] = int(df.loc[df["ar"] == 2015, "folkmangd"].sum())
out["refused"] = {}
for name in %(region_only)r:
    try:
        catalog.load(name)
    except InputError as exc:
        out["refused"][name] = str(exc)
ed = params.load_edition(root / "params" / "2019.yml")
names = [n for j in jobs.plan(root, ed) for n in j.inputs]
params.check_edition_data(root, ed, names)
out["checked"] = params.check_inputs(root, names)
print("JSON" + json.dumps(out))
"""


def _run(region: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")}
    env.update({geo.ENV_REGION: region, "PYTHONPATH": str(ROOT / "src")})
    code = SCRIPT % {"names": REGIONAL, "region_only": REGION_ONLY}
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout.split("JSON", 1)[1])


@pytest.fixture(scope="module")
def orebro_shapes():
    return {n: (list(df.columns), [str(t) for t in df.dtypes], len(df))
            for n in REGIONAL for df in [catalog.load(n, root=ROOT)]}


@pytest.mark.parametrize("key", ["03", "riket"])
def test_a_process_for_another_region_loads_its_part(key, orebro_shapes):
    region = geo.region(key)
    out = _run(key)
    assert out["region"] == region.kod and out["kommuner"] == len(region.kommuner)
    assert out["kommuner"] == (8 if key == "03" else 290)
    for name, t in out["tables"].items():
        columns, dtypes, n_orebro = orebro_shapes[name]
        assert (t["columns"], t["dtypes"]) == (columns, dtypes), name  # the regional schema
        if name in ("folkmangd_kommun", "kolada_befolkning", "kommungranser"):
            assert t["kommuner"] == sorted(region.kommuner), name
        else:
            assert t["lan_kod"] == [region.kod], name
            assert t["lan_namn"] == [region.namn if region.is_riket else "Uppsala län"], name
        if name in ("folkmangd_lan_alder_kon", "fodda_lan", "doda_lan"):
            assert t["rows"] == n_orebro, name  # the same ages, sexes and years
        assert "Örebro" not in t["title"] and "Örebro" not in t["citation"], name
        assert t["citation"] == catalog.citation(ENTRIES[name]["national"]["dataset"], root=ROOT)
        assert t["md5"] != catalog.entry(name, ROOT)["md5"]
    # riket: the sum of the 21 län (SCB's 2015 total, PROVENANCE.md); Uppsala län its own
    assert out["lan_total_2015"] == (9_851_017 if key == "riket" else 354_164)
    assert sorted(out["refused"]) == REGION_ONLY
    assert all("exists for region 18 only" in m for m in out["refused"].values())
    assert not set(out["checked"]) & set(REGION_ONLY) and "folkmangd_kommun" in out["checked"]


def test_each_region_keeps_its_own_table_in_the_work_cache(tmp_path, monkeypatch):
    """Builds of two regions share a work cache: their kept tables of one dataset have different
    names, so neither evicts the other's (catalog._write_cached drops a name's other keys)."""
    monkeypatch.setenv("ANALYSIS_WORK_CACHE", str(tmp_path / "work"))
    files = {catalog._frame_cache("folkmangd_kommun", catalog.resolve("folkmangd_kommun", ROOT,
                                                                      region=r)).name
             for r in ("18", "03", "riket")}
    stems = {f.rsplit("-", 1)[0] for f in files}
    assert stems == {"folkmangd_kommun", "folkmangd_kommun.03", "folkmangd_kommun.00"}
