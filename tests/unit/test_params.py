"""Edition parameter files are validated before anything runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.book import params
from analysis.core.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path, text: str) -> Path:
    p = tmp_path / "2019.yml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD = """edition: 2019
title: "Test"
published: "2020-06-01"
compare_year: 2009
pyramid_compare_year: 2000
"""


class TestLoadEdition:
    @pytest.mark.parametrize("f", sorted((ROOT / "params").glob("*.yml")), ids=lambda p: p.name)
    def test_shipped_files_are_valid(self, f):
        ed = params.load_edition(f)
        assert ed.compare_year < ed.edition

    def test_defaults(self, tmp_path):
        ed = params.load_edition(write(tmp_path, GOOD))
        assert ed.min_respondents == 30 and ed.min_count == 5 and ed.min_denominator == 20

    def test_unquoted_date_refused(self, tmp_path):
        with pytest.raises(InputError, match="quoted strings"):
            params.load_edition(write(tmp_path, GOOD.replace('"2020-06-01"', "2020-06-01")))

    def test_unknown_field_refused(self, tmp_path):
        with pytest.raises(InputError, match="editon"):
            params.load_edition(write(tmp_path, GOOD + "editon: 2020\n"))

    def test_wrong_type_names_the_field(self, tmp_path):
        with pytest.raises(InputError, match="edition"):
            params.load_edition(write(tmp_path, GOOD.replace("edition: 2019", "edition: tjugo")))

    def test_compare_year_after_edition(self, tmp_path):
        with pytest.raises(InputError, match="compare_year"):
            params.load_edition(write(tmp_path, GOOD.replace("compare_year: 2009", "compare_year: 2020")))

    def test_threshold_must_be_positive(self, tmp_path):
        with pytest.raises(InputError, match="min_respondents"):
            params.load_edition(write(tmp_path, GOOD + "min_respondents: 0\n"))

    def test_missing_file_lists_editions(self, tmp_path):
        with pytest.raises(InputError, match="no such edition"):
            params.load_edition(tmp_path / "1999.yml")

    def test_not_yaml(self, tmp_path):
        with pytest.raises(InputError, match="YAML"):
            params.load_edition(write(tmp_path, "edition: [2019\n"))


class TestNotebookParams:
    def test_fields_and_area(self, tmp_path):
        ed = params.load_edition(write(tmp_path, GOOD))
        p = params.notebook_params(ed, "1880")
        assert set(p) == set(params.NotebookParams.model_fields)
        assert p["area_code"] == "1880" and p["edition"] == 2019

    def test_unknown_area_refused(self, tmp_path):
        ed = params.load_edition(write(tmp_path, GOOD))
        with pytest.raises(Exception, match="Unknown area code"):
            params.notebook_params(ed, "9999")


def _ed(year: int) -> params.EditionParams:
    return params.EditionParams(edition=year, title="Test", published=f"{year + 1}-06-01",
                                compare_year=year - 10, pyramid_compare_year=year - 20)


@pytest.fixture()
def tiny_catalog(tmp_path):
    """A repository with three small datasets: long by year, wide by year, a KPI list whose
    later years have no values yet."""
    folder = tmp_path / "data" / "raw" / "src" / "1"
    folder.mkdir(parents=True)
    files = {
        "long.csv": "kod,ar,n\n1,2018,5\n1,2019,6\n",
        "wide.csv": "kod,2017,2018\n1,5,6\n",
        "kpi.csv": "kpi,period,value\nN1,2019,1.5\nN1,2020,\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    from analysis.sources import catalog

    cat = {
        "sources": {"src": {"producer": "p", "title": "t", "licence": "l",
                            "date_accessed": "2020-01-01", "folder": "raw/src/1",
                            "files": {n: catalog.md5(folder / n) for n in files}}},
        "datasets": {
            "long": {"source": "src", "file": "long.csv", "driver": "csv",
                     "edition_year": {"need": "required", "update": "make fetch"}},
            "wide": {"source": "src", "file": "wide.csv", "driver": "csv"},
            "kpi": {"source": "src", "file": "kpi.csv", "driver": "csv",
                    "edition_year": {"need": "optional", "column": "period", "values": "value"}},
        },
    }
    import yaml

    (tmp_path / "data" / "catalog.yml").write_text(yaml.safe_dump(cat), encoding="utf-8")
    return tmp_path


class TestDatasetYears:
    def test_year_column_wide_table_and_values(self, tiny_catalog):
        assert params.dataset_years("long", tiny_catalog) == [2018, 2019]
        assert params.dataset_years("wide", tiny_catalog) == [2017, 2018]
        assert params.dataset_years("kpi", tiny_catalog) == [2019]  # 2020 has no value yet

    def test_no_years_in_a_map(self):
        assert params.dataset_years("kommungranser", ROOT) is None


class TestEditionSpec:
    def test_spec_and_unknown_need(self, tiny_catalog):
        assert params.edition_spec("long", tiny_catalog)["need"] == "required"
        assert params.edition_spec("wide", tiny_catalog) == {}
        cat = tiny_catalog / "data" / "catalog.yml"
        cat.write_text(cat.read_text(encoding="utf-8").replace("need: required", "need: always"),
                       encoding="utf-8")
        with pytest.raises(InputError, match="need must be one of"):
            params.edition_spec("long", tiny_catalog)


class TestYearSpan:
    def test_runs(self):
        assert params.year_span([2019, 2017, 2018, 2021]) == "2017–2019, 2021"
        assert params.year_span(None) == "–"


class TestCheckEditionData:
    def test_the_shipped_editions_pass(self):
        for year in (2015, 2019):
            params.check_edition_data(ROOT, _ed(year), ["folkmangd_kommun", "kolada_befolkning",
                                                        "kpi_arsmedel", "kolada_barn_ekonomi"])

    def test_a_year_missing_in_required_data_is_refused_naming_them(self):
        with pytest.raises(InputError) as e:
            params.check_edition_data(ROOT, _ed(2020), ["folkmangd_kommun", "kolada_befolkning",
                                                        "folkmangd_lan_alder_kon", "esp2013"])
        msg = str(e.value)
        assert msg.startswith("params/2020.yml: edition 2020 cannot be built")
        assert "folkmangd_kommun (has 1950–2019, make fetch)" in msg
        assert "kolada_befolkning (has 1998–2019" in msg
        # estimated and untied datasets never stop a build
        assert "folkmangd_lan_alder_kon" not in msg and "esp2013" not in msg
        assert "make new-edition YEAR=2020" in msg

    def test_only_the_declared_inputs_count(self, tiny_catalog):
        params.check_edition_data(tiny_catalog, _ed(2020), ["wide", "kpi"])
        with pytest.raises(InputError, match=r"long \(has 2018–2019, make fetch\)"):
            params.check_edition_data(tiny_catalog, _ed(2020), ["long"])


class TestParameterDefaults:
    def test_reads_the_parameters_cell(self):
        d = params.parameter_defaults(ROOT / "notebooks" / "profil_kommun.md")
        assert set(d) == set(params.NotebookParams.model_fields) and d["area_code"] == "1880"

    def test_refuses_code_in_the_parameters_cell(self, tmp_path):
        md = tmp_path / "x.md"
        head = (ROOT / "notebooks" / "04_liv_och_halsa.md").read_text(encoding="utf-8")
        head = head[:head.index("---", 3) + 4]
        md.write_text(head + "```{code-cell} ipython3\n:tags: [parameters]\n\n"
                      "edition = 2000 + 19\n```\n", encoding="utf-8")
        with pytest.raises(InputError, match="literal values"):
            params.parameter_defaults(md)


class TestStrictTypes:
    @pytest.mark.parametrize("line,expected", [
        ("min_count: yes", "got the boolean True"), ("min_count: '5'", "valid integer"),
        ("published: '2020-02-30'", "not a valid date"), ("seed: false", "got the boolean False")])
    def test_refused(self, tmp_path, line, expected):
        key = line.split(":")[0]
        text = "\n".join(ln for ln in GOOD.splitlines() if not ln.startswith(key)) + f"\n{line}\n"
        with pytest.raises(InputError, match=expected):
            params.load_edition(write(tmp_path, text))

    def test_edition_must_match_a_year_file_name(self, tmp_path):
        p = tmp_path / "2017.yml"
        p.write_text(GOOD, encoding="utf-8")
        with pytest.raises(InputError, match="edition: 2019 does not match the file name 2017.yml"):
            params.load_edition(p)
        named = tmp_path / "smoke.yml"
        named.write_text(GOOD, encoding="utf-8")
        assert params.load_edition(named).edition == 2019


class TestCheckChapters:
    def test_known_unknown_and_empty(self):
        params.check_chapters(ROOT, ["01_befolkning"], "params/2019.yml")
        params.check_chapters(ROOT, None, "x")
        with pytest.raises(InputError, match="unknown chapter.*'01_befolknign'"):
            params.check_chapters(ROOT, ["01_befolknign"], "params/2019.yml")
        with pytest.raises(InputError, match="names no chapter"):
            params.check_chapters(ROOT, [], "--only")
        assert "01_befolkning" in params.notebook_stems(ROOT)


class TestCheckParameterNames:
    def test_shipped_notebooks_pass_and_a_rename_is_refused(self, tmp_path):
        params.check_parameter_names(sorted((ROOT / "notebooks").glob("*.md")), ROOT)
        md = tmp_path / "x.md"
        md.write_text((ROOT / "notebooks" / "01_befolkning.md").read_text(encoding="utf-8")
                      .replace("min_respondents = 30", "min_resp = 30"), encoding="utf-8")
        with pytest.raises(InputError, match="sets min_resp.*lacks min_respondents"):
            params.check_parameter_names([md])

    def test_memo_skips_unchanged_notebooks_and_rechecks_edited_ones(self, tmp_path,
                                                                     monkeypatch):
        md, memo = tmp_path / "x.md", tmp_path / "memo.json"
        good = (ROOT / "notebooks" / "01_befolkning.md").read_text(encoding="utf-8")
        md.write_text(good, encoding="utf-8")
        params.check_parameter_names([md], memo=memo)
        assert str(md) in json.loads(memo.read_text(encoding="utf-8"))
        calls = []
        real = params.parameter_defaults
        monkeypatch.setattr(params, "parameter_defaults", lambda p: calls.append(p) or real(p))
        params.check_parameter_names([md], memo=memo)
        assert calls == []  # unchanged: not parsed again
        md.write_text(good.replace("min_respondents = 30", "min_resp = 30"), encoding="utf-8")
        with pytest.raises(InputError, match="sets min_resp"):
            params.check_parameter_names([md], memo=memo)
        assert calls == [md]


class TestCheckInputs:
    def test_checks_once_per_content(self, tiny_catalog):
        memo = tiny_catalog / "memo.json"
        assert params.check_inputs(tiny_catalog, ["long", "wide"], memo) == ["long", "wide"]
        assert params.check_inputs(tiny_catalog, ["long", "wide"], memo) == []
