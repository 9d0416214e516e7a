"""Build the documentation sites offline and check them: DIR/r/ (pkgdown) and DIR/python/ (MkDocs).

- The R site is built by pkgdown from a copy of ``rpackage/`` in a temporary folder (so that
  nothing is written into the package), with ``rpackage/_pkgdown.yml``: pkgdown installs that
  copy into a temporary library, runs no example and asks no server anything
  (``options(pkgdown.internet = FALSE)``).
- The Python site is built by MkDocs from ``docs/mkdocs.yml``; ``docs/hooks.py`` generates
  the settings, command-line, vignette and gallery pages on the way.
- Both are then checked: every ``href``/``src`` (and every ``url()`` of a style sheet) that
  names a local file must find it inside DIR, and nothing a page needs to render (scripts,
  style sheets, pictures, fonts, frames) may come from the network or from an absolute
  ``file:`` path. Links to other sites in the text are fine; anchors are not checked.

Usage: ``scripts/docs [DIR]`` (default: the repository's ``site/``); exits 1 listing the
problems. Needs R with
pkgdown (Debian: r-cran-pkgdown) and the ``docs`` extra (``pip install -e '.[docs]'``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]

R_BUILD = """
options(pkgdown.internet = FALSE)  # no CRAN look-up for the sidebar's links
args <- commandArgs(trailingOnly = TRUE)
pkgdown::build_site(args[[1]], override = list(destination = args[[2]]), preview = FALSE,
                    examples = FALSE, install = TRUE, new_process = FALSE)
"""

NOT_STAGED = {"pydream-keras", "__pycache__", "doc", ".Rhistory", ".Rproj.user"}
"""Names under rpackage/ left out of the staged copy (the engine's copy, build outputs)."""

LOGO_PICTURE = "layers-low.jpg"
"""The gallery picture whose centre is the R site's logo."""

FAVICONS = {
    "favicon-16x16.png": 16, "favicon-32x32.png": 32, "apple-touch-icon.png": 180,
    "apple-touch-icon-120x120.png": 120, "apple-touch-icon-76x76.png": 76,
    "apple-touch-icon-60x60.png": 60,
}  # fmt: skip
"""The favicons pkgdown's pages link to, by name, and their sizes."""

FETCHED = {
    "img": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "track": ("src",),
}
"""Tags whose attributes a browser fetches to render the page."""

FETCHED_LINKS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}


def build_r(destination: Path, work: Path) -> subprocess.Popen[bytes]:
    """Start pkgdown on a copy of rpackage/ staged in ``work`` (the caller waits)."""
    if shutil.which("Rscript") is None:
        raise SystemExit("docs: Rscript not found (Debian: r-base-core, r-cran-pkgdown)")
    stage = work / "deepdream"

    def ignore(folder: str, names: list[str]) -> set[str]:
        left_out = {name for name in names if name in NOT_STAGED or name.endswith(".Rcheck")}
        return left_out | ({"docs"} if Path(folder) == ROOT / "rpackage" else set())

    shutil.copytree(ROOT / "rpackage", stage, ignore=ignore)
    make_logo(stage)
    with open(work / "r.log", "wb") as output:
        return subprocess.Popen(
            ["Rscript", "-e", R_BUILD, str(stage), str(destination)],
            stdout=output, stderr=subprocess.STDOUT, cwd=work,
        )  # fmt: skip


def make_logo(package: Path) -> None:
    """The site's logo and favicons: a round crop of a gallery dream. pkgdown shows a logo on
    every page (2.0.7 leaves an empty picture on the pages of a package without one) and,
    given a logo, asks a web service for favicons unless pkgdown/favicon/ has them."""
    from PIL import Image, ImageDraw

    dream = Image.open(ROOT / "docs" / "gallery" / LOGO_PICTURE).convert("RGB")
    side = min(dream.size) * 3 // 4
    left, top = (dream.width - side) // 2, (dream.height - side) // 2
    logo = dream.crop((left, top, left + side, top + side)).resize(
        (240, 240), Image.Resampling.LANCZOS
    )
    mask = Image.new("L", logo.size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, 239, 239), fill=255)
    logo.putalpha(mask)
    logo.save(package / "logo.png")
    favicons = package / "pkgdown" / "favicon"
    favicons.mkdir(parents=True, exist_ok=True)
    logo.save(favicons / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    for name, size in FAVICONS.items():
        logo.resize((size, size), Image.Resampling.LANCZOS).save(favicons / name)


def build_python(destination: Path, work: Path) -> subprocess.Popen[bytes]:
    """Start MkDocs on docs/mkdocs.yml (the caller waits)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    command = [sys.executable, "-m", "mkdocs", "build", "--quiet", "--clean"]
    command += ["-f", str(ROOT / "docs" / "mkdocs.yml"), "-d", str(destination)]
    with open(work / "python.log", "wb") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT, env=env)


class References(HTMLParser):
    """The URLs a page refers to, each with whether the browser fetches it to render."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, bool]] = []  # (tag, url, fetched)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "link":
            rel = set(values.get("rel", "").lower().split())
            if "href" in values:
                self.found.append((tag, values["href"], bool(rel & FETCHED_LINKS)))
            return
        if tag == "a" and "href" in values:
            self.found.append((tag, values["href"], False))
        for name in FETCHED.get(tag, ()):
            if name not in values:
                continue
            urls = [part.strip().split()[0] for part in values[name].split(",") if part.strip()]
            for url in urls if name == "srcset" else [values[name]]:
                self.found.append((tag, url, True))


def check_url(page: Path, site: Path, url: str, fetched: bool) -> str | None:
    """What is wrong with ``url`` in ``page``, or None."""
    parts = urlsplit(url.strip())
    if parts.scheme in ("http", "https") or url.strip().startswith("//"):
        return f"needs the network: {url}" if fetched else None
    if parts.scheme == "file":
        return f"an absolute file URL: {url}"
    if parts.scheme or not parts.path:  # mailto:, data:, javascript:, "#anchor", "?q"
        return None
    if parts.path.startswith("/"):
        return f"a path from the server's root, which files cannot follow: {url}"
    target = (page.parent / unquote(parts.path)).resolve()
    if not target.is_relative_to(site.resolve()):
        return f"leaves the documentation folder: {url}"
    if target.is_dir():
        target = target / "index.html"
    return None if target.exists() else f"missing: {url}"


def check_site(site: Path) -> tuple[list[str], dict[str, int]]:
    """Every problem of every page and style sheet under ``site``, and what was counted."""
    problems: list[str] = []
    counts = {"pages": 0, "local links": 0, "pictures": 0, "external links": 0}
    for page in sorted(site.rglob("*.html")):
        parser = References()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        counts["pages"] += 1
        for tag, url, fetched in parser.found:
            problem = check_url(page, site, url, fetched)
            if problem:
                problems.append(f"{page.relative_to(site)}: <{tag}> {problem}")
            elif re.match(r"(https?:)?//", url.strip()):
                counts["external links"] += 1
            elif not urlsplit(url).scheme and urlsplit(url).path:
                counts["pictures" if tag == "img" else "local links"] += 1
    for sheet in sorted(site.rglob("*.css")):
        text = sheet.read_text(encoding="utf-8", errors="replace")
        urls = re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", text)
        urls += re.findall(r"@import\s+['\"]([^'\"]+)['\"]", text)
        for url in urls:
            if url.startswith(("data:", "#")):
                continue
            problem = check_url(sheet, site, url, fetched=True)
            if problem:
                problems.append(f"{sheet.relative_to(site)}: url() {problem}")
    return problems, counts


def wait(process: subprocess.Popen[bytes], log: Path, what: str, started: float) -> float:
    """Wait for a build; stop with its log when it failed; return its seconds."""
    if process.wait() != 0:
        sys.stderr.write(log.read_text(errors="replace")[-6000:])
        raise SystemExit(f"docs: the {what} site failed to build (log above)")
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", nargs="?", help="where to build (default: site/ of the repository)")
    options = parser.parse_args(argv)
    out = Path(options.dir).resolve() if options.dir else ROOT / "site"
    out.mkdir(parents=True, exist_ok=True)
    for name in ("r", "python"):
        shutil.rmtree(out / name, ignore_errors=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="deepdream-docs-") as folder:
        work = Path(folder)
        r_build = build_r(out / "r", work)
        python_build = build_python(out / "python", work)
        try:
            python_seconds = wait(python_build, work / "python.log", "Python", started)
            r_seconds = wait(r_build, work / "r.log", "R", started)
        finally:
            for process in (r_build, python_build):
                if process.poll() is None:
                    process.terminate()
                    process.wait()
    # MkDocs' 404 page links from the server's root, which only a server at the root serves
    (out / "python" / "404.html").unlink(missing_ok=True)
    print(f"docs: built {out / 'r'} in {r_seconds:.0f} s (pkgdown)")
    print(f"docs: built {out / 'python'} in {python_seconds:.0f} s (MkDocs)")
    problems = []
    for name in ("r", "python"):
        if not (out / name / "index.html").is_file():
            problems.append(f"{name}/index.html is missing")
    checked, counts = check_site(out)
    problems += checked
    summary = ", ".join(f"{number} {what}" for what, number in counts.items())
    print(f"docs: checked {summary}")
    seconds = time.monotonic() - started
    if problems:
        print(f"docs: {len(problems)} problems ({seconds:.0f} s in all):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"docs: no problems; {seconds:.0f} s in all. Open {out / 'r' / 'index.html'} and "
          f"{out / 'python' / 'index.html'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
