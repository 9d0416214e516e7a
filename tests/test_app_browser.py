"""The R package's dream explorer (deepdream::dream_app()) in a real browser, end to end.

The R package is taken from the library DEEPDREAM_R_LIB names, or else installed into a
temporary library; `shiny::runApp(dream_app(...))` serves it on a free port, and headless
Chromium (Debian's chromium and chromium-driver, driven with Selenium) uploads a photo,
dreams it with the real Inception-v3 weights and checks the dream that appears. Bad input (a
file that is not a picture, a negative step) must show the functions' one-line messages while
the app keeps working, and Cancel must stop a dream. With "original colours" the dream must
change the brightness and keep the colours; a zoom of 3 frames with two keyframes, made with
the keyframe table, must come back as a GIF with its dream_zoom() call. Screenshots of the
page are kept in out/app/ (dream_app.png, dream_app_original_colors.png, dream_app_zoom.png)
with the zoom itself (dream_app_zoom.gif).

Skipped, with the reason, where R, its shiny and callr packages, Chromium, ChromeDriver,
Selenium, the weights or the photos are missing; with CI=true that fails instead. No test
sleeps for a fixed time: each waits for what the page or Shiny's own record of the inputs it
sent says.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from .chromium import chromium_missing, start_chromium
from .conftest import IMAGES, REAL_WEIGHTS, require

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "out" / "app"


def _missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    if shutil.which("R") is None or shutil.which("Rscript") is None:
        return "R is not installed"
    if (missing := chromium_missing()) is not None:
        return missing
    found = "quit(status = !all(sapply(c('shiny', 'callr'), requireNamespace, quietly = TRUE)))"
    if subprocess.run(["Rscript", "-e", found], capture_output=True).returncode != 0:
        return (
            "the R packages shiny and callr are not installed (Debian: r-cran-shiny, r-cran-callr)"
        )
    if not REAL_WEIGHTS.is_file():
        return f"real Inception-v3 weights not found at {REAL_WEIGHTS}"
    if not (IMAGES / "jellyfish.jpg").is_file():
        return f"example photos not found in {IMAGES}"
    return None


pytestmark = [
    pytest.mark.real_weights,
    pytest.mark.slow,
]


@pytest.fixture(scope="module", autouse=True)
def _every_part_is_here() -> None:
    reason = _missing()
    require(reason is None, reason or "")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def app_url(r_library, tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("app") / "app.log"
    env = dict(os.environ)
    libs = os.pathsep.join(filter(None, [str(r_library), env.get("R_LIBS", "")]))
    env.update(
        R_LIBS=libs,
        DEEPDREAM_PYTHON=sys.executable,
        PYDREAM_IMAGES=str(IMAGES),
        PYDREAM_WEIGHTS=str(REAL_WEIGHTS),
    )
    env.pop("RETICULATE_PYTHON", None)
    code = (
        "shiny::runApp(deepdream::dream_app(weights = Sys.getenv('PYDREAM_WEIGHTS')), "
        f"port = {port}, launch.browser = FALSE)"
    )
    with open(log, "w") as output:
        # its own process group: the app and its worker process end together
        process = subprocess.Popen(
            ["Rscript", "-e", code], env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the app did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture(scope="module")
def browser(app_url, tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    driver = start_chromium(profile, 1400, 1250)
    try:
        driver.get(app_url)
        yield driver
    finally:
        driver.quit()


def _wait(driver, condition, timeout: float, what: str):
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.25).until(condition)
    except Exception:
        message = driver.execute_script(
            "var m = document.querySelector('.dream-message'); return m ? m.innerText : '';"
        )
        progress = driver.find_element("id", "progress").text
        engine = driver.find_element("id", "engine").text
        pytest.fail(f"{what} (after {timeout} s; message: {message!r}; progress: {progress!r}; "
                    f"engine: {engine!r})")  # fmt: skip


def _engine_ready(driver) -> None:
    _wait(driver, lambda d: d.find_element("id", "engine").text.startswith("Engine: ready"),
          180, "the engine did not start")  # fmt: skip


def _message(driver) -> str:
    return driver.execute_script(
        "var m = document.querySelector('.dream-message'); return m ? m.innerText : '';"
    )


def _set_number(driver, input_id: str, value: str) -> None:
    # as typed: Shiny reads the field on its change event
    driver.execute_script(
        "var e = document.getElementById(arguments[0]); e.value = arguments[1];"
        "$(e).trigger('change');",
        input_id,
        value,
    )


def _set_select(driver, input_id: str, value: str) -> None:
    driver.execute_script(
        "var e = $('#' + arguments[0]);"
        "if (e[0].selectize) { e[0].selectize.setValue(arguments[1]); }"
        "else { e.val(arguments[1]).trigger('change'); }",
        input_id,
        value,
    )


def _upload(driver, input_id: str, path: Path) -> None:
    driver.find_element("id", input_id).send_keys(str(path))


def _sent(driver, input_id: str) -> list:
    """[whether Shiny has sent a value for the input, the last value it sent]."""
    return driver.execute_script(
        "var sent = Shiny.shinyapp.$inputValues;"
        "for (var name in sent) {"
        "  if (name.split(':')[0] === arguments[0]) { return [true, sent[name]]; }"
        "}"
        "return [false, null];",
        input_id,
    )


def _wait_sent(driver, values: dict) -> None:
    """Wait until Shiny has sent the server each input's value (messages keep their order, so
    a click after this reaches the server after the values)."""
    for input_id, value in values.items():
        _wait(driver, lambda d, i=input_id, v=value: _sent(d, i) == [True, v], 20,
              f"Shiny did not send {input_id} = {value!r}")  # fmt: skip


def _wait_uploaded(driver, input_id: str) -> None:
    """Wait until the server has taken the upload (its answer writes "Upload complete")."""
    bar = f"#{input_id}_progress .progress-bar"
    _wait(driver, lambda d: d.execute_script(
        "var b = document.querySelector(arguments[0]); return b ? b.textContent : '';", bar
    ) == "Upload complete", 60, f"the upload of {input_id} did not complete")  # fmt: skip


def _dream_src(driver) -> str:
    return driver.execute_script(
        "var i = document.getElementById('dream-img');"
        "return i && i.complete && i.naturalWidth > 0 ? i.getAttribute('src') : '';"
    )


def test_the_page_has_every_control(browser):
    _engine_ready(browser)
    controls = ("example", "upload", "size", "preset", "layers", "num_octave", "octave_scale",
                "iterations", "step", "max_loss", "seed", "guide", "mask", "normalize",
                "smoothing", "dream", "cancel_dream", "download", "copy_code", "code")  # fmt: skip
    for control in controls:
        assert browser.find_elements("id", control), f"no control {control!r}"
    # the presets for InceptionV3 came from the engine
    presets = browser.execute_script("return Object.keys($('#preset')[0].selectize.options);")
    assert {"jellyfish", "chollet", "tutorial"} <= set(presets)
    # the example photo is shown (shrunk to 600 pixels wide)
    _wait(browser, lambda d: d.execute_script(
        "var i = document.getElementById('photo-img'); return i && i.naturalWidth;") == 600,
        120, "the example photo did not appear")  # fmt: skip


def test_a_file_that_is_not_a_picture_gets_the_functions_message(browser, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture\n")
    _upload(browser, "upload", notes)
    _wait(browser, lambda d: "is not a picture" in _message(d), 60, "no message for a text file")
    message = _message(browser)
    assert message == (
        "input image notes.txt is not a picture Pillow can read (JPEG, PNG, TIFF, ...)"
    )
    assert "Engine: ready" in browser.find_element("id", "engine").text


def test_nonsense_numbers_get_the_functions_messages(browser):
    _set_number(browser, "step", "-1")
    _wait_sent(browser, {"step": -1})
    browser.find_element("id", "dream").click()
    _wait(browser, lambda d: "`step`" in _message(d), 20, "no message for step = -1")
    assert _message(browser) == "`step` must be a single finite non-negative number, not -1."
    _set_number(browser, "step", "0.01")
    _set_number(browser, "num_octave", "0")
    _wait_sent(browser, {"step": 0.01, "num_octave": 0})
    browser.find_element("id", "dream").click()
    _wait(browser, lambda d: "`num_octave`" in _message(d), 20, "no message for 0 octaves")
    assert _message(browser) == "`num_octave` must be a single whole number from 1 to 50, not 0."


def test_upload_a_photo_and_dream_it(browser, tmp_path):
    # a photo the size of a phone picture's preview; the app shrinks it to 400 pixels
    photo = tmp_path / "jellyfish_upload.jpg"
    Image.open(IMAGES / "jellyfish.jpg").resize((1280, 857)).save(photo, quality=92)
    _set_select(browser, "size", "400")
    _upload(browser, "upload", photo)
    _wait(browser, lambda d: d.execute_script(
        "var i = document.getElementById('photo-img');"
        "return i && i.complete ? i.naturalWidth : 0;") == 400,
        60, "the uploaded photo did not appear")  # fmt: skip
    assert _message(browser) == ""
    _set_number(browser, "num_octave", "2")
    _set_number(browser, "iterations", "10")
    _set_number(browser, "step", "0.02")
    _set_number(browser, "max_loss", "")
    _set_number(browser, "seed", "3")
    _wait_sent(
        browser, {"num_octave": 2, "iterations": 10, "step": 0.02, "max_loss": None, "seed": 3}
    )
    started = time.monotonic()
    browser.find_element("id", "dream").click()
    _wait(browser, lambda d: _dream_src(d) != "", 240, "the dream did not appear")
    first = time.monotonic() - started
    assert _message(browser) == ""
    size = browser.execute_script(
        "var i = document.getElementById('dream-img'); return [i.naturalWidth, i.naturalHeight];"
    )
    assert size == [400, 268]
    # the dream differs from the photo: mean absolute difference of the pixels, in the page
    difference = browser.execute_script(
        """
        function pixels(id) {
          var img = document.getElementById(id), canvas = document.createElement('canvas');
          canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
          var context = canvas.getContext('2d'); context.drawImage(img, 0, 0);
          return context.getImageData(0, 0, canvas.width, canvas.height).data;
        }
        var a = pixels('photo-img'), b = pixels('dream-img'), total = 0, n = 0;
        for (var i = 0; i < a.length; i += 4) {
          for (var c = 0; c < 3; c++) { total += Math.abs(a[i + c] - b[i + c]); n++; }
        }
        return total / n;
        """
    )
    assert 3 < difference < 80, difference
    # the octaves, and the call that makes the same dream
    assert len(browser.find_elements("css selector", "#octaves img")) == 2
    code = browser.find_element("id", "code").text
    assert 'photo <- "jellyfish_upload.jpg"' in code
    assert "photo <- deprocess_image(resize_img(preprocess_image(photo), c(268L, 400L)))" in code
    assert "layers = list(mixed3 = 1, mixed5 = 1.5)" in code
    for argument in ("step = 0.02", "num_octave = 2L", "iterations = 10L", "max_loss = NULL",
                     "seed = 3L"):  # fmt: skip
        assert argument in code
    assert "Dreamed in" in browser.find_element("id", "progress").text

    # a second dream: the engine is warm, and a channel key gets its own slider
    browser.execute_script("$('#layers')[0].selectize.createItem('mixed4:97');")
    sliders = "#coefficients .shiny-input-container"
    _wait(browser, lambda d: len(d.find_elements("css selector", sliders)) == 3, 20,
          "no slider for the channel key")  # fmt: skip
    slider_ids = browser.execute_script(
        "var found = $('#coefficients input.js-range-slider');"
        "return found.map(function() { return this.id; }).get();"
    )
    assert len(slider_ids) == 3
    _wait(browser, lambda d: all(_sent(d, i)[0] for i in slider_ids), 20,
          "the new sliders' values were not sent")  # fmt: skip
    old = _dream_src(browser)
    started = time.monotonic()
    browser.find_element("id", "dream").click()
    _wait(browser, lambda d: _dream_src(d) not in ("", old), 240, "the second dream did not appear")
    second = time.monotonic() - started
    assert (
        'layers = list(mixed3 = 1, mixed5 = 1.5, "mixed4:97" = 1)'
        in browser.find_element("id", "code").text
    )
    # a third one with a mask: the left half keeps the photo
    mask = tmp_path / "half mask.png"
    halves = Image.new("L", (400, 268), 0)
    halves.paste(255, (200, 0, 400, 268))
    halves.save(mask)
    browser.find_element("css selector", "details summary").click()
    _upload(browser, "mask", mask)
    _wait_uploaded(browser, "mask")
    old = _dream_src(browser)
    browser.find_element("id", "dream").click()
    _wait(browser, lambda d: _dream_src(d) not in ("", old), 240, "the masked dream did not appear")
    assert 'mask = "half mask.png"' in browser.find_element("id", "code").text
    change = browser.execute_script(
        """
        function pixels(id) {
          var img = document.getElementById(id), canvas = document.createElement('canvas');
          canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
          var context = canvas.getContext('2d'); context.drawImage(img, 0, 0);
          return context.getImageData(0, 0, canvas.width, canvas.height).data;
        }
        var a = pixels('photo-img'), b = pixels('dream-img'), w = 400, sums = [0, 0], n = [0, 0];
        for (var i = 0; i < a.length; i += 4) {
          var half = ((i / 4) % w) < w / 2 ? 0 : 1;
          for (var c = 0; c < 3; c++) { sums[half] += Math.abs(a[i + c] - b[i + c]); n[half]++; }
        }
        return [sums[0] / n[0], sums[1] / n[1]];
        """
    )
    assert change[0] < 1.5 < 3 < change[1], change
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.execute_script("window.scrollTo(0, 0);")
    browser.save_screenshot(str(SCREENSHOTS / "dream_app.png"))
    browser.find_element("id", "clear_pictures").click()
    _wait(browser, lambda d: "removed" in _message(d), 20, "the mask was not removed")
    print(f"\nfirst dream {first:.1f} s, second dream {second:.1f} s (400 x 268, 2 x 10 steps)")


def test_cancel_stops_a_dream_and_the_app_goes_on(browser):
    _set_number(browser, "iterations", "400")
    _wait_sent(browser, {"iterations": 400})
    old = _dream_src(browser)
    browser.find_element("id", "dream").click()
    _wait(browser, lambda d: "Dreaming: octave" in d.find_element("id", "progress").text, 120,
          "no progress shown")  # fmt: skip
    assert not browser.find_element("id", "cancel_dream").get_attribute("disabled")
    assert browser.find_element("id", "dream").get_attribute("disabled")
    browser.find_element("id", "cancel_dream").click()
    _wait(browser, lambda d: "Dream cancelled after" in _message(d), 60, "the dream did not stop")
    assert _dream_src(browser) == old
    assert not browser.find_element("id", "dream").get_attribute("disabled")


_CHROMA = """
function pixels(id) {
  var img = document.getElementById(id), canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  var context = canvas.getContext('2d'); context.drawImage(img, 0, 0);
  return context.getImageData(0, 0, canvas.width, canvas.height).data;
}
function ycc(d, i) {
  var r = d[i], g = d[i + 1], b = d[i + 2];
  return [0.299 * r + 0.587 * g + 0.114 * b,
          -0.168736 * r - 0.331264 * g + 0.5 * b, 0.5 * r - 0.418688 * g - 0.081312 * b];
}
var a = pixels('photo-img'), b = pixels('dream-img'), luma = 0, chroma = 0, n = 0;
for (var i = 0; i < a.length; i += 4) {
  var p = ycc(a, i), q = ycc(b, i);
  luma += Math.abs(p[0] - q[0]); chroma += Math.abs(p[1] - q[1]) + Math.abs(p[2] - q[2]); n++;
}
return [luma / n, chroma / n];
"""


def test_original_colours_dream_only_the_brightness(browser):
    _set_number(browser, "iterations", "10")
    _set_number(browser, "num_octave", "2")
    _wait_sent(browser, {"iterations": 10, "num_octave": 2})
    # first in colour, then with the photo's colours kept: same settings, same seed
    changes = {}
    for kept in (False, True):
        checkbox = browser.find_element("id", "original_colors")
        if checkbox.is_selected() != kept:
            checkbox.click()
        _wait_sent(browser, {"original_colors": kept})
        old = _dream_src(browser)
        browser.find_element("id", "dream").click()
        _wait(browser, lambda d, o=old: _dream_src(d) not in ("", o), 240,
              f"the dream (original_colors = {kept}) did not appear")  # fmt: skip
        changes[kept] = browser.execute_script(_CHROMA)
        code = browser.find_element("id", "code").text
        assert ("original_colors = TRUE" in code) == kept, code
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.execute_script("window.scrollTo(0, 0);")
    browser.save_screenshot(str(SCREENSHOTS / "dream_app_original_colors.png"))
    (luma, chroma), (kept_luma, kept_chroma) = changes[False], changes[True]
    print(f"\nmean change of Y, Cb+Cr: colour dream {luma:.1f}, {chroma:.1f}; "
          f"original colours {kept_luma:.1f}, {kept_chroma:.1f}")  # fmt: skip
    # the brightness is dreamed either way; the colours move far less when they are kept
    assert kept_luma > 3 and luma > 3, changes
    assert kept_chroma < 0.5 * chroma, changes
    browser.find_element("id", "original_colors").click()
    _wait_sent(browser, {"original_colors": False})


def _keyframe_rows(driver) -> int:
    return len(driver.find_elements("css selector", "#keyframe-table tbody tr"))


def test_a_zoom_with_two_keyframes(browser):
    browser.find_element("css selector", "input[name='mode'][value='zoom']").click()
    _wait(browser, lambda d: d.find_element("id", "zoom_frames").is_displayed(), 20,
          "the zoom controls did not appear")  # fmt: skip
    _wait(browser, lambda d: d.find_element("id", "dream").text == "Dream the zoom", 20,
          "the Dream button did not become Dream the zoom")  # fmt: skip
    assert not browser.find_element("id", "dream-img").is_displayed()
    _set_number(browser, "zoom_frames", "3")
    _set_number(browser, "iterations", "2")
    _set_number(browser, "num_octave", "1")
    _wait_sent(browser, {"zoom_frames": 3, "iterations": 2, "num_octave": 1})
    assert _keyframe_rows(browser) == 1
    # two new keyframes (at the last frame, 2, then at 3, past it), and one removed again
    for rows in (2, 3):
        browser.find_element("id", "keyframe_add").click()
        _wait(browser, lambda d, r=rows: _keyframe_rows(d) == r, 20, f"no keyframe row {rows}")
    assert browser.find_element("id", "keyframe_2_frame").get_attribute("value") == "2"
    assert browser.find_element("id", "keyframe_3_frame").get_attribute("value") == "3"
    browser.find_element("id", "keyframe_3_remove").click()
    _wait(browser, lambda d: _keyframe_rows(d) == 2, 20, "the keyframe was not removed")
    _set_number(browser, "keyframe_2_zoom", "1.2")
    _set_number(browser, "keyframe_2_rotate", "3")
    _set_number(browser, "keyframe_2_translate_x", "4")
    _set_select(browser, "zoom_loop", "pingpong")
    browser.find_element("css selector", "input[name='zoom_interpolation'][value='smooth']").click()
    _wait_sent(browser, {"keyframe_2_zoom": 1.2, "keyframe_2_rotate": 3,
                         "keyframe_2_translate_x": 4, "zoom_loop": "pingpong",
                         "zoom_interpolation": "smooth"})  # fmt: skip
    started = time.monotonic()
    browser.find_element("id", "dream").click()
    _wait(browser, lambda d: d.execute_script(
        "var i = document.getElementById('zoom-img');"
        "return i && i.complete ? i.naturalWidth : 0;") == 400,
        240, "the zoom did not appear")  # fmt: skip
    seconds = time.monotonic() - started
    assert _message(browser) == ""
    assert "Zoom dreamed in" in browser.find_element("id", "progress").text
    assert "(3 frames)" in browser.find_element("id", "progress").text
    code = browser.find_element("id", "zoom_code").text
    for argument in ('dream_zoom(', "frames = 3L", 'zoom = c("0" = 1.05, "2" = 1.2)',
                     'rotate = c("0" = 0, "2" = 3)',
                     'translate = list("0" = c(0, 0), "2" = c(4, 0))',
                     'interpolation = "smooth"', 'loop = "pingpong"', "iterations = 2L",
                     "layers = list(mixed3 = 1, mixed5 = 1.5"):  # fmt: skip
        assert argument in code, (argument, code)
    # the GIF itself, fetched as the download button would: 4 frames (0, 1, 2, 1)
    href = browser.find_element("id", "download_zoom").get_attribute("href")
    with urllib.request.urlopen(href, timeout=20) as response:
        gif = response.read()
    frames = Image.open(io.BytesIO(gif))
    assert (frames.format, frames.size, frames.n_frames) == ("GIF", (400, 268), 4)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "dream_app_zoom.gif").write_bytes(gif)
    # the whole page, the keyframe table included
    browser.set_window_size(1400, 2700)
    browser.execute_script("window.scrollTo(0, 0);")
    browser.save_screenshot(str(SCREENSHOTS / "dream_app_zoom.png"))
    browser.set_window_size(1400, 1250)
    # a keyframe past the last frame gets its one line, and the app goes on
    _set_number(browser, "keyframe_2_frame", "7")
    _wait_sent(browser, {"keyframe_2_frame": 7})
    browser.find_element("id", "dream").click()
    _wait(browser, lambda d: "past the last frame" in _message(d), 20, "no message for frame 7")
    assert _message(browser) == "The keyframe at frame 7 is past the last frame (2) of 3 frames."
    _set_number(browser, "keyframe_2_frame", "2")
    # a longer zoom shows each frame as it comes, and Cancel stops it after the frame in hand
    _set_number(browser, "zoom_frames", "60")
    _wait_sent(browser, {"keyframe_2_frame": 2, "zoom_frames": 60})
    old = browser.find_element("id", "zoom-img").get_attribute("src")
    browser.find_element("id", "dream").click()
    _wait(browser, lambda d: "Dreaming the zoom: frame" in d.find_element("id", "progress").text,
          120, "no progress of the zoom shown")  # fmt: skip
    assert browser.find_elements("id", "zoom-preview")
    browser.find_element("id", "cancel_dream").click()
    _wait(browser, lambda d: "Zoom cancelled after" in _message(d), 60, "the zoom did not stop")
    assert _message(browser).endswith("of 60 frames.")
    assert browser.find_element("id", "zoom-img").get_attribute("src") == old
    assert not browser.find_element("id", "dream").get_attribute("disabled")
    print(f"\nzoom of 3 frames (400 x 268, 1 octave x 2 steps a frame): {seconds:.1f} s")
