"""Pages the build generates: sources (from the data catalogue), the edition's manifest, and
the landing page that lists the editions."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.book.params import EditionParams
from analysis.chapters import livsvillkor as lv_chapter
from analysis.core import geo, text
from analysis.inputs import livsvillkor
from analysis.present import kommunkarta
from analysis.sources import catalog


def _md_escape(s: object) -> str:
    return str(s if s is not None else "").replace("|", "\\|").replace("\n", " ")


def sources_md(root: Path) -> str:
    """The *Källor och data* page, rendered from ``data/catalog.yml``."""
    cat = catalog.read_catalog(root)
    out = [
        "# Källor och data",
        "",
        "Sidan skapas automatiskt ur bokens datakatalog (`data/catalog.yml`). Varje rådatafil "
        "ligger oförändrad i `data/raw/<källa>/<version>/` och kontrolleras mot sin "
        "md5-kontrollsumma varje gång boken byggs.",
        "",
    ]
    for sname, src in cat["sources"].items():
        out += [f"## {_md_escape(src.get('title'))}", ""]
        out += [
            f"- **Producent:** {_md_escape(src.get('producer'))}",
            f"- **Webbplats:** <{src.get('url_main')}>" if src.get("url_main") else "",
            f"- **Hämtad från:** {_md_escape(src.get('repository'))}"
            + (f", commit `{src['commit']}`" if src.get("commit") else ""),
            f"- **Publicerad:** {_md_escape(src.get('date_published'))}; "
            f"**hämtad:** {_md_escape(src.get('date_accessed'))}",
            f"- **Licens enligt källan:** {_md_escape(src.get('licence'))}",
            f"- **Ange källa som:** {_md_escape(src.get('citation'))}",
            f"- **Mapp:** `data/{src.get('folder')}` (katalognamn `{sname}`)",
            "",
            "| fil | md5 |",
            "|---|---|",
        ]
        out += [f"| `{_md_escape(f)}` | `{d}` |" for f, d in src.get("files", {}).items()]
        out.append("")
        ds = [(n, d) for n, d in cat["datasets"].items() if d["source"] == sname]
        if ds:
            out += ["Tabeller som boken läser:", ""]
            for n, d in ds:
                out.append(f"- `{n}`: {_md_escape(d.get('title'))} (`{d['file']}`)")
                for col, desc in (d.get("columns") or {}).items():
                    out.append(f"  - `{_md_escape(col)}`: {_md_escape(desc)}")
            out.append("")
    return "\n".join(x for x in out if x is not None)


def edition_md(ed: EditionParams, manifest: dict[str, Any]) -> str:
    """The *Om utgåvan* page: parameters, inputs with checksums, commit, notebooks."""
    out = [
        "# Om utgåvan",
        "",
        f"Detta är utgåvan **{ed.edition}** av *{_md_escape(ed.title)}*, publicerad "
        f"{ed.published}. Sidan skapas automatiskt när boken byggs och visar exakt vad utgåvan "
        "byggdes av, så att varje siffra kan återskapas.",
        "",
        f"- **Git-commit:** `{manifest['git_commit']}`",
        f"- **Parameterfil:** `{manifest['params_file']}`",
        f"- **Byggnyckel:** `{manifest['build_key']}` (ändras när en notebook, en datafil, "
        "koden eller en parameter ändras)",
        "",
        "## Parametrar",
        "",
        "| parameter | värde |",
        "|---|---|",
    ]
    out += [f"| `{k}` | {_md_escape(v)} |" for k, v in manifest["params"].items()]
    out += ["", "## Indata", "", "| tabell | fil | md5 | producent |", "|---|---|---|---|"]
    out += [
        f"| `{d['name']}` | `{d['relpath']}` | `{d['md5']}` | {_md_escape(d['producer'])} |"
        for d in manifest["datasets"]
    ]
    out += ["", "## Körda notebooks", "", "| källa | sida | nyckel |", "|---|---|---|"]
    out += [f"| `{n['source']}` | `{n['output']}` | `{n['key']}` |" for n in manifest["notebooks"]]
    out += ["", "Hela manifestet finns som <a href=\"../../manifest.json\">manifest.json</a> i den byggda boken.",
            ""]
    return "\n".join(out)


def _fmt_value(v: object, unit: object) -> str:

    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ".."
    if unit == "andel":
        return text.share(float(v), 1)
    if unit == "antal":
        return text.num(float(v))
    return text.num(float(v), 2)


def _fmt_change(v: object, unit: object) -> str:

    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ".."
    if unit == "andel":
        return text.num(100 * float(v), 1, sign=True) + " procentenheter"
    if unit == "antal":
        return text.num(float(v), sign=True)
    return text.num(float(v), 2, sign=True)


def whatchanged_md(ed: EditionParams, comparison: pd.DataFrame | None,
                   csv_name: str = "vad_har_andrats.csv") -> str:
    """The *Vad har ändrats* page: key indicators against the previous edition."""

    out = ["# Vad har ändrats sedan förra utgåvan", ""]
    if ed.previous_edition is None or comparison is None:
        out += [f"Utgåva {ed.edition} har ingen tidigare utgåva att jämföra med.", ""]
        return "\n".join(out)
    c = comparison
    both = c[c["status"].isin(["ändrad", "oförändrad"])]
    n_changed = int((both["status"] == "ändrad").sum())
    n_beyond = int(both["beyond_interval"].fillna(False).astype(bool).sum())
    n_int = int(both["beyond_interval"].notna().sum())
    out += [
        f"Sidan jämför bokens nyckeltal i utgåva **{ed.edition}** med utgåva "
        f"**{ed.previous_edition}**. Den skapas automatiskt när boken byggs: varje kapitel "
        "registrerar sina nyckeltal, och bygget kör samma kapitel för den förra utgåvan.",
        "",
        f"- {text.num(len(both))} nyckeltal finns i båda utgåvorna; {text.num(n_changed)} har "
        "ändrats.",
        f"- {text.num(n_int)} av dem är urvalsskattningar med konfidensintervall; för "
        f"{text.num(n_beyond)} är förändringen större än dess 95-procentiga osäkerhetsintervall.",
        "- Registeruppgifter och befolkningstal är totalräkningar utan urvalsosäkerhet (–).",
        "",
        "| nyckeltal | område | "
        f"{ed.previous_edition} | {ed.edition} | förändring | utanför intervallet |",
        "|---|---|--:|--:|--:|:-:|",
    ]
    for r in c.itertuples():
        try:
            area = geo.area_name(str(r.area_code))
        except KeyError:
            area = str(r.area_code)
        flag = {True: "ja", False: "nej"}.get(r.beyond_interval if pd.notna(r.beyond_interval)
                                              else None, "–")
        prev = f"{_fmt_value(r.value_prev, r.unit)} ({r.period_prev})" if pd.notna(r.value_prev) else "–"
        new = f"{_fmt_value(r.value_new, r.unit)} ({r.period_new})" if pd.notna(r.value_new) else "–"
        out.append(f"| {_md_escape(r.indicator)} | {_md_escape(area)} | {prev} | {new} | "
                   f"{_fmt_change(r.change, r.unit)} | {flag} |")
    out += ["", f"[Ladda ner jämförelsen (CSV)]({csv_name})", ""]
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
           kommunkarta.map_svg(borders, links), "",
           "| kommun | folkmängd | samordningsförbund |", "|---|--:|---|"]
    fb = geo.kommun_till_forbund()
    for code, name in sorted(geo.KOMMUNER.items(), key=lambda kv: swedish_key(kv[1])):
        out.append(f"| {{doc}}`{name} <{PROFILE_DOC.format(code=code)}>` | "
                   f"{text.num(pop.get(code))} | {geo.FORBUND[fb[code]].namn} |")
    out += ["", f"Folkmängd i länet {year}: {text.num(pop.sum())}.", ""]
    if foreign_born is not None and len(foreign_born):
        out += ["## Utrikes födda: förstudiens siffror och bokens", "",
                "Förstudien (seed-dokumenten) anger andelen utrikes födda avrundad till hela "
                "procent och utan exakt år. Boken räknar andelen ur SCB:s antal utrikes födda och "
                "folkmängd; tabellen visar båda och varför de skiljer sig.", "",
                "| område | förstudien | boken | skillnad | förklaring |", "|---|--:|--:|--:|---|"]
        for r in foreign_born.itertuples():
            out.append(f"| {_md_escape(r.område)} | {text.share(r.publicerat, 0)} "
                       f"({_md_escape(r.period_publicerat)}) | {text.share(r.beräknat, 1)} "
                       f"({r.period_beräknat}) | "
                       f"{text.num(r.skillnad_procentenheter, 1, sign=True)} procentenheter | "
                       f"{_md_escape(r.förklaring)} |")
        out += ["", livsvillkor.citation() + "; förstudien: seed-dokumenten (se Källor och data).",
                ""]
    return "\n".join(out)


def write_generated_pages(root: Path, gen: Path, ed: EditionParams,
                          manifest: dict[str, Any], comparison: pd.DataFrame | None = None) -> None:
    """Write the generated markdown pages into the staging ``book/_generated`` folder."""
    gen.mkdir(parents=True, exist_ok=True)
    lv_data = livsvillkor.load()
    (gen / "kommunprofiler_index.md").write_text(kommun_index_md(
        ed, catalog.load("folkmangd_kommun"), catalog.load("kommungranser"),
        lv_chapter.seed_foreign_born(lv_data.indicators, catalog.load("seed_figures"))),
        encoding="utf-8")
    (gen / "kallor.md").write_text(sources_md(root), encoding="utf-8")
    (gen / "om_utgavan.md").write_text(edition_md(ed, manifest), encoding="utf-8")
    if comparison is not None:
        comparison.to_csv(gen / "vad_har_andrats.csv", index=False, encoding="utf-8",
                          lineterminator="\n", float_format="%.10g")
    (gen / "vad_har_andrats.md").write_text(whatchanged_md(ed, comparison), encoding="utf-8")


def landing_html(editions: list[dict[str, Any]]) -> str:
    """A small, self-contained Swedish landing page listing the built editions."""
    items = "\n".join(
        f'<li><a href="{e["edition"]}/index.html">{html.escape(e["title"])}</a> '
        f'<span class="meta">publicerad {html.escape(str(e["published"]))}, '
        f'commit <code>{html.escape(str(e["git_commit"])[:12])}</code></span></li>'
        for e in editions
    ) or "<li>Ingen utgåva är byggd ännu. Kör <code>make book</code>.</li>"
    return f"""<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Välfärd och folkhälsa i Örebro län – utgåvor</title>
<link rel="icon" href="favicon.png">
<style>
body {{ font-family: system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }}
h1 {{ font-size: 1.6rem; }} li {{ margin: .6rem 0; }} .meta {{ color: #666; font-size: .9rem; }}
</style>
</head>
<body>
<h1>Välfärd och folkhälsa i Örebro län</h1>
<p>Statistikbok om befolkning, målgrupper för samordnad rehabilitering, barns ekonomiska utsatthet
och hälsa i Örebro län. Varje utgåva byggs om från rådata med samma kod.</p>
<h2>Utgåvor</h2>
<ul>
{items}
</ul>
</body>
</html>
"""


def manifest_json(manifest: dict[str, Any]) -> str:
    """The manifest as stable, pretty JSON."""
    return json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True)
