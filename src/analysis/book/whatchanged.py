"""What changed since the previous edition: key indicators of every chapter side by side.

Each chapter records its key indicators with :func:`analysis.present.publish.indicators`, each
row with its data kind (:mod:`analysis.core.provenance`); the build collects them for the
edition and for its ``previous_edition`` (:func:`compare`) and writes the comparison page
(:func:`page_md`): measured and modelled indicators first, by chapter, with a kommun filter
that works without scripts; synthetic indicators apart, without verdicts.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from analysis.core import geo, provenance, text

Z95 = 1.959963984540054

#: Decimals a change is shown with, per unit (a change that rounds to 0 there is no change).
DISPLAY_DECIMALS = {"andel": 3, "antal": 0}  # andel: 0,1 procentenheter
OTHER_DECIMALS = 2

CHAPTER_TITLES = {
    "01_befolkning": "Befolkning",
    "02_malgrupp": "Målgrupp för samordnad rehabilitering",
    "03_barnfattigdom": "Barn i ekonomiskt utsatta hushåll",
    "04_liv_och_halsa": "Liv & hälsa: vuxna",
    "05_liv_och_halsa_ung": "Liv & hälsa ung",
}


def _changed(change: pd.Series, unit: pd.Series) -> pd.Series:
    """True where ``change`` does not round to zero at the precision the page shows."""
    dec = unit.map(DISPLAY_DECIMALS).fillna(OTHER_DECIMALS).astype(int)
    return pd.Series([abs(round(float(c), d)) > 0 if pd.notna(c) else False
                      for c, d in zip(change, dec, strict=True)], index=change.index, dtype=bool)


def compare(prev: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Compare two editions' indicator tables (keys ``indicator_id, area_code``).

    Returns one row per indicator and area present in both editions (plus rows present in only
    one, with the other side missing), with ``change = value_new − value_prev``, ``data_kind``
    (the more cautious of the two editions' kinds: synthetic, then modelled, then measured; a
    row without a kind counts as synthetic) and ``beyond_interval``: True when the change is
    larger than its 95 % interval. The interval of the change treats the two editions as
    independent samples, ``1,96·√(se_prev² + se_new²)``, with each SE recovered from its
    interval as ``(upper − lower) / (2·1,96)``. Register and population figures have no
    sampling interval, and synthetic values get no verdict: ``beyond_interval`` is then NA.
    ``status`` is ``ändrad`` only when the change is visible at the page's precision.
    """
    keys = ["indicator_id", "area_code"]
    for name, d in (("previous", prev), ("new", new)):
        dup = d.duplicated(keys)
        if dup.any():
            raise ValueError(f"{name} edition repeats indicators: {d.loc[dup, keys].head(3).values.tolist()}")
    num = ["value", "lower", "upper"]
    kind = provenance.COLUMN
    prev, new = (d.assign(**{c: pd.to_numeric(d.get(c), errors="coerce") for c in num},
                          **{kind: d[kind] if kind in d else provenance.SYNTHETIC,
                             "chapter": d["chapter"] if "chapter" in d else ""})
                 for d in (prev, new))
    m = prev.merge(new, on=keys, how="outer", suffixes=("_prev", "_new"))
    m["indicator"] = m["indicator_new"].fillna(m["indicator_prev"])
    m["chapter"] = m["chapter_new"].fillna(m["chapter_prev"]).fillna("")
    m["unit"] = m["unit_new"].fillna(m["unit_prev"]) if "unit_new" in m else ""
    m[kind] = [provenance.combine([k for k in (a, b) if isinstance(k, str) and k]
                                  or [provenance.SYNTHETIC])
               for a, b in zip(m[f"{kind}_prev"], m[f"{kind}_new"], strict=True)]
    m["change"] = m["value_new"] - m["value_prev"]
    se_p = (m["upper_prev"] - m["lower_prev"]) / (2 * Z95)
    se_n = (m["upper_new"] - m["lower_new"]) / (2 * Z95)
    half = Z95 * np.sqrt(se_p**2 + se_n**2)
    beyond = (m["change"].abs() > half).astype("boolean")
    beyond[half.isna() | m["change"].isna() | (m[kind] == provenance.SYNTHETIC)] = pd.NA
    m["beyond_interval"] = beyond
    changed = _changed(m["change"], m["unit"])
    m["status"] = np.select(
        [m["value_prev"].isna(), m["value_new"].isna(), ~changed],
        ["ny", "utgått", "oförändrad"], default="ändrad")
    cols = ["chapter", "indicator_id", "indicator", "area_code", "unit", "period_prev",
            "value_prev", "period_new", "value_new", "change", "beyond_interval", "status", kind]
    return m[cols].sort_values(["chapter", *keys], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- the page
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


def _area(code: object) -> str:
    try:
        return geo.area_name(str(code))
    except KeyError:
        return str(code)


def _bar(change: float, prev: float) -> str:
    """Direction (arrow) and size (bar length ∝ relative change, capped at 25 %) of a change."""
    rel = abs(change / prev) if prev else 1.0
    width = max(2, round(min(rel, 0.25) / 0.25 * 60))
    up = change > 0
    word = "ökning" if up else "minskning"
    return (f'<span class="vha-pil" aria-hidden="true">{"▲" if up else "▼"}</span>'
            f'<span class="vha-stapel vha-{"upp" if up else "ned"}" style="width:{width}px" '
            f'title="{word}"></span><span class="visually-hidden">{word}</span>')


def _verdict(b: object) -> str:
    if b is None or b is pd.NA or (isinstance(b, float) and pd.isna(b)):
        return "–"
    return "större än osäkerheten" if bool(b) else "inom osäkerheten"


def _row(r, verdict: bool) -> str:
    area = str(r.area_code)
    cells = [html.escape(str(r.indicator)), html.escape(_area(area)),
             f"{_fmt_value(r.value_prev, r.unit)} ({html.escape(str(r.period_prev))})",
             f"{_fmt_value(r.value_new, r.unit)} ({html.escape(str(r.period_new))})"]
    if verdict:
        cells.append(f"{_bar(float(r.change), float(r.value_prev))} "
                     f"{_fmt_change(r.change, r.unit)}")
        cells.append(_verdict(r.beyond_interval))
    tds = "".join(f"<td>{c}</td>" for c in cells)
    return (f'<tr class="vha-rad" data-omrade="{html.escape(area)}" '
            f'data-datatyp="{html.escape(str(getattr(r, provenance.COLUMN)))}">{tds}</tr>')


def _table(rows: pd.DataFrame, verdict: bool, prev_ed: object, ed: object) -> str:
    head = ["Nyckeltal", "Område", str(prev_ed), str(ed)]
    if verdict:
        head += ["Förändring", "Jämfört med osäkerheten"]
    ths = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(_row(r, verdict) for r in rows.itertuples())
    return f'<table class="table vha-tabell"><thead><tr>{ths}</tr></thead><tbody>{body}</tbody></table>'


def _filter(areas: list[str]) -> tuple[str, str]:
    """Radio buttons and the CSS that hides other kommuner's rows (works offline, no script)."""
    codes = [a for a in geo.KOMMUNER if a in set(areas)]
    inputs = ['<input type="radio" name="vha-omrade" id="vha-alla" checked>'
              '<label for="vha-alla">Alla</label>']
    css = []
    for c in codes:
        inputs.append(f'<input type="radio" name="vha-omrade" id="vha-{c}">'
                      f'<label for="vha-{c}">{html.escape(geo.KOMMUNER[c])}</label>')
        css.append(f'#vha-{c}:checked ~ .vha-innehall tr.vha-rad:not([data-omrade="{c}"])'
                   f':not([data-omrade="{geo.LAN_KOD}"]) {{display: none;}}')
    return "".join(inputs), "<style>" + "\n".join(css) + "</style>"


def page_md(edition: object, previous: object, c: pd.DataFrame,
            csv_name: str = "vad_har_andrats.csv") -> str:
    """The *Vad har ändrats* page (MyST with raw HTML) from :func:`compare`'s table.

    The headline counts exactly the rows of the measured-and-modelled table (changed at the
    page's precision); synthetic rows are listed in their own section, without change arrows or
    verdicts.
    """
    kind = provenance.COLUMN
    real = c[c[kind] != provenance.SYNTHETIC]
    synth = c[c[kind] == provenance.SYNTHETIC]
    changed = real[real["status"] == "ändrad"]
    both = real[real["status"].isin(["ändrad", "oförändrad"])]
    n_beyond = int(changed["beyond_interval"].fillna(False).astype(bool).sum())
    n_int = int(changed["beyond_interval"].notna().sum())
    out = [
        "# Vad har ändrats sedan förra utgåvan", "",
        f"Sidan jämför bokens nyckeltal i utgåva **{edition}** med utgåva **{previous}**. Den "
        "skapas när boken byggs: varje kapitel registrerar sina nyckeltal och vilken sorts data de "
        "bygger på, och bygget räknar samma kapitel för den förra utgåvan.", "",
        "```{raw} html",
        f'<p class="vha-rubrik" data-antal-andrade="{len(changed)}"><strong>{text.num(len(changed))} '
        f"nyckeltal från uppmätta och modellerade data har ändrats</strong> av "
        f"{text.num(len(both))} som finns i båda utgåvorna.</p>",
        "```", "",
        f"- {text.num(n_int)} av de ändrade är urvalsskattningar med konfidensintervall; för "
        f"{text.num(n_beyond)} är förändringen större än osäkerheten (95 procent).",
        "- Registeruppgifter och befolkningstal är totalräkningar utan urvalsosäkerhet (–).",
        "- Pilen visar riktningen och stapeln storleken (relativ förändring, full längd vid 25 "
        "procent eller mer).",
        f"- {text.num(len(synth))} nyckeltal bygger på syntetiska data. De står för sig längst ner, "
        "utan förändringar och bedömningar.", "",
        "## Uppmätta och modellerade data", "",
    ]
    if changed.empty:
        out += ["Inget nyckeltal från uppmätta eller modellerade data har ändrats.", ""]
    else:
        inputs, css = _filter(list(changed["area_code"].astype(str)))
        blocks = []
        for ch, g in changed.groupby("chapter", sort=True):
            g = g.assign(_l=(g["area_code"].astype(str) != geo.LAN_KOD).astype(int))
            g = g.sort_values(["_l", "area_code", "indicator_id"], kind="stable")
            title = CHAPTER_TITLES.get(str(ch), str(ch) or "Övrigt")
            blocks.append(f'<h3 class="vha-kapitel">{html.escape(title)}</h3>'
                          + _table(g, True, previous, edition))
        out += ["Välj en kommun för att bara se den och länet (fungerar utan uppkoppling).", "",
                "```{raw} html", css,
                f'<div class="vha-filter" role="group" aria-label="Välj kommun">{inputs}'
                f'<div class="vha-innehall">{"".join(blocks)}</div></div>', "```", ""]
    same = real[real["status"] == "oförändrad"]
    new_or_gone = real[real["status"].isin(["ny", "utgått"])]
    if len(same):
        out += [f"{text.num(len(same))} nyckeltal är oförändrade (förändringen avrundas till noll).",
                ""]
    if len(new_or_gone):
        out += [f"{text.num(len(new_or_gone))} nyckeltal finns bara i den ena utgåvan och "
                "jämförs inte.", ""]
    out += ["## Syntetiska data – inte verkliga värden", ""]
    if synth.empty:
        out += ["Inga nyckeltal bygger på syntetiska data.", ""]
    else:
        out += [
            "Nyckeltalen nedan bygger på syntetiska data som ersätter sekretessbelagda mikrodata. "
            "Skillnaderna mellan utgåvorna är påhittade av generatorn och säger inget om länet. "
            "Därför visas ingen förändring och ingen bedömning.", "",
            "```{raw} html",
            _table(synth.sort_values(["chapter", "indicator_id", "area_code"]), False, previous,
                   edition),
            "```", ""]
    out += [f"[Ladda ner jämförelsen (CSV)]({csv_name})", ""]
    return "\n".join(out)
