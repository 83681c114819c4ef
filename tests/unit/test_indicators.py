"""The indicator registry (analysis.contracts.indicators): validation with errors that name the
file, the entry and the field, survey wording from the contracts, and coverage: every indicator
the book shows has an entry."""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

import jupytext
import pandas as pd
import pytest
import yaml

from analysis.chapters import child_poverty, health, youth
from analysis.contracts import indicators
from analysis.core.errors import InputError
from analysis.methods import livsvillkor as lv

ROOT = Path(__file__).resolve().parents[2]
#: How a key indicator id looks in the chapter modules (a chapter prefix, then snake_case).
KEY_ID = re.compile(r"^(bef|mg|bf)_[a-z0-9_]+$")


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(indicators.REGISTRY.read_text(encoding="utf-8"))


def _one(raw, key, **change):
    entry = copy.deepcopy(raw["indicators"][key])
    entry.update(change)
    return {"indicators": {key: entry}}


class TestRegistry:
    def test_loads_and_every_entry_is_complete(self):
        reg = indicators.registry()
        assert len(reg) >= 60
        for ind in reg.values():
            assert ind.definition and ind.numerator and ind.source.producer
            assert ind.polarity in indicators.POLARITY and ind.interval in indicators.INTERVALS
            if ind.unit not in ("antal", "kr"):
                assert ind.denominator, f"{ind.id}: a ratio needs a denominator"

    def test_livsvillkor_entries_agree_with_the_method(self):
        reg = indicators.registry()
        for key, spec in lv.INDICATORS.items():
            ind = indicators.resolve(f"lv_{key}", reg)
            assert (ind.polarity, ind.unit, ind.interval) == (
                spec.polarity, spec.unit, spec.interval), key

    def test_survey_entries_cover_the_chapters(self):
        reg = indicators.registry()
        for key in health.INDICATORS:
            assert reg[f"lh_{key}"].survey.contract == "lh"
        for key in youth.INDICATORS:
            assert reg[f"lhu_{key}"].survey.contract == "ung"
        for key in child_poverty.INDICATORS:
            assert f"bf_{key}" in reg


class TestParse:
    def test_bad_polarity_names_file_entry_and_field(self, raw):
        with pytest.raises(InputError, match=r"reg\.yml.*'bef_total', field 'polarity'"):
            indicators.parse(_one(raw, "bef_total", polarity="bra"), "reg.yml")

    def test_unknown_field(self, raw):
        with pytest.raises(InputError, match="'bef_total', field 'colour'"):
            indicators.parse(_one(raw, "bef_total", colour="blå"), "reg.yml")

    def test_missing_field(self, raw):
        entry = copy.deepcopy(raw["indicators"]["bef_total"])
        del entry["definition"]
        with pytest.raises(InputError, match="field 'definition'"):
            indicators.parse({"indicators": {"bef_total": entry}}, "reg.yml")

    def test_survey_item_not_in_contract(self, raw):
        survey = {**raw["indicators"]["lh_good_health"]["survey"], "items": ["halsa"]}
        with pytest.raises(InputError, match=r"\['halsa'\] are not variables of the Liv & hälsa"):
            indicators.parse(_one(raw, "lh_good_health", survey=survey), "reg.yml")

    def test_alias_used_twice(self, raw):
        reg = {"indicators": {"a": raw["indicators"]["bef_total"],
                              "b": {**raw["indicators"]["bef_andel_65"], "aliases": ["a"]}}}
        with pytest.raises(InputError, match="'a' is used twice"):
            indicators.parse(reg, "reg.yml")

    def test_id_must_be_snake_case(self, raw):
        with pytest.raises(InputError, match="snake_case"):
            indicators.parse({"indicators": {"Bef total": raw["indicators"]["bef_total"]}})

    def test_not_a_mapping(self):
        with pytest.raises(InputError, match="mapping with one key 'indicators'"):
            indicators.parse(["a"], "reg.yml")

    def test_read_names_unreadable_file(self, tmp_path):
        with pytest.raises(InputError, match="cannot read"):
            indicators.read(tmp_path / "saknas.yml")


class TestQuestions:
    def test_wording_of_the_questionnaire(self):
        reg = indicators.registry()
        assert reg["lh_good_health"].questions() == [
            "Hur bedömer du ditt allmänna hälsotillstånd?"]
        assert reg["lhu_good_wellbeing"].questions() == ["Hur mår du rent allmänt?"]
        assert len(reg["lhu_pf_4plus"].questions()) == 5
        assert reg["bef_total"].questions() == []


class TestResolveAndUnknown:
    def test_alias(self):
        assert indicators.resolve("kolada_N66077").id == "bf_lag_ekonomisk_standard_0_19"
        assert indicators.aliases()["mg_andel_16_64"] == "bef_andel_16_64"

    def test_unknown(self):
        assert indicators.unknown(["bef_total", "x", "x", "kolada_U31803"]) == ["x"]
        with pytest.raises(KeyError, match="'x' is not in the registry"):
            indicators.resolve("x")


# --------------------------------------------------------------------------- coverage
def notebook_indicator_ids(path: Path) -> list[tuple[int, str]]:
    """(line, id) of every ``indicators=[...]`` argument in a notebook's code cells; the
    argument must be a literal list or tuple of strings (so that it can be checked here)."""
    nb = jupytext.read(path)
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        src = "\n".join(ln for ln in cell.source.splitlines() if not ln.startswith(("%", "!")))
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == "indicators" and not (
                            isinstance(node.func, ast.Attribute) and node.func.attr == "indicators"):
                        value = ast.literal_eval(kw.value)
                        assert isinstance(value, (list, tuple)), f"{path.name}: {value!r}"
                        out += [(kw.value.lineno, v) for v in value]
    return out


class TestEveryShownIndicatorHasAnEntry:
    def test_table_and_figure_links_in_the_notebooks(self):
        found = {i for p in sorted((ROOT / "notebooks").glob("*.md"))
                 for _, i in notebook_indicator_ids(p)}
        assert len(found) >= 40, "the chapters link their tables and figures to indicators"
        assert indicators.unknown(found) == []
        aliases = {i for i in found if indicators.resolve(i).id != i}
        assert not aliases, f"tables and figures must use the entries' ids: {aliases}"

    def test_key_indicators_of_the_chapters(self):
        """Ids the chapters record as key indicators (``publish.indicators``), as written in the
        chapter modules, and as the last build recorded them if a build cache is present."""
        ids = set()
        for mod in ("population", "working_age", "child_poverty"):
            for path in (ROOT / "src" / "analysis").glob(f"*/{mod}.py"):
                ids |= {n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                        if isinstance(n, ast.Constant) and isinstance(n.value, str)
                        and KEY_ID.match(n.value)}
        assert {"bef_total", "mg_5pct", "bf_ekonomiskt_utsatta"} <= ids
        ids |= {f"lh_{k}" for k in health.INDICATORS} | {f"lhu_{k}" for k in youth.INDICATORS}
        ids |= {f"kolada_{k}" for k in child_poverty.KOLADA_KPIS}
        ids |= {"lhu_rus_gy2_good_wellbeing", "lhu_rus_ak9_pf_future"}  # youth.key_indicators
        for f in (ROOT / "_build" / "cache" / "notebooks").glob("*/*_files/indicators.csv"):
            ids |= set(pd.read_csv(f, usecols=["indicator_id"])["indicator_id"])
        assert indicators.unknown(ids) == []

    def test_checker_finds_a_literal_id(self, tmp_path):
        nb = tmp_path / "x.md"
        nb.write_text("---\njupytext:\n  text_representation:\n    extension: .md\n"
                      "    format_name: myst\n    format_version: 0.13\nkernelspec:\n"
                      "  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
                      "```{code-cell} ipython3\npublish.table(df, 'x', title='T', source='S', "
                      "indicators=['bef_total', 'okand'])\n```\n", encoding="utf-8")
        assert [i for _, i in notebook_indicator_ids(nb)] == ["bef_total", "okand"]
        assert indicators.unknown(["bef_total", "okand"]) == ["okand"]
