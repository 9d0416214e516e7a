"""The pydream command: dreams, listings, one-line errors and Ctrl-C."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pydream.cli import main, parse_layers


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pydream.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_layers_lists_mixed0_to_mixed10(capsys):
    assert main(["layers"]) == 0
    assert capsys.readouterr().out.split() == [f"mixed{i}" for i in range(11)]


def test_presets_lists_names(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    for name in ("jellyfish", "chollet", "tutorial", "acid", "doggos"):
        assert f"{name}: layers" in out


def test_dream_with_explicit_layers_and_with_a_preset(photo, tmp_path, capsys):
    out = tmp_path / "a.png"
    code = main(
        [
            "dream",
            str(photo),
            "-o",
            str(out),
            "--layers",
            "mixed3=0.8,mixed5=4",
            "--weights",
            "none",
            "--iterations",
            "2",
            "--num-octave",
            "1",
            "--quiet",
            "--max-loss",
            "none",
            "--seed",
            "1",
            "--jitter",
            "2",
        ]
    )
    assert code == 0 and Image.open(out).size == (120, 90)
    out2 = tmp_path / "b.png"
    code = main(
        [
            "dream",
            str(photo),
            "-o",
            str(out2),
            "--preset",
            "chollet",
            "--weights",
            "none",
            "--iterations",
            "1",
            "--num-octave",
            "1",
        ]
    )
    assert code == 0 and out2.exists()
    assert "wrote" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--layers", "mixed27=1"], "unknown layer 'mixed27'"),
        (["--iterations", "-1"], "iterations must be at least 0"),
        (["--step", "nan"], "step must be a finite number"),
        (["--octave-scale", "0.5"], "octave_scale must be at least 1"),
        (["--layers", "mixed3"], "must look like NAME=COEFFICIENT"),
        (["--preset", "nope"], "unknown preset 'nope'"),
        (["--weights", "/nonexistent.weights.h5"], "weights file not found"),
    ],
)
def test_bad_settings_give_one_line(photo, tmp_path, capsys, args, words):
    out = tmp_path / "out.png"
    with pytest.raises(SystemExit) if args[0] in ("--layers",) and "=" not in args[1] else _null():
        code = main(["dream", str(photo), "-o", str(out), "--weights", "none", *args])
        assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pydream: error: ") and words in err
    assert not out.exists()


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_real_process_exit_code_and_no_traceback(tmp_path):
    missing = tmp_path / "missing.jpg"
    result = run_cli("dream", str(missing), "-o", str(tmp_path / "out.png"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"pydream: error: input image not found: {missing}"


def test_weights_file_that_is_not_one(photo, tmp_path):
    fake = tmp_path / "fake.weights.h5"
    fake.write_text("hello")
    result = run_cli("dream", str(photo), "-o", str(tmp_path / "o.png"), "--weights", str(fake))
    assert result.returncode == 2 and "not an HDF5 weights file" in result.stderr
    assert "Traceback" not in result.stderr


def test_output_equal_to_input(photo):
    before = Path(photo).read_bytes()
    result = run_cli("dream", str(photo), "-o", str(photo), "--weights", "none")
    assert result.returncode == 2 and "is the input file" in result.stderr
    assert Path(photo).read_bytes() == before


@pytest.mark.slow
def test_ctrl_c_exits_130_and_writes_nothing(tmp_path):
    big = tmp_path / "big.png"
    Image.new("RGB", (900, 700), (120, 80, 200)).save(big)
    out = tmp_path / "out.png"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pydream.cli",
            "dream",
            str(big),
            "-o",
            str(out),
            "--weights",
            "none",
            "--iterations",
            "500",
            "--num-octave",
            "1",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # as from a shell: Ctrl-C not ignored, whatever this test process inherited (R
        # embedded in the same process by other tests leaves SIGINT ignored, and an ignored
        # signal stays ignored across exec)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # Wait for the first step to be done (the step is compiled by then: an interrupt inside
    # a long compilation on a busy machine waits for it), then interrupt.
    deadline = time.time() + 240
    seen = ""
    while time.time() < deadline and not re.search(r"\b[1-9]\d*/500", seen):
        seen += process.stderr.read(1) or ""
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "pydream: interrupted" in rest and "Traceback" not in rest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.png"]


def test_parse_layers():
    assert parse_layers("mixed3=0.8, mixed5=4") == {"mixed3": 0.8, "mixed5": 4.0}
    assert parse_layers("mixed4:97=1,mixed5=0.5") == {"mixed4:97": 1.0, "mixed5": 0.5}
    assert parse_layers("mixed4:97,120=1,mixed5:0-3=2") == {"mixed4:97,120": 1.0, "mixed5:0-3": 2.0}
    assert parse_layers("mixed3=1;mixed5=1,mixed6=2") == [
        {"mixed3": 1.0}, {"mixed5": 1.0, "mixed6": 2.0},
    ]  # fmt: skip


@pytest.mark.parametrize("text", ["mixed3,mixed4=1", "mixed4:97,120", "=1", "mixed3=x"])
def test_parse_layers_refuses(text):
    with pytest.raises(argparse.ArgumentTypeError):
        parse_layers(text)


def test_every_new_setting_reaches_the_engine(tiny_models, photo, tmp_path, capsys):
    mask = tmp_path / "mask.png"
    Image.new("L", (120, 90), 0).save(mask)
    out = tmp_path / "out.png"
    code = main(
        ["dream", str(photo), "-o", str(out), "--model", "tiny", "--weights", "none",
         "--layers", "square:1=1;double:0,2=2", "--num-octave", "2", "--guide", str(photo),
         "--mask", str(mask), "--normalize", "laplacian", "--lap-levels", "3", "--iterations", "2",
         "--smoothing", "1.5", "--continuity", "0.1", "--dream-l2", "0.01", "--quiet"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    settings = json.loads(Image.open(out).text["pydream:settings"])
    assert settings["layers"] == [{"square:1": 1.0}, {"double:0,2": 2.0}]
    assert settings["guide"] == str(photo) and settings["mask"] == str(mask)
    assert (settings["normalize"], settings["lap_levels"], settings["smoothing"]) == (
        "laplacian", 3, 1.5,
    )  # fmt: skip
    assert settings["continuity"] == 0.1 and settings["dream_l2"] == 0.01
    # the mask is black: nothing dreams
    assert np.array_equal(np.asarray(Image.open(out)), np.asarray(Image.open(photo)))


@pytest.mark.parametrize(
    ("args", "words"),
    [(["--layers", "square:7=1"], "channel 7 in 'square:7' is past the last channel"),
     (["--guide", "missing.png"], "guide: input image not found"),
     (["--mask", "{photo}.txt"], "mask: input image"),
     (["--layers", "square=1;double=1;square=2"], "3 per-octave mappings but the dream has only"),
     (["--smoothing", "-1"], "smoothing must be from 0 to 100"),
     (["--lap-levels", "40"], "lap_levels must be at most 12")],
)  # fmt: skip
def test_bad_new_settings_give_one_line(tiny_models, photo, tmp_path, capsys, args, words):
    (tmp_path / "photo.png.txt").write_text("text")
    args = [arg.replace("{photo}", str(photo)) for arg in args]
    out = tmp_path / "out.png"
    code = main(["dream", str(photo), "-o", str(out), "--model", "tiny", "--weights", "none",
                 "--num-octave", "2", "--quiet", *args])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and words in err, err
    assert not out.exists()


def test_gallery_command(tiny_models, photo, tmp_path, capsys):
    out = tmp_path / "sheet.png"
    code = main(
        ["gallery", str(photo), "-o", str(out), "--model", "tiny", "--weights", "none",
         "--layers", "square", "--channels", "double:0-2", "--size", "160", "--columns", "2",
         "--iterations", "2", "--quiet"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    sheet = Image.open(out)
    assert json.loads(sheet.text["pydream:settings"])["gallery"] == [
        "square", "double:0", "double:1", "double:2",
    ]  # fmt: skip
    assert sheet.size[0] < sheet.size[1]  # 5 tiles in 2 columns: 3 rows
    code = main(["gallery", str(photo), "-o", str(out), "--model", "tiny", "--weights", "none",
                 "--channels", "double", "--quiet"])  # fmt: skip
    assert code == 2 and "names no channels" in capsys.readouterr().err
