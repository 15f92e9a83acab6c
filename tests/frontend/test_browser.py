"""The example Vue frontend in a real browser against the real v1 backend (#10).

Three real processes, each on a free loopback port and stopped by its PID: the bookshop v1 app under
uvicorn (a fresh in-memory store from ``create_app()``), ``vite preview`` serving a fresh production
build of examples/bookshop/frontend with /api proxied to that backend, and Debian's headless
Chromium driven by Playwright. The flow is the one a user follows: the list (sorting and paging),
a book, a review posted and listed, a cover uploaded and shown, the author's page, a book added. Any error the
page shows (console errors, uncaught exceptions, failed or 4xx/5xx requests, an error element)
fails the test. A screenshot of each step is kept in ``test-artifacts/frontend/`` (or
``$CONTRACTSYNC_ARTIFACTS/frontend``); the directory is printed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
FRONTEND = REPO / "examples" / "bookshop" / "frontend"
BACKEND_V1 = REPO / "examples" / "bookshop" / "v1"
CHROMIUM = Path(os.environ.get("CONTRACTSYNC_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT = 60.0

# The one error response the app expects: a book without a cover answers 404 to GET .../cover,
# which the page shows as "No cover yet".
EXPECTED_MISSING_COVER = re.compile(r"^GET /api/books/\d+/cover$")


def _requirements() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("no `node` on PATH: the example frontend needs Node 20+ (.ci/run has it)")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (.ci/run does it)")
    pytest.importorskip("playwright.sync_api", reason="playwright is in the [dev] extras")
    return node


def _run(cmd: list[str], cwd: Path) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )


def _stop(proc: subprocess.Popen[Any]) -> None:
    """Stop a child started in its own session: its process group is its PID."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _wait_http(url: str, proc: subprocess.Popen[Any], what: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            raise AssertionError(f"{what} exited with {proc.returncode}:\n{out}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} did not answer {url} within {STARTUP_TIMEOUT:.0f}s")


@pytest.fixture(scope="module")
def built_frontend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A production build of the current sources (vue-tsc is `make test`'s job; this is vite)."""
    node = _requirements()
    if not (FRONTEND / "node_modules" / ".package-lock.json").exists():
        _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], FRONTEND)
    out = tmp_path_factory.mktemp("frontend") / "dist"
    _run(
        [node, "node_modules/vite/bin/vite.js", "build", "--outDir", str(out), "--emptyOutDir"],
        FRONTEND,
    )
    assert (out / "index.html").is_file()
    return out


@pytest.fixture(scope="module")
def backend() -> Iterator[str]:
    """The v1 bookshop under uvicorn, on a socket bound here to a free port and handed over by fd."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    cmd = [
        sys.executable, "-m", "uvicorn", "--factory", "bookshop.main:create_app",
        "--app-dir", str(BACKEND_V1), "--fd", str(sock.fileno()), "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, pass_fds=(sock.fileno(),), start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    sock.close()
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_http(f"{url}/health", proc, "uvicorn (bookshop v1)")
        yield url
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def frontend_url(built_frontend: Path, backend: str) -> Iterator[str]:
    """`vite preview` of the build on a free port (it binds port 0 and prints the URL)."""
    node = shutil.which("node")
    assert node is not None
    cmd = [
        node, "node_modules/vite/bin/vite.js", "preview", "--outDir", str(built_frontend),
        "--host", "127.0.0.1", "--port", "0", "--strictPort",
    ]  # fmt: skip
    env = {**os.environ, "BOOKSHOP_API": backend, "NO_COLOR": "1", "FORCE_COLOR": "0"}
    proc = subprocess.Popen(
        cmd, cwd=FRONTEND, env=env, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = None
        seen: list[str] = []
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            match = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
            if match:
                url = match.group(1)
        if url is None:
            _stop(proc)
            raise AssertionError("vite preview printed no URL:\n" + "".join(seen))
        _wait_http(f"{url}/api/health", proc, "vite preview (proxy to the backend)")
        yield url
    finally:
        _stop(proc)


@pytest.fixture
def artifacts() -> Path:
    root = Path(os.environ.get("CONTRACTSYNC_ARTIFACTS", REPO / "test-artifacts"))
    out = root / "frontend"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    print(f"\nscreenshots: {out}")
    return out


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small valid PNG of one colour (what a user would upload as a cover)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def test_list_book_review_cover_author(frontend_url: str, backend: str, artifacts: Path) -> None:
    from playwright.sync_api import Page, Request, Response, expect, sync_playwright

    problems: list[str] = []

    def on_console(message: Any) -> None:
        # Failed loads are judged from the responses below (one of them is expected).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console error: {message.text}")

    def on_response(response: Response) -> None:
        if response.status < 400:
            return
        path = re.sub(r"^https?://[^/]+", "", response.url).split("?")[0]
        what = f"{response.request.method} {path}"
        if response.status == 404 and EXPECTED_MISSING_COVER.match(what):
            return
        problems.append(f"{what} → {response.status}")

    def on_request_failed(request: Request) -> None:
        problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def step(page: Page, name: str) -> None:
        """End of a step: the page shows no error and nothing went wrong behind it; keep a picture."""
        page.wait_for_load_state("networkidle")
        shot = artifacts / f"{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        shown = [t.strip() for t in page.locator(".error, [role=alert]").all_inner_texts()]
        assert not shown, f"{name}: the page shows an error: {shown} (see {shot})"
        assert not problems, f"{name}: {problems} (see {shot})"

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 800})
            page.on("console", on_console)
            page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
            page.on("response", on_response)
            page.on("requestfailed", on_request_failed)

            # 1. The list: both seeded books, the API's health from the exhaustive enum switch.
            page.goto(frontend_url + "/")
            cards = page.get_by_test_id("book-card")
            expect(cards).to_have_count(2)
            expect(page.get_by_test_id("health")).to_contain_text("API ok")
            expect(page.get_by_test_id("page-info")).to_have_text("1–2 of 2")
            step(page, "01-book-list")

            # 2. Sorting (the `sort` enum goes to the server) and paging (limit/offset).
            def titles(**query: str) -> list[str]:
                page_ = httpx.get(f"{backend}/books", params=query, timeout=10).json()
                return [book["title"] for book in page_["items"]]

            headings = cards.locator("h3")
            page.get_by_test_id("sort").select_option("price")
            page.get_by_test_id("order").select_option("desc")
            expect(page).to_have_url(re.compile(r"sort=price&order=desc"))
            by_price_desc = titles(sort="price", order="desc")
            expect(headings).to_have_text(by_price_desc)
            page.get_by_test_id("order").select_option("asc")
            expect(headings).to_have_text(list(reversed(by_price_desc)))
            page.get_by_test_id("sort").select_option("popularity")
            expect(page).to_have_url(re.compile(r"sort=popularity&order=asc"))
            expect(headings).to_have_text(titles(sort="popularity", order="asc"))
            page.get_by_test_id("limit").select_option("1")
            expect(cards).to_have_count(1)
            expect(page.get_by_test_id("page-info")).to_have_text("1–1 of 2")
            first_title = cards.first.locator("h3").inner_text()
            page.get_by_test_id("next").click()
            expect(page.get_by_test_id("page-info")).to_have_text("2–2 of 2")
            expect(cards.first.locator("h3")).not_to_have_text(first_title)
            expect(page.get_by_test_id("next")).to_be_disabled()
            step(page, "02-book-list-sorted-page-2")

            # 3. Open a book: its details, its (empty) reviews, no cover yet.
            title = cards.first.locator("h3").inner_text()
            cards.first.locator("h3 a").click()
            expect(page).to_have_url(re.compile(r"/books/\d+$"))
            expect(page.locator("h1")).to_have_text(title)
            expect(page.get_by_test_id("review-count")).to_have_text("(0)")
            expect(page.get_by_test_id("no-reviews")).to_be_visible()
            expect(page.get_by_test_id("cover")).to_contain_text("No cover yet")
            step(page, "03-book-page")

            # 4. Post a review (POST with the bearer token) and see it listed — also after a reload,
            #    so it is what the server stored, not only what the form emitted.
            form = page.get_by_test_id("review-form")
            form.locator("input[name=reviewer]").fill("Grace Hopper")
            form.locator("select[name=rating]").select_option("4")
            form.locator("textarea[name=comment]").fill("Read it twice in a row.")
            with page.expect_response(
                lambda r: r.request.method == "POST" and r.url.endswith("/reviews")
            ) as posted:
                form.locator("button[type=submit]").click()
            assert posted.value.status == 201
            assert posted.value.request.headers["authorization"] == "Bearer demo-token"
            review = page.get_by_test_id("review")
            expect(review).to_have_count(1)
            expect(review.first).to_contain_text("Grace Hopper")
            expect(review.first).to_contain_text("Read it twice in a row.")
            expect(review.first.locator(".avatar")).to_have_text("GH")
            expect(page.get_by_test_id("review-count")).to_have_text("(1)")
            step(page, "04-review-posted")
            page.reload()
            expect(page.get_by_test_id("review")).to_have_count(1)
            expect(page.get_by_test_id("review").first).to_contain_text("Grace Hopper")
            step(page, "05-review-listed-after-reload")

            # 5. Upload a cover (multipart, the file as a Blob) and see it shown (GET as a Blob).
            png = _png(120, 160, (11, 107, 203))
            with page.expect_response(lambda r: r.request.method == "PUT") as put:
                page.get_by_test_id("cover-input").set_input_files(
                    files=[{"name": "cover.png", "mimeType": "image/png", "buffer": png}]
                )
            assert put.value.status == 200, put.value.text()
            assert put.value.request.headers["content-type"].startswith("multipart/form-data")
            expect(page.get_by_test_id("cover-info")).to_contain_text(
                f"cover.png · image/png · {len(png)} bytes"
            )
            image = page.get_by_test_id("cover-image")
            expect(image).to_be_visible()
            page.wait_for_function(
                "el => el.complete && el.naturalWidth === 120", arg=image.element_handle()
            )
            step(page, "06-cover-uploaded")

            # 6. The author's page: the author (with the book count) and their books.
            author = page.get_by_test_id("author-link").inner_text()
            page.get_by_test_id("author-link").click()
            expect(page).to_have_url(re.compile(r"/authors/\d+$"))
            expect(page.get_by_test_id("author-card").locator("h1")).to_have_text(author)
            expect(page.get_by_test_id("book-count")).to_have_text("1 book in the catalogue")
            expect(page.get_by_test_id("book-card")).to_have_count(1)
            expect(page.get_by_test_id("book-card").first.locator("h3")).to_have_text(title)
            step(page, "07-author-page")

            # 7. Add a book (request view: defaulted currency/in_stock left out, genre enum, a
            #    paperback format) and land on its page; the author now has two books.
            page.get_by_test_id("nav-new-book").click()
            form = page.get_by_test_id("book-form")
            expect(form.locator("select[name=author] option")).to_have_count(2)
            form.locator("input[name=title]").fill("Small Gods")
            form.locator("input[name=isbn]").fill("9780552152976")
            form.locator("select[name=author]").select_option(label=author)
            form.locator("select[name=genre]").select_option("fantasy")
            form.locator("input[name=amount]").fill("10.50")
            form.locator("input[name=pages]").fill("400")
            with page.expect_response(
                lambda r: r.request.method == "POST" and r.url.endswith("/books")
            ) as created:
                form.locator("button[type=submit]").click()
            assert created.value.status == 201, created.value.text()
            sent = created.value.request.post_data_json
            assert sent["formats"] == [{"pages": 400, "kind": "paperback"}], sent
            assert "currency" not in sent["price"] and "in_stock" not in sent, sent
            expect(page.locator("h1")).to_have_text("Small Gods")
            expect(page.locator(".facts")).to_contain_text("€10.50")
            expect(page.locator(".facts")).to_contain_text("paperback")
            step(page, "08-book-added")
            page.get_by_test_id("author-link").click()
            expect(page.get_by_test_id("book-count")).to_have_text("2 books in the catalogue")
            step(page, "09-author-page-two-books")
        finally:
            browser.close()
