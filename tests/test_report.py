"""`make report`: the static site builds from the stored notebooks and docs/, and every page works offline in a real
browser (headless Chromium over the DevTools protocol): no console errors, equations typeset by the MathJax served
from the site, every image loaded."""

import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--remote-allow-origins=*",
                  "--remote-debugging-port=0", "--allow-file-access-from-files"]
# what each page must hold once MathJax is done: the typeset equations, the failed images, TeX errors, raw TeX left
_PROBE = """(async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const math = [...document.querySelectorAll('.math')];
  return JSON.stringify({
    math: math.length,
    untypeset: math.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 80)),
    mjx: document.querySelectorAll('mjx-container').length,
    merror: document.querySelectorAll('mjx-merror').length,
    images: document.images.length,
    broken: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
    title: document.title,
  });
})()"""

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)"),
    pytest.mark.skipif(importlib.util.find_spec("myst_nb") is None, reason="the docs extra (sphinx, myst-nb) is "
                       "not installed"),
    pytest.mark.skipif(importlib.util.find_spec("websocket") is None, reason="websocket-client is not installed"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-W", "--keep-going", "-b", "html", "-c", "docs",
                           "-d", str(out / "doctrees"), ".", str(out / "html")], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, f"sphinx-build failed:\n{proc.stdout}\n{proc.stderr}"
    return out / "html"


class _Browser:
    """One headless Chromium, driven over the DevTools protocol (websocket-client)."""

    def __init__(self):
        import websocket

        self.profile = tempfile.mkdtemp(prefix="mipnn-chromium-")
        self.proc = subprocess.Popen([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                pytest.fail("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        from urllib.request import urlopen

        targets = json.loads(urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
        page = next(t for t in targets if t.get("type") == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events = []
        for method in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.call(method)

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, event, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(e.get("method") == event for e in self.events):
                return
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(event)

    def open(self, url):
        self.events = []
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        result = self.call("Runtime.evaluate", expression=_PROBE, awaitPromise=True, returnByValue=True)
        probe = json.loads(result["result"]["value"])
        errors = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                errors.append(params["exceptionDetails"].get("text", "") + " "
                              + str(params["exceptionDetails"].get("exception", {}).get("description", "")))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                errors.append(f"{params['entry'].get('text')} {params['entry'].get('url', '')}")
        return probe, errors

    def close(self):
        if getattr(self, "ws", None) is not None:
            self.ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def _pages(html: Path) -> list[Path]:
    pages = [html / "README.html", *sorted((html / "docs").glob("*.html")),
             *sorted((html / "notebooks").glob("*.html")), html / "data" / "README.html"]
    return [p for p in pages if p.exists()]


def test_site_has_every_page(site):
    names = {p.relative_to(site).as_posix() for p in _pages(site)}
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert {f"notebooks/{n}.html" for n in notebooks} <= names
    assert {"README.html", "docs/index.html", "docs/status.html", "docs/gallery.html"} <= names
    assert (site / "index.html").exists() and (site / "_static" / "mathjax" / "tex-chtml.js").exists()
    # nothing is loaded from the network: no http(s) script or stylesheet in any page
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        for tag in ('<script src="http', "<script src='http", '<link rel="stylesheet" href="http'):
            assert tag not in text, f"{page.name} loads {tag} from the network"


@pytest.fixture(scope="module")
def visited(site):
    """Every page opened once in one headless Chromium: {page: (probe, console errors)}."""
    browser = _Browser()
    try:
        return {page.relative_to(site).as_posix(): browser.open(page.as_uri()) for page in _pages(site)}
    finally:
        browser.close()


def test_pages_load_in_chromium_offline(visited):
    problems = []
    for name, (probe, errors) in visited.items():
        if errors:
            problems.append(f"{name}: console errors {errors[:3]}")
        if probe["untypeset"] or probe["merror"]:
            problems.append(f"{name}: {len(probe['untypeset'])} equations not typeset {probe['untypeset'][:2]}, "
                            f"{probe['merror']} TeX errors")
        if probe["broken"]:
            problems.append(f"{name}: images that did not load {probe['broken'][:3]}")
        if (name.startswith("notebooks/") or name == "docs/gallery.html") and not probe["images"]:
            problems.append(f"{name}: no figure")
    assert not problems, "\n".join(problems)
    assert sum(p["mjx"] for p, _ in visited.values()) > 0, "no page has a typeset equation"


def test_notebook_with_equations_is_typeset(visited):
    """Notebook 01 is full of LaTeX: its page must hold typeset MathJax output, not raw TeX."""
    probe, errors = visited["notebooks/01_tame_bnn_dual.html"]
    assert not errors and probe["math"] > 10 and probe["mjx"] >= probe["math"] and not probe["untypeset"]
