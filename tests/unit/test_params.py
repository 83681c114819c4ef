"""Edition parameter files are validated before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.book import params
from analysis.core.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path, text: str) -> Path:
    p = tmp_path / "2099.yml"
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
