"""The national kommun index's search box (analysis/book/kommunsok.js) in a real browser: the
generated box and script over the 290 rows, typing filters by kommun, län or kommungrupp, with
and without Swedish letters, and a live region says how many rows show. Needs no built book."""

from __future__ import annotations

import html
import re

import pytest

from analysis.book import bookpages

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def page_html():
    data = bookpages.national_data()
    index = bookpages.riket.kommun_index_table(data, 2019, 2009)
    md = bookpages.national_index_md(2019, 2009, index,
                                     bookpages.catalog.load("kommungranser_riket"))
    box = re.search(r'<div class="kommunsok".*?</div>', md, flags=re.S).group(0)
    script = re.search(r"<script>.*?</script>", md, flags=re.S).group(0)
    svg = re.search(r'<div class="kommunkarta kommunkarta-riket">.*?</svg>.*?</div>', md,
                    flags=re.S).group(0)
    rows = "".join(f"<tr><td><a href='_generated/kommuner/profil_kommun__area_{r.kommun_kod}"
                   f".html'>{html.escape(r.kommun_namn)}</a></td>"
                   f"<td>{html.escape(r.lan_namn)}</td><td>{html.escape(r.kommungrupp_namn)}</td>"
                   "<td>1</td></tr>" for r in index.itertuples())
    return (f'<!DOCTYPE html><html lang="sv"><body>{box}{svg}<table id="'
            f'{bookpages.NATIONAL_TABLE_ID}"><tbody>{rows}</tbody></table>{script}</body></html>')


def _shown(page) -> list[str]:
    return page.eval_on_selector_all(
        "#kommunindex tbody tr:not([hidden]) td:first-child", "els => els.map(e => e.textContent)")


def test_typing_filters_the_rows(browser, page_html):
    page = browser.new_page()
    page.set_content(page_html)
    assert page.is_visible("#kommunsok-falt")  # the script shows the box
    assert len(_shown(page)) == 290
    assert page.inner_text(".kommunsok-antal") == "290 kommuner visas."
    page.fill("#kommunsok-falt", "orebro")  # no ö typed: kommun Örebro and Örebro läns 12
    assert len(_shown(page)) == 12 and "Örebro" in _shown(page)
    page.fill("#kommunsok-falt", "Örebro lekeberg")  # every word must match
    assert _shown(page) == ["Lekeberg"]
    assert page.inner_text(".kommunsok-antal") == "1 kommun visas."
    page.fill("#kommunsok-falt", "besöksnäring")
    assert len(_shown(page)) == 15
    page.fill("#kommunsok-falt", "skåne")
    assert len(_shown(page)) == 33
    page.fill("#kommunsok-falt", "kiruna")  # the map fades the other kommuner
    faded = page.eval_on_selector_all(".kommunkarta-riket a",
                                      "els => els.filter(e => e.style.opacity === '0.2').length")
    assert faded == 289
    assert page.eval_on_selector('a[aria-label="Kiruna"]', "e => e.style.opacity") == ""
    page.fill("#kommunsok-falt", "qqq")
    assert _shown(page) == [] and page.inner_text(".kommunsok-antal") == \
        "Ingen kommun matchar sökningen."
    page.fill("#kommunsok-falt", "")
    assert len(_shown(page)) == 290
    assert page.get_attribute("#kommunsok-falt", "aria-controls") == bookpages.NATIONAL_TABLE_ID
    assert page.inner_text("label[for=kommunsok-falt]").startswith("Sök kommun")
    page.close()


def test_without_javascript_the_box_stays_hidden(browser, page_html):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.set_content(page_html)
    assert not page.is_visible("#kommunsok-falt")
    assert len(_shown(page)) == 290
    ctx.close()


def test_words_match_from_their_start(browser, page_html):
    page = browser.new_page()
    page.set_content(page_html)
    page.fill("#kommunsok-falt", "gotland")  # not Östergötlands län's 13 kommuner
    assert _shown(page) == ["Gotland"]
    page.fill("#kommunsok-falt", "bro")  # a part of a hyphenated name is a word
    assert "Upplands-Bro" in _shown(page)
    page.close()
