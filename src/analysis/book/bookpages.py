"""Pages the build generates: sources (a bibliography, from the data catalogue and the region's
documents), the edition's page for readers, the analyst page (manifest, files, how to rebuild),
what changed, one page per indicator with their index, the kommun indexes (a län's, and the
national edition's searchable map of the 290 kommuner), and the landing page that lists the
editions.

Why one module: every generated page shares the same few helpers (captioned tables, escaping,
the profile links) and is written by one function, :func:`write_generated_pages`; the pages are
short text templates, and splitting them would scatter those helpers without separating any
logic."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from analysis.book import jobs, whatchanged
from analysis.book.params import EditionParams
from analysis.chapters import livsvillkor as lv_chapter
from analysis.chapters import riket
from analysis.contracts import indicators as registry
from analysis.core import geo, provenance, text
from analysis.core.errors import InputError
from analysis.inputs import livsvillkor
from analysis.present import codebook, kommunkarta
from analysis.sources import catalog, documents

#: The analyst page (its stem under ``book/_generated``), linked from every chapter's sources.
ANALYST_PAGE = "for_analytiker"


def _md_escape(s: object) -> str:
    return str(s if s is not None else "").replace("|", "\\|").replace("\n", " ")


def captioned(caption: str, lines: list[str]) -> list[str]:
    """A markdown table (``lines``: heading, alignment and body rows) with a caption: MyST's
    ``table`` directive, so the table gets a ``<caption>`` like the chapters' tables."""
    return [f":::{{table}} {caption}", ":align: left", "", *lines, ":::"]


def sources_md(root: Path, ed: EditionParams | None = None,
               manifest: dict[str, Any] | None = None) -> str:
    """The *Källor och data* page for readers: the statistics the book uses and the region's
    documents it quotes (a bibliography). Files, checksums and folders are on the analyst page."""
    cat = catalog.read_catalog(root)
    published = ed.published if ed is not None else None
    if not geo.REGION.has(["rapporter"]):
        return _sources_md_elsewhere(cat, manifest)
    out = [
        "# Källor och data",
        "",
        "Boken bygger på officiell statistik och på Region Örebro läns egna dokument. Varje "
        "statistikkälla nedan anges med producent, publiceringsdatum och hur den ska anges som "
        "källa. Vilka filer som använts, deras kontrollsummor och hur utgåvan byggs om står på "
        f"sidan {{doc}}`För analytiker <{ANALYST_PAGE}>`.",
        "",
        "## Dokument från Region Örebro län",
        "",
        "Kapitlen jämför sina beräkningar med siffror ur dessa dokument och citerar dem med "
        "dokument och tabell, figur eller bilaga.",
        "",
    ]
    for r in documents.bibliography(published).itertuples():
        out.append(f"- {r.reference}" + (" *Senare källa: publicerad efter utgåvan.*"
                                          if r.later else ""))
    out += ["", "## Statistik", ""]
    for src in cat["sources"].values():
        out += _source_lines(src)
    return "\n".join(x for x in out if x is not None)


def _source_lines(src: dict[str, Any]) -> list[str]:
    return [f"### {_md_escape(src.get('title'))}", "",
            f"- **Producent:** {_md_escape(documents.reader_producer(src.get('producer')))}",
            f"- **Webbplats:** [{urlsplit(str(src['url_main'])).netloc}]({src['url_main']})"
            if src.get("url_main") else "",
            f"- **Publicerad:** {_md_escape(src.get('date_published'))}",
            f"- **Ange källa som:** {_md_escape(src.get('citation'))}",
            ""]


def _sources_md_elsewhere(cat: dict[str, Any], manifest: dict[str, Any] | None) -> str:
    """*Källor och data* for a region without Region Örebro län's documents: the sources of the
    datasets the region's book read (the manifest's; without one, every dataset the region can
    read), no bibliography."""
    names = [d["name"] for d in manifest["datasets"]] if manifest is not None else cat["datasets"]
    used = {catalog.resolve(name)["source"] for name in names
            if name in cat["datasets"] and catalog.available(name)}
    out = ["# Källor och data", "",
           "Boken bygger på officiell statistik. Varje statistikkälla nedan anges med producent, "
           "publiceringsdatum och hur den ska anges som källa. Vilka filer som använts, deras "
           "kontrollsummor och hur utgåvan byggs om står på sidan "
           f"{{doc}}`För analytiker <{ANALYST_PAGE}>`.", "", "## Statistik", ""]
    for name, src in cat["sources"].items():
        if name in used:
            out += _source_lines(src)
    return "\n".join(out)


def analyst_md(root: Path, ed: EditionParams, manifest: dict[str, Any]) -> str:
    """The *För analytiker* page: how this edition was built (commit, parameters, manifest, every
    input file with its checksum), how to rebuild it and how to plug in confidential data.

    The one reader-facing page where commands, paths, checksums and parameter names belong
    (:mod:`analysis.book.readerlint` skips it)."""
    cat = catalog.read_catalog(root)
    default = geo.region(None)
    region_arg = "" if geo.REGION == default else f" REGION={geo.REGION.slug}"
    region_opt = "" if geo.REGION == default else f" --region {geo.REGION.slug}"
    out = [
        "# För analytiker",
        "",
        f"Sidan beskriver hur utgåvan **{ed.edition}** byggdes och hur den byggs om. Läsarsidorna "
        "citerar dokument och statistik; filer, kommandon och kontrollsummor finns bara här.",
        "",
        "## Så byggdes utgåvan",
        "",
        f"- **Git-commit:** `{manifest['git_commit']}`",
        f"- **Parameterfil:** `{manifest['params_file']}`",
        f"- **Byggnyckel:** `{manifest['build_key']}` (ändras när en notebook, en datafil, "
        "koden eller en parameter ändras)",
        "- Hela manifestet: <a href=\"../../manifest.json\">manifest.json</a>.",
        "",
    ]
    out += captioned("Utgåvans parametrar", ["| parameter | värde |", "|---|---|"] + [
        f"| `{k}` | {_md_escape(v)} |" for k, v in manifest["params"].items()])
    out += ["", "## Indata", ""]
    out += captioned("Indatafiler och deras kontrollsummor", [
        "| tabell | fil | md5 | producent |", "|---|---|---|---|"] + [
        f"| `{d['name']}` | `{d['relpath']}` | `{d['md5']}` | {_md_escape(d['producer'])} |"
        for d in manifest["datasets"]])
    out += ["", "## Körda notebooks", ""]
    out += captioned("Körda notebooks och deras cachenycklar", [
        "| källa | sida | nyckel |", "|---|---|---|"] + [
        f"| `{n['source']}` | `{n['output']}` | `{n['key']}` |" for n in manifest["notebooks"]])
    out += [
        "", "## Bygga om utgåvan", "",
        "Alla kommandon körs i repots rotmapp (se `docs/analytikerguide.md`):", "",
        "```bash",
        f"make book EDITION={ed.edition}{region_arg}          # bygger utgåvan till "
        f"_build/html/{geo.REGION.slug}/{ed.edition}/",
        f"make book EDITION={ed.edition}{region_arg} J=2      # två notebooks samtidigt",
        "make fetch-kolada                    # hämtar Koladas nyckeltal om barns ekonomi (kräver nät)",
        "make test                            # alla tester",
        "```", "",
        f"Direkt, utan make: `python -m analysis.book.build book --edition {ed.edition}"
        f"{region_opt} -j 2` "
        "(`--force` kör om alla notebooks).", "",
        "## Riktiga, konfidentiella data", "",
        "Mikrodata läggs i `data/private/` (ignoreras av git) och kontrolleras mot sina "
        "indatakontrakt (`docs/contracts/`). Finns filen används den; annars gör bokens seedade "
        "generatorer syntetiska data (frö: parametern `seed`). Sedan byggs boken om med `--force`.",
        "",
        "- **Registerutdrag om barns ekonomi** (kapitel 3): `data/private/barnfattigdom/"
        "register.parquet`, eller en fil som miljövariabeln `ANALYSIS_REGISTER_EXTRACT` pekar på "
        "(CSV, SAS, SPSS; läsinställningar som JSON i `ANALYSIS_REGISTER_OPTIONS`, t.ex. "
        '`{"sep": ";", "decimal": ",", "encoding": "latin-1"}`).',
        "- **Liv & hälsa** (kapitel 4): omgångarna enligt kontraktet i `analysis.contracts."
        "lh_contract`; miljövariabeln `ANALYSIS_LIV_OCH_HALSA` pekar på mappen.",
        "- **Liv & hälsa ung** (kapitel 5): kontraktet i `analysis.contracts.ung_contract`; "
        "miljövariabeln `ANALYSIS_LIV_OCH_HALSA_UNG`.",
        "",
        "Röjandeskyddets gränser är parametrarna `min_respondents`, `min_count` och "
        "`min_denominator` i parameterfilen.",
        "",
        "## Dokumenten som textfiler", "",
        "Siffrorna ur regionens dokument transkriberades ur text som extraherats ur PDF-filerna "
        "(`seed_figures`, med radnummer och exakt citat per värde).", "",
    ]
    out += captioned("Regionens dokument och deras textfiler", [
        "| dokument | datum | textfil |", "|---|---|---|"] + [
        f"| {_md_escape(r.reference)} | {r.date} | `{r.file}` |"
        for r in documents.bibliography().itertuples()])
    out += ["", "## Datakatalogen", "",
            "Varje rådatafil ligger oförändrad i `data/raw/<källa>/<version>/` och kontrolleras "
            "mot sin md5-kontrollsumma varje gång boken byggs (`data/catalog.yml`).", ""]
    for sname, src in cat["sources"].items():
        out += [f"### {_md_escape(src.get('title'))}", "",
                f"- **Producent:** {_md_escape(src.get('producer'))}",
                f"- **Hämtad från:** {_md_escape(src.get('repository'))}"
                + (f", commit `{src['commit']}`" if src.get("commit") else ""),
                f"- **Hämtad:** {_md_escape(src.get('date_accessed'))}; **licens:** "
                f"{_md_escape(src.get('licence'))}",
                f"- **Mapp:** `data/{src.get('folder')}` (katalognamn `{sname}`)", ""]
        out += captioned(f"Filer: {_md_escape(src.get('title'))}", ["| fil | md5 |", "|---|---|"] + [
            f"| `{_md_escape(f)}` | `{d}` |" for f, d in src.get("files", {}).items()])
        out.append("")
        ds = [(n, d) for n, d in cat["datasets"].items() if d["source"] == sname]
        for n, d in ds:
            out.append(f"- `{n}`: {_md_escape(d.get('title'))} (`{d['file']}`)")
        out.append("")
    return "\n".join(out)


def edition_md(ed: EditionParams, manifest: dict[str, Any]) -> str:
    """The *Om utgåvan* page for readers: reference year, publication date, the dates of the
    data and documents, and the other editions."""
    dates = sorted(str(d.get("date_published")) for d in manifest["datasets"]
                   if d.get("date_published"))
    later = documents.bibliography(ed.published)
    later = later[later["later"]]
    out = [
        "# Om utgåvan",
        "",
        f"Detta är utgåvan **{ed.edition}** av *{_md_escape(ed.title)}*.",
        "",
        f"- **Referensår:** {ed.edition}. Siffrorna avser år {ed.edition} eller det senaste år "
        "som fanns då; varje tabell och diagram anger sitt år.",
        f"- **Utgåvans datum:** {ed.published}.",
    ]
    if dates:
        out.append(f"- **Datum för data:** statistikfilerna publicerades av källorna mellan "
                   f"{dates[0]} och {dates[-1]}. Utgåvan är alltså byggd i efterhand med samma "
                   f"kod som de andra utgåvorna; den visar år {ed.edition} men med de filer som "
                   "fanns när den byggdes.")
    if len(later) and geo.REGION.has(["rapporter"]):  # Region Örebro län's documents
        out.append("- **Senare källor:** " + "; ".join(later["reference"]) + " Dokumenten "
                   "publicerades efter utgåvans datum och märks *senare källa* där de citeras.")
    if ed.previous_edition is not None:
        out.append(f"- **Förra utgåvan:** {ed.previous_edition}; se "
                   "{doc}`vad som har ändrats <vad_har_andrats>`.")
    out += ["", "Hur utgåvan byggdes, med filer och kontrollsummor, står på sidan "
            f"{{doc}}`För analytiker <{ANALYST_PAGE}>`.", ""]
    return "\n".join(out)


def whatchanged_md(ed: EditionParams, comparison: pd.DataFrame | None,
                   csv_name: str = "vad_har_andrats.csv") -> str:
    """The *Vad har ändrats* page: key indicators against the previous edition
    (:func:`analysis.book.whatchanged.page_md`)."""
    if ed.previous_edition is None or comparison is None:
        return "\n".join(["# Vad har ändrats sedan förra utgåvan", "",
                          f"Utgåva {ed.edition} har ingen tidigare utgåva att jämföra med.", ""])
    return whatchanged.page_md(ed.edition, ed.previous_edition, comparison, csv_name)


def codebook_md(edition: int | str, zip_name: str, xlsx_name: str, n_files: int) -> str:
    """The *Kodbok* page: how every downloadable table is laid out (one schema for all, from
    :mod:`analysis.present.codebook`), its columns and units, and the edition's zip and workbook."""
    cols = codebook.vocabulary()["kolumner"]
    out = [f"# Kodbok: bokens tabeller som data (utgåva {edition})", "",
           "Varje tabell och varje diagram i boken kan laddas ner som en CSV-fil. Alla filer har "
           "samma kolumner i samma ordning, så att de kan läsas med ett och samma program och "
           "läggas ihop till en enda tabell. Den här sidan beskriver kolumnerna och enheterna.", "",
           "## Ladda ner allt", "",
           f"- [Alla {text.num(n_files)} tabeller, kodboken och utgåvans innehållsförteckning "
           f"(zip)]({zip_name})",
           f"- [Alla tabeller i en Excel-arbetsbok]({xlsx_name}): bladet *tabeller* har alla rader, "
           "bladet *kodbok* den här sidans beskrivningar.", "",
           "## Filformat", "",
           "- Teckenkodning UTF-8 med byte-ordningsmärke, så att å, ä och ö visas rätt i Excel.",
           "- Kommatecken skiljer kolumnerna och punkt är decimaltecken. I svenskt Excel: öppna "
           "filen via *Data > Från text/CSV* och välj kommatecken som avgränsare, eller använd "
           "arbetsboken ovan.",
           "- Värden har full precision. Kolumnen *värde_visat* har värdet avrundat som boken "
           "visar det, med decimalkomma.",
           "- Andelar anges i procent (enhet *procent*), som i bokens tabeller och diagram; "
           "skillnader mellan andelar i procentenheter.",
           "- En tom cell betyder att uppgiften saknas eller är undertryckt. Undertryckta värden "
           "känns igen på att kolumnen *undertryckt* är *ja*; kolumnen *orsak* säger varför. "
           "Antalet svarande döljs också.", "",
           "## Hur raderna hänger ihop", "",
           "Varje rad är ett värde. En tabell på sidan med flera tal per rad blir flera rader "
           "med samma *tabell* och *rad*, en per mått (kolumnen *mått*): en jämförelse med "
           "övriga länet ger till exempel skillnaden och de två andelarna den bygger på. Ett värde "
           "med två intervall (95 och 99,8 procent) står på två rader, en per konfidensgrad.", "",
           "## Kolumner", ""]
    rows = ["| kolumn | beskrivning |", "|---|---|"]  # two columns: fits a phone's width
    typ = {"text": "Text", "heltal": "Heltal", "decimal": "Decimaltal"}
    for c in cols:
        allowed = f" Tillåtna värden: {', '.join(c['värden'])}." if c.get("värden") else ""
        rows.append(f"| {c['namn']} | {_md_escape(c['beskrivning'])} "
                    f"*{typ[c['typ']]}.*{allowed} |")
    out += captioned("Kolumnerna i varje tabellfil", rows)
    out += ["", "## Enheter", ""]
    rows = ["| enhet | beskrivning |", "|---|---|"]
    for name, u in codebook.units().items():
        rows.append(f"| {name} | {_md_escape(u['beskrivning'])} Visas med {u['decimaler']} "
                    "decimaler i värde_visat, om inte metodsidans avrundningsregel för det "
                    "slags tal säger annat (andelar av enkätsvarande: hela procent). |")
    out += captioned("Enheterna i kolumnen enhet", rows)
    out += ["", "Se också {doc}`förteckningen över undertryckta celler "
            "</book/_generated/rojandeskydd_logg>` och {doc}`metodsidan </book/metoder>`.", ""]
    return "\n".join(out)


PROFILE_DOC = "/book/_generated/kommuner/profil_kommun__area_{code}"


def swedish_key(name: str) -> str:
    """Sort key for Swedish alphabetical order (å, ä, ö after z, in that order)."""
    return name.lower().translate(str.maketrans({"å": "{", "ä": "|", "ö": "}"}))


def kommun_index_md(ed: EditionParams, totals: pd.DataFrame, borders: pd.DataFrame,
                    foreign_born: pd.DataFrame | None = None) -> str:
    """*Hitta din kommun*: a clickable map and an alphabetical list of the kommuner with their
    population (from SCB's kommun series, the edition's year or the latest before it), each
    linking to its profile; and the seed documents' foreign-born shares beside the book's.

    Included by ``book/kommunprofiler.md``; links are relative to that page.
    """
    year = int(totals.loc[totals["ar"] <= ed.edition, "ar"].max())
    pop = totals[totals["ar"] == year].set_index("kommun_kod")["folkmangd"]
    links = {c: f"_generated/kommuner/profil_kommun__area_{c}.html" for c in geo.KOMMUNER}
    out = ["## Hitta din kommun", "",
           "Klicka på en kommun i kartan eller välj i listan. Listan är i bokstavsordning med "
           f"folkmängden den 31 december {year} (SCB).", "",
           kommunkarta.map_svg(borders, links), ""]
    ordered = sorted(geo.KOMMUNER.items(), key=lambda kv: swedish_key(kv[1]))
    if geo.FORBUND:
        fb = geo.kommun_till_forbund()
        out += captioned(f"Länets kommuner, folkmängd {year} och samordningsförbund", [
            "| kommun | folkmängd | samordningsförbund |", "|---|--:|---|"] + [
            f"| {{doc}}`{name} <{PROFILE_DOC.format(code=code)}>` | "
            f"{text.num(pop.get(code))} | {geo.FORBUND[fb[code]].namn} |" for code, name in ordered])
    else:  # a region without the book's Finsam material
        out += captioned(f"Länets kommuner och folkmängd {year}", [
            "| kommun | folkmängd |", "|---|--:|"] + [
            f"| {{doc}}`{name} <{PROFILE_DOC.format(code=code)}>` | {text.num(pop.get(code))} |"
            for code, name in ordered])
    out += ["", f"Folkmängd i länet {year}: {text.num(pop.sum())}.", ""]
    if foreign_born is not None and len(foreign_born):
        out += ["## Utrikes födda: förstudiens siffror och bokens", "",
                "Förstudien (seed-dokumenten) anger andelen utrikes födda avrundad till hela "
                "procent och utan exakt år. Boken räknar andelen ur SCB:s antal utrikes födda och "
                "folkmängd; tabellen visar båda och varför de skiljer sig.", ""]
        rows = ["| område | förstudien | boken | skillnad | förklaring |", "|---|--:|--:|--:|---|"]
        for r in foreign_born.itertuples():
            rows.append(f"| {_md_escape(r.område)} | {text.share(r.publicerat, 0)} "
                        f"({_md_escape(r.period_publicerat)}) | {text.share(r.beräknat, 1)} "
                        f"({r.period_beräknat}) | "
                        f"{text.num(r.skillnad_procentenheter, 1, sign=True)} procentenheter | "
                        f"{_md_escape(r.förklaring)} |")
        out += captioned("Andel utrikes födda: förstudien och boken", rows)
        out += ["", livsvillkor.citation() + "; förstudien: seed-dokumenten (se Källor och data).",
                ""]
    return "\n".join(out)


#: The search box's script (plain JavaScript, no libraries), put inline on the national index
#: page only: a file in ``_static/`` would be loaded by every page of every book.
SEARCH_SCRIPT = Path(__file__).with_name("kommunsok.js")
#: The national index table's HTML id (the search box filters its rows).
NATIONAL_TABLE_ID = "kommunindex"


def national_index_md(edition: int, compare_year: int, index: pd.DataFrame,
                      borders: pd.DataFrame, lan_borders: pd.DataFrame | None = None,
                      link_prefix: str = "_generated/kommuner/") -> str:
    """*Hitta din kommun* for the national edition: a search box, a map of Sweden's kommuner
    coloured by SKR kommungrupp, and the 290 kommuner with län, kommungrupp, folkmängd and
    change, each linking to its profile (:data:`PROFILE_DOC`).

    Parameters
    ----------
    edition, compare_year
        The edition's year and the year the change is counted from.
    index
        :func:`analysis.chapters.riket.kommun_index_table` (290 rows, alphabetical).
    borders, lan_borders
        Catalogue ``kommungranser_riket`` and, drawn on top, ``lansgranser_riket``.
    link_prefix
        The profiles' folder relative to the page that includes this text (the map's links are
        plain HTML; the table's are MyST ``{doc}`` links, checked by Sphinx).

    The search box (:data:`SEARCH_SCRIPT`) filters the table's rows by kommun, län or
    kommungrupp as the reader types; it is hidden without JavaScript, when the whole table shows.

    Raises
    ------
    ValueError
        If the index and the borders do not hold the same kommuner.
    """
    if set(index["kommun_kod"]) != set(borders["kommun_kod"]):
        raise ValueError("the kommun index and the kommun borders hold different kommuner")
    n = len(index)
    links = {c: f"{link_prefix}profil_kommun__area_{c}.html" for c in index["kommun_kod"]}
    names = dict(zip(index["kommun_kod"], index["kommun_namn"], strict=True))
    groups = (index[["kommungrupp_kod", "kommungrupp_namn"]].drop_duplicates()
              .sort_values("kommungrupp_kod"))
    colours = kommunkarta.KOMMUNGRUPP_COLOURS
    fills = {c: colours.get(int(g), "#eeeeee")
             for c, g in zip(index["kommun_kod"], index["kommungrupp_kod"], strict=True)}
    legend = kommunkarta.legend_html(
        {f"{int(r.kommungrupp_kod)} {r.kommungrupp_namn}": colours.get(int(r.kommungrupp_kod),
                                                                      "#eeeeee")
         for r in groups.itertuples()}, "Färgen visar SKR:s kommungrupp (2017):")
    svg = kommunkarta.area_map_svg(
        borders, links, names, fills, outline=lan_borders, legend=legend, tolerance=0.01,
        focusable=False,
        aria_label=f"Karta över Sveriges {n} kommuner, färgade efter kommungrupp; klicka på en "
        "kommun för dess profil")
    script = SEARCH_SCRIPT.read_text(encoding="utf-8").strip()
    out = ["## Hitta din kommun", "",
           f"Sök på kommunens namn, länet eller kommungruppen, eller klicka på en kommun i kartan. "
           f"Listan har alla {text.num(n)} kommuner i bokstavsordning med folkmängden den 31 "
           f"december {edition} (SCB) och förändringen sedan {compare_year}.", "",
           f'<div class="kommunsok" data-tabell="{NATIONAL_TABLE_ID}" hidden '
           f'data-en="1 kommun visas." data-flera="{{n}} kommuner visas." '
           f'data-ingen="Ingen kommun matchar sökningen.">',
           '<label for="kommunsok-falt">Sök kommun, län eller kommungrupp</label>',
           '<input id="kommunsok-falt" type="search" autocomplete="off" spellcheck="false" '
           f'aria-controls="{NATIONAL_TABLE_ID}" placeholder="till exempel Kiruna eller Skåne">',
           '<p class="kommunsok-antal" role="status" aria-live="polite"></p>',
           "</div>", "",
           svg, "",
           ]
    rows = ["| kommun | län | kommungrupp | folkmängd | förändring |", "|---|---|---|--:|--:|"]
    for r in index.itertuples():
        rows.append(f"| {{doc}}`{_md_escape(r.kommun_namn)} <{PROFILE_DOC.format(code=r.kommun_kod)}>` "
                    f"| {_md_escape(r.lan_namn)} | {_md_escape(r.kommungrupp_namn)} "
                    f"| {text.num(getattr(r, f'folkmangd_{edition}'))} "
                    f"| {text.share(r.forandring_andel, 1, sign=True)} |")
    caption = (f"Sveriges {text.num(n)} kommuner: län, kommungrupp, folkmängd {edition} och "
               f"förändring sedan {compare_year}")
    table = captioned(caption, rows)
    table.insert(2, f":name: {NATIONAL_TABLE_ID}")
    table.insert(3, ":class: kommunsok-tabell")
    out += table
    total = int(index[f"folkmangd_{edition}"].sum())
    out += ["", f"Folkmängd i riket {edition}: {text.num(total)}. Kommungrupperna är SKR:s "
            "kommungruppsindelning 2017.", "", "<script>", script, "</script>", "",
            # (inline, as the script: only this page has the table; the book's CSS is shared)
            # words and numbers stay whole; on a phone the table scrolls sideways by itself
            "<style>", ".kommunsok-tabell { display: block; overflow-x: auto; }",
            ".kommunsok-tabell p { overflow-wrap: normal; hyphens: manual; }",
            ".kommunsok-tabell td:nth-child(n+4) p { white-space: nowrap; }",
            "#kommunsok-falt { width: min(100%, 22rem); }", "</style>", ""]
    return "\n".join(out)


def national_data() -> riket.NationalData:
    """The national tables from the catalogue (:func:`analysis.chapters.riket.prepare`)."""
    return riket.prepare(catalog.load("folkmangd_kommun_riket"),
                         catalog.load("kolada_befolkning_riket"), catalog.load("kommunkoder"),
                         catalog.load("skr_kommungrupp"), catalog.load("lankoder"),
                         catalog.load("folkmangd_lan_alder_kon_riket"))


def national_index_page(edition: int, compare_year: int,
                        link_prefix: str = "_generated/kommuner/") -> str:
    """:func:`national_index_md` with the catalogue's national tables: the text a national
    book's *Kommunprofiler* page includes (the build writes it where the regional books have
    ``kommunprofiler_index.md``)."""
    index = riket.kommun_index_table(national_data(), edition, compare_year)
    return national_index_md(edition, compare_year, index, catalog.load("kommungranser_riket"),
                             catalog.load("lansgranser_riket"), link_prefix)


INDICATOR_DIR = "indikatorer"
#: How an indicator page names what shows the indicator.
ELEMENTS = {"tabell": "Tabell", "diagram": "Diagram"}
#: Profile folders under ``book/_generated`` → how an indicator page names and links them.
PROFILE_DIRS = {"kommuner": ("Kommunprofilerna", "/book/kommunprofiler"),
                "forbund": ("Förbundsprofilerna", "/book/forbundsprofiler")}


def indicator_uses(gen: Path) -> pd.DataFrame:
    """Which indicators the executed pages show: every ``indicator_uses.csv`` (tables and
    figures, :func:`analysis.present.publish.record_indicator_use`) and ``indicators.csv``
    (key indicators, :func:`analysis.present.publish.indicators`) under ``gen``.

    Columns ``indicator_id, element, title, periods, data_kind, page`` (``page`` is the document
    of the page, e.g. ``/book/_generated/01_befolkning``; ``element`` is ``nyckeltal`` for a key
    indicator). Sorted by page, so the result does not depend on the order files are found.
    """
    parts = []
    for f in sorted(gen.rglob("*_files/indicator_uses.csv")) + sorted(
            gen.rglob("*_files/indicators.csv")):
        rel = (Path("book/_generated") / f.parent.relative_to(gen)).as_posix()
        page = "/" + rel[:-len("_files")]
        d = pd.read_csv(f, dtype=str, keep_default_na=False)
        if f.name == "indicators.csv":
            d = d.assign(element="nyckeltal", title=d["indicator"], periods=d["period"])
        if provenance.COLUMN not in d:
            d[provenance.COLUMN] = ""
        parts.append(d[["indicator_id", "element", "title", "periods", provenance.COLUMN]]
                     .assign(page=page))
    cols = ["indicator_id", "element", "title", "periods", provenance.COLUMN, "page"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols].sort_values(["page", "indicator_id"],
                                                                 kind="stable", ignore_index=True)


def check_indicator_uses(uses: pd.DataFrame,
                         reg: dict[str, registry.Indicator] | None = None) -> pd.DataFrame:
    """``uses`` with every id resolved to its registry entry (``indicator_id`` becomes the
    entry's id, ``shown_as`` the id the page used).

    Raises
    ------
    InputError
        If a page shows an indicator the registry does not have, or a table or figure links to
        an alias (its link would point to a page that does not exist).
    """
    reg = registry.registry() if reg is None else reg
    bad = registry.unknown(uses["indicator_id"], reg)
    if bad:
        pages = sorted(set(uses.loc[uses["indicator_id"].isin(bad), "page"]))
        raise InputError(str(registry.REGISTRY), "indicators shown in the book have no entry in "
                         f"the indicator registry: {', '.join(bad)} (on {', '.join(pages)})",
                         values=bad)
    ids = registry.aliases(reg)
    linked = uses[uses["element"] != "nyckeltal"]
    alias = sorted(set(linked.loc[linked["indicator_id"].map(ids) != linked["indicator_id"],
                                  "indicator_id"]))
    if alias:
        raise InputError(str(registry.REGISTRY), "tables and figures must link to an entry's id, "
                         f"not an alias: {', '.join(f'{a} (use {ids[a]})' for a in alias)}",
                         values=alias)
    return uses.assign(shown_as=uses["indicator_id"], indicator_id=uses["indicator_id"].map(ids))


def years_text(periods) -> str:
    """Years as a reader reads them: runs of three or more consecutive years as a range
    (``1968–2019``), others listed (``2000, 2004, 2008``); non-year periods at the end."""
    items = {str(p).strip() for p in periods if str(p).strip()}
    years = sorted(int(p) for p in items if p.isdigit())
    rest = sorted(p for p in items if not p.isdigit())
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    out = []
    for r in runs:
        out += [f"{r[0]}–{r[-1]}"] if len(r) >= 3 else [str(y) for y in r]
    return ", ".join(out + rest)


def _shown_in(u: pd.DataFrame) -> list[str]:
    """Bullet lines: where an indicator is shown (chapters with their tables and figures,
    then the profiles as one line each)."""
    out = []
    for page, g in u.groupby("page", sort=True):
        if any(page.startswith(f"/book/_generated/{d}/") for d in PROFILE_DIRS):
            continue
        out.append(f"- {{doc}}`{page}`")
        shown = g[g["element"] != "nyckeltal"].drop_duplicates(["element", "title"])
        for r in shown.itertuples():
            title = _md_escape(r.title).rstrip(".")
            named = title.lower().startswith(("tabell", "diagram", "figur", "bilaga"))
            if title:
                out.append(f"  - {title}" if named else f"  - {ELEMENTS[r.element]}: {title}")
    for folder, (name, doc) in PROFILE_DIRS.items():
        if u["page"].str.startswith(f"/book/_generated/{folder}/").any():
            out.append(f"- {{doc}}`{name} <{doc}>`")
    return out


def indicator_page_md(ind: registry.Indicator, uses: pd.DataFrame) -> str:
    """The page of one indicator: definition, question wording (survey items), numerator and
    denominator, unit, polarity, source, the years this edition shows and the interval method,
    then where the book shows it. ``uses`` are this indicator's rows of :func:`indicator_uses`."""
    src = ind.source
    source = f"{src.producer}: *{_md_escape(src.title)}*" + (f", {_md_escape(src.table)}"
                                                             if src.table else "")
    years = years_text(p for ps in uses["periods"] for p in str(ps).split(";"))
    out = [f"# {ind.label}", ""]
    if ind.note:
        out += [ind.note, ""]
    if uses[provenance.COLUMN].eq(provenance.SYNTHETIC).any():
        out += [":::{admonition} Syntetiska data", ":class: warning",
                "I den här utgåvan visas indikatorn med **syntetiska data**, inte verkliga svar "
                "eller registeruppgifter. Siffrorna visar metoden, inte verkligheten; se "
                "{ref}`syntetiska-data`.", ":::", ""]
    out += ["## Beskrivning", ""]
    fields: list[tuple[str, str]] = [("Definition", ind.definition)]
    if ind.survey is not None:
        survey = registry.SURVEYS[ind.survey.contract][0]
        qs = ind.questions()
        fields.append(("Fråga i enkäten" if len(qs) == 1 else "Frågor i enkäten",
                       " ".join(f"”{_md_escape(q)}”" for q in qs)
                       + f" ({survey}). {registry.WORDINGS[ind.survey.wording]}"))
        fields.append(("Svar som räknas", ind.survey.answers))
    if not len(uses):
        shown_years = "Indikatorn visas inte i den här utgåvan."
    elif years:
        shown_years = years + "\\."  # "2019." alone would start a numbered list
    else:
        shown_years = "Indikatorn visas utan årtal i den här utgåvan."
    fields += [("Täljare", ind.numerator),
               ("Nämnare", ind.denominator or "Ingen: indikatorn är ett antal eller belopp."),
               ("Enhet", registry.UNITS[ind.unit].capitalize() + "."),
               ("Högt eller lågt värde", registry.POLARITY[ind.polarity]),
               ("Källa", source + "."),
               ("År i den här utgåvan", shown_years),
               ("Intervall", registry.INTERVALS[ind.interval])]
    for name, value in fields:
        out += [name, f": {value}", ""]
    out += ["Vad ett konfidensintervall är och hur det läses står bland "
            "{ref}`definitionerna <definitioner-osakerhet>`.", ""]
    shown = _shown_in(uses)
    if shown:
        out += ["## Här visas indikatorn", "", *shown, ""]
    out += [f"Alla indikatorer: {{doc}}`Indikatorer </book/_generated/{INDICATOR_DIR}>`.", ""]
    return "\n".join(out)


def indicator_index_md(reg: dict[str, registry.Indicator], shown: set[str]) -> str:
    """*Indikatorer*: every indicator of the registry by topic, linking to its page; those this
    edition does not show are listed last."""
    out = ["# Indikatorer", "",
           "Varje indikator som boken visar har en egen sida: vad den mäter, hur den räknas, om "
           "ett högt värde är bra eller dåligt, varifrån siffrorna kommer, vilka år utgåvan har "
           "och hur osäkerheten anges. Tabeller och diagram länkar hit under rubriken *Om "
           "indikatorn*. Ord som konfidensintervall och oddskvot förklaras bland "
           "{doc}`definitionerna </book/definitioner>`.", ""]
    for topic, heading in registry.TOPICS.items():
        inds = [i for i in reg.values() if i.topic == topic and i.id in shown]
        if not inds:
            continue
        out += [f"## {heading}", ""]
        out += [f"- {{doc}}`/book/_generated/{INDICATOR_DIR}/{i.id}`: {registry.UNITS[i.unit]}, "
                f"{registry.POLARITY_SHORT[i.polarity]}" for i in inds]
        out.append("")
    rest = [i for i in reg.values() if i.id not in shown]
    if rest:
        out += ["## Visas inte i den här utgåvan", ""]
        out += [f"- {{doc}}`/book/_generated/{INDICATOR_DIR}/{i.id}`" for i in rest]
        out.append("")
    return "\n".join(out)


def write_indicator_pages(gen: Path, reg: dict[str, registry.Indicator] | None = None
                          ) -> list[Path]:
    """Write ``indikatorer.md`` and ``indikatorer/<id>.md`` (every registry entry) from the
    uses recorded by the executed pages under ``gen`` (:func:`check_indicator_uses`).

    A region without some of the book's material (another län, riket) gets the pages of the
    indicators its book shows only: the others' data do not exist for it."""
    reg = registry.registry() if reg is None else reg
    uses = check_indicator_uses(indicator_uses(gen), reg)
    every = {m for r in geo.regions() for m in r.underlag} - {"lan", "riket"}
    if not geo.REGION.has(every):
        reg = {k: v for k, v in reg.items() if k in set(uses["indicator_id"])}
    folder = gen / INDICATOR_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for ind in reg.values():
        p = folder / f"{ind.id}.md"
        p.write_text(indicator_page_md(ind, uses[uses["indicator_id"] == ind.id]),
                     encoding="utf-8")
        written.append(p)
    index = gen / f"{INDICATOR_DIR}.md"
    index.write_text(indicator_index_md(reg, set(uses["indicator_id"])), encoding="utf-8")
    return [index, *written]


def write_generated_pages(root: Path, gen: Path, ed: EditionParams,
                          manifest: dict[str, Any], comparison: pd.DataFrame | None = None) -> None:
    """Write the generated markdown pages into the staging ``book/_generated`` folder."""
    gen.mkdir(parents=True, exist_ok=True)
    foreign_born = None
    if geo.REGION.has(["livsvillkor"]):  # the published kommun statistics beside the pre-study's
        lv_data = livsvillkor.load()
        foreign_born = lv_chapter.seed_foreign_born(lv_data.indicators,
                                                    catalog.load("seed_figures"))
    (gen / "kommunprofiler_index.md").write_text(
        national_index_page(ed.edition, ed.compare_year) if geo.REGION.is_riket else
        kommun_index_md(ed, catalog.load("folkmangd_kommun"), catalog.load("kommungranser"),
                        foreign_born), encoding="utf-8")
    (gen / "kallor.md").write_text(sources_md(root, ed, manifest), encoding="utf-8")
    (gen / "om_utgavan.md").write_text(edition_md(ed, manifest), encoding="utf-8")
    (gen / f"{ANALYST_PAGE}.md").write_text(analyst_md(root, ed, manifest), encoding="utf-8")
    if comparison is not None:
        codebook.write(codebook.tidy(comparison, "vad_har_andrats", "vad_har_andrats"),
                       gen / "vad_har_andrats.csv")
    (gen / "vad_har_andrats.md").write_text(whatchanged_md(ed, comparison), encoding="utf-8")
    write_indicator_pages(gen)


#: Marker lines in the book's static pages (``book/*.md``), removed when the book is staged:
#: ``<!-- needs: finsam -->`` … ``<!-- else -->`` … ``<!-- end -->`` keeps the first branch
#: where the region has the material, else the second; the same marker on a page's first line
#: with no ``end`` keeps or drops the whole page.
_NEEDS_RE = re.compile(r"^<!-- needs: *([a-z_, ]+) *-->\n", re.M)
_ELSE, _END = "<!-- else -->\n", "<!-- end -->\n"


def stage_static(text: str, region: geo.Region, values: dict[str, str] | None = None
                 ) -> str | None:
    """A static page's text for ``region``'s book (``None``: the page is not in it).

    Marker lines (:data:`_NEEDS_RE`) choose what applies and are removed, and the placeholders
    ``{{ lan_namn }}`` and ``{{ region_titel }}`` become the region's name and title (and any
    ``{{ key }}`` of ``values`` its value), so a page staged for a region with every material is
    its file without the marker lines."""
    head = _NEEDS_RE.match(text)
    if head and _END not in text:
        if not region.has(m.strip() for m in head.group(1).split(",")):
            return None
        text = text[head.end():]
    out, pos = [], 0
    for m in _NEEDS_RE.finditer(text):
        end = text.find(_END, m.end())
        if end < 0:
            raise ValueError(f"'{m.group(0).strip()}' without '{_END.strip()}'")
        body = text[m.end():end]
        yes, _, no = body.partition(_ELSE)
        out += [text[pos:m.start()],
                yes if region.has(x.strip() for x in m.group(1).split(",")) else no]
        pos = end + len(_END)
    out.append(text[pos:])
    text = "".join(out)
    for key, value in {"lan_namn": region.namn, "region_titel": region.titel,
                       **(values or {})}.items():
        text = text.replace("{{ " + key + " }}", value)
    return text


def region_values(root: Path, region: geo.Region) -> dict[str, str]:
    """The computed placeholders of the static pages for ``region`` (:func:`stage_static`):
    the number of kommuner, what a kommun profile compares with, and which chapters are left
    out for lack of material (with the regions that have it)."""
    from_jobs = []
    for md in jobs.left_out(root, region):
        meta = jobs.notebook_meta(md)
        if meta.get("fanout") or {"lan", "riket"} & set(meta.get("needs", [])):
            continue  # profiles; a län's own chapter, the national one (said below)
        having = [r.namn for r in geo.regions() if r.has(meta.get("needs", []))]
        heading = next((ln for ln in md.read_text(encoding="utf-8").splitlines()
                        if ln.startswith("# ")), "# " + md.stem)
        title = (heading[2:].replace("{{ edition }}", "")
                 .replace("{{ lan_namn }}", text.join_list(having)).strip())
        from_jobs.append((title, having))
    kapitel = ""
    if from_jobs:
        having = sorted({h for _, hs in from_jobs for h in hs})
        left = text.join_list([f"*{t}*" for t, _ in from_jobs])
        kapitel = (f"{'Kapitlen' if len(from_jobs) > 1 else 'Kapitlet'} {left} bygger på underlag "
                   f"som bara finns för {text.join_list(having)} och ingår därför inte i den här "
                   "boken.")
    if region.is_riket:
        kapitel += (" Länens egna böcker har dessutom ett kapitel om befolkningen i länet, med "
                    "framskrivning.")
    else:
        kapitel += (f" Boken för {geo.region(geo.RIKET).titel} jämför de "
                    f"{len(geo.region(geo.RIKET).lan)} länen.")
    jamforelse = ("Varje profil jämför kommunen med dess län, riket och kommunerna i samma "
                  "kommungrupp enligt SKR:s indelning."
                  if region.is_riket else "Varje profil jämför kommunen med övriga länet.")
    return {"antal_kommuner": text.num(len(region.kommuner)), "kapitel_utanfor": kapitel.strip(),
            "profil_jamforelse": jamforelse}


def landing_html(editions: list[dict[str, Any]]) -> str:
    """A small, self-contained Swedish landing page listing the built books: one section per
    region (län or riket), its editions newest first. ``editions`` are manifests with ``path``
    (``<region>/<edition>``) and ``region`` (``namn``)."""
    by_region: dict[str, list[dict[str, Any]]] = {}
    for e in editions:
        by_region.setdefault(e.get("region", {}).get("namn", ""), []).append(e)
    sections = []
    for name in sorted(by_region, key=swedish_key):
        items = "\n".join(
            f'<li><a href="{html.escape(e["path"])}/index.html">{html.escape(e["title"])}</a> '
            f'<span class="meta">referensår {html.escape(str(e["edition"]))}, utgåvans datum '
            f'{html.escape(str(e["published"]))}</span></li>'
            for e in sorted(by_region[name], key=lambda e: -int(e["edition"])))
        sections.append(f"<h2>{html.escape(name or 'Utgåvor')}</h2>\n<ul>\n{items}\n</ul>")
    body = "\n".join(sections) or "<p>Ingen utgåva är byggd ännu.</p>"
    return f"""<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Välfärd och folkhälsa – utgåvor</title>
<link rel="icon" href="favicon.png">
<style>
body {{ font-family: system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }}
h1 {{ font-size: 1.6rem; }} li {{ margin: .6rem 0; }} .meta {{ color: #666; font-size: .9rem; }}
</style>
</head>
<body>
<h1>Välfärd och folkhälsa</h1>
<p>Statistikböcker om befolkning, målgrupper för samordnad rehabilitering, barns ekonomiska
utsatthet och hälsa, per län och för landets alla kommuner. Varje utgåva byggs om från rådata med
samma kod.</p>
{body}
</body>
</html>
"""


def manifest_json(manifest: dict[str, Any]) -> str:
    """The manifest as stable, pretty JSON."""
    return json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True)
