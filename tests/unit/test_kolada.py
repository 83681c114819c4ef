"""Tests for analysis.sources.kolada, offline: the HTTP layer is a fake session serving fixture files.

Documentation followed for the response shape: the Kolada API documentation in the GitHub
repository Hypergene/kolada (``README.rst``: ``values``, ``count``, ``next_page``/``previous_page``;
data entries ``kpi, municipality, period, values: [{count, gender, status, value}]``), which
https://www.kolada.se/om-oss/api/ points to, together with that page's notes on API version 3
(released 2025-04-04, base ``https://api.kolada.se/v3``). Because v3 clients differ on the paging
key (rKolada's mocked v3 tests use ``next_url``), both keys are tested. No recorded real responses
exist: the fixtures are hand-written in that shape (tests/fixtures/kolada/PROVENANCE.md).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import requests

from analysis.chapters import child_poverty as cp
from analysis.core import geo, text
from analysis.core.errors import InputError
from analysis.sources import catalog, kolada

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kolada"
DAY = date(2026, 11, 23)


class FakeResponse:
    def __init__(self, status_code: int, content: bytes = b"") -> None:
        self.status_code = status_code
        self.content = content


class FakeSession:
    """Serves queued answers per URL; an answer is a fixture name, a status code or an exception."""

    def __init__(self, answers: dict[str, list]) -> None:
        self.answers = {url: list(a) for url, a in answers.items()}
        self.calls: list[str] = []

    def get(self, url, timeout=None, headers=None):
        assert timeout is not None, "every request needs a timeout"
        self.calls.append(url)
        answer = self.answers[url].pop(0) if len(self.answers[url]) > 1 else self.answers[url][0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, int):
            return FakeResponse(answer, b"")
        return FakeResponse(200, (FIXTURES / answer).read_bytes())


N66077_URL = kolada.data_url("N66077", ["1880", "1814", "0018"], [2019, 2020])
N66077_P2 = json.loads((FIXTURES / "n66077_p1.json").read_text())["next_page"]
U31803_URL = kolada.data_url("U31803", ["1863", "0000"], [2020])
U31803_P2 = json.loads((FIXTURES / "u31803_p1.json").read_text())["next_url"]


def _session() -> FakeSession:
    return FakeSession({N66077_URL: ["n66077_p1.json"], N66077_P2: ["n66077_p2.json"],
                        U31803_URL: ["u31803_p1.json"], U31803_P2: ["u31803_p2.json"]})


class TestDataUrl:
    def test_documented_form(self):
        assert kolada.data_url("N66077", ["1880", "0018"], [2019, 2020]) == (
            "https://api.kolada.se/v3/data/kpi/N66077/municipality/1880,0018/year/2019,2020"
        )

    def test_empty_arguments(self):
        with pytest.raises(ValueError):
            kolada.data_url("N66077", [], [2019])
        with pytest.raises(ValueError):
            kolada.data_url("N66077", ["1880"], [])


class TestParseValues:
    def test_tidy_columns_codes_and_sex(self):
        t = kolada.parse_values(json.loads((FIXTURES / "n66077_p1.json").read_text()))
        assert list(t.columns) == ["kpi", "area_code", "area_type", "period", "sex", "value", "status"]
        assert t["sex"].tolist() == ["totalt", "kvinnor", "man", "totalt"]
        assert t.loc[0, ["kpi", "area_code", "area_type", "period", "value"]].tolist() == [
            "N66077", "1880", "kommun", 2019, 17.5]

    def test_region_riket_and_null_value(self):
        t = kolada.parse_values(json.loads((FIXTURES / "n66077_p2.json").read_text()))
        assert t.loc[t["area_code"] == "18", "area_type"].item() == "lan"
        t = kolada.parse_values(json.loads((FIXTURES / "u31803_p2.json").read_text()))
        assert t.loc[0, ["area_code", "area_type", "status"]].tolist() == ["00", "riket", "Missing"]
        assert pd.isna(t.loc[0, "value"])

    def test_unknown_gender_and_bad_shape(self):
        bad = {"values": [{"kpi": "X", "municipality": "1880", "period": 2020,
                           "values": [{"gender": "F", "value": 1}]}]}
        with pytest.raises(kolada.KoladaError, match="gender"):
            kolada.parse_values(bad)
        with pytest.raises(kolada.KoladaError, match="values"):
            kolada.parse_values({"count": 0})
        with pytest.raises(kolada.KoladaError, match="period"):
            kolada.parse_values({"values": [{"kpi": "X", "municipality": "1880", "values": []}]})


class TestFetch:
    def test_paging_both_keys_storage_and_provenance(self, tmp_path):
        session = _session()
        out = kolada.fetch("N66077", [2019, 2020], ["1880", "1814", "0018"], session=session,
                           raw_root=tmp_path, today=DAY)
        out2 = kolada.fetch("U31803", [2020], ["1863", "0000"], session=session,
                            raw_root=tmp_path, today=DAY)
        assert session.calls == [N66077_URL, N66077_P2, U31803_URL, U31803_P2]
        assert len(out) == 6 and set(out["period"]) == {2019, 2020}
        assert len(out2) == 2
        folder = tmp_path / "2026-11-23"
        manifest = json.loads((folder / "provenance.json").read_text())
        assert [f["url"] for f in manifest["files"]] == [N66077_URL, N66077_P2, U31803_URL, U31803_P2]
        for entry in manifest["files"]:
            body = (folder / entry["file"]).read_bytes()
            assert entry["date_accessed"] == "2026-11-23"
            assert entry["md5"] == hashlib.md5(body).hexdigest()
        # raw files are the bytes as received
        first = manifest["files"][0]["file"]
        assert (folder / first).read_bytes() == (FIXTURES / "n66077_p1.json").read_bytes()

    def test_load_raw_gives_the_same_table_offline(self, tmp_path):
        out = kolada.fetch("N66077", [2019, 2020], ["1880", "1814", "0018"], session=_session(),
                           raw_root=tmp_path, today=DAY)
        again = kolada.load_raw(tmp_path / "2026-11-23")
        pd.testing.assert_frame_equal(out, again)

    def test_load_raw_detects_edited_file(self, tmp_path):
        kolada.fetch("U31803", [2020], ["1863", "0000"], session=_session(), raw_root=tmp_path,
                     today=DAY)
        folder = tmp_path / "2026-11-23"
        victim = json.loads((folder / "provenance.json").read_text())["files"][0]["file"]
        (folder / victim).write_text("{}")
        with pytest.raises(InputError, match="md5"):
            kolada.load_raw(folder)

    def test_offline_error_after_retries(self, tmp_path):
        session = FakeSession({N66077_URL: [requests.ConnectionError("Name or service not known")]})
        waits: list[float] = []
        with pytest.raises(kolada.KoladaOfflineError) as err:
            kolada.fetch("N66077", [2019, 2020], ["1880", "1814", "0018"], session=session,
                         raw_root=tmp_path, today=DAY, retries=2, sleep=waits.append)
        msg = str(err.value)
        assert msg.startswith("cannot reach api.kolada.se: Name or service not known")
        assert msg.endswith("; the book uses the catalogued files instead")
        assert len(session.calls) == 3 and waits == [1.0, 2.0]
        assert isinstance(err.value, ConnectionError)
        assert not (tmp_path / "2026-11-23").exists()  # nothing written on failure

    def test_retries_on_server_error_then_succeeds(self, tmp_path):
        session = FakeSession({U31803_URL: [503, requests.Timeout("read timed out"), "u31803_p1.json"],
                               U31803_P2: ["u31803_p2.json"]})
        out = kolada.fetch("U31803", [2020], ["1863", "0000"], session=session, raw_root=tmp_path,
                           today=DAY, sleep=lambda s: None)
        assert len(out) == 2 and session.calls.count(U31803_URL) == 3

    def test_client_error_is_not_retried(self, tmp_path):
        session = FakeSession({U31803_URL: [404]})
        with pytest.raises(kolada.KoladaError, match="HTTP 404"):
            kolada.fetch("U31803", [2020], ["1863", "0000"], session=session, raw_root=tmp_path,
                         today=DAY, sleep=lambda s: None)
        assert len(session.calls) == 1

    def test_monkeypatched_requests_session(self, tmp_path, monkeypatch):
        def fake_get(self, url, timeout=None, headers=None):
            raise requests.ConnectionError("network is unreachable")

        monkeypatch.setattr(requests.Session, "get", fake_get)
        with pytest.raises(kolada.KoladaOfflineError, match="cannot reach api.kolada.se"):
            kolada.fetch("N01951", [2020], raw_root=tmp_path, sleep=lambda s: None)

    def test_more_than_25_areas_are_split(self, tmp_path):
        ids = [f"{i:04d}" for i in range(100, 130)]
        first, second = (kolada.data_url("N01951", ids[:25], [2020]),
                         kolada.data_url("N01951", ids[25:], [2020]))
        empty = tmp_path / "empty.json"
        empty.write_text('{"count": 0, "values": []}')
        session = FakeSession({first: [str(empty)], second: [str(empty)]})
        out = kolada.fetch("N01951", [2020], ids, session=session, raw_root=tmp_path, today=DAY)
        assert session.calls == [first, second] and out.empty

    def test_paging_that_never_ends_is_an_error(self, tmp_path):
        loop = tmp_path / "loop.json"
        loop.write_text(json.dumps({"values": [], "next_page": N66077_URL}))
        session = FakeSession({N66077_URL: [str(loop)]})
        with pytest.raises(kolada.KoladaError, match="paging"):
            kolada.fetch("N66077", [2019, 2020], ["1880", "1814", "0018"], session=session,
                         raw_root=tmp_path, today=DAY)


class TestReadKpiCatalogue:
    def test_reads_the_catalogue_format(self):
        cat = kolada.read_kpi_catalogue(FIXTURES / "kolada_kpi_catalogue_sample.csv")
        assert set(cat["id"]) == {"N01951", "N66077", "U31803"}
        assert "is_divided_by_gender" in cat.columns

    def test_not_a_catalogue(self, tmp_path):
        bad = tmp_path / "x.csv"
        bad.write_text("kpi,name\nN1,a\n")
        with pytest.raises(InputError, match="not a Kolada KPI catalogue"):
            kolada.read_kpi_catalogue(bad)


class TestKpiTitle:
    def test_title_lookup(self):
        path = FIXTURES / "kolada_kpi_catalogue_sample.csv"
        assert kolada.kpi_title("N66077", path) == "Invånare, 0-19 år, med låg ekonomisk standard, andel (%)"
        cat = kolada.read_kpi_catalogue(path)
        assert kolada.kpi_title("U31803", cat).startswith("Barn i befolkningen som ingår i familjer")

    def test_unknown_kpi(self):
        with pytest.raises(KeyError, match="N00000"):
            kolada.kpi_title("N00000", FIXTURES / "kolada_kpi_catalogue_sample.csv")


# --------------------------------------------------------------------------- kolada_barn_ekonomi
class _Fake:
    def __init__(self, body: bytes) -> None:
        self.body, self.urls = body, []

    def get(self, url, timeout=None, headers=None):
        self.urls.append(url)
        return type("R", (), {"status_code": 200, "content": self.body})()


def complete_body(kpi: str, years: list[int], areas=kolada.DEFAULT_AREAS, value=12.5) -> bytes:
    """One response page with a value for every area and year asked for."""
    values = [{"kpi": kpi, "municipality": m, "period": y,
               "values": [{"gender": "T", "value": value, "count": 1, "status": ""}]}
              for m in areas for y in years]
    return json.dumps({"count": len(values), "values": values}).encode()


class TestFetchKolada:
    @pytest.fixture
    def repo(self, tmp_path):
        (tmp_path / "data" / "catalog.d").mkdir(parents=True)
        shutil.copy(ROOT / "data" / "catalog.yml", tmp_path / "data" / "catalog.yml")
        for f in (ROOT / "data" / "catalog.d").glob("*.yml"):
            if f.name != "kolada_barn_ekonomi.yml":
                shutil.copy(f, tmp_path / "data" / "catalog.d" / f.name)
        return tmp_path

    def test_writes_raw_files_and_catalogues_them(self, repo):
        body = complete_body("N66077", [2019, 2020])
        frag = kolada.fetch_kolada([2019, 2020], ["N66077"], root=repo, session=_Fake(body),
                               today=date(2026, 11, 23))
        folder = repo / "data" / "raw" / "kolada_barn_ekonomi" / "2026-11-23"
        assert frag == repo / "data" / "catalog.d" / "kolada_barn_ekonomi.yml"
        assert (folder / "provenance.json").exists() and (folder / "PROVENANCE.md").exists()
        raw = sorted(folder.glob("N66077_*.json"))
        assert raw and raw[0].read_bytes() == body  # stored exactly as received
        loaded = catalog.load("kolada_barn_ekonomi", root=repo)
        assert cp.kolada_fetched(loaded)
        assert set(loaded["area_code"]) == {*geo.KOMMUNER, "18", "00"}
        assert catalog.verify(repo) == [] or all("kolada_barn_ekonomi" not in p
                                                 for p in catalog.verify(repo))

    def test_offline_writes_nothing(self, repo):
        class Down:
            def get(self, url, timeout=None, headers=None):
                import requests
                raise requests.ConnectionError("no network")

        with pytest.raises(kolada.KoladaOfflineError):
            kolada.fetch_kolada([2019], ["N66077"], root=repo, session=Down())
        assert not (repo / "data" / "catalog.d" / "kolada_barn_ekonomi.yml").exists()

    def test_years_argument(self):
        assert text.parse_years("2011-2013") == [2011, 2012, 2013]
        assert text.parse_years("2015,2019") == [2015, 2019]


class TestRequestAndCommandLine:
    def test_request_lists_every_kpi_area_and_year(self):
        req = kolada.kolada_request()
        assert list(req.columns) == kolada.TIDY_COLUMNS
        assert len(req) == len(kolada.KOLADA_FETCH) * len(kolada.DEFAULT_AREAS) * len(kolada.KOLADA_YEARS)
        assert req["value"].isna().all() and (req["status"] == kolada.NOT_FETCHED).all()

    def test_fetch_command(self, monkeypatch, capsys):
        calls = []

        def fake(years, kpis):
            calls.append((years, kpis))
            return Path("data/catalog.d/kolada_barn_ekonomi.yml")

        monkeypatch.setattr(kolada, "fetch_kolada", fake)
        assert kolada.main(["fetch", "--years", "2011-2013"]) == 0
        assert calls == [([2011, 2012, 2013], list(kolada.KOLADA_FETCH))]
        assert "Catalogued kolada_barn_ekonomi" in capsys.readouterr().out

    def test_fetch_command_offline(self, monkeypatch, capsys):
        def down(years, kpis):
            raise kolada.KoladaOfflineError("no network")

        monkeypatch.setattr(kolada, "fetch_kolada", down)
        assert kolada.main(["fetch"]) == 2
        assert "Nothing was written" in capsys.readouterr().err

    def test_makefile_uses_this_command(self):
        assert "python -m analysis.sources.kolada fetch --years 2011-2021" in (
            ROOT / "Makefile").read_text(encoding="utf-8")


class TestCheckResponse:
    def test_unknown_and_missing_areas(self):
        tidy = kolada.parse_values(json.loads(complete_body("N1", [2020], areas=["1880", "0018"])))
        kolada.check_response(tidy, ["N1"], ["1880", "0018"])
        kolada.check_response(tidy, ["N1"], ["1880", "0018", "1814"], complete=False)
        with pytest.raises(kolada.KoladaError, match="lacks 1 of the areas asked for: 1814 Lekeberg"):
            kolada.check_response(tidy, ["N1"], ["1880", "0018", "1814"])
        with pytest.raises(kolada.KoladaError, match="not asked for: 18"):
            kolada.check_response(tidy, ["N1"], ["1880"])
