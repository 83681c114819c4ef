"""Tests for analysis.book.audit: reading the published CSV files as an intruder, the attack on
an edition's survey tables, the build's stop and the public suppression log.

The slow tests run the issue's attacks on the synthetic rounds the two editions publish: with
primary suppression alone the audit recovers withheld kommun × sex × age cells exactly (the
raking factors solved from the fully published kommun × sex rows) and a kommun with three
respondents from the rest of the län; with linked protection it finds nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis.book import audit
from analysis.chapters import health, youth
from analysis.contracts import ung_contract
from analysis.core import geo
from analysis.inputs import liv_och_halsa
from analysis.methods import disclosure, frames
from analysis.present import codebook
from analysis.synthetic import synth_survey as ss
from analysis.synthetic import synth_ung as su

EDITIONS = {2019: 20191231, 2015: 20151231}  # params/<edition>.yml: seed


def _row(**kw) -> dict:
    base = {"indicator_id": "good_health", "area_code": "1860", "area_type": "kommun",
            "period": "2017", "sex": "kvinnor", "age": "18+", "group": "Laxå", "value": "0.5",
            "n": "40", "statistic": "proportion", "suppressed": "False", "rule": "", "note": ""}
    return {**base, **kw}


def _tables(*rows: dict, name: str = "t.csv") -> list[tuple[str, str, pd.DataFrame]]:
    return [("book/_generated/x", name, pd.DataFrame(list(rows)).astype(str))]


class TestSurveyCells:
    def test_kinds_of_rows(self):
        rows = [
            _row(),  # kommun × sex, all ages
            _row(age="80+", value=".", n=".", suppressed="True", rule="primär"),
            _row(area_type="lan", area_code="18", group="", sex="totalt", age="18-79"),
            _row(area_type="lan", area_code="18", group="Kvinnor, ängslan"),  # a subgroup
            _row(age="18-69"),  # not a union of the raking age groups
            _row(statistic="odds ratio"),
            {**_row(statistic="difference", value="-0.1"), "value_area": "0.5",
             "value_rest": "0.6", "n_rest": "5000"},
        ]
        c = audit.survey_cells(_tables(*rows))
        assert c["row"].tolist() == [1, 2, 3, 7, 7]
        assert c.loc[0, "ages"] == tuple(audit.AGES) and c.loc[0, "area"] == ("1860",)
        assert not c.loc[1, "shown"] and np.isnan(c.loc[1, "n"]) and c.loc[1, "rule"] == "primär"
        assert c.loc[2, "ages"] == tuple(audit.AGES[:-1])
        assert c.loc[2, "area"] == tuple(geo.KOMMUNER) and c.loc[2, "sexes"] == ("kvinnor", "man")
        assert c.loc[3, "column"] == "value_area" and c.loc[4, "column"] == "value_rest"
        assert "1860" not in c.loc[4, "area"] and len(c.loc[4, "area"]) == 11
        assert c.loc[4, "n"] == 5000

    def test_tables_without_the_columns_are_skipped(self):
        t = pd.DataFrame({"kommun": ["1860"], "value": ["3"]})
        assert audit.survey_cells([("p", "x.csv", t)]).empty


class TestEditionTables:
    def test_reads_every_csv_but_the_indicators(self, tmp_path):
        job = SimpleNamespace(key="k1", stem="04_x", target="book/_generated/04_x")
        d = tmp_path / "k1" / "04_x_files"
        d.mkdir(parents=True)
        t = codebook.tidy(pd.DataFrame({"folkmangd": [1], "data_kind": ["uppmätt"]}), "t")
        codebook.write(t, d / "t.csv")
        pd.DataFrame({"a": [1]}).to_csv(d / "indicators.csv", index=False)
        pd.DataFrame({"indicator_id": ["x"]}).to_csv(d / "indicator_uses.csv", index=False)
        got = audit.edition_tables([job], tmp_path)
        assert [(p, n) for p, n, _ in got] == [("book/_generated/04_x", "t.csv")]
        assert got[0][2].loc[0, "värde"] == "1"  # as text, the header without its BOM


def _as_published(wide: pd.DataFrame, name: str, tmp: Path) -> pd.DataFrame:
    """A chapter's table through the writer and back as the audit reads it (text)."""
    if "data_kind" not in wide.columns:
        wide = wide.assign(data_kind="syntetisk")
    path = codebook.write(codebook.tidy(wide, name), tmp / f"{name}.csv")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=codebook.ENCODING)


class TestSourceRows:
    def test_round_trip_through_the_published_schema(self, tmp_path):
        """The cells the audit finds in a chapter's table are the ones it finds in the CSV
        file the book publishes from it (shares back from percent, withheld cells empty)."""
        rows = [
            _row(),
            _row(age="80+", value=".", n=".", suppressed="True", rule="primär",
                 note="färre än 30 svarande"),
            _row(area_type="lan", area_code="18", group="", sex="totalt", age="18-79"),
            {**_row(statistic="difference", value="-0.1"), "value_area": "0.5",
             "value_rest": "0.6", "n_rest": "5000"},
        ]
        wide = pd.DataFrame(rows).fillna("")
        direct = audit.survey_cells(_tables(*rows))
        back = audit.source_rows(_as_published(wide, "t", tmp_path))
        via = audit.survey_cells([("book/_generated/x", "t.csv", back)])
        cols = ["row", "column", "area", "sexes", "ages", "shown", "rule", "area_code"]
        assert via[cols].equals(direct[cols])
        assert np.allclose(via["value"], direct["value"], equal_nan=True)
        assert np.allclose(via["n"], direct["n"], equal_nan=True)


class TestCheck:
    def test_names_page_table_and_cell(self):
        f = pd.DataFrame([{"page": "book/_generated/04", "table": "fine.csv", "row": 7,
                           "column": "value", "indicator_id": "good_health",
                           "area_code": "1881", "sex": "man", "age": "80+", "period": "2017",
                           "lower": 0.8333, "upper": 0.8333, "width": 0.0,
                           "attack": "inom kommun och kön"}])
        with pytest.raises(audit.DisclosureLeak) as err:
            audit.check(f)
        msg = str(err.value)
        assert "fine.csv row 7" in msg and "1881" in msg and "80+" in msg and "0.8333" in msg
        audit.check(f.assign(width=0.5))  # wide enough: no error


def _published_tables(tmp: Path, *rows: dict, name: str = "t.csv"):
    wide = pd.DataFrame(list(rows)).fillna("")
    return [("book/_generated/x", name, _as_published(wide, name[:-4], tmp))]


class TestSuppressionLog:
    def test_rules_without_values(self, tmp_path):
        rows = [_row(data_kind="uppmätt"),
                _row(age="80+", value="0.7", n="20", suppressed="True", rule="primär",
                     note="färre än 30 svarande", data_kind="syntetisk"),
                _row(age="65-79", value=".", suppressed="True", rule="",
                     note=disclosure.SECONDARY_NOTE, data_kind="uppmätt")]
        log = audit.suppression_log(_published_tables(tmp_path, *rows, name="fine.csv"))
        assert audit.log_rule(log).tolist() == ["primär", "sekundär"]
        assert log["tabell"].tolist() == ["fine.csv", "fine.csv"]
        assert log["sida"].tolist() == ["x", "x"]
        assert list(log.columns) == codebook.columns()
        assert (log[["värde", "antal_svarande", "värde_visat"]] == "").all().all()
        assert log["orsak"].tolist() == ["primär: färre än 30 svarande",
                                         disclosure.SECONDARY_NOTE]
        assert log["datatyp"].tolist() == ["syntetisk", "uppmätt"]  # the withheld cell's kind

    def test_page(self, tmp_path):
        log = audit.suppression_log(_published_tables(
            tmp_path, _row(age="80+", value=".", suppressed="True", rule="primär")))
        findings = pd.DataFrame({"width": [0.4]})
        page = audit.write_log_page(tmp_path, log, findings, 2019)
        md = page.read_text(encoding="utf-8")
        assert md.startswith("# Röjandeskydd: undertryckta celler i utgåva 2019")
        assert "{ref}`rojandeskydd`" in md and "(rojandeskydd_logg.csv)" in md
        assert "Liv & hälsa ung" in md and "prövas inte en gång till" in md
        assert "| x | t.csv | 1 | 0 |" in md
        assert list(codebook.read(tmp_path / "rojandeskydd_logg.csv").columns) == codebook.columns()


# --------------------------------------------------------------------------- the attacks
def _published(tabs: dict[str, pd.DataFrame]) -> list[tuple[str, str, pd.DataFrame]]:
    """The tables as their published CSV files read back as an intruder downloads them."""
    with tempfile.TemporaryDirectory() as tmp:
        return [("book/_generated/04_liv_och_halsa", f"{k}.csv", audit.source_rows(
            _as_published(health.for_csv(v, True), k, Path(tmp)))) for k, v in tabs.items()]


@pytest.fixture(scope="module")
def rounds(inputs):
    """The latest round of each edition (synthetic, the edition's seed) and its design."""
    out = {}
    for edition, seed in EDITIONS.items():
        year = liv_och_halsa.latest_round(edition)
        frame = frames.population_frame(*inputs, year)
        r = health.prepare(ss.generate_round(year, frame, seed))
        out[edition] = (year, r, frame, health.survey_design(r, frame))
    return out


@pytest.mark.slow
class TestAuditEditions:
    @pytest.mark.parametrize("edition", sorted(EDITIONS))
    def test_leaks_without_linking_none_with(self, rounds, edition):
        year, _, _, des = rounds[edition]
        truth = des.proportion("good_health", by=["kommun", "sex", "age_group"])
        truth = truth.set_index(["kommun", "sex", "age_group"])["value"]
        off = audit.audit(audit.survey_cells(_published(
            health.protected(des, year, 30, linked=False))))
        leaks = audit.derivable(off)
        assert len(leaks) >= 5  # the issue: 10 cells in 2019, 12 in 2015
        assert set(leaks["table"]) == {"kommun_sex_age.csv"}
        for r in leaks.itertuples():  # recovered exactly: the raking-factor attack
            assert r.lower == pytest.approx(truth[(r.area_code, r.sex, r.age)], abs=1e-6)
            assert r.upper - r.lower < 1e-6
        on = audit.audit(audit.survey_cells(_published(health.protected(des, year, 30))))
        assert len(on) == len(off)  # the same cells fall under the rule …
        assert audit.derivable(on).empty  # … and none can be derived

    def test_rest_of_the_lan(self, rounds):
        """Laxå with three respondents (two women, one man): every Laxå cell is withheld, yet
        without linking its women's share follows from the other kommuner, the rest of the län
        beside another kommun and the population."""
        year, r, frame, _ = rounds[2019]
        lax = r[r["kommun"] == "1860"]
        keep = [*lax.index[lax["sex"] == "kvinnor"][:2], *lax.index[lax["sex"] == "man"][:1]]
        d = r[(r["kommun"] != "1860") | r.index.isin(keep)]
        des = health.survey_design(d, frame)
        women = des.proportion("good_health", by=["kommun", "sex"]).set_index(
            ["kommun", "sex"]).loc[("1860", "kvinnor"), "value"]
        off = audit.audit(audit.survey_cells(_published(
            health.protected(des, year, 30, linked=False))))
        cell = off[(off["area_code"] == "1860") & (off["sex"] == "kvinnor")
                   & (off["indicator_id"] == "good_health") & (off["table"] == "kommun.csv")]
        assert len(cell) == 1
        c = cell.iloc[0]
        assert c["lower"] - 1e-6 <= women <= c["upper"] + 1e-6
        assert c["width"] < disclosure.PROTECTION_WIDTH
        on = audit.audit(audit.survey_cells(_published(health.protected(des, year, 30))))
        assert audit.derivable(on).empty


@pytest.fixture(scope="module")
def youth_laxa(inputs):
    """A youth round (2017) in which Laxå's girls are few (``MIN_CELL`` per school year, just
    enough to be weighted on their own, under the threshold of 30) and its boys are not, and the
    pupils by kommun, sex and school year (the audit's public weights)."""
    frame = frames.cohort_frame(*inputs, 2017)
    p = youth.prepare(su.generate_round(2017, frame, 20191231).pupils)
    lax = p[p["kommun"] == "1860"]
    keep = lax[lax["sex"] == "kvinnor"].groupby("grade").head(youth.MIN_CELL).index.union(
        lax.index[lax["sex"] == "man"])
    d = p[(p["kommun"] != "1860") | p.index.isin(keep)].reset_index(drop=True)
    pupils = frame.groupby(["kommun", "sex", "grade"])["population"].sum().astype(float)
    return d, frame, pupils


def _published_youth(t: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    with tempfile.TemporaryDirectory() as tmp:
        return [("book/_generated/kommuner/profil_kommun__area_1861", "unga_1861.csv",
                 audit.source_rows(_as_published(youth.for_csv(t, True), "unga_1861",
                                                 Path(tmp))))]


@pytest.mark.slow
class TestAuditYouth:
    def test_cells_of_a_youth_comparison(self, youth_laxa):
        d, frame, _ = youth_laxa
        t = youth.compare_with_rest(d, frame, "1880", ["good_wellbeing", "pf_4plus"], 2017)
        c = audit.survey_cells(_published_youth(t))
        assert set(c["survey"]) == {"ung"} and len(c) == 2 * len(t)
        assert set(c["ages"]) == {ung_contract.GRADES}
        rest = c[c["column"] == "value_rest"].iloc[0]
        assert "1880" not in rest["area"] and len(rest["area"]) == len(geo.KOMMUNER) - 1

    def test_rest_of_the_lan_youth(self, youth_laxa):
        """Without linking, Laxå's girls follow from its boys and everyone, the other kommuner, the
        rest of the län beside them and the pupils; with it, no withheld cell can be derived."""
        d, frame, pupils = youth_laxa
        des = youth.survey_design(d, frame)
        girls = des.proportion("good_wellbeing", by=["kommun", "sex"]).set_index(
            ["kommun", "sex"]).loc[("1860", "kvinnor"), "value"]
        off_t = youth.protected_comparisons(d, frame, 2017, 30, linked=False)
        off = audit.audit(audit.survey_cells(_published_youth(off_t)),
                          pupils_of=lambda _: pupils)
        leaks = audit.derivable(off)
        assert set(zip(leaks["area_code"], leaks["sex"], strict=True)) == {("1860", "kvinnor")}
        cell = off[(off["area_code"] == "1860") & (off["sex"] == "kvinnor")
                   & (off["indicator_id"] == "good_wellbeing")].iloc[0]
        assert cell["lower"] - 1e-6 <= girls <= cell["upper"] + 1e-6
        assert cell["width"] < disclosure.PROTECTION_WIDTH
        on_t = youth.protected_comparisons(d, frame, 2017, 30)
        assert (on_t["rule"] == disclosure.RULE_COMPLEMENTARY).any()
        on = audit.audit(audit.survey_cells(_published_youth(on_t)), pupils_of=lambda _: pupils)
        assert len(on) == len(off) and audit.derivable(on).empty
