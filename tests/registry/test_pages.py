"""The registry's pages in a real headless browser (Debian's chromium driven by Playwright):
readable without JavaScript, everything escaped, the diff form works by plain GET."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest

from .conftest import Server, bearer, document, token

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def _browser_or_skip() -> Any:
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("no chromium at /usr/bin/chromium (CI installs Debian's chromium package in .ci/run)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev extra")
    return sync_api


HOSTILE = '<script>alert(1)</script>"&'


@pytest.fixture
def site(tmp_path: Path, server_factory: Any) -> tuple[Server, str]:
    from contractsync.registry.store import open_store

    data = tmp_path / "data"
    store = open_store(data_dir=data)
    admin = token(store, "admin", name=HOSTILE)
    store.close()
    srv: Server = server_factory(["--data", str(data), "--anonymous-read"])
    import httpx

    with httpx.Client(base_url=srv.url, headers=bearer(admin), timeout=60) as c:
        v1 = document("books", "authors", title=HOSTILE)
        v1["paths"]["/books"]["get"]["summary"] = HOSTILE
        assert c.post("/v1/contracts/shop/versions", content=orjson.dumps(
            {"openapi": v1, "source": {"commit": "abc123", "branch": HOSTILE, "url": "javascript:alert(1)"}})).status_code == 201
        refused = c.post("/v1/contracts/shop/versions", content=orjson.dumps({"openapi": document("books", title=HOSTILE)}))
        fp = refused.json()["causes"][0]["fingerprint"]
        ok = c.post("/v1/contracts/shop/versions", content=orjson.dumps({
            "openapi": document("books", title=HOSTILE),
            "announcements": [{"fingerprint": fp, "reason": f"Authors are gone {HOSTILE}"}]}))
        assert ok.status_code == 201
    return srv, fp


def test_pages_in_a_browser(site: tuple[Server, str]) -> None:
    sync_api = _browser_or_skip()
    srv, _ = site
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            context = browser.new_context(java_script_enabled=False)
            page = context.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: dialogs.append(d.message))
            assert page.goto(srv.url + "/").status == 200
            assert page.locator("h1").inner_text() == "Contracts"
            page.click("text=shop")
            assert page.url.endswith("/ui/shop")
            labels = page.locator("#labels").inner_text()
            assert "main" in labels and "block" in labels
            versions = page.locator("#versions").inner_text()
            assert HOSTILE in versions  # the author's name, shown as text
            assert page.locator("#versions a[href^='javascript']").count() == 0
            # Downloads are links to the immutable files.
            href = page.locator("#v2 a", has_text="types.ts").get_attribute("href")
            assert href is not None and href.endswith("/types.ts")
            assert "export interface paths" in page.request.get(srv.url + href).text()
            # The diff form: a plain GET, no JavaScript.
            page.select_option("select[name=from]", "1")
            page.select_option("select[name=to]", "2")
            page.click("button[type=submit]")
            assert "/ui/shop/diff?from=1&to=2" in page.url
            text = page.locator("body").inner_text()
            assert "1 breaking change" in text and "GET /authors" in text
            assert f"Authors are gone {HOSTILE}" in text
            assert page.locator("li.breaking").count() == 1
            # The changelog of version 2 lists both versions.
            page.goto(srv.url + "/ui/shop/versions/2/changelog")
            assert page.locator("h2").count() >= 2 and HOSTILE in page.locator("h1").inner_text()
            assert page.locator("script").count() == 0
            assert dialogs == []
            # Unknown pages are problem+json, not a crash.
            assert page.goto(srv.url + "/ui/nope").status == 404
        finally:
            browser.close()


def test_pages_escape_markup(site: tuple[Server, str]) -> None:
    import httpx

    srv, _ = site
    for path in ("/", "/ui/shop", "/ui/shop/diff?from=1&to=2", "/ui/shop/versions/2/changelog",
                 "/v1/contracts/shop/diff?from=1&to=2&format=html"):
        text = httpx.get(srv.url + path).text
        assert "<script>" not in text, path
        assert "<!DOCTYPE html>" in text
