"""Confidential microdata, survey rounds and fetched responses that are wrong in a way that
would otherwise print wrong numbers: each stops with one message through the same top-level
handler the commands use (:func:`analysis.core.cli.run`), and the published book is untouched."""

from __future__ import annotations

import json
import re
from datetime import date

import numpy as np
import pandas as pd
import pytest
import requests

from analysis.contracts import lh_contract, register
from analysis.core import cli, geo
from analysis.inputs import barnfattigdom
from analysis.sources import kolada, pxweb
from tests.faults.conftest import snapshot

KOMMUNER = list(geo.KOMMUNER)


def outcome(repo, capsys, work):
    """Run ``work`` as a command would: (exit status, message); the book must not change."""
    before = snapshot(repo)
    code = cli.run(work, prog="test")
    err = capsys.readouterr().err
    assert snapshot(repo) == before, "the published book changed"
    assert "Traceback" not in err
    return code, err


# --------------------------------------------------------------------------- register extracts
def extract(years=(2016, 2017, 2018, 2019), households=150, income=412_345.5, zero_share=0.0,
            seed=1) -> pd.DataFrame:
    """A register extract in the contract's form: couples with two children, plausible incomes."""
    rng = np.random.default_rng(seed)
    rows = []
    for y in years:
        for h in range(households):
            inc = round(float(income * rng.uniform(0.6, 1.6)), 1)
            if h < zero_share * households:
                inc = 0.0
            kom = KOMMUNER[h % 12]
            for m, (age, sex) in enumerate(((40, "man"), (38, "kvinnor"), (8, "kvinnor"), (5, "man"))):
                rows.append({"person_id": f"p{h}-{m}", "household_id": f"h{h}", "year": y,
                             "kommun": kom, "age": age - (2019 - y), "sex": sex,
                             "adults_in_couple": 2, "other_adults": 0, "children_0_19": 2,
                             "disposable_income": inc, "economic_assistance": "nej",
                             "background": "utländsk" if h % 3 == 0 else "svensk",
                             "parents_education": "gymnasial"})
    return pd.DataFrame(rows)


@pytest.fixture()
def private(repo):
    d = repo / "data" / "private" / "barnfattigdom"
    d.mkdir(parents=True)
    return d


def test_register_good_extract_is_read(repo, capsys, private):
    """Control: a plausible extract with '.' decimals reads with the default options."""
    p = private / "ok.csv"
    extract().to_csv(p, index=False)
    got = {}
    code, err = outcome(repo, capsys, lambda: got.setdefault("f", register.read_register(p)))
    assert code == 0 and err == "" and got["f"]["disposable_income"].median() > 100_000


REGISTER_CASES = [
    ("decimal-comma-on-point-decimals", lambda: extract(), {"sep": ";", "decimal": ","}, ";",
     r"decimal=',' does not fit the data: these values have a '\.' that is not a thousands separator"),
    ("decimal-comma-ambiguous-thousands", lambda: extract(income=412_345).assign(
        disposable_income=lambda d: d["disposable_income"].map(lambda v: f"{int(v):,}".replace(",", "."))),
     {"decimal": ","}, ",", r"no value has a ',' while these have a '\.'.*ambiguous"),
    ("incomes-ten-fold", lambda: extract(income=4_123_455.0), {}, ",",
     r"implausible incomes in 2016: the median disposable income of the households is .* outside "
     r"80,000–1,500,000"),
    ("incomes-in-thousands", lambda: extract(income=412.3), {}, ",", r"implausible incomes in 2016"),
    ("zero-incomes", lambda: extract(zero_share=0.2), {}, ",",
     r"implausible incomes in 2016: 20\.0% of the households have a disposable income of 0"),
    ("wrong-separator", lambda: extract(), {"sep": ";"}, ",", r"missing column\(s\) person_id"),
    ("comma-decimals-without-option", lambda: extract().assign(
        disposable_income=lambda d: d["disposable_income"].map(lambda v: f"{v}".replace(".", ","))),
     {"sep": ";"}, ";", r"non-numeric value \(decimal comma\? pass decimal=','\)"),
    ("latin-1-extract", lambda: extract(), {}, ",latin-1",
     r"ok\.csv: the file is not valid utf-8 \(byte \d+, line \d+"),
]


@pytest.mark.parametrize("case", REGISTER_CASES, ids=[c[0] for c in REGISTER_CASES])
def test_register_extract_is_refused(repo, capsys, private, case):
    _, make, options, how, expected = case
    p = private / "ok.csv"
    sep, _, enc = how.partition(",") if how != "," else (",", "", "")
    frame = make()
    if how.startswith(","):
        sep, enc = ",", how[1:]
    frame.to_csv(p, index=False, sep=sep or ",", encoding=enc or "utf-8")
    code, err = outcome(repo, capsys, lambda: register.read_register(p, **options))
    assert code == 1 and re.search(expected, err), err
    assert str(p) in err


@pytest.mark.parametrize("years,expected", [
    ((2019,), r"the extract holds 1 year\(s\) \(2019\); the chapter needs at least 4 consecutive"),
    ((2018, 2019), r"holds 2 year\(s\)"),
    ((2015, 2016, 2018, 2019), r"the extract lacks the years 2017 between 2015 and 2019"),
], ids=["one-year-extract", "two-year-extract", "year-missing-in-extract"])
def test_register_years(repo, capsys, years, expected):
    frame = extract(years=years, households=20)
    code, err = outcome(repo, capsys, lambda: barnfattigdom.extract_years(frame, "register.csv"))
    assert code == 1 and re.search(expected, err) and err.startswith("test: register.csv:"), err


@pytest.mark.parametrize("value,expected", [
    ('{"sep": ";", "decimal": ",",}', r"ANALYSIS_REGISTER_OPTIONS: not valid JSON"),
    ('[";", ","]', r"ANALYSIS_REGISTER_OPTIONS: must be a JSON object"),
    ('{"separator": ";"}', r"ANALYSIS_REGISTER_OPTIONS: unknown option\(s\) separator; the options are"),
], ids=["options-not-json", "options-a-list", "options-unknown-key"])
def test_register_options(repo, capsys, monkeypatch, value, expected):
    monkeypatch.setenv("ANALYSIS_REGISTER_OPTIONS", value)
    code, err = outcome(repo, capsys, barnfattigdom.read_options_from_env)
    assert code == 1 and re.search(expected, err), err


# --------------------------------------------------------------------------- survey rounds
def survey_round(n_per_kommun=100, seed=2) -> pd.DataFrame:
    """A Liv & hälsa round in the contract's form with plausible answers."""
    rng = np.random.default_rng(seed)
    n = n_per_kommun * 12
    kom = np.repeat(KOMMUNER, n_per_kommun)
    df = pd.DataFrame({
        "resp_id": [f"r{i}" for i in range(n)], "year": 2019, "kommun": kom, "stratum": kom,
        "sex": rng.choice(["man", "kvinna"], n), "age": rng.integers(18, 85, n),
        "general_health": rng.choice([1, 2, 3, 4, 5], n, p=[0.3, 0.42, 0.2, 0.06, 0.02]),
        "anxiety": rng.choice([1, 2, 3], n, p=[0.65, 0.28, 0.07]),
        "depression": rng.choice([0, 1], n, p=[0.9, 0.1]),
        "design_weight": 50.0,
    })
    return df


def _write_round(tmp_path, df, name="lh_2019.csv", encoding="utf-8"):
    p = tmp_path / name
    df.to_csv(p, index=False, encoding=encoding)
    return p


def _not_asked():
    return [v for v in lh_contract.ITEMS if v not in ("general_health", "anxiety", "depression")]


def test_survey_good_round_is_read(repo, capsys, tmp_path):
    """Control: plausible answers pass the plausibility check."""
    p = _write_round(tmp_path, survey_round())
    code, err = outcome(repo, capsys, lambda: lh_contract.read_round(p, not_asked=_not_asked()))
    assert code == 0 and err == ""


SURVEY_CASES = [
    ("health-codes-reversed", lambda d: d.assign(general_health=6 - d["general_health"]),
     r"implausible answers: .*general_health = 1, 2, weighted\) is outside 45%–92%"),
    ("anxiety-codes-shifted", lambda d: d.assign(anxiety=d["anxiety"].map({1: 3, 2: 2, 3: 1})),
     r"implausible answers: .*\(anxiety = 2, 3, weighted\) is outside 12%–65%"),
    ("depression-all-yes", lambda d: d.assign(depression=1),
     r"implausible answers: 100\.0% \(depression = 1, weighted\)"),
    ("calibrated-weights-zero-in-a-kommun", lambda d: d.assign(
        calibrated_weight=np.where(d["kommun"] == "1860", 0.0, 50.0)),
     r"calibrated_weight is 0 for every respondent of kommun 1860 Laxå"),
    ("kommun-without-respondents", lambda d: d[d["kommun"] != "1814"],
     r"empty stratum: kommun 1814 \(Lekeberg\) has no respondents"),
    ("design-weight-zero", lambda d: d.assign(design_weight=np.where(d.index == 3, 0.0, 50.0)),
     r"design weight must be positive"),
]


@pytest.mark.parametrize("case", SURVEY_CASES, ids=[c[0] for c in SURVEY_CASES])
def test_survey_round_is_refused(repo, capsys, tmp_path, case):
    _, breakit, expected = case
    p = _write_round(tmp_path, breakit(survey_round()))
    code, err = outcome(repo, capsys, lambda: lh_contract.read_round(p, not_asked=_not_asked()))
    assert code == 1 and re.search(expected, err), err
    assert str(p) in err


def test_survey_round_in_latin_1(repo, capsys, tmp_path):
    df = survey_round().assign(sex=lambda d: d["sex"].replace({"kvinna": "kvinna"}),
                               kommun_namn="Laxå")
    p = _write_round(tmp_path, df, encoding="latin-1")
    code, err = outcome(repo, capsys, lambda: lh_contract.read_round(p, not_asked=_not_asked()))
    assert code == 1 and f"{p}: the file is not valid utf-8" in err, err


# --------------------------------------------------------------------------- Kolada fetch
def page(values) -> bytes:
    return json.dumps({"count": len(values), "values": values}).encode()


def entries(areas=kolada.DEFAULT_AREAS, years=(2019, 2020), kpi="N66077", value=12.5, gender="T"):
    return [{"kpi": kpi, "municipality": m, "period": y,
             "values": [{"gender": gender, "value": value, "count": 1, "status": ""}]}
            for m in areas for y in years]


@pytest.fixture()
def kolada_answers(monkeypatch):
    """requests.Session.get answers with what the test puts in ``answer`` (status, body)."""
    answer = {"status": 200, "body": page(entries())}

    def fake_get(self, url, timeout=None, headers=None):
        if answer.get("raise"):
            raise answer["raise"]
        body = answer["body"](url) if callable(answer["body"]) else answer["body"]
        return type("R", (), {"status_code": answer["status"], "content": body})()

    monkeypatch.setattr(requests.Session, "get", fake_get)
    monkeypatch.setattr(kolada.time, "sleep", lambda s: None)
    return answer


def fetch_cmd(repo, capsys):
    before = snapshot(repo)
    code = kolada.main(["fetch", "--years", "2019-2020", "--kpis", "N66077"])
    out = capsys.readouterr()
    assert snapshot(repo) == before
    assert "Traceback" not in out.err
    return code, out.err, out.out


def test_kolada_fetch_succeeds_and_the_data_are_catalogued(repo, capsys, kolada_answers):
    """Control, and the issue's false positives: after a successful fetch the catalogue holds
    the fetch (tests/unit/test_catalog.py and test_child_poverty.py accept it)."""
    code, err, out = fetch_cmd(repo, capsys)
    assert code == 0 and "Catalogued kolada_barn_ekonomi" in out, err
    from analysis.chapters import child_poverty as cp
    from analysis.sources import catalog

    assert cp.kolada_fetched(catalog.load("kolada_barn_ekonomi", root=repo))
    assert catalog.verify(repo) == []


KOLADA_CASES = [
    ("html-instead-of-json", {"body": b"<html><body>Service unavailable</body></html>"},
     r"response is not JSON: b'<html>"),
    ("http-503", {"status": 503, "body": b""}, r"api.kolada.se answered HTTP 503 for .* after 4 tries"),
    ("http-404", {"status": 404, "body": b""}, r"api.kolada.se answered HTTP 404"),
    ("json-array", {"body": b"[1, 2, 3]"}, r"response is a JSON list, not the documented object"),
    ("value-with-decimal-comma", {"body": page([{**e, "values": [{"gender": "T", "value": "17,5"}]}
                                                for e in entries()])},
     r"value '17,5' for N66077 1814 2019 is not a JSON number"),
    ("unknown-area-code", {"body": page(entries() + entries(areas=["0180"]))},
     r"area codes that were not asked for: 0180"),
    ("missing-kommuner", {"body": page(entries(areas=[a for a in kolada.DEFAULT_AREAS
                                                      if a not in ("1860", "1861")]))},
     r"the response for N66077 lacks 2 of the areas asked for: 1860 Laxå, 1861 Hallsberg"),
    ("missing-riket", {"body": page(entries(areas=kolada.DEFAULT_AREAS[:-1]))},
     r"lacks 1 of the areas asked for: 00 \(riket\)"),
    ("unknown-gender", {"body": page(entries(gender="X"))}, r"unknown gender code 'X'"),
    ("no-values-list", {"body": b'{"count": 0}'}, r"response has no 'values' list"),
    ("entry-without-period", {"body": page([{"kpi": "N66077", "municipality": "1880",
                                            "values": []}])},
     r"value entry without kpi/municipality/period/values"),
    ("paging-never-ends", {"body": lambda url: json.dumps(
        {"values": [], "next_page": url}).encode()}, r"paging does not end"),
    ("next-page-elsewhere", {"body": json.dumps({"values": [], "next_page":
                                                 "https://evil.example/p2"}).encode()},
     r"next page points away from api.kolada.se"),
]


@pytest.mark.parametrize("case", KOLADA_CASES, ids=[c[0] for c in KOLADA_CASES])
def test_kolada_fetch_is_refused(repo, capsys, kolada_answers, case):
    _, answer, expected = case
    kolada_answers.update(answer)
    frag = repo / "data" / "catalog.d" / "kolada_barn_ekonomi.yml"
    old = frag.read_bytes()
    code, err, _ = fetch_cmd(repo, capsys)
    assert code == 1 and re.search(expected, err), err
    assert frag.read_bytes() == old
    assert not (repo / "data" / "raw" / "kolada_barn_ekonomi" / date.today().isoformat()).exists()


def test_kolada_offline(repo, capsys, kolada_answers):
    kolada_answers["raise"] = requests.ConnectionError("no route to host")
    code, err, _ = fetch_cmd(repo, capsys)
    assert code == 2 and "Kolada could not be reached" in err and "Nothing was written" in err


def test_kolada_refetch_on_the_same_day(repo, capsys, kolada_answers):
    assert fetch_cmd(repo, capsys)[0] == 0
    kolada_answers["body"] = page(entries(value=13.0))
    code, err, _ = fetch_cmd(repo, capsys)
    assert code == 1 and "exists with other content; raw files are never overwritten" in err, err


@pytest.mark.parametrize("errno_name,expected", [
    ("EROFS", r"cannot write here \(Read-only file system\); the folder is read-only"),
    ("ENOSPC", r"the disk is full; free space and run again"),
], ids=["read-only-data-folder", "disk-full-while-fetching"])
def test_kolada_file_system_errors(repo, capsys, kolada_answers, monkeypatch, errno_name, expected):
    import errno as errno_mod
    import os
    from pathlib import Path

    def refuse(self, data):
        code = getattr(errno_mod, errno_name)
        raise OSError(code, os.strerror(code), str(self))

    monkeypatch.setattr(Path, "write_bytes", refuse)
    code, err, _ = fetch_cmd(repo, capsys)
    assert code == 1 and re.search(expected, err) and "kolada_barn_ekonomi" in err, err


# --------------------------------------------------------------------------- SCB PxWeb fetch
def test_pxweb_fetch_error_is_a_message(repo, capsys, monkeypatch):
    def down(*a, **k):
        raise pxweb.FetchError("SCB answered HTTP 503 for TAB638 after 4 tries")

    monkeypatch.setattr(pxweb, "fetch_population", down)
    before = snapshot(repo)
    code = pxweb.main(["fetch", "--years", "2016-2017"])
    err = capsys.readouterr().err
    assert code == 2 and "error: SCB answered HTTP 503" in err and "Traceback" not in err
    assert snapshot(repo) == before


def test_pxweb_existing_release(repo, capsys, monkeypatch):
    def exists(*a, **k):
        raise FileExistsError(17, "File exists", str(repo / "data/raw/scb_pxweb/2026-12-02"))

    monkeypatch.setattr(pxweb, "fetch_population", exists)
    code = pxweb.main(["fetch", "--years", "2016-2017"])
    err = capsys.readouterr().err
    assert code == 1 and "scb_pxweb/2026-12-02: already exists; nothing is overwritten" in err
