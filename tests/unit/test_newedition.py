"""A new edition: its parameter file, the report on the data for its year (2020 lacks some),
and the build's refusal of an edition whose required data lack the year. All of it runs in a
copy of the repository: the real one never gets a params/2020.yml."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.book import build, newedition, params
from analysis.core.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def base():
    return params.load_edition(ROOT / "params" / "2019.yml")


@pytest.fixture()
def repo(tmp_path):
    return build.copy_sources(ROOT, tmp_path / "repo")


@pytest.fixture(scope="module")
def report_2020():
    return newedition.report(ROOT, 2020)


class TestNextEdition:
    def test_years_move_on_by_the_gap(self, base):
        new = newedition.next_edition(base, 2020)
        assert new["edition"] == 2020 and new["previous_edition"] == 2019
        assert new["compare_year"] == base.compare_year + 1
        assert new["pyramid_compare_year"] == base.pyramid_compare_year + 1
        assert new["published"] == "2021-06-01"
        assert new["seed"] == 20201231  # spelled with the year, like 20191231
        assert new["title"] == "Välfärd och folkhälsa i Örebro län 2020"
        params.EditionParams(**new)  # valid

    def test_29_february_and_other_seeds(self, base):
        ed = base.model_copy(update={"published": "2020-02-29", "seed": 7})
        new = newedition.next_edition(ed, 2021)
        assert new["published"] == "2022-02-28" and new["seed"] == 7

    def test_only_later_years(self, base):
        with pytest.raises(ValueError, match="must come after 2019"):
            newedition.next_edition(base, 2019)


class TestWriteEdition:
    def test_writes_a_valid_file_from_the_latest_edition(self, repo):
        new, src = newedition.write_edition(repo, 2020)
        assert new == repo / "params" / "2020.yml" and src.name == "2019.yml"
        text = new.read_text(encoding="utf-8")
        assert text.startswith("# Edition 2020: written by `make new-edition YEAR=2020`")
        assert "published: '2021-06-01'" in text  # a quoted date (papermill#345)
        assert params.load_edition(new).previous_edition == 2019
        assert not (ROOT / "params" / "2020.yml").exists()

    def test_never_overwrites(self, repo):
        newedition.write_edition(repo, 2020)
        with pytest.raises(FileExistsError, match="never overwritten"):
            newedition.write_edition(repo, 2020)

    def test_needs_an_earlier_edition(self, repo):
        with pytest.raises(ValueError, match="no edition before 2010"):
            newedition.write_edition(repo, 2010)


class TestReport:
    """2020: SCB's kommun totals and Kolada's population end in 2019."""

    def rows(self, report):
        return {r.name: r for r in report[1]}

    def test_missing_required_sources_are_named(self, report_2020):
        text, rows = report_2020
        by = self.rows(report_2020)
        assert by["folkmangd_kommun"].status == "MISSING" and by["folkmangd_kommun"].blocking
        assert by["kolada_befolkning"].status == "MISSING" and by["kolada_befolkning"].blocking
        assert by["kolada_befolkning_riket"].blocking  # the national edition's Kolada table
        assert "Edition 2020 cannot be built yet: 2020 is missing in folkmangd_kommun, " \
               "kolada_befolkning, kolada_befolkning_riket (required)" in text

    def test_what_is_there_estimated_or_optional(self, report_2020):
        by = self.rows(report_2020)
        assert by["kpi_arsmedel"].status == "yes"
        assert by["folkmangd_lan_alder_kon"].status == "estimated"
        assert not by["folkmangd_lan_alder_kon"].blocking
        # Shipped, Kolada's KPIs are not fetched: the row says how. After `make fetch-kolada`
        # (2011-2021) the year is there and nothing needs doing.
        kolada_row = by["kolada_barn_ekonomi"]
        if kolada_row.status == "yes":
            assert 2020 in kolada_row.years and kolada_row.how == ""
        else:
            assert kolada_row.status == "not there" and kolada_row.how == "make fetch-kolada"
        assert by["esp2013"].need == "" and not by["esp2013"].blocking

    def test_every_catalogued_dataset_is_listed(self, report_2020):
        from analysis.sources import catalog

        text, rows = report_2020
        for name in catalog.read_catalog(ROOT)["datasets"]:
            assert name in text

    def test_table_names_the_fetch_commands_and_the_survey_round(self, report_2020):
        text, _ = report_2020
        line = next(ln for ln in text.splitlines() if ln.startswith("folkmangd_kommun "))
        assert "MISSING" in line and "make fetch" in line and "1950–2019" in line
        assert "make fetch-kolada" in text
        assert "Deliver the Liv & hälsa 2020 round as data/private/liv_och_halsa/" in text

    def test_a_covered_year_can_be_built(self):
        text, rows = newedition.report(ROOT, 2019)
        assert not any(r.blocking for r in rows)
        assert "`make book EDITION=2019` can build it" in text


class TestPrivateRows:
    def test_real_rounds_are_read_from_file_names(self, tmp_path, monkeypatch):
        for var in ("ANALYSIS_LIV_OCH_HALSA", "ANALYSIS_LIV_OCH_HALSA_UNG",
                    "ANALYSIS_REGISTER_EXTRACT"):
            monkeypatch.delenv(var, raising=False)
        lh = tmp_path / "data" / "private" / "liv_och_halsa"
        lh.mkdir(parents=True)
        (lh / "liv_och_halsa_2017.sav").write_bytes(b"")
        rows = {r.name: r for r in newedition.private_rows(2020, tmp_path, {})}
        real = rows["Liv & hälsa"]
        assert real.years == [2017] and real.status == "no round (real 2017 shown)"
        assert real.how == "deliver" and "liv_och_halsa_2020.sav" in real.note
        assert rows["Liv & hälsa ung"].status.startswith("no round (synthetic")
        assert rows["register extract"].status == "synthetic"


class TestMain:
    def test_make_new_edition_in_a_copy(self, repo, monkeypatch, capsys):
        monkeypatch.setenv("ANALYSIS_ROOT", str(repo))
        assert newedition.main(["2020"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("Wrote params/2020.yml from params/2019.yml")
        assert "cannot be built yet" in out
        assert (repo / "params" / "2020.yml").exists()
        assert newedition.main(["2020"]) == 0  # a second run keeps the file
        assert "exists and is kept" in capsys.readouterr().out
        assert not (ROOT / "params" / "2020.yml").exists()

    def test_check_writes_nothing(self, repo, monkeypatch, capsys):
        monkeypatch.setenv("ANALYSIS_ROOT", str(repo))
        assert newedition.main(["2021", "--check"]) == 0
        assert not (repo / "params" / "2021.yml").exists()
        assert "Data for 2021" in capsys.readouterr().out


class TestBuildRefuses:
    def test_build_stops_before_executing_anything(self, repo, tmp_path):
        newedition.write_edition(repo, 2020)
        out = tmp_path / "_build"
        with pytest.raises(InputError) as e:
            build.build_book(repo, "2020", build_dir=out, log=lambda *_: None)
        assert "folkmangd_kommun" in str(e.value) and "kolada_befolkning" in str(e.value)
        # nothing executed or published (the parameter check's memo may be written)
        assert not (out / "cache" / "notebooks").exists() and not (out / "html").exists()
