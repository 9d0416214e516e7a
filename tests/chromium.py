"""Headless Chromium through Selenium, for the browser tests (the dream explorer's and the
documentation sites')."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get(
    "CHROMEDRIVER", shutil.which("chromedriver") or "/usr/bin/chromedriver"
)

# Chromium as root on a machine without a display or outside network (see the README)
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_missing() -> str | None:
    """Why Chromium cannot be driven here (Chromium, ChromeDriver or Selenium absent), or None."""
    for path, what in ((CHROMIUM, "Chromium"), (CHROMEDRIVER, "ChromeDriver")):
        if not (Path(path).is_file() and os.access(path, os.X_OK)):
            return f"{what} is not installed at {path} (Debian: chromium, chromium-driver)"
    if importlib.util.find_spec("selenium") is None:
        return "Selenium is not installed (pip install 'pydream-keras[app]')"
    return None


def start_chromium(profile: Path, width: int, height: int, browser_log: bool = False) -> Any:
    """A headless Chromium window of ``width`` x ``height`` pixels with a fresh profile folder;
    ``browser_log`` keeps the page's console and network errors (``driver.get_log``)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    if browser_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver
