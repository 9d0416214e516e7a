"""Zoom animations and video dreams: frames, formats, resuming, steadiness, sound, bad input."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

pytest.importorskip("cv2", reason="the video extra (OpenCV) is not installed")
imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg", reason="the video extra is not installed")

import pydream  # noqa: E402
from pydream.cli import main  # noqa: E402
from pydream.engine.dream import DEFAULT_DREAMER  # noqa: E402
from pydream.engine.memory import DreamNotice  # noqa: E402
from pydream.motion.dreams import frame_seed, top_up_iterations  # noqa: E402
from pydream.motion.flow import carry_dream, zoom_frame  # noqa: E402

from .conftest import (  # noqa: E402
    IMAGES,
    LONG_TESTS,
    REAL_WEIGHTS,
    needs_images,
    needs_real_weights,
)

TINY = {
    "layers": {"square": 1.0}, "model": "tiny", "weights": None, "iterations": 3, "step": 0.05,
    "num_octave": 1, "max_loss": None, "seed": 0, "jitter": 2,
}  # fmt: skip
TINY_CLI = [
    "--layers", "square=1", "--model", "tiny", "--weights", "none", "--iterations", "3",
    "--step", "0.05", "--num-octave", "1", "--max-loss", "none", "--seed", "0", "--jitter", "2",
]  # fmt: skip


def scene(height: int = 48, width: int = 120) -> np.ndarray:
    """A smooth, varied uint8 picture (H, W, 3)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    rgb = np.stack(
        [128 + 100 * np.sin(x / 7 + y / 11), 128 + 100 * np.cos(y / 5), (x * 2 + y) % 256], axis=2
    )
    return np.clip(rgb, 0, 255).astype(np.uint8)


@pytest.fixture
def picture() -> np.ndarray:
    return scene(40, 56)


@pytest.fixture
def pan(tmp_path) -> Path:
    """A folder of 5 frames 40 x 64 (pan_0.png ... pan_4.png), the view moving 2 px a frame."""
    folder = tmp_path / "pan"
    folder.mkdir()
    wide = scene(40, 80)
    for index in range(5):
        Image.fromarray(wide[:, 2 * index : 2 * index + 64]).save(folder / f"pan_{index}.png")
    return folder


def read_folder(folder: Path) -> list[np.ndarray]:
    return [np.asarray(Image.open(path)) for path in sorted(folder.glob("frame_*.png"))]


def durations(path: Path) -> list[int]:
    """Milliseconds each frame of a GIF or WebP animation is shown."""
    with Image.open(path) as animation:
        shown = []
        for frame in ImageSequence.Iterator(animation):
            frame.load()  # WebP sets the duration when a frame is decoded
            shown.append(frame.info["duration"])
    return shown


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


class CountingDreams:
    """Counts the dreams and raises KeyboardInterrupt at dream number ``stop`` (1-based)."""

    def __init__(self, monkeypatch, stop: int | None = None) -> None:
        self.calls = 0
        self.starts: list[np.ndarray] = []
        self.settings: list = []
        self.stop = stop
        self.original = DEFAULT_DREAMER.dream
        monkeypatch.setattr(DEFAULT_DREAMER, "dream", self)

    def __call__(self, image, settings, **options):
        self.calls += 1
        if self.calls == self.stop:
            raise KeyboardInterrupt
        self.starts.append(np.array(image))
        self.settings.append(settings)
        return self.original(image, settings, **options)


# --- zoom -----------------------------------------------------------------------------------


def test_zoom_frames_are_the_previous_frame_zoomed_and_dreamed(tiny_models, picture, tmp_path):
    out = pydream.dream_zoom(picture, tmp_path / "zoom", frames=4, zoom=1.2, rotate=10, **TINY)
    assert out == tmp_path / "zoom"
    frames = read_folder(out)
    assert len(frames) == 4 and all(frame.shape == (40, 56, 3) for frame in frames)
    expected = pydream.deep_dream(picture, **{**TINY, "seed": frame_seed(0, 0)})
    np.testing.assert_array_equal(frames[0], expected)
    for index in range(1, 4):
        start = zoom_frame(frames[index - 1], 1.2, 10)
        expected = pydream.deep_dream(start, **{**TINY, "seed": frame_seed(0, index)})
        np.testing.assert_array_equal(frames[index], expected)
    assert not np.array_equal(frames[0], frames[3])
    assert leftovers(tmp_path) == ["zoom"]  # the work folder is gone


@pytest.mark.parametrize("name", ["zoom.gif", "zoom.webp", "zoom.mp4"])
def test_zoom_animations_hold_every_frame_at_their_rate(tiny_models, picture, tmp_path, name):
    out = pydream.dream_zoom(picture, tmp_path / name, frames=3, fps=10, **TINY)
    assert leftovers(tmp_path) == [name]
    if name.endswith(".mp4"):
        reader = imageio_ffmpeg.read_frames(str(out))
        meta = next(reader)
        count = sum(1 for _ in reader)
        assert (count, meta["fps"], meta["size"]) == (3, 10.0, (56, 40))
        return
    with Image.open(out) as animation:
        assert animation.n_frames == 3 and animation.size == (56, 40)
    assert durations(out) == [100, 100, 100]


def test_an_interrupted_zoom_resumes_with_the_missing_frames_only(
    tiny_models, picture, tmp_path, monkeypatch
):
    whole = pydream.dream_zoom(picture, tmp_path / "whole.gif", frames=5, **TINY)
    dreams = CountingDreams(monkeypatch, stop=3)
    out = tmp_path / "zoom.gif"
    with pytest.raises(KeyboardInterrupt, match=r"2 of 5 frames are kept in .*zoom\.gif\.frames"):
        pydream.dream_zoom(picture, out, frames=5, **TINY)
    assert not out.exists()
    assert sorted(p.name for p in (tmp_path / "zoom.gif.frames").iterdir()) == [
        "frame_00000.png", "frame_00001.png", "manifest.json",
    ]  # fmt: skip
    dreams.calls, dreams.stop = 0, None
    pydream.dream_zoom(picture, out, frames=5, **TINY)
    assert dreams.calls == 3
    assert out.read_bytes() == whole.read_bytes()
    assert leftovers(tmp_path) == ["whole.gif", "zoom.gif"]


def test_kept_frames_let_a_longer_zoom_dream_only_the_new_ones(
    tiny_models, picture, tmp_path, monkeypatch
):
    out = tmp_path / "zoom"
    pydream.dream_zoom(picture, out, frames=2, keep_frames=True, **TINY)
    assert (tmp_path / "zoom.frames" / "manifest.json").is_file()
    dreams = CountingDreams(monkeypatch)
    pydream.dream_zoom(picture, out, frames=4, **TINY)
    assert dreams.calls == 2 and len(read_folder(out)) == 4
    assert leftovers(tmp_path) == ["zoom"]


def test_other_settings_are_refused_or_start_over(tiny_models, picture, tmp_path):
    out = tmp_path / "zoom.gif"
    pydream.dream_zoom(picture, out, frames=2, keep_frames=True, **TINY)
    with pytest.raises(ValueError, match=r"zoom\.gif\.frames holds frames dreamed with another "
                                         r"step, zoom; .*turn restart on"):  # fmt: skip
        pydream.dream_zoom(picture, out, frames=2, zoom=1.1, **{**TINY, "step": 0.02})
    with pytest.warns(DreamNotice, match="starting over: removed 2 frames of another run"):
        pydream.dream_zoom(picture, out, frames=2, restart=True, **{**TINY, "step": 0.02})
    assert leftovers(tmp_path) == ["zoom.gif"]


def test_a_zoom_without_seed_keeps_its_drawn_seed_when_resumed(
    tiny_models, picture, tmp_path, monkeypatch
):
    settings = {**TINY, "seed": None}
    dreams = CountingDreams(monkeypatch, stop=2)
    with pytest.raises(KeyboardInterrupt):
        pydream.dream_zoom(picture, tmp_path / "zoom", frames=3, **settings)
    manifest = json.loads((tmp_path / "zoom.frames" / "manifest.json").read_text())
    dreams.stop = None
    pydream.dream_zoom(picture, tmp_path / "zoom", frames=3, **settings)
    last = Image.open(tmp_path / "zoom" / "frame_00002.png")
    assert json.loads(last.text["pydream:settings"])["seed"] == frame_seed(manifest["seed"], 2)


# --- video ----------------------------------------------------------------------------------


def test_video_frames_start_from_the_warped_previous_dream(tiny_models, pan, tmp_path, monkeypatch):
    dreams = CountingDreams(monkeypatch)
    out = pydream.dream_video(pan, tmp_path / "dream", **TINY)
    frames = read_folder(out)
    sources = [np.asarray(Image.open(pan / f"pan_{index}.png")) for index in range(5)]
    assert len(frames) == 5 and dreams.calls == 5
    np.testing.assert_array_equal(dreams.starts[0], sources[0])
    for index in range(1, 5):
        expected = carry_dream(frames[index - 1], sources[index - 1], sources[index], 0.6).start
        np.testing.assert_array_equal(dreams.starts[index], expected)
    assert dreams.settings[0].iterations == 3
    assert [each.iterations for each in dreams.settings[1:]] == [1] * 4  # round(0.4 * 3)


def test_blend_zero_dreams_each_frame_alone_and_no_flow_blends_in_place(
    tiny_models, pan, tmp_path, monkeypatch
):
    alone = read_folder(pydream.dream_video(pan, tmp_path / "alone", blend=0, **TINY))
    for index, frame in enumerate(alone):
        source = np.asarray(Image.open(pan / f"pan_{index}.png"))
        expected = pydream.deep_dream(source, **{**TINY, "seed": frame_seed(0, index)})
        np.testing.assert_array_equal(frame, expected)
    dreams = CountingDreams(monkeypatch)
    still = read_folder(pydream.dream_video(pan, tmp_path / "still", flow=False, **TINY))
    source = np.asarray(Image.open(pan / "pan_1.png"))
    expected = carry_dream(still[0], source, source, 0.6, None).start
    np.testing.assert_array_equal(dreams.starts[1], expected)
    assert top_up_iterations(20, 0.6) == 8 and top_up_iterations(0, 0.6) == 0
    assert top_up_iterations(5, 1.0) == 1


def test_a_scene_cut_is_dreamed_in_full(tiny_models, pan, tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    cut = rng.integers(0, 256, (40, 64, 3), dtype=np.uint8)
    Image.fromarray(cut).save(pan / "pan_3.png")
    dreams = CountingDreams(monkeypatch)
    pydream.dream_video(pan, tmp_path / "dream", **TINY)
    # frame 3 cuts to noise and frame 4 back to the pan: both are new, dreamed in full
    assert [each.iterations for each in dreams.settings] == [3, 1, 1, 3, 3]
    assert (dreams.starts[3] == cut).all(axis=2).mean() > 0.99  # the cut starts from itself


def test_an_interrupted_video_resumes_exactly(tiny_models, pan, tmp_path, monkeypatch):
    whole = read_folder(pydream.dream_video(pan, tmp_path / "whole", **TINY))
    dreams = CountingDreams(monkeypatch, stop=4)
    with pytest.raises(KeyboardInterrupt, match="3 of 5 frames are kept"):
        pydream.dream_video(pan, tmp_path / "dream.webp", **TINY)
    dreams.calls, dreams.stop = 0, None
    out = pydream.dream_video(pan, tmp_path / "dream.webp", keep_frames=True, **TINY)
    assert dreams.calls == 2
    assert leftovers(tmp_path) == ["dream.webp", "dream.webp.frames", "pan", "whole"]
    for ours, theirs in zip(read_folder(tmp_path / "dream.webp.frames"), whole, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    with Image.open(out) as animation:
        assert animation.n_frames == 5


def test_video_file_in_video_file_out_keeps_the_frame_rate(tiny_models, pan, tmp_path):
    source = tmp_path / "source.mp4"
    pydream.dream_video(pan, source, blend=0, iterations=0, model="tiny", weights=None,
                        layers={"square": 1.0}, fps=8)  # fmt: skip
    out = pydream.dream_video(source, tmp_path / "dream.mp4", **TINY)
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    assert (sum(1 for _ in reader), meta["fps"], meta["size"]) == (5, 8.0, (64, 40))
    frames = pydream.dream_video(source, tmp_path / "frames", fps=4, **TINY)
    assert len(read_folder(frames)) == 5


def sound_video(path: Path, frames: int = 3) -> Path:
    """A 64 x 48 test video of ``frames`` frames at 8 fps with a 440 Hz tone."""
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    seconds = frames / 8
    command = [
        ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i",
        f"testsrc=size=64x48:rate=8:duration={seconds}", "-f", "lavfi", "-i",
        f"sine=frequency=440:duration={seconds}", "-c:v", "libx264", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", str(path),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if result.returncode:
        pytest.skip(f"ffmpeg could not make a test video: {result.stderr.strip()[:200]}")
    return path


def streams(path: Path) -> str:
    probe = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return probe.stderr


def test_the_sound_of_a_video_is_kept_in_an_mp4(tiny_models, tmp_path):
    try:
        imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as error:
        pytest.skip(f"no ffmpeg binary: {error}")
    source = sound_video(tmp_path / "tone.mp4")
    assert "Audio: aac" in streams(source)
    out = pydream.dream_video(source, tmp_path / "dream.mp4", **TINY)
    info = streams(out)
    assert "Video: h264" in info and "Audio: aac" in info
    with pytest.warns(DreamNotice, match="the sound of tone.mp4 is not kept"):
        pydream.dream_video(source, tmp_path / "dream.gif", **TINY)


# --- bad input ------------------------------------------------------------------------------


def test_bad_zoom_arguments_fail_first_and_leave_nothing(tiny_models, picture, tmp_path):
    cases = [
        ({"frames": 0}, ValueError, "frames must be at least 1, not 0"),
        ({"frames": 2, "zoom": 0.9}, ValueError, "zoom must be from 1 to 4, not 0.9"),
        ({"frames": 2, "fps": 0}, ValueError, "fps must be a positive number"),
        ({"frames": 2, "rotate": float("nan")}, ValueError, "rotate must be a finite number"),
        ({"frames": 2, "stepp": 1}, TypeError, "dream_zoom.. got unknown settings: stepp"),
        ({"frames": "2"}, TypeError, "frames must be a whole number"),
    ]
    for arguments, error, message in cases:
        with pytest.raises(error, match=message):
            pydream.dream_zoom(picture, tmp_path / "zoom.gif", **{**TINY, **arguments})
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("zoom.png", "zoom.png is a single picture; an animation needs .gif, .webp, .mp4 or a"),
        ("zoom.jpg", "zoom.jpg is a single picture"),
        ("zoom.avi", "cannot tell the animation format of zoom.avi: use .gif, .webp, .mp4 or"),
        ("missing/zoom.gif", "folder .*missing does not exist"),
    ],
)
def test_outputs_that_hold_no_animation_are_refused(tiny_models, picture, tmp_path, name, message):
    with pytest.raises(ValueError, match=message):
        pydream.dream_zoom(picture, tmp_path / name, frames=3, **TINY)
    assert leftovers(tmp_path) == []


def test_bad_video_inputs_are_named(tiny_models, pan, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.mp4").write_text("not a video\n")
    (tmp_path / "notes.txt").write_text("not a video\n")
    out = tmp_path / "out.gif"
    cases = [
        (tmp_path / "nowhere.mp4", FileNotFoundError, "input video not found: .*nowhere.mp4"),
        (tmp_path / "empty", ValueError, "folder .*empty holds no frames"),
        (tmp_path / "notes.mp4", ValueError, "notes.mp4 is not a video ffmpeg can read"),
        (tmp_path / "notes.txt", ValueError, "notes.txt is not a video ffmpeg can read"),
        (pan / "pan_0.png", ValueError, "pan_0.png is a single picture; give a video or a folder"),
        (3, TypeError, "input must be a video file or a folder of frames, not int"),
    ]
    for source, error, message in cases:
        with pytest.raises(error, match=message):
            pydream.dream_video(source, out, **TINY)
    with pytest.raises(ValueError, match=r"blend must be from 0 to 1, not 1\.5"):
        pydream.dream_video(pan, out, blend=1.5, **TINY)
    with pytest.raises(ValueError, match=r"flow must be True, False or one of 'dis', 'farneback'"):
        pydream.dream_video(pan, out, flow="optical", **TINY)
    with pytest.raises(ValueError, match=r"output .*pan is the input"):
        pydream.dream_video(pan, pan, **TINY)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match=r"output folder .*busy holds other files \(keep\.txt"):
        pydream.dream_video(pan, tmp_path / "busy", **TINY)
    assert leftovers(tmp_path) == ["busy", "empty", "notes.mp4", "notes.txt", "pan"]


def test_bad_frames_in_a_folder_are_named(tiny_models, pan, tmp_path):
    (pan / "pan_2.png").write_bytes(b"not a picture")
    with pytest.raises(ValueError, match=r"frame .*pan_2\.png is not a picture"):
        pydream.dream_video(pan, tmp_path / "out", **TINY)
    Image.fromarray(scene(30, 64)).save(pan / "pan_2.png")
    with pytest.raises(
        ValueError, match=r"frame .*pan_2\.png is 64x30 but the first frame is 64x40"
    ):
        pydream.dream_video(pan, tmp_path / "out", **TINY)
    assert leftovers(tmp_path) == ["pan"]
    data = (pan / "pan_1.png").read_bytes()
    (pan / "pan_2.png").write_bytes(data[: len(data) // 2])  # the header reads, the pixels do not
    with pytest.raises(ValueError, match=r"pan_2\.png is truncated or corrupt"):
        pydream.dream_video(pan, tmp_path / "out", **TINY)
    assert leftovers(tmp_path / "out.frames") == [
        "frame_00000.png", "frame_00001.png", "manifest.json",
    ]  # fmt: skip


def test_frames_sort_by_their_numbers(tiny_models, tmp_path, monkeypatch):
    folder = tmp_path / "frames"
    folder.mkdir()
    for index in (10, 9, 1):
        Image.fromarray(np.full((16, 16, 3), index * 20, np.uint8)).save(folder / f"f{index}.png")
    (folder / "readme.txt").write_text("ignored")
    dreams = CountingDreams(monkeypatch)
    pydream.dream_video(folder, tmp_path / "out", blend=0, **TINY)
    assert [int(start[0, 0, 0]) for start in dreams.starts] == [20, 180, 200]


def test_without_the_video_extra_the_install_is_named(picture, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "cv2", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'pydream-keras\[video\]'"):
        pydream.dream_zoom(picture, tmp_path / "zoom.gif", frames=2)
    Image.fromarray(picture).save(tmp_path / "photo.png")
    assert main(["zoom", str(tmp_path / "photo.png"), "-o", str(tmp_path / "z.gif"),
                 "--frames", "2"]) == 2  # fmt: skip
    assert capsys.readouterr().err == (
        "pydream: error: animations need opencv-python-headless: "
        "pip install 'pydream-keras[video]'\n"
    )


# --- command line ---------------------------------------------------------------------------


def test_cli_zoom_and_video(tiny_models, picture, pan, tmp_path, capsys):
    Image.fromarray(picture).save(tmp_path / "photo.png")
    photo, animation = str(tmp_path / "photo.png"), str(tmp_path / "zoom.gif")
    code = main(["zoom", photo, "-o", animation, "--frames", "3", "--zoom", "1.1",
                 "--rotate", "-3", "--fps", "20", *TINY_CLI])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert durations(tmp_path / "zoom.gif") == [50, 50, 50]
    code = main(["video", str(pan), "-o", str(tmp_path / "dream"), "--blend", "0.5",
                 "--no-flow", "--quiet", *TINY_CLI])  # fmt: skip
    assert code == 0 and len(read_folder(tmp_path / "dream")) == 5
    err = capsys.readouterr().err
    assert "wrote" in err and "frame" in err  # the progress bar counts frames


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["zoom", "{photo}", "-o", "{tmp}/z.gif", "--frames", "0"], "frames must be at least 1"),
        (["zoom", "{photo}", "-o", "{tmp}/z.gif", "--frames", "2", "--zoom", "0.5"],
         "zoom must be from 1 to 4"),
        (["zoom", "{photo}", "-o", "{tmp}/z.png", "--frames", "2"], "z.png is a single picture"),
        (["zoom", "{tmp}/nowhere.png", "-o", "{tmp}/z.gif", "--frames", "2"],
         "input image not found"),
        (["video", "{tmp}/empty", "-o", "{tmp}/v.mp4"], "holds no frames"),
        (["video", "{tmp}/notes.mp4", "-o", "{tmp}/v.mp4"], "is not a video ffmpeg can read"),
        (["video", "{tmp}/nowhere.mp4", "-o", "{tmp}/v.mp4"], "input video not found"),
        (["video", "{tmp}/empty", "-o", "{tmp}/v.mp4", "--blend", "-1"], "blend must be"),
    ],
)  # fmt: skip
def test_cli_bad_input_is_one_line_and_exit_2(tiny_models, picture, tmp_path, capsys, arguments,
                                              message):  # fmt: skip
    Image.fromarray(picture).save(tmp_path / "photo.png")
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.mp4").write_text("not a video\n")
    names = {"photo": str(tmp_path / "photo.png"), "tmp": str(tmp_path)}
    code = main([part.format(**names) for part in arguments] + TINY_CLI)
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("pydream: error: ") and err.count("\n") == 1
    assert message in err
    assert leftovers(tmp_path) == ["empty", "notes.mp4", "photo.png"]


def test_cli_ctrl_c_says_what_is_kept(tiny_models, picture, tmp_path, capsys, monkeypatch):
    Image.fromarray(picture).save(tmp_path / "photo.png")
    CountingDreams(monkeypatch, stop=3)
    code = main(["zoom", str(tmp_path / "photo.png"), "-o", str(tmp_path / "z.mp4"),
                 "--frames", "4", "--quiet", *TINY_CLI])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 130
    assert err == (
        f"pydream: interrupted; 2 of 4 frames are kept in {tmp_path / 'z.mp4.frames'}: run the "
        "same command again to go on\n"
    )


# --- real weights ---------------------------------------------------------------------------

SHIFT = 4  # pixels the pan moves a frame


def shanghai_pan(folder: Path, frames: int, size: tuple[int, int]) -> Path:
    """``frames`` crops (width, height = ``size``) of the Shanghai photo, moving SHIFT px right."""
    photo = Image.open(IMAGES / "shanghai.jpg").convert("RGB")
    height = size[1] + 40
    photo = photo.resize((round(photo.width * height / photo.height), height), Image.LANCZOS)
    pixels = np.asarray(photo)
    folder.mkdir()
    for index in range(frames):
        left = 100 + SHIFT * index
        crop = pixels[20 : 20 + size[1], left : left + size[0]]
        Image.fromarray(crop).save(folder / f"pan_{index:02d}.png")
    return folder


def flicker(frames: list[np.ndarray]) -> float:
    """Mean absolute change between consecutive frames, the pan undone (overlap only)."""
    changes = [
        np.abs(after[:, :-SHIFT].astype(float) - before[:, SHIFT:]).mean()
        for before, after in itertools.pairwise(frames)
    ]
    return float(np.mean(changes))


@needs_real_weights
@needs_images
@pytest.mark.real_weights
@pytest.mark.slow
def test_video_defaults_flicker_much_less_than_frames_dreamed_alone(tmp_path):
    # 8 frames give the same flicker ratio as 16 (0.43) in half the time; 16 with LONG_TESTS
    pan = shanghai_pan(tmp_path / "pan", 16 if LONG_TESTS else 8, (256, 192))
    settings = {"weights": str(REAL_WEIGHTS), "num_octave": 2, "iterations": 5, "step": 0.02,
                "max_loss": None, "seed": 0}  # fmt: skip
    started = time.perf_counter()
    alone = read_folder(pydream.dream_video(pan, tmp_path / "alone", blend=0, **settings))
    middle = time.perf_counter()
    steady = read_folder(pydream.dream_video(pan, tmp_path / "steady", **settings))
    ended = time.perf_counter()
    ratio = flicker(steady) / flicker(alone)
    sources = read_folder_any(pan)
    strength = np.abs(steady[-1].astype(float) - sources[-1]).mean()
    alone_strength = np.abs(alone[-1].astype(float) - sources[-1]).mean()
    print(
        f"\nflicker: blend 0 {flicker(alone):.2f} ({middle - started:.1f} s), defaults "
        f"{flicker(steady):.2f} ({ended - middle:.1f} s), ratio {ratio:.3f}; strength "
        f"{alone_strength:.1f} and {strength:.1f}"
    )
    assert ratio <= 0.6
    assert 0.6 < strength / alone_strength < 1.6  # as dreamed as a frame dreamed alone


def read_folder_any(folder: Path) -> list[np.ndarray]:
    return [np.asarray(Image.open(path)) for path in sorted(folder.glob("*.png"))]


@needs_real_weights
@needs_images
@pytest.mark.real_weights
def test_a_real_zoom_changes_from_frame_to_frame(tmp_path, small_jellyfish):
    out = pydream.dream_zoom(
        small_jellyfish, tmp_path / "zoom", frames=3, zoom=1.05, weights=str(REAL_WEIGHTS),
        num_octave=2, iterations=4, step=0.02, seed=0, layers={"mixed4": 1.0},
    )  # fmt: skip
    frames = read_folder(out)
    photo = np.asarray(Image.open(small_jellyfish).convert("RGB"), dtype=float)
    assert [frame.shape for frame in frames] == [photo.shape] * 3
    assert np.abs(frames[0] - photo).mean() > 3  # dreamed
    assert np.abs(frames[2].astype(float) - frames[1]).mean() > 3  # moving
