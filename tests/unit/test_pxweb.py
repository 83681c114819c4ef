"""Tests for analysis.sources.pxweb: parsers on recorded SCB answers, the PxWebApi 2.0 client, the population fetch.

Fully offline. Recorded answers are in ``tests/fixtures/pxweb/`` (see its PROVENANCE.md); HTTP is
replaced by a fake session that serves those files and answers data requests with slices of a
JSON-stat 2.0 dataset, and time by a fake clock.

Documentation followed (also named in the module docstring of ``analysis.sources.pxweb``):
PxWebApi 2.0 OpenAPI spec, https://raw.githubusercontent.com/PxTools/PxApiSpecs/refs/tags/v2.0.0/PxAPI-2.yml;
SCB "Öppna data", https://www.scb.se/vara-tjanster/oppna-data/;
pxwebpy API reference (TAB638 examples), https://github.com/stefur/pxwebpy;
rOpenGov pxweb v2 query helpers, https://www.rdocumentation.org/packages/pxweb/versions/0.19.2/topics/pxweb_query_helpers;
JSON-stat format, https://json-stat.org/format/;
PX file format 2013, https://www.pxtools.net/px-file-format/px-2013.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
from datetime import date
from itertools import product
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest
import requests
import yaml

from analysis.core import geo
from analysis.core.errors import InputError
from analysis.sources import pxweb
from analysis.sources.pxweb import FetchError, PxWebClient

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "pxweb"
BASE = "https://statistikdatabasen.scb.se/api/v2"
OFFLINE = (
    "cannot reach SCB (statistikdatabasen.scb.se): Name or service not known. "
    "You are offline or SCB is down; the book keeps using the catalogued data in data/raw/"
)


def load(name: str) -> dict:
    return json.loads((FIX / name).read_bytes())


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any real HTTP call fails the test: everything here is offline."""

    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to use the network")

    monkeypatch.setattr(requests.Session, "request", refuse)


def statuses(df: pd.DataFrame) -> list[str | None]:
    return [None if pd.isna(s) else s for s in df["status"]]


# ----------------------------------------------------------------------------- fakes


class FakeClock:
    """Monotonic clock that only moves when something sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeResponse:
    def __init__(self, status_code: int, content: bytes, headers: dict | None = None) -> None:
        self.status_code = status_code
        self.content = content
        self.headers = headers or {}


def slice_jsonstat(full: dict, selection: dict[str, list[str]]) -> dict:
    """What a PxWebApi 2.0 server answers: selected codes kept (table order), left-out variables summed."""
    ids, sizes = full["id"], full["size"]
    arr = np.array([np.nan if v is None else v for v in full["value"]], dtype=float).reshape(sizes)
    out = copy.deepcopy({k: v for k, v in full.items() if k not in ("value", "status")})
    out_ids, axis = [], 0
    for dim in ids:
        index = full["dimension"][dim]["category"]["index"]
        codes = sorted(index, key=index.get)
        if dim in selection:
            keep = [c for c in codes if c in selection[dim]]
            unknown = set(selection[dim]) - set(codes)
            if unknown:
                raise KeyError(f"{dim}: {sorted(unknown)}")
            arr = np.take(arr, [index[c] for c in keep], axis=axis)
            cat = out["dimension"][dim]["category"]
            cat["index"] = {c: i for i, c in enumerate(keep)}
            cat["label"] = {c: cat["label"][c] for c in keep}
            out_ids.append(dim)
            axis += 1
        else:
            arr = arr.sum(axis=axis)
            del out["dimension"][dim]
    out["id"] = out_ids
    out["size"] = list(arr.shape)
    out["value"] = [None if math.isnan(v) else int(v) if float(v).is_integer() else v for v in arr.ravel()]
    return out


class FakeSession:
    """Serves /config, /tables/{id}/metadata and /tables/{id}/data from fixtures."""

    def __init__(self, config: dict, metadata: dict, data: dict, table: str, clock: FakeClock | None = None):
        self.config, self.metadata, self.data, self.table = config, metadata, data, table
        self.clock = clock or FakeClock()
        self.calls: list[dict] = []
        self.fail_data_from: int | None = None  # 1-based data request from which to fail
        self.script: list[FakeResponse | Exception] = []  # served first, one per request

    def data_calls(self) -> list[dict]:
        return [c for c in self.calls if c["path"].endswith("/data")]

    def request(self, method, url, params=None, json=None, timeout=None):  # noqa: A002
        path = urlsplit(url).path
        self.calls.append(
            {"t": self.clock(), "method": method, "path": path, "params": dict(params or {}), "json": json}
        )
        assert timeout is not None, "every call must have a timeout"
        if self.script:
            item = self.script.pop(0)
            if isinstance(item, Exception):
                raise item
            return item
        if path == "/api/v2/config":
            return FakeResponse(200, _bytes(self.config))
        if path == f"/api/v2/tables/{self.table}/metadata":
            return FakeResponse(200, _bytes(self.metadata))
        if path == f"/api/v2/tables/{self.table}/data":
            if self.fail_data_from is not None and len(self.data_calls()) >= self.fail_data_from:
                raise requests.ConnectionError("Connection reset by peer")
            if method == "POST":
                selection = {s["variableCode"]: s["valueCodes"] for s in json["selection"]}
            else:
                selection = {
                    k[len("valueCodes[") : -1]: v.split(",")
                    for k, v in params.items()
                    if k.startswith("valueCodes[")
                }
            assert params["outputFormat"] == "json-stat2" and params["lang"] == "sv"
            return FakeResponse(200, _bytes(slice_jsonstat(self.data, selection)))
        return FakeResponse(404, b'{"type":"Parameter error","title":"Non-existent table","status":404}')


def _bytes(obj: dict) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def tab6471_session(max_cells: int | None = None, clock: FakeClock | None = None) -> FakeSession:
    config = load("config.json")
    if max_cells is not None:
        config["maxDataCells"] = max_cells
    return FakeSession(config, load("TAB6471_metadata.json"), load("TAB6471_data.json"), "TAB6471", clock)


def client_for(session: FakeSession, **kw) -> PxWebClient:
    clock = session.clock
    return PxWebClient(session=session, clock=clock, sleep=clock.sleep, **kw)


def full_selection(data: dict) -> dict[str, list[str]]:
    out = {}
    for dim in data["id"]:
        index = data["dimension"][dim]["category"]["index"]
        out[dim] = sorted(index, key=index.get)
    return out


# A synthetic TAB638 (we have no recorded v2 answer for it): variables, codes and elimination
# flags as documented (see the module docstring), values from a seeded generator.
TAB638_REGIONS = ["00", "18", *geo.KOMMUNER, "1980"]
TAB638_AGES = [*pxweb.POPULATION_AGES, "tot"]
TAB638_YEARS = [str(y) for y in range(2014, 2025)]


def tab638_dims() -> list[tuple[str, str, list[str], bool]]:
    return [
        ("Region", "region", TAB638_REGIONS, True),
        ("Civilstand", "civilstånd", ["OG", "G", "SK", "ÄNKL"], True),
        ("Alder", "ålder", TAB638_AGES, True),
        ("Kon", "kön", ["1", "2"], True),
        ("ContentsCode", "tabellinnehåll", ["BE0101N1", "BE0101N2"], False),
        ("Tid", "år", TAB638_YEARS, False),
    ]


def tab638_dataset(values: list | None) -> dict:
    names = {"00": "Riket", "18": "Örebro län", "1980": "Västerås", **geo.KOMMUNER}
    labels = {
        "Region": names,
        "Civilstand": {"OG": "ogifta", "G": "gifta", "SK": "skilda", "ÄNKL": "änkor/änklingar"},
        "Kon": {"1": "män", "2": "kvinnor"},
        "ContentsCode": {"BE0101N1": "Folkmängd", "BE0101N2": "Folkökning"},
    }
    dims = {}
    for dim, label, codes, elim in tab638_dims():
        lab = labels.get(dim, {})
        dims[dim] = {
            "label": label,
            "category": {"index": {c: i for i, c in enumerate(codes)}, "label": {c: lab.get(c, c) for c in codes}},
            "extension": {"elimination": elim, "codelists": []},
        }
    dims["Region"]["extension"]["codelists"] = [
        {"id": "vs_RegionRiket99", "label": "Riket", "type": "Valueset"},
        {"id": "vs_RegionLän07", "label": "Län", "type": "Valueset"},
        {"id": "vs_RegionKommun07", "label": "Kommuner", "type": "Valueset"},
    ]
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "Folkmängden efter region, civilstånd, ålder och kön. År 1968 - 2024",
        "source": "SCB",
        "updated": "2025-02-21T07:00:00Z",
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "id": [d[0] for d in tab638_dims()],
        "size": [len(d[2]) for d in tab638_dims()],
        "dimension": dims,
        "extension": {"px": {"tableid": "TAB638", "matrix": "BefolkningNy"}},
        "value": values if values is not None else [],
    }


def tab638_values(seed: int = 638) -> np.ndarray:
    shape = [len(d[2]) for d in tab638_dims()]
    return np.random.default_rng(seed).integers(0, 500, size=shape)


def tab638_session(max_cells: int = 150000, values: np.ndarray | None = None) -> FakeSession:
    config = load("config.json")
    config["maxDataCells"] = max_cells
    vals = tab638_values() if values is None else values
    return FakeSession(config, tab638_dataset(None), tab638_dataset(vals.ravel().tolist()), "TAB638")


# ----------------------------------------------------------------------------- parsers


class TestParseJsonstat:
    def test_tab6471_v2_shape_order_and_known_values(self):
        df = pxweb.parse_jsonstat(FIX / "TAB6471_data.json")
        assert len(df) == 21 * 11 * 3 * 1 * 4 == 2772
        assert list(df.columns[:5]) == ["Region", "Alder", "Kon", "ContentsCode", "Tid"]
        assert list(df.columns[-1:]) == ["value"]
        # row-major: Tid (last in id) varies fastest
        assert list(df["Tid"][:4]) == ["2026M01", "2026M02", "2026M03", "2026M04"]
        assert df["value"][:4].tolist() == [245284, 247245, 249358, 251635]
        assert df.attrs["table_id"] == "TAB6471" and df.attrs["updated"] == "2026-06-08T06:00:00Z"
        orebro = df[df["Region"] == "18"]
        assert set(orebro["Region_label"]) == {"Örebro län"}
        row = orebro[(orebro["Alder"] == "0-9") & (orebro["Kon"] == "TotSa") & (orebro["Tid"] == "2026M01")]
        assert row["value"].item() == 28747

    def test_index_as_list_gives_the_same_frame(self):
        obj = load("TAB6471_data.json")
        for dim in obj["dimension"].values():
            index = dim["category"]["index"]
            dim["category"]["index"] = sorted(index, key=index.get)
        pd.testing.assert_frame_equal(pxweb.parse_jsonstat(obj), pxweb.parse_jsonstat(FIX / "TAB6471_data.json"))

    def test_index_order_not_insertion_order(self):
        obj = load("TAB6471_data.json")
        kon = obj["dimension"]["Kon"]["category"]
        kon["index"] = dict(reversed(list(kon["index"].items())))  # same positions, other key order
        df = pxweb.parse_jsonstat(obj)
        assert list(df["Kon"][:12:4]) == ["TotSa", "1", "2"]

    def test_null_values_sparse_object_and_status(self):
        obj = {
            "version": "2.0",
            "class": "dataset",
            "id": ["Region", "Tid"],
            "size": [2, 2],
            "dimension": {
                "Region": {"category": {"index": ["18", "1880"], "label": {"18": "Örebro län", "1880": "Örebro"}}},
                "Tid": {"category": {"index": {"2023": 0, "2024": 1}}},
            },
            "value": {"0": 10, "1": None, "3": 2.5},
            "status": {"1": "..", "2": "."},
        }
        df = pxweb.parse_jsonstat(obj)
        assert df["value"].tolist()[0] == 10 and df["value"].tolist()[3] == 2.5
        assert df["value"].isna().tolist() == [False, True, True, False]
        assert statuses(df) == [None, "..", ".", None]
        assert "Tid_label" not in df.columns and list(df["Region_label"]) == ["Örebro län"] * 2 + ["Örebro"] * 2

    def test_status_string_applies_to_all_and_value_list_with_null(self):
        obj = load("TAB6471_data.json")
        obj["value"][5] = None
        obj["status"] = "p"
        df = pxweb.parse_jsonstat(obj)
        assert np.isnan(df["value"][5]) and set(df["status"]) == {"p"}

    def test_v1_jsonstat_bundle(self):
        df = pxweb.parse_jsonstat(FIX / "v1_BefolkningNy_jsonstat_kon_2017.json")
        assert df[["Kon", "Kon_label", "ContentsCode", "Tid"]].iloc[0].tolist() == ["1", "män", "BE0101N1", "2017"]
        assert df["value"].tolist() == [5082662]
        assert df.attrs["table_id"] == "TAB638"  # v1 BefolkningNy is v2 TAB638

    def test_size_disagreeing_with_categories_is_an_input_error(self):
        obj = load("TAB6471_data.json")
        obj["size"][0] = 20
        with pytest.raises(InputError, match="'Region' has 21 categories but 'size' says 20"):
            pxweb.parse_jsonstat(obj)

    def test_value_count_mismatch_is_an_input_error(self):
        obj = load("TAB6471_data.json")
        obj["value"].pop()
        with pytest.raises(InputError, match="2771 cells but the dimensions give 2772"):
            pxweb.parse_jsonstat(obj)

    def test_bad_json_is_an_input_error(self):
        with pytest.raises(InputError, match="not valid UTF-8 JSON"):
            pxweb.parse_jsonstat(b"<html>down for maintenance</html>")


class TestParsePxJson:
    def test_region_riket_2024(self):
        df = pxweb.parse_px_json(FIX / "v1_BefolkningNy_json_region_riket_2024.json")
        row = df.iloc[0]
        assert [row.Region, row.Civilstand, row.Alder, row.Kon, row.Tid] == ["00", "OG", "0", "1", "2024"]
        assert row.ContentsCode == "BE0101N1" and row.ContentsCode_label == "Folkmängd"
        assert row.value == 50937 and pd.isna(row.status)
        assert df.attrs["updated"] == "2025-02-21T07:00:00Z"

    def test_civilstand_2015_2017(self):
        df = pxweb.parse_px_json(FIX / "v1_BefolkningNy_json_civilstand_2015_2017.json")
        assert len(df) == 12 and list(df["Civilstand"].unique()) == ["OG", "G", "SK", "ÄNKL"]
        assert df.set_index(["Civilstand", "Tid"]).loc[("ÄNKL", "2017"), "value"] == 435643

    def test_missing_symbol_becomes_nan_with_status(self):
        obj = load("v1_BefolkningNy_json_region_riket_2024.json")
        obj["data"][0]["values"] = [".."]
        df = pxweb.parse_px_json(obj)
        assert np.isnan(df["value"][0]) and df["status"][0] == ".."

    def test_record_not_matching_columns_names_the_record(self):
        obj = load("v1_BefolkningNy_json_civilstand_2015_2017.json")
        obj["data"][2]["key"] = ["OG"]
        with pytest.raises(InputError, match="rows 3"):
            pxweb.parse_px_json(obj)


class TestParsePx:
    def test_fixture_dimensions_encoding_and_known_values(self):
        df = pxweb.parse_px(FIX / "BE0101A1.px")
        assert df.attrs["encoding"] == "cp1252"
        assert df.attrs["dimensions"] == ["region", "marital status", "age", "sex", "period"]
        assert len(df) == 21 * 4 * 101 * 2 * 2
        assert list(df["marital status"].unique()) == ["OG", "G", "ÄNKL", "SK"]  # ANSI → cp1252
        assert "18 Örebro county" in set(df["region_label"])
        key = ["region", "marital status", "age", "sex", "period"]
        cells = df.set_index(key)["value"]
        assert cells[("01", "OG", "0", "1", "2004")] == 13201
        assert cells[("01", "OG", "0", "1", "2005")] == 13079
        # Örebro county, single, age 0: line 10555-10556 of the file
        assert cells[("18", "OG", "0", "1", "2004")] == 1409
        assert cells[("18", "OG", "0", "2", "2005")] == 1377
        assert cells[("25", "SK", "100+", "2", "2005")] == 0
        assert df.attrs["updated"] == "20060209 15:20" and df["status"].isna().all()

    def test_multiline_text_is_joined(self):
        df = pxweb.parse_px(FIX / "BE0101A1.px")
        assert df.attrs["label"] == "Population by region, marital status, age, sex and period"

    def test_missing_symbols_and_utf8(self):
        px = (
            'CODEPAGE="utf-8";\nSTUB="kön";\nHEADING="år";\nVALUES("kön")="män","kvinnor";\n'
            'VALUES("år")="2023","2024";\nDATA=\n1 ".."\n"-" 4;\n'
        ).encode()
        df = pxweb.parse_px(px)
        assert df["kön"].tolist() == ["män", "män", "kvinnor", "kvinnor"]
        assert statuses(df) == [None, "..", "-", None]
        assert df["value"].isna().tolist() == [False, True, True, False]

    def test_cell_count_mismatch_is_an_input_error(self):
        px = b'CHARSET="ANSI";\nSTUB="a";\nVALUES("a")="x","y";\nDATA=\n1;\n'
        with pytest.raises(InputError, match="DATA has 1 cells but the variables give 2"):
            pxweb.parse_px(px)


class TestParseResponse:
    @pytest.mark.parametrize(
        ("name", "first_column"),
        [
            ("TAB6471_data.json", "Region"),
            ("v1_BefolkningNy_jsonstat_kon_2017.json", "Kon"),
            ("v1_BefolkningNy_json_region_riket_2024.json", "Region"),
            ("BE0101A1.px", "region"),
        ],
    )
    def test_detects_each_format(self, name, first_column):
        assert pxweb.parse_response(FIX / name).columns[0] == first_column

    def test_unknown_json_is_an_input_error(self):
        with pytest.raises(InputError, match="unknown response format"):
            pxweb.parse_response({"tables": []})


class TestParseConfig:
    def test_fixture(self):
        cfg = pxweb.parse_config(FIX / "config.json")
        assert (cfg.max_data_cells, cfg.max_calls, cfg.time_window) == (150000, 3, 1.0)
        assert cfg.license == "https://creativecommons.org/share-your-work/public-domain/cc0/"
        assert cfg.source_reference == "Källa: SCB"
        assert pxweb.parse_config(FIX / "config.json", lang="en").source_reference == "Source: Statistics Sweden"

    def test_missing_limit_is_an_input_error(self):
        obj = load("config.json")
        del obj["maxDataCells"]
        with pytest.raises(InputError, match="maxDataCells"):
            pxweb.parse_config(obj)


class TestParseMetadata:
    def test_tab6471_metadata(self):
        meta = pxweb.parse_metadata(FIX / "TAB6471_metadata.json")
        assert meta.table_id == "TAB6471" and meta.updated == "2026-06-08T06:00:00Z"
        assert list(meta.variables) == ["Region", "Alder", "Kon", "ContentsCode", "Tid"]
        region = meta.variables["Region"]
        assert len(region.values) == 312 and region.values[0] == "00" and "1880" in region.values
        assert region.value_labels["18"] == "Örebro län" and region.elimination is True
        assert "vs_CKM03Kommun" in region.codelists
        assert meta.variables["Alder"].elimination is False and "100+" in meta.variables["Alder"].values
        assert meta.variables["Tid"].role == "time" and meta.variables["ContentsCode"].role == "metric"
        assert meta.variables["Tid"].values[-1] == "2026M04"

    def test_legacy_codeLists_spelling(self):
        obj = load("TAB6471_metadata.json")
        ext = obj["dimension"]["Region"]["extension"]
        ext["codeLists"] = ext.pop("codelists")
        assert "vs_CKM02Län" in pxweb.parse_metadata(obj).variables["Region"].codelists


class TestParseCodelist:
    def test_age_aggregation(self):
        cl = pxweb.parse_codelist(FIX / "codelist_agg_Alder10arJ.json")
        assert cl.attrs["id"] == "agg_Ålder10årJ" and cl.attrs["type"] == "Aggregation"
        assert cl["code"].iloc[-1] == "100+" and cl["value_map"].iloc[-1] == ("100+",)
        assert sorted(cl["value_map"].iloc[0], key=int) == [str(a) for a in range(10)]


# ----------------------------------------------------------------------------- paging


class TestCountCells:
    def test_product(self):
        assert pxweb.count_cells({"a": ["1", "2"], "b": ["x", "y", "z"]}) == 6


class TestSplitSelection:
    SEL = {"Region": [f"{i:02d}" for i in range(21)], "Alder": list("abcdefghijk"), "Kon": ["T", "1", "2"],
           "ContentsCode": ["c"], "Tid": ["m1", "m2", "m3", "m4"]}

    @staticmethod
    def cells(parts):
        return [c for p in parts for c in product(*(p[k] for k in sorted(p)))]

    def test_small_selection_is_one_part(self):
        assert pxweb.split_selection(self.SEL, 2772) == [self.SEL]

    @pytest.mark.parametrize("max_cells", [2771, 700, 300, 33, 10, 1])
    def test_parts_respect_limit_and_cover_every_cell_once(self, max_cells):
        parts = pxweb.split_selection(self.SEL, max_cells)
        assert all(pxweb.count_cells(p) <= max_cells for p in parts)
        cells = self.cells(parts)
        assert len(cells) == len(set(cells)) == 2772
        assert set(cells) == set(self.cells([self.SEL]))

    def test_years_are_split_first_then_regions(self):
        parts = pxweb.split_selection(self.SEL, 700)
        assert [p["Tid"] for p in parts] == [["m1"], ["m2"], ["m3"], ["m4"]]
        assert all(p["Region"] == self.SEL["Region"] for p in parts)
        parts = pxweb.split_selection(self.SEL, 300)  # 693 cells per month: also split regions
        assert len(parts) == 12 and [len(p["Region"]) for p in parts[:3]] == [9, 9, 3]

    def test_bad_limit(self):
        with pytest.raises(ValueError, match="at least 1"):
            pxweb.split_selection(self.SEL, 0)


# ----------------------------------------------------------------------------- client


class TestPxWebClient:
    def test_config_and_metadata(self):
        session = tab6471_session()
        client = client_for(session)
        cfg = client.config()
        assert cfg.max_data_cells == 150000 and cfg.raw.url == f"{BASE}/config"
        meta = client.metadata("TAB6471")
        assert meta.table_id == "TAB6471" and meta.raw.url == f"{BASE}/tables/TAB6471/metadata?lang=sv"
        client.metadata("TAB6471")
        assert [c["path"] for c in session.calls].count("/api/v2/config") == 1  # config fetched once

    def test_raw_answers_are_kept_byte_for_byte(self):
        session = tab6471_session()
        session.config = load("config.json")
        raw = (FIX / "config.json").read_bytes()
        session.request = lambda *a, **k: FakeResponse(200, raw)
        assert client_for(session).config().raw.content == raw

    def test_one_request_post_body_and_url(self):
        session = tab6471_session()
        full = load("TAB6471_data.json")
        result = client_for(session).data("TAB6471", full_selection(full))
        pd.testing.assert_frame_equal(result.frame, pxweb.parse_jsonstat(full))
        (call,) = result.calls
        assert call.method == "POST" and call.url == f"{BASE}/tables/TAB6471/data?lang=sv&outputFormat=json-stat2"
        assert call.body["selection"][0] == {"variableCode": "Region", "valueCodes": full_selection(full)["Region"]}
        assert result.updated == "2026-06-08T06:00:00Z"

    @pytest.mark.parametrize(("max_cells", "n_requests"), [(700, 4), (300, 12)])
    def test_paging_concatenates_to_the_one_big_answer(self, max_cells, n_requests):
        session = tab6471_session(max_cells=max_cells)
        full = load("TAB6471_data.json")
        result = client_for(session).data("TAB6471", full_selection(full))
        assert len(session.data_calls()) == len(result.calls) == n_requests
        for call in session.data_calls():
            sel = {s["variableCode"]: s["valueCodes"] for s in call["json"]["selection"]}
            assert pxweb.count_cells(sel) <= max_cells
        pd.testing.assert_frame_equal(result.frame, pxweb.parse_jsonstat(FIX / "TAB6471_data.json"))

    def test_get_with_value_codes_query(self):
        session = tab6471_session(max_cells=700)
        full = load("TAB6471_data.json")
        result = client_for(session).data("TAB6471", full_selection(full), method="GET")
        assert all(c["method"] == "GET" and c["json"] is None for c in session.data_calls())
        assert "valueCodes%5BTid%5D=2026M01" in result.calls[0].url
        pd.testing.assert_frame_equal(result.frame, pxweb.parse_jsonstat(full))

    def test_codelist_goes_into_the_body(self):
        session = tab6471_session()
        client_for(session).data("TAB6471", {"Region": ["18"], "Alder": ["0-9"], "Kon": ["TotSa"],
                                             "ContentsCode": ["000007SF"], "Tid": ["2026M01"]},
                                 codelists={"Region": "vs_CKM02Län"})
        assert session.data_calls()[0]["json"]["selection"][0] == {
            "variableCode": "Region", "valueCodes": ["18"], "codelist": "vs_CKM02Län"}

    def test_expressions_are_refused(self):
        with pytest.raises(ValueError, match="explicit value codes"):
            client_for(tab6471_session()).data("TAB6471", {"Tid": ["TOP(5)"]})

    def test_rate_limit_is_respected(self):
        clock = FakeClock()
        session = tab6471_session(max_cells=300, clock=clock)  # config: 3 calls per 1 s
        client = client_for(session)
        client.metadata("TAB6471")
        client.data("TAB6471", full_selection(load("TAB6471_data.json")))
        times = [c["t"] for c in session.calls]
        assert len(times) == 14
        assert all(later - earlier >= 1.0 for earlier, later in zip(times, times[3:], strict=False))
        assert clock.sleeps and times[-1] >= 3.0

    def test_retries_with_backoff_then_succeeds(self):
        session = tab6471_session()
        session.script = [requests.ConnectionError("reset"), FakeResponse(503, b"busy"),
                          FakeResponse(429, b"slow down", {"Retry-After": "7"})]
        client = client_for(session)
        assert client.config().max_data_cells == 150000
        assert session.clock.sleeps == [1.0, 2.0, 7.0]

    def test_timeout_is_retried(self):
        session = tab6471_session()
        session.script = [requests.ReadTimeout("read timed out")]
        assert client_for(session).config().max_calls == 3

    def test_client_error_is_not_retried(self):
        session = tab6471_session()
        client = client_for(session)
        with pytest.raises(FetchError, match="HTTP 404 .* no such table.*Non-existent table"):
            client.metadata("TAB0")
        assert len(session.calls) == 2 and session.clock.sleeps == []

    def test_offline_gives_the_clear_message(self):
        session = tab6471_session()

        def offline(*args, **kwargs):
            session.calls.append({"t": session.clock()})
            raise requests.ConnectionError("Name or service not known")

        session.request = offline
        with pytest.raises(FetchError) as err:
            client_for(session).config()
        assert str(err.value) == OFFLINE
        assert len(session.calls) == 4 and session.clock.sleeps == [1.0, 2.0, 4.0]

    def test_garbled_answer_is_a_fetch_error(self):
        session = tab6471_session()
        session.script = [FakeResponse(200, b"<html>maintenance</html>")]
        with pytest.raises(FetchError, match="cannot be read"):
            client_for(session).config()


# ----------------------------------------------------------------------------- fetch_population

DAY = date(2026, 11, 23)
YEARS = range(2016, 2025)


def expected_population(values: np.ndarray, region: str, year: int, kon: str, age: str) -> int:
    dims = {d[0]: d[2] for d in tab638_dims()}
    cell = values[
        dims["Region"].index(region), :, dims["Alder"].index(age), dims["Kon"].index(kon),
        dims["ContentsCode"].index("BE0101N1"), dims["Tid"].index(str(year)),
    ]
    return int(cell.sum())  # Civilstand left out → SCB sums over it


class TestFetchPopulation:
    def test_writes_dated_folder_with_raw_tidy_and_provenance(self, tmp_path):
        session = tab638_session(max_cells=5000)  # 2626 cells per year → one request per year
        out = pxweb.fetch_population(YEARS, out_root=tmp_path / "scb_pxweb", client=client_for(session), today=DAY)
        assert out == tmp_path / "scb_pxweb" / "2026-11-23"
        assert [p.name for p in (tmp_path / "scb_pxweb").iterdir()] == ["2026-11-23"]  # nothing half-written left
        names = sorted(p.name for p in out.iterdir())
        assert names == sorted(
            ["config.json", "TAB638_metadata.json", *[f"TAB638_data_p{i:02d}.json" for i in range(1, 10)],
             "population_kommun_alder_kon.csv", "provenance.json"]
        )
        # selection: explicit codes, Civilstand left out
        first = session.data_calls()[0]["json"]["selection"]
        assert [s["variableCode"] for s in first] == ["Region", "Alder", "Kon", "ContentsCode", "Tid"]
        assert first[0]["valueCodes"] == ["18", *geo.KOMMUNER] and first[1]["valueCodes"][-1] == "100+"

        tidy = pd.read_csv(out / "population_kommun_alder_kon.csv", dtype={"region_kod": str})
        assert list(tidy.columns) == ["region_kod", "region_namn", "ar", "kon", "alder", "folkmangd"]
        assert len(tidy) == 13 * 101 * 2 * 9
        assert tidy["region_kod"].iloc[0] == "18" and tidy["region_namn"].iloc[0] == "Örebro län"
        assert set(tidy["kon"]) == {"man", "kvinnor"} and tidy["alder"].max() == 100
        assert (tidy["folkmangd"] >= 0).all()
        values = tab638_values()
        row = tidy[(tidy.region_kod == "1880") & (tidy.ar == 2020) & (tidy.kon == "kvinnor") & (tidy.alder == 100)]
        assert row["region_namn"].item() == "Örebro"
        assert row["folkmangd"].item() == expected_population(values, "1880", 2020, "2", "100+")
        row = tidy[(tidy.region_kod == "18") & (tidy.ar == 2016) & (tidy.kon == "man") & (tidy.alder == 0)]
        assert row["folkmangd"].item() == expected_population(values, "18", 2016, "1", "0")

        prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
        assert prov["table_id"] == "TAB638" and prov["scb_updated"] == "2025-02-21T07:00:00Z"
        assert prov["date_accessed"] == "2026-11-23" and prov["eliminated"] == ["Civilstand"]
        assert prov["licence"] == "CC0 / Källa: SCB"
        for name, info in prov["files"].items():
            assert hashlib.md5((out / name).read_bytes()).hexdigest() == info["md5"]
        assert set(prov["files"]) == set(names) - {"provenance.json"}
        data_requests = [r for r in prov["requests"] if r["file"].startswith("TAB638_data")]
        assert len(data_requests) == 9 and data_requests[0]["body"]["selection"][-1]["valueCodes"] == ["2016"]
        assert data_requests[0]["url"] == f"{BASE}/tables/TAB638/data?lang=sv&outputFormat=json-stat2"
        # raw files are exactly what the server sent
        sent = slice_jsonstat(session.data, {s["variableCode"]: s["valueCodes"] for s in first})
        assert (out / "TAB638_data_p01.json").read_bytes() == _bytes(sent)

    def test_renames_a_finished_temporary_folder(self, tmp_path, monkeypatch):
        seen = []
        real_rename = os.rename

        def rename(src, dst):
            src, dst = Path(src), Path(dst)
            seen.append((src.name, sorted(p.name for p in src.iterdir()), dst.exists()))
            real_rename(src, dst)

        monkeypatch.setattr(pxweb.os, "rename", rename)
        pxweb.fetch_population(YEARS, out_root=tmp_path, client=client_for(tab638_session()), today=DAY)
        ((src_name, files, dst_existed),) = seen
        assert src_name.startswith(".2026-11-23.partial-") and not dst_existed
        assert "provenance.json" in files and "population_kommun_alder_kon.csv" in files

    def test_half_failed_fetch_leaves_no_folder(self, tmp_path):
        session = tab638_session(max_cells=5000)
        session.fail_data_from = 3  # the third yearly request and its retries fail
        root = tmp_path / "scb_pxweb"
        with pytest.raises(FetchError, match="cannot reach SCB"):
            pxweb.fetch_population(YEARS, out_root=root, client=client_for(session), today=DAY)
        assert len(session.data_calls()) == 2 + 4
        assert not root.exists()  # created by the fetch, removed again with everything in it

    def test_failed_checks_leave_no_folder(self, tmp_path):
        values = tab638_values()
        values[1, 0, 5, 0, 0, 3] = -1000  # Örebro län, OG, age 5, män, BE0101N1, 2017
        (tmp_path / "keep.txt").write_text("other data")
        with pytest.raises(FetchError, match="negative counts .*region 18 år 2017 kön 1 ålder 5"):
            pxweb.fetch_population(YEARS, out_root=tmp_path, client=client_for(tab638_session(values=values)),
                                   today=DAY)
        assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]

    def test_missing_count_fails_the_checks(self, tmp_path):
        session = tab638_session()
        # a null in a requested cell: Region 18, OG, age 0, män, BE0101N1, 2016
        pos = np.ravel_multi_index((1, 0, 0, 0, 0, TAB638_YEARS.index("2016")), session.data["size"])
        session.data["value"][int(pos)] = None
        with pytest.raises(FetchError, match="missing counts"):
            pxweb.fetch_population(YEARS, out_root=tmp_path, client=client_for(session), today=DAY)
        assert list(tmp_path.iterdir()) == []

    def test_existing_folder_is_never_overwritten(self, tmp_path):
        (tmp_path / "2026-11-23").mkdir()
        (tmp_path / "2026-11-23" / "old.csv").write_text("x")
        session = tab638_session()
        with pytest.raises(FileExistsError, match="never overwritten"):
            pxweb.fetch_population(YEARS, out_root=tmp_path, client=client_for(session), today=DAY)
        assert session.calls == [] and (tmp_path / "2026-11-23" / "old.csv").read_text() == "x"

    def test_year_outside_the_table(self, tmp_path):
        with pytest.raises(ValueError, match="has no data for \\[2025\\]: it covers 2014–2024"):
            pxweb.fetch_population([2024, 2025], out_root=tmp_path, client=client_for(tab638_session()), today=DAY)
        assert list(tmp_path.iterdir()) == []

    @pytest.mark.parametrize(
        ("years", "regions", "message"),
        [([1900], None, "1968–2026"), ([], None, "no years"), ([2020], "1880", "list of codes"),
         ([2020], ["Örebro"], "2- or 4-digit")],
    )
    def test_bad_arguments(self, tmp_path, years, regions, message):
        with pytest.raises(ValueError, match=message):
            pxweb.fetch_population(years, regions, out_root=tmp_path, client=client_for(tab638_session()), today=DAY)


class TestCatalogEntry:
    def test_fields_for_a_fetched_folder(self, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        out = pxweb.fetch_population(YEARS, client=client_for(tab638_session()), today=DAY)
        entry = pxweb.catalog_entry(out)
        for key in ("producer", "title", "url_main", "url_download", "date_accessed", "licence", "path",
                    "md5", "driver"):
            assert entry[key], key
        assert entry["path"] == "data/raw/scb_pxweb/2026-11-23/population_kommun_alder_kon.csv"
        assert entry["md5"] == hashlib.md5(Path(entry["path"]).read_bytes()).hexdigest()
        assert entry["driver"] == "csv" and entry["licence"] == "CC0 / Källa: SCB"
        assert entry["date_accessed"] == "2026-11-23" and "2016–2024" in entry["title"]
        assert entry["url_download"] == f"{BASE}/tables/TAB638/data?lang=sv&outputFormat=json-stat2"
        assert "SCB" in entry["producer"] and entry["folder"] == "data/raw/scb_pxweb/2026-11-23"
        assert set(entry["files"]) == {"config.json", "TAB638_metadata.json", "TAB638_data_p01.json",
                                       "population_kommun_alder_kon.csv"}

    def test_edited_file_is_refused(self, tmp_path):
        out = pxweb.fetch_population(YEARS, out_root=tmp_path, client=client_for(tab638_session()), today=DAY)
        with open(out / "population_kommun_alder_kon.csv", "a", encoding="utf-8") as fh:
            fh.write("18,Örebro län,2024,man,0,1\n")
        with pytest.raises(InputError, match="raw files must not be edited"):
            pxweb.catalog_entry(out)


# ----------------------------------------------------------------------------- command line




class TestMain:
    def test_fetch_prints_progress_and_folder(self, tmp_path, monkeypatch, capsys):
        session = tab638_session()
        monkeypatch.setattr(pxweb, "PxWebClient", lambda progress=None: client_for(session, progress=progress))
        monkeypatch.setattr(pxweb, "date", type("D", (), {"today": staticmethod(lambda: DAY)}))
        code = pxweb.main(["fetch", "--years", "2016-2024", "--out-root", str(tmp_path)])
        out, err = capsys.readouterr()
        assert code == 0 and out.strip() == str(tmp_path / "2026-11-23")
        assert "TAB638: data request 1/1 (23634 cells)" in err and "checked 23634 rows" in err

    def test_offline_exits_2_with_the_clear_message(self, tmp_path, monkeypatch, capsys):
        session = tab638_session()
        session.script = [requests.ConnectionError("Name or service not known")] * 4
        monkeypatch.setattr(pxweb, "PxWebClient", lambda progress=None: client_for(session, progress=progress))
        code = pxweb.main(["fetch", "--years", "2020-2024", "--out-root", str(tmp_path / "x")])
        err = capsys.readouterr().err
        assert code == 2 and f"error: {OFFLINE}" in err
        assert not (tmp_path / "x").exists()

    def test_catalog_prints_yaml(self, tmp_path, capsys):
        out = pxweb.fetch_population(YEARS, out_root=tmp_path, client=client_for(tab638_session()), today=DAY)
        assert pxweb.main(["catalog", str(out)]) == 0
        entry = yaml.safe_load(capsys.readouterr().out)
        assert entry["driver"] == "csv" and entry["md5"] == pxweb.catalog_entry(out)["md5"]

    def test_bad_years_is_a_usage_error(self, capsys):
        with pytest.raises(SystemExit) as exit_:
            pxweb.main(["fetch", "--years", "soon"])
        assert exit_.value.code == 2 and "cannot read years" in capsys.readouterr().err


class TestRegisterRelease:
    """A fetched release lands in the data catalogue and loads through it like any raw file."""

    def _root(self, tmp_path: Path) -> Path:
        from analysis.sources import catalog

        root = tmp_path / "repo"
        (root / "data").mkdir(parents=True)
        (root / "data" / "catalog.yml").write_text("sources: {}\ndatasets: {}\n", encoding="utf-8")
        catalog._read_catalog.cache_clear()
        return root

    def test_fetch_then_register_then_load(self, tmp_path):
        from analysis.sources import catalog

        root = self._root(tmp_path)
        out = pxweb.fetch_population([2019], out_root=root / "data" / "raw" / "scb_pxweb",
                                     client=client_for(tab638_session()), today=DAY)
        frag = pxweb.register_release(out, root=root)
        assert frag == root / "data" / "catalog.d" / "scb_pxweb_2026_11_23.yml"
        df = catalog.load("folkmangd_scb_2026_11_23", root=root)
        assert set(df["region_kod"]) == {"18", *geo.KOMMUNER}
        assert df["folkmangd"].ge(0).all() and df["ar"].eq(2019).all()
        assert catalog.verify(root) == []
        # a second registration of the same release is refused, and leaves the first intact
        with pytest.raises((ValueError, FileExistsError)):
            pxweb.register_release(out, root=root)
        assert catalog.load("folkmangd_scb_2026_11_23", root=root).shape == df.shape
