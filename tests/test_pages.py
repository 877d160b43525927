"""The pages for people, driven in a real browser: headless Chromium (Debian's ``chromium``, which
``.ci/run`` installs) through Playwright, against a real ``mandato serve`` on the bundled corpus.

Every page visited is checked for what a person must get: no request leaves localhost, no error
in the console, no serious accessibility violation (axe-core, run in the page), and a screenshot
at phone and desktop widths is written to ``tests/screenshots/`` (named in the README)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, sync_playwright

from conftest import MANDATO, served
from mandato.catalogue import load_catalogue
from mandato.namespaces import ID
from mandato.store import Store

SCREENSHOTS = Path(__file__).parent / "screenshots"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
# Chromium flags for a machine with no network and no screen (background services would call out).
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PALERMO = f"{ID}instrument/un-xviii-12-a"
PERU_1_1_1 = f"{ID}plan/pe-plan-nacional-trata-2017-2021/4/1/1-1/1-1-1"
CORETT = f"{ID}organization/corett"
CORETT_SOURCE = f"{ID}source/corett-plan-estrategico-2018-2027"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("Chromium is not installed: the browser tests need Debian's 'chromium' package (.ci/run "
                    "installs it: apt-get install chromium)")
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    store = tmp_path_factory.mktemp("pages") / "store"
    subprocess.run([MANDATO, "--store", store, "ingest"], check=True, capture_output=True)
    with served(store) as (base, _):
        yield base, store


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=FLAGS)
        yield b
        b.close()


class Visit:
    """A browser tab that records what would make a page fail a person: requests to another host,
    console errors, uncaught exceptions."""

    def __init__(self, browser: Browser, base: str, width: str = "desktop"):
        w, h = WIDTHS[width]
        self.context = browser.new_context(viewport={"width": w, "height": h}, locale="es-ES")
        self.page: Page = self.context.new_page()
        self.base, self.width = base, width
        self.outside: list[str] = []
        self.errors: list[str] = []
        host = urlsplit(base).netloc
        self.page.on("request", lambda r: None if urlsplit(r.url).netloc == host or r.url.startswith("data:")
                     else self.outside.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str) -> Page:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def check(self, name: str) -> None:
        """Nothing left localhost, nothing failed, axe finds nothing serious; then a screenshot."""
        assert not self.outside, self.outside
        assert not self.errors, self.errors
        results = Axe().run(self.page)
        serious = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                   for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, serious
        # The page fits the window's width: a long name breaks, a wide table scrolls in its own region.
        overflow = self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than the window"
        SCREENSHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}-{self.width}.png", full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, site) -> Iterator[Visit]:
    v = Visit(browser, site[0])
    yield v
    v.close()


PAGES = {
    "home": "/",
    "search": "/search?q=palermo",
    "instrument": "/id/instrument/un-xviii-12-a",
    "country": "/id/country/cr",
    "treaty-action": "/id/treaty-action/un-xviii-12-a/cr/consent",
    "plan": "/id/plan/corett-plan-operativo-2020-2022",
    "activity": "/id/plan/pe-plan-nacional-trata-2017-2021/4/1/1-1/1-1-1",
    "body": "/id/organization/pe-cmnp-tptim",
    "norm": "/id/instrument/pe/ley/28950",
    "matrix": "/matrix",
    "findings": "/findings",
    "ontology": "/ontology",
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_is_usable(browser, site, name, width):
    """Each page at each width: it answers, stays on localhost, logs no error, passes axe, and
    leaves its screenshot."""
    v = Visit(browser, site[0], width)
    try:
        page = v.open(PAGES[name])
        assert page.locator("h1").count() == 1
        assert page.locator("html").get_attribute("lang") == "es"
        v.check(name)
    finally:
        v.close()


@pytest.mark.parametrize("typed", ["palermo", "XVIII-12-a", "PROTOCOLO DE PALERMO", "Palermo Protocol"])
def test_search_finds_the_palermo_protocol(visit, typed):
    page = visit.open("/")
    page.get_by_label("Buscar instrumentos").fill(typed)
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    treaties = page.locator("section.results", has=page.get_by_role("heading", name="Tratados"))
    link = treaties.locator('a[href="/id/instrument/un-xviii-12-a"]')
    assert link.count() == 1
    assert "Protocolo para Prevenir, Reprimir y Sancionar la Trata de Personas" in link.inner_text()
    link.click()
    assert page.locator("h1").inner_text().startswith("Protocolo para Prevenir")


def test_search_works_without_javascript(site):
    body = httpx.get(site[0] + "/search", params={"q": "xviii-12-a"}, headers=HTML).text
    assert 'href="/id/instrument/un-xviii-12-a"' in body
    nothing = httpx.get(site[0] + "/search", params={"q": "qwertyzzz"}, headers=HTML)
    assert nothing.status_code == 200 and "Nada coincide con «qwertyzzz»" in nothing.text


def test_instrument_page_lists_costa_rica_with_its_source_line(visit):
    page = visit.open("/id/instrument/un-xviii-12-a")
    row = page.locator("section[aria-labelledby=acts] tr", has=page.get_by_role("link", name="Costa Rica"))
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert cells[1] == "ratificación" and cells[2] == "2003-09-09"
    assert cells[4] == "corett-plan-estrategico-2018-2027.txt, line 434"
    # The act links to its own page, which quotes the line it was read from.
    row.get_by_role("link", name="ratificación").click()
    page.wait_for_load_state("networkidle")
    assert "434" in page.locator("section.source").inner_text()
    # What each source says of the act: here one source, whose values the act takes, quoted.
    said = page.locator("section[aria-labelledby=attestations] tbody tr")
    assert said.count() == 1
    assert "corett-plan-estrategico-2018-2027.txt, line 434" in said.inner_text()
    assert "Costa Rica | 09 /09/ 2003" in said.locator("blockquote").inner_text()
    assert said.locator(".tag").inner_text() == "valores del acto"
    visit.check("treaty-action-from-instrument")


def test_instrument_page_draws_its_timeline_and_who_has_not_acted(visit):
    page = visit.open("/id/instrument/un-xviii-12-a")
    assert page.locator("figure.chart svg").count() >= 1  # drawn by the bundled Observable Plot
    caveat = page.locator("section[aria-labelledby=not-acted] .caveat")
    assert "no prueba que no exista" in caveat.inner_text()
    assert page.locator("#group option").count() >= 1


def test_matrix_shows_every_member_against_every_instrument_of_its_tables(visit, site):
    store = Store(site[1], read_only=True)
    members = {r["c"] for r in store.select(
        f"SELECT ?c WHERE {{ ?m <http://www.w3.org/ns/org#organization> <{CORETT}> ; "
        f"<http://www.w3.org/ns/org#member> ?c }}").records()}
    instruments = {r["i"] for r in store.select(
        f"SELECT DISTINCT ?i WHERE {{ ?a a <https://w3id.org/mandato/ontology#TreatyAction> ; "
        f"<https://w3id.org/mandato/ontology#instrument> ?i ; <http://www.w3.org/ns/prov#wasDerivedFrom> "
        f"<{CORETT_SOURCE}> }}").records()}
    assert len(members) >= 8 and len(instruments) >= 15
    page = visit.open("/matrix?group=CORETT")  # a group by its acronym, as a person types it
    assert page.locator("#group option:checked").get_attribute("value") == CORETT
    rows = {h.get_attribute("href") for h in page.locator("table.matrix tbody th a").all()}
    columns = {h.get_attribute("href") for h in page.locator("table.matrix thead th a").all()}
    assert rows == {"/id/" + m[len(str(ID)):] for m in members}
    assert {"/id/" + i[len(str(ID)):] for i in instruments} <= columns
    # Costa Rica's cell on the Palermo Protocol: coloured as a ratification, linked to the act.
    cr = page.locator("table.matrix tbody tr", has=page.locator('th a[href="/id/country/cr"]'))
    act = cr.locator('a[href="/id/treaty-action/un-xviii-12-a/cr/consent"]')
    assert act.count() == 1
    assert "act-ratification" in (act.locator("xpath=..").get_attribute("class") or "")


def test_matrix_downloads_are_the_view(site):
    base = site[0]
    params = {"group": CORETT}
    text = httpx.get(base + "/matrix", params={**params, "format": "csv"}).text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["País", "ISO"] and "Protocolo de Palermo" in rows[0]
    cr = next(r for r in rows if r[1] == "CR")
    assert cr[rows[0].index("Protocolo de Palermo")] == "2003-09-09 (ratification)"
    book = load_workbook(io.BytesIO(httpx.get(base + "/matrix", params={**params, "format": "xlsx"}).content))
    sheet = book.active
    assert [c.value for c in sheet[1]][:2] == ["País", "ISO"] and sheet.max_row == len(rows)
    un = httpx.get(base + "/matrix", params={**params, "family": f"{ID}organization/oas", "format": "csv"}).text
    header = next(csv.reader(io.StringIO(un)))
    assert "Protocolo de Palermo" not in header and "Convención de Belém do Pará" in header


def test_activity_page_draws_its_mandate_chain_to_the_palermo_protocol(visit):
    page = visit.open("/id/plan/pe-plan-nacional-trata-2017-2021/4/1/1-1/1-1-1")
    chain = page.locator("ol.chain")
    steps = chain.locator(":scope > li")
    assert steps.count() >= 8
    palermo = chain.locator('a[href="/id/instrument/un-xviii-12-a"]')
    assert palermo.count() >= 1
    step = chain.locator('li.link-step:has(a[href="/id/instrument/un-xviii-12-a"])').first
    assert "Fuente:" in step.inner_text()
    # Each step cites where it was read: the activity's own line first.
    assert "pe-plan-nacional-trata-2017-2021.txt, line 422" in steps.nth(0).inner_text()
    responsible = page.locator("section[aria-labelledby=commitments]")
    assert "Comisión Multisectorial" in responsible.inner_text()


def test_plan_page_has_an_outline_tree_and_a_progress_chart(visit):
    page = visit.open("/id/plan/corett-plan-operativo-2020-2022")
    tree = page.locator("section[aria-labelledby=outline] ul.tree")
    assert tree.locator("details").count() >= 3
    assert tree.locator(".level").first.inner_text() == "eje"  # the plan's levels in the page's language
    closed = tree.locator("details:not([open])").first.element_handle()
    assert closed is not None
    summary = closed.query_selector(":scope > summary")
    assert summary is not None
    summary.click()
    assert closed.get_attribute("open") is not None
    assert page.locator("section[aria-labelledby=progress] svg").count() >= 1


def test_language_switch_changes_labels_and_is_remembered(visit):
    page = visit.open("/id/country/cr")
    assert page.get_by_role("heading", name="Instrumentos internacionales").count() == 1
    page.get_by_role("link", name="EN · English").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="International instruments").count() == 1
    page.get_by_role("link", name="Ratification matrix").click()  # no ?lang= in this link: the cookie
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Ratification matrix"
    page.goto(visit.base + "/id/instrument/un-xviii-12-a")
    assert page.locator("h1").inner_text().startswith("Protocol to Prevent, Suppress and Punish")
    visit.check("instrument-en")


def test_text_without_an_english_form_is_marked_on_english_pages(visit):
    # Plan titles, plan parts and national norms are printed in Spanish only: an English page shows
    # them as printed, in an element that says their language, with a visible tag; English text
    # is never marked, and a Spanish page marks nothing Spanish.
    page = visit.open("/id/plan/corett-plan-operativo-2020-2022?lang=en")
    assert page.locator("h1 [lang=es]").inner_text() == "PLAN OPERATIVO 2020-2022"
    assert page.locator("h1 .tag.untranslated").inner_text() == "es"
    outline = page.locator("section[aria-labelledby=outline] ul.tree a [lang=es]")
    assert outline.count() >= 20
    assert page.locator("section[aria-labelledby=outline] .level").first.inner_text() == "axis"
    page = visit.open("/id/country/pe?lang=en")
    bodies = page.locator("section[aria-labelledby=bodies] td a")
    marked = {bodies.nth(i).locator("[lang]").first.get_attribute("lang") if bodies.nth(i).locator("[lang]").count()
              else None for i in range(bodies.count())}
    assert marked == {None, "es"}  # bodies with an English name, norms without one
    assert set(page.locator(".tag.untranslated").all_inner_texts()) == {"es"}
    page = visit.open("/id/plan/corett-plan-operativo-2020-2022?lang=es")
    assert page.locator("main [lang=es]").count() == 0
    visit.check("plan-en")


def test_findings_page_lists_the_membership_disagreement(visit):
    page = visit.open("/findings")
    assert page.locator("h3 .code", has_text="membership-disagreement").count() == 1
    assert "Panamá" in page.locator("main").inner_text()


def test_findings_page_counts_each_source_and_opens_its_own_page(visit):
    page = visit.open("/findings")
    table = page.locator("section[aria-labelledby=sources] tbody tr")
    sources = page.locator("main > section[aria-labelledby^=source-]")
    assert table.count() == sources.count() > 1
    row = table.filter(has_text="membership-disagreement")
    expected, name = int(row.locator("td.num").inner_text()), row.locator("a").inner_text()
    row.locator("a").click()
    page.wait_for_url("**/findings?source=*")
    assert page.locator("main > section[aria-labelledby^=source-]").count() == 1
    assert page.locator("ul.findings li").count() == expected
    assert page.locator("main > section h2").inner_text() in name  # its title (the table gives its file too)
    visit.check("findings-source")


def test_ontology_page_tells_ours_from_reused(visit):
    page = visit.open("/ontology")
    ours = page.locator('dt[id="mdo:TreatyAction"]')
    assert "propio" in ours.inner_text()
    reused = page.locator('dt[id="skos:prefLabel"]')
    assert "reutilizado de" in reused.inner_text()
    assert "acto convencional" in page.locator('dt[id="mdo:TreatyAction"] + dd').inner_text().lower()


def test_sparql_in_a_browser_is_a_query_editor_with_the_saved_queries(visit):
    page = visit.open("/sparql")
    tabs = page.locator(".tabsList .tab")
    assert tabs.count() == len(load_catalogue())
    assert page.locator(".tabsList", has_text="ratifications").count() == 1
    page.locator(".tabsList .tab", has_text="ratification-matrix").click()
    page.locator(".yasqe_queryButton:visible").click()
    page.wait_for_selector(".yasr_results table td:visible", timeout=20_000)
    assert "Costa Rica" in page.locator(".yasr_results:visible").inner_text()
    visit.check("sparql")


def test_rdf_clients_and_the_api_are_unchanged(site):
    base = site[0]
    turtle = httpx.get(base + "/id/country/cr", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle") and "isoAlpha2" in turtle.text
    assert httpx.get(base + "/").json()["name"] == "mandato"
    assert httpx.get(base + "/ontology").headers["content-type"].startswith("text/turtle")
    described = httpx.get(base + "/sparql")  # the service description, for clients that ask nothing
    assert described.headers["content-type"].startswith("text/turtle")
    assert "sparql-service-description" in described.text
    page = httpx.get(base + "/id/country/cr", headers=HTML)
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    missing = httpx.get(base + "/id/country/zz-nothing", headers=HTML)
    assert missing.status_code == 404 and "No encontrado" in missing.text
    assert httpx.get(base + "/id/country/zz-nothing").json()["status"] == 404


def test_a_language_cookie_gets_its_own_etag(site):
    base = site[0]
    es = httpx.get(base + "/matrix", headers=HTML)
    en = httpx.get(base + "/matrix", headers=HTML, cookies={"mandato_lang": "en"})
    assert es.headers["etag"] != en.headers["etag"]
    again = httpx.get(base + "/matrix", headers={**HTML, "If-None-Match": es.headers["etag"]},
                      cookies={"mandato_lang": "en"})
    assert again.status_code == 200 and "Ratification matrix" in again.text



def test_the_pages_speak_both_languages_in_full():
    """Every word of the pages exists in Spanish and in English (a missing one would fall back silently)."""
    from mandato.api.pages import TEXT

    assert set(TEXT) == {"es", "en"}
    assert set(TEXT["es"]) == set(TEXT["en"])
    assert all(v.strip() for lang in TEXT.values() for v in lang.values())


def test_search_ranks_an_exact_name_first_and_groups_by_kind(corpus_store):
    from mandato.search import search

    by_id = search(corpus_store, "xviii-12-a")
    assert by_id["instrument"][0].iri == PALERMO and by_id["instrument"][0].rank == 0
    costa_rica = search(corpus_store, "COSTA RICA", "en")
    assert next(iter(costa_rica)) == "country" and costa_rica["country"][0].label == "Costa Rica"
    typing = search(corpus_store, "proto paler")  # words being typed
    assert PALERMO in {h.iri for h in typing["instrument"]}
    assert search(corpus_store, "   ") == {} and search(corpus_store, "qwertyzzz") == {}


def test_a_reconciliation_preview_shows_in_another_sites_frame(browser, site):
    """OpenRefine shows /reconcile's preview in a frame of its own page: that card may be framed
    by another origin, and no other page may (frame-ancestors 'none')."""
    base = site[0]
    host = (f'<!doctype html><html lang="en"><title>partner</title><iframe id="card" title="card" width="420" '
            f'height="220" src="{base}/reconcile/preview?id=country/do"></iframe><iframe id="page" title="page" '
            f'src="{base}/id/country/do"></iframe></html>').encode()

    class Partner(BaseHTTPRequestHandler):  # another origin: another port
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(host)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Partner)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        page.wait_for_load_state("networkidle")
        assert page.frame_locator("#card").locator("h1").inner_text() == "República Dominicana"
        # Refused: in that frame Chromium shows its own error ("127.0.0.1 is blocked"), not the page.
        assert "República Dominicana" not in page.frame_locator("#page").locator("body").inner_text()
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "reconcile-preview-framed.png")
    finally:
        context.close()
        server.shutdown()
