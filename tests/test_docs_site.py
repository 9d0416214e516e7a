"""The documentation sites (scripts/docs), built offline and opened in a real browser.

``scripts/docs`` builds the R package's pkgdown site and the Python engine's MkDocs site into
a temporary folder and checks their links; headless Chromium (Debian's chromium and
chromium-driver, driven with Selenium) then opens pages of each from the file system and
checks that every picture loaded, that the pages that show dreams show them, and that no
page asked the network for anything (the browser's log holds no failed load). Screenshots
go to ``PYDREAM_SCREENSHOTS`` (default ``out/docs``).

The site tests skip, saying why, where R's pkgdown, the ``docs`` extra, Chromium, ChromeDriver
or Selenium are missing (and fail under CI=true). The checks of the link checker itself and of
the gallery's data need none of them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from .chromium import chromium_missing, start_chromium
from .conftest import require

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = Path(os.environ.get("PYDREAM_SCREENSHOTS", ROOT / "out" / "docs"))

PAGES = [
    # site, page, screenshot name, pictures at least, a text the page must hold
    ("r", "index.html", "r-home", 2, "deep_dream()"),
    ("r", "reference/deep_dream.html", "r-reference", 0, "num_octave"),
    ("r", "articles/beyond.html", "r-vignette", 10, "What each layer dreams"),
    ("python", "index.html", "python-home", 3, "Module map"),
    ("python", "reference/dreaming.html", "python-reference", 0, "num_octave"),
    ("python", "gallery.html", "python-gallery", 14, "pydream.deep_dream("),
    ("python", "vignettes/beyond.html", "python-vignette", 9, "dream_gallery"),
    ("python", "cli.html", "python-cli", 0, "pydream zoom"),
]


def load_script(name: str) -> ModuleType:
    """A module of scripts/ (they are not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# --- the link checker and the gallery's data: no R, browser or site needed -------------------


def test_the_link_checker_finds_missing_files_and_network_assets(tmp_path):
    build_docs = load_script("build_docs")
    site = tmp_path / "site"
    (site / "r" / "figures").mkdir(parents=True)
    (site / "r" / "figures" / "here.jpg").write_bytes(b"x")
    (site / "r" / "style.css").write_text(
        "a { background: url('figures/here.jpg') } b { background: url(gone.woff2) }"
    )
    (site / "r" / "index.html").write_text(
        '<link rel="stylesheet" href="style.css"><img src="figures/here.jpg">'
        '<img src="figures/gone.jpg"><script src="https://cdn.example.org/x.js"></script>'
        '<a href="https://example.org/">fine</a><a href="../python/index.html">gone</a>'
        '<a href="#top">anchor</a><img src="/abs.png"><script src="file:///usr/x.js"></script>'
        '<a href="../../outside.html">out</a>'
    )
    problems, counts = build_docs.check_site(site)
    assert sorted(problems) == sorted(
        [
            "r/index.html: <img> missing: figures/gone.jpg",
            "r/index.html: <script> needs the network: https://cdn.example.org/x.js",
            "r/index.html: <a> missing: ../python/index.html",
            "r/index.html: <img> a path from the server's root, which files cannot follow: "
            "/abs.png",
            "r/index.html: <script> an absolute file URL: file:///usr/x.js",
            "r/index.html: <a> leaves the documentation folder: ../../outside.html",
            "r/style.css: url() missing: gone.woff2",
        ]
    )
    assert counts["pictures"] == 1 and counts["external links"] == 1


def test_the_gallery_data_is_what_render_gallery_runs():
    """gallery.json (committed, written by scripts/render-gallery) shows each entry's call as
    the script builds it now: an entry changed without rendering again fails here."""
    render_gallery = load_script("render_gallery")
    document = json.loads((render_gallery.GALLERY / "gallery.json").read_text())
    records = {record["id"]: record for record in document["entries"]}
    assert list(records) == [entry["id"] for entry in render_gallery.ENTRIES]
    for entry in render_gallery.ENTRIES:
        record = records[entry["id"]]
        assert record["python"] == render_gallery.python_call(entry)
        assert record["cli"] == render_gallery.cli_call(entry)
        assert record["python"].startswith(f"pydream.{entry['function']}(")
        picture = render_gallery.GALLERY / record["picture"]
        assert picture.is_file(), picture
        assert record["width"] <= render_gallery.MAX_WIDTH
    assert document["inputs"].startswith("def prepare_inputs(")
    total = sum(path.stat().st_size for path in render_gallery.GALLERY.glob("*.jpg"))
    assert total < 1_500_000, f"the gallery's pictures take {total} bytes"
    names = {path.name for path in render_gallery.GALLERY.glob("*.jpg")}
    assert names == {record["picture"] for record in records.values()}


def test_the_command_line_shown_spells_each_kind_of_value():
    render_gallery = load_script("render_gallery")
    entry = {
        "function": "deep_dream",
        "args": ["in.jpg", [{"mixed6": 2.0}, {"mixed3": 1.0}]],
        "kwargs": {"max_loss": None, "clip": True, "output": "out.png"},
    }
    assert render_gallery.cli_arguments(entry) == [
        "dream", "in.jpg", "-o", "out.png", "--layers", "mixed6=2.0;mixed3=1.0",
        "--max-loss", "none", "--clip",
    ]  # fmt: skip
    assert render_gallery.python_call(entry) == (
        "pydream.deep_dream(\n"
        '    "in.jpg", [{"mixed6": 2.0}, {"mixed3": 1.0}], max_loss=None, clip=True,\n'
        '    output="out.png",\n'
        ")"
    )


# --- the sites themselves ---------------------------------------------------------------------


def _missing() -> str | None:
    """Why the sites cannot be built and opened here, or None."""
    if shutil.which("Rscript") is None:
        return "R is not installed (Debian: r-base-core)"
    found = "quit(status = !requireNamespace('pkgdown', quietly = TRUE))"
    if subprocess.run(["Rscript", "-e", found], capture_output=True).returncode != 0:
        return "the R package pkgdown is not installed (Debian: r-cran-pkgdown)"
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python"):
        if importlib.util.find_spec(module.split(".")[0]) is None:
            return f"{module} is not installed (pip install -e '.[docs]')"
    if (missing := chromium_missing()) is not None:
        return missing
    return None


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    reason = _missing()
    require(reason is None, reason or "")
    out = tmp_path_factory.mktemp("docs")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_docs.py"), str(out)],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return {"dir": out, "output": result.stdout, "seconds": seconds}


@pytest.fixture(scope="module")
def browser(sites, tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    driver = start_chromium(profile, 1280, 1000, browser_log=True)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.mark.slow
@pytest.mark.xdist_group("docs_site")  # one build and one browser for these
def test_the_build_checks_its_links_and_says_how_long_it_took(sites):
    output = sites["output"]
    assert "docs: no problems" in output, output
    assert "s in all" in output
    for name in ("r", "python"):
        assert (sites["dir"] / name / "index.html").is_file()
    # built from a staged copy: nothing is written into the package
    assert not (ROOT / "rpackage" / "docs").exists()
    assert not (ROOT / "rpackage" / "logo.png").exists()


PICTURES = """return Array.from(document.images).map(function (image) {
    return [image.getAttribute('src'), image.complete, image.naturalWidth]; });"""


@pytest.mark.slow
@pytest.mark.xdist_group("docs_site")  # one build and one browser for these
@pytest.mark.parametrize(("site", "page", "shot", "at_least", "text"), PAGES)
def test_each_page_shows_its_pictures_without_a_network(
    sites, browser, site, page, shot, at_least, text
):
    browser.get_log("browser")  # what earlier pages logged
    browser.get((sites["dir"] / site / page).as_uri())
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(
        lambda driver: driver.execute_script(
            "return document.readyState === 'complete' && "
            "Array.from(document.images).every(function (i) { return i.complete; });"
        )
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / f"{shot}.png"))
    pictures = browser.execute_script(PICTURES)
    broken = [src for src, complete, width in pictures if not (complete and width > 0)]
    assert not broken, f"{site}/{page}: pictures that did not load: {broken}"
    assert len(pictures) >= at_least, f"{site}/{page}: {len(pictures)} pictures, {pictures}"
    assert text in browser.find_element("tag name", "body").text
    failed = [
        entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
    ]
    assert not failed, f"{site}/{page}: the browser reported {failed}"


@pytest.mark.slow
@pytest.mark.xdist_group("docs_site")  # one build and one browser for these
def test_the_r_pages_list_their_sections_without_the_cdn_scripts(sites, browser):
    """offline.js stands in for bootstrap-toc: the vignette's "On this page" list is there."""
    browser.get((sites["dir"] / "r" / "articles" / "beyond.html").as_uri())
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('#toc a')).map(a => a.textContent);"
    )
    assert "A mask" in links, links
    scripts = browser.execute_script(
        "return Array.from(document.scripts).map(s => s.src).filter(s => s);"
    )
    assert all(src.startswith("file://") for src in scripts), scripts
