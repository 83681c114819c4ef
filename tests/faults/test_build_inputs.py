"""Bad edition parameters, notebooks and catalogued data stop the build CLI with one message.

Every case runs ``python -m analysis.book.build book`` in-process on a copy of the repository
(:mod:`tests.faults.conftest`) and asserts the message, the exit status and that the published
book (``_build/html``) is byte for byte what it was. None of them gets as far as a notebook.
"""

from __future__ import annotations

import pytest

from analysis.book import build
from tests.faults.conftest import edit_raw, edit_text, set_param, snapshot

P19 = "params/2019.yml"
LAN = "data/raw/scb_lan_alder_kon/2017-01-18/population_orebro_lan_1968_2015_long.csv"
KOMMUN = "data/raw/scb_kommun_folkmangd/2020-05-07/folkmangd_orebro_lan_kommuner_1950_2019_long.csv"
RIKET = "data/raw/scb_kommun_folkmangd/2020-05-07/folkmangd_kommun_1950_2019.csv"
KOLADA = "data/raw/kolada_befolkning/2020-05-26/kolada_befolkning_orebro_lan_1998_2019_long.csv"


@pytest.fixture(autouse=True)
def _no_notebook_runs(monkeypatch):
    """These cases must stop before any notebook runs; reaching one is a failure, not a
    minutes-long build."""
    def refuse(*a, **k):
        raise AssertionError("the build got as far as running notebooks")

    monkeypatch.setattr(build, "run_jobs", refuse)


def run(repo, capsys, *args, edition="2019"):
    before = snapshot(repo)
    code = build.main(["book", "--edition", edition, *args])
    out = capsys.readouterr()
    assert snapshot(repo) == before, "the published book changed"
    staging = repo / "_build" / "staging"
    assert not staging.exists() or not list(staging.iterdir()), "staging left behind"
    return code, out.err, out.out


def param(key, value):
    return lambda repo: edit_text(repo, P19, lambda t: set_param(t, key, value))


def drop_lines(pattern):
    """Drop the lines that contain ``pattern`` (``^`` at its start: that start with it)."""
    if pattern.startswith("^"):
        return lambda t: "".join(ln for ln in t.splitlines(keepends=True)
                                 if not ln.startswith(pattern[1:]))
    return lambda t: "".join(ln for ln in t.splitlines(keepends=True) if pattern not in ln)


def nb(stem, old, new):
    return lambda repo: edit_text(repo, f"notebooks/{stem}.md", lambda t: t.replace(old, new, 1))


def write(rel, text, encoding="utf-8"):
    def f(repo):
        p = repo / rel
        p.unlink(missing_ok=True)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode(encoding))
    return f


# id, how the repository is broken, extra CLI args, edition, the message (regex)
CASES = [
    # ---- edition parameters (strict types, dates, names, years)
    ("yaml-yes-as-threshold", param("min_count", "yes"), [], "2019",
     r"min_count: got the boolean True \(YAML reads yes/true/on as a boolean\)"),
    ("yaml-no-as-threshold", param("min_respondents", "no"), [], "2019",
     r"min_respondents: got the boolean False"),
    ("yaml-true-as-seed", param("seed", "true"), [], "2019", r"seed: got the boolean True"),
    ("threshold-as-text", param("min_denominator", '"20"'), [], "2019",
     r"min_denominator: Input should be a valid integer.*got '20' of type str"),
    ("threshold-as-float", param("min_count", "5.0"), [], "2019", r"min_count: Input should be a valid integer"),
    ("threshold-zero", param("min_respondents", "0"), [], "2019", r"min_respondents: .*greater than or equal to 1"),
    ("seed-negative", param("seed", "-1"), [], "2019", r"seed: .*greater than or equal to 0"),
    ("date-no-such-day", param("published", '"2020-02-30"'), [], "2019",
     r"published: .*'2020-02-30' is not a valid date"),
    ("date-month-13", param("published", '"2020-13-01"'), [], "2019", r"not a valid date"),
    ("date-unquoted", param("published", "2020-06-01"), [], "2019", r"dates must be quoted strings"),
    ("date-not-iso", param("published", '"1 juni 2020"'), [], "2019", r"is not an ISO date"),
    ("published-before-edition-ended", param("published", '"2019-06-01"'), [], "2019",
     r"published 2019-06-01 must be after the edition year 2019"),
    ("edition-not-file-name", param("edition", "2016"), [], "2019",
     r"2019.yml: edition: 2016 does not match the file name 2019.yml"),
    ("edition-as-word", param("edition", "tjugo"), [], "2019", r"edition: Input should be a valid integer"),
    ("title-as-number", param("title", "2019"), [], "2019", r"title: Input should be a valid string"),
    ("unknown-field", param("editon", "2019"), [], "2019", r"editon: Extra inputs are not permitted"),
    ("compare-year-after-edition", param("compare_year", "2020"), [], "2019",
     r"compare_year 2020 must be before edition 2019"),
    ("compare-year-outside-data", param("compare_year", "1940"), [], "2019",
     r"compare_year: 1940 is outside the years of folkmangd_kommun \(1950–2019\)"),
    ("pyramid-year-outside-data", param("pyramid_compare_year", "1960"), [], "2019",
     r"pyramid_compare_year: 1960 is outside the years of folkmangd_lan_alder_kon \(1968–2015\)"),
    ("previous-edition-after", param("previous_edition", "2019"), [], "2019",
     r"previous_edition must be before the edition year"),
    ("edition-year-not-in-data", write("params/2020.yml", 'edition: 2020\ntitle: "Test 2020"\n'
                                       'published: "2021-06-01"\ncompare_year: 2010\n'
                                       "pyramid_compare_year: 2000\n"), [], "2020",
     r"edition 2020 cannot be built: the data for 2020 are missing in .*folkmangd_kommun \(has 1950–2019"),
    ("no-such-edition", lambda repo: None, [], "2017", r"2017.yml: no such edition file; available: "),
    ("params-not-yaml", write(P19, "edition: [2019\n"), [], "2019", r"not valid YAML"),
    ("params-a-list", write(P19, "- 2019\n"), [], "2019", r"must be a mapping of field: value"),
    ("params-empty", write(P19, ""), [], "2019", r"must be a mapping of field: value"),
    ("params-latin-1", lambda repo: write(P19, (repo / P19).read_text(encoding="utf-8")
                                          .replace("Välfärd", "Välfärd"), "latin-1")(repo),
     [], "2019", r"2019.yml: not UTF-8 \(byte \d+: b'\\xe4'\)"),
    # ---- chapters and --only
    ("chapters-typo", param("chapters", "[01_befolknign]"), [], "2019",
     r"unknown chapter\(s\) '01_befolknign'; the notebooks are 01_befolkning"),
    ("chapters-empty", param("chapters", "[]"), [], "2019", r"an empty list would build a book without chapters"),
    ("only-typo", lambda repo: None, ["--only", "01_befolknign"], "2019",
     r"--only: unknown chapter\(s\) '01_befolknign'"),
    ("only-empty", lambda repo: None, ["--only", ""], "2019", r"--only: names no chapter"),
    ("only-one-typo-of-two", lambda repo: None, ["--only", "01_befolkning,profil_komun"], "2019",
     r"unknown chapter\(s\) 'profil_komun'"),
    # ---- notebook parameters and front matter
    ("notebook-renamed-parameter", nb("04_liv_och_halsa", "min_respondents = 30", "min_resp = 30"),
     [], "2019", r"04_liv_och_halsa.md: the parameters cell sets min_resp, which the edition does "
     r"not pass .* and lacks min_respondents"),
    ("notebook-missing-parameter", nb("01_befolkning", "seed = 20191231\n", ""), [], "2019",
     r"01_befolkning.md: the parameters cell lacks seed"),
    ("notebook-code-in-parameters", nb("02_malgrupp", "seed = 20191231", "seed = int('1')"), [], "2019",
     r"02_malgrupp.md: the parameters cell may only hold `name = value`"),
    ("notebook-unknown-dataset", nb("01_befolkning", "inputs: [", "inputs: [no_such_table, "), [], "2019",
     r"01_befolkning.md: declares unknown datasets \['no_such_table'\]"),
    ("notebook-without-front-matter", lambda repo: edit_text(
        repo, "notebooks/metod_malgrupp.md", lambda t: t.split("---", 2)[2]), [], "2019",
     r"metod_malgrupp.md: a notebook must start with YAML front matter"),
    # ---- the catalogue
    ("fragment-bad-yaml", write("data/catalog.d/zz_broken.yml", "datasets:\n  x: [1, 2\n"), [], "2019",
     r"catalog.d/zz_broken.yml: not valid YAML at line \d"),
    ("fragment-a-list", write("data/catalog.d/zz_list.yml", "- a\n- b\n"), [], "2019",
     r"zz_list.yml: a catalogue fragment is a mapping with only 'sources' and 'datasets'"),
    ("fragment-duplicate-dataset", lambda repo: write(
        "data/catalog.d/zz_dup.yml", (repo / "data/catalog.d/finsam.yml").read_text())(repo), [], "2019",
     r"zz_dup.yml: source '.*' is already catalogued"),
    ("fragment-unknown-source", write("data/catalog.d/zz_src.yml",
                                      "datasets:\n  extra_table:\n    source: nowhere\n    file: x.csv\n"),
     [], "2019", r"dataset 'extra_table' names unknown source 'nowhere'"),
    ("catalogue-without-datasets", lambda repo: edit_text(
        repo, "data/catalog.yml", lambda t: t.replace("\ndatasets:", "\ndatasetz:")), [], "2019",
     r"catalog.yml: the catalogue must have top-level 'sources' and 'datasets'"),
    ("raw-file-edited", lambda repo: edit_text(repo, KOMMUN, lambda t: t.replace("1880", "1881", 1)),
     [], "2019", r"catalogued files are missing or changed:\n  scb_kommun_folkmangd: .* has md5"),
    ("raw-file-deleted", lambda repo: (repo / LAN).unlink(), [], "2019",
     r"scb_lan_alder_kon: .*population_orebro_lan_1968_2015_long.csv is missing"),
    # ---- catalogued tables: completeness, schema, encoding (checked before any notebook runs)
    ("missing-age-row", lambda repo: edit_raw(repo, LAN, drop_lines(",2015,kvinnor,45,")), [], "2019",
     r"population_orebro_lan_1968_2015_long.csv: incomplete table: 1 row\(s\) missing, no row for "
     r"ar=2015, kon=kvinnor, alder=45"),
    ("missing-kommun-row", lambda repo: edit_raw(repo, KOMMUN, drop_lines("^1880,Örebro,2019,")), [], "2019",
     r"incomplete table: 1 row\(s\) missing, no row for kommun_kod=1880, ar=2019"),
    ("missing-kommun-in-national-table", lambda repo: edit_raw(repo, RIKET, drop_lines("^1861,")),
     [], "2019", r"folkmangd_kommun_1950_2019.csv: incomplete table: .*kommun_kod=1861"),
    ("missing-kommun-in-kolada", lambda repo: edit_raw(repo, KOLADA, drop_lines("^1814,")), [], "2019",
     r"incomplete table: \d+ row\(s\) missing, no row for kommun_kod=1814"),
    ("duplicate-row", lambda repo: edit_raw(repo, KOMMUN, lambda t: t + t.splitlines()[1] + "\n"),
     [], "2019", r"duplicate key \(kommun_kod, ar\)"),
    ("count-not-a-number", lambda repo: edit_raw(
        repo, KOMMUN, lambda t: t.replace("\n1880,Örebro,2019,", "\n1880,Örebro,2019,x", 1)), [], "2019",
     r"value is not a whole number \| column 'folkmangd'"),
    ("extra-column", lambda repo: edit_raw(
        repo, KOMMUN, lambda t: "\n".join(ln + (",extra" if i == 0 else ",1")
                                          for i, ln in enumerate(t.splitlines())) + "\n"), [], "2019",
     r"unexpected column \(not in the schema\): 'extra'"),
    ("raw-file-latin-1", lambda repo: edit_raw(repo, KOMMUN, lambda t: t, encoding="latin-1"), [], "2019",
     r"folkmangd_orebro_lan_kommuner_1950_2019_long.csv: the file is not valid UTF-8 \(byte \d+ on line \d+"),
    ("raw-file-header-only", lambda repo: edit_raw(repo, KOMMUN, lambda t: t.splitlines()[0] + "\n"),
     [], "2019", r"the file has a header but no data rows"),
    ("unknown-kommun-code", lambda repo: edit_raw(
        repo, KOMMUN, lambda t: t.replace("\n1880,Örebro,2019,", "\n0180,Örebro,2019,", 1)), [], "2019",
     r"value is not an allowed code \| column 'kommun_kod'"),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bad_input_is_one_message(repo, capsys, case):
    _, breakit, args, edition, expected = case
    breakit(repo)
    code, err, _ = run(repo, capsys, *args, edition=edition)
    assert code == 1, err
    assert len(err.splitlines()) <= 12, err
    assert "Traceback" not in err
    import re

    assert re.search(expected, err), err
    assert not (repo / "_build" / "partial").exists()


def test_debug_adds_the_traceback(repo, capsys):
    param("min_count", "yes")(repo)
    before = snapshot(repo)
    code = build.main(["--debug", "book", "--edition", "2019"])
    err = capsys.readouterr().err
    assert code == 1 and "min_count: got the boolean True" in err and "Traceback" in err
    assert snapshot(repo) == before


def test_confidential_data_warn_and_go_to_private(repo, capsys, monkeypatch):
    """A build with a register extract in place warns, names it and builds into
    _build/private; here it then stops on a changed raw file, leaving _build/html alone."""
    monkeypatch.setenv("ANALYSIS_REGISTER_EXTRACT", str(repo / "data" / "private" / "x.parquet"))
    edit_text(repo, KOMMUN, lambda t: t.replace("1880", "1881", 1))
    code, err, out = run(repo, capsys)
    assert code == 1 and "catalogued files are missing or changed" in err
    assert "WARNING: this build reads confidential data (ANALYSIS_REGISTER_EXTRACT=" in out
    assert "It is built into _build/private/" in out


def test_private_files_are_confidential_too(repo, capsys):
    (repo / "data" / "private" / "liv_och_halsa").mkdir(parents=True)
    (repo / "data" / "private" / "liv_och_halsa" / "lh_2019.sav").write_bytes(b"x")
    edit_text(repo, KOMMUN, lambda t: t.replace("1880", "1881", 1))
    code, err, out = run(repo, capsys)
    assert code == 1
    assert "confidential data (data/private/liv_och_halsa/lh_2019.sav)" in out


def test_build_dir_that_cannot_be_made(repo, capsys):
    """--build-dir under a file: the OSError is a message naming the path."""
    (repo / "afile").write_text("x")
    code, err, _ = run(repo, capsys, "--build-dir", str(repo / "afile" / "b"))
    assert code == 1 and "afile/b" in err and "Traceback" not in err
