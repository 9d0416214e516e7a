"""The pydream command: dreams, listings, one-line errors and Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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
    )
    # Wait for the progress bar to start, then interrupt.
    deadline = time.time() + 120
    seen = ""
    while time.time() < deadline and "octave" not in seen:
        seen += process.stderr.read(1) or ""
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "pydream: interrupted" in rest and "Traceback" not in rest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.png"]


def test_parse_layers():
    assert parse_layers("mixed3=0.8, mixed5=4") == {"mixed3": 0.8, "mixed5": 4.0}
