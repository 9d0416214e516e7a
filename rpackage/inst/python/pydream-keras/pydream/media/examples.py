"""The example photos of the vignettes: a local folder, or a one-time download into a cache."""

from __future__ import annotations

import hashlib
import os
import urllib.request
from pathlib import Path

from ..errors import ImageError, SettingError
from .images import atomic_path

EXAMPLES: dict[str, tuple[str, str, str]] = {
    # name: (file name, original public source, sha256)
    "jellyfish": (
        "jellyfish.jpg",
        "https://raw.githubusercontent.com/azzamsa/ubuntu-wallpapers/"
        "7cb53ad9c56a993b5f2e8d5505421f813ecfb6d2/curated/trusty/Jelly_Fish_by_RaDu_GaLaN.jpg",
        "d2b7686e041d06febf2cec9b629b2643ca52bdf818d67c8cacf4b9792e3db8da",
    ),
    "shanghai": (
        "shanghai.jpg",
        "https://raw.githubusercontent.com/Asad-Iqbal407/chinahistory/"
        "3f6f038b7b57395531487b0c482507f1d311a2b7/public/images/china/pudong-shanghai-panorama.jpg",
        "93011d1983602a26a87861edef257390876511b0e0e00e889365bd55504ec460",
    ),
}


def cache_folder() -> Path:
    """Where downloaded examples are kept: ``PYDREAM_CACHE`` or ``~/.cache/pydream``."""
    configured = os.environ.get("PYDREAM_CACHE")
    if configured:
        return Path(configured).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pydream"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def example_image(name: str) -> str:
    """A local path to an example photo (``"jellyfish"`` or ``"shanghai"``).

    Looks first in the folder named by ``PYDREAM_IMAGES``, then in the cache; otherwise
    downloads the original from its public source once (checked by SHA-256) into the cache.

    Raises:
        SettingError: (a ``ValueError``) unknown name; its ``setting`` is ``"name"``.
        ImageError: (role ``"example"``, ``path`` the file it would be cached as) the
            download failed or did not match.
    """
    if name not in EXAMPLES:
        raise SettingError(
            f"unknown example {name!r}; examples are: {', '.join(EXAMPLES)}",
            setting="name",
            value=name,
            allowed=", ".join(map(repr, EXAMPLES)),
        )
    file_name, url, sha256 = EXAMPLES[name]
    folder = os.environ.get("PYDREAM_IMAGES")
    if folder and (Path(folder) / file_name).is_file():
        return str(Path(folder) / file_name)
    cached = cache_folder() / file_name
    if cached.is_file():
        return str(cached)
    cached.parent.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_path(cached) as temporary:
            with urllib.request.urlopen(url, timeout=60) as response, open(temporary, "wb") as out:
                out.write(response.read())
            if _sha256(temporary) != sha256:
                raise ValueError(f"the download of {url} does not match its checksum")
    except (OSError, ValueError) as error:
        raise ImageError(
            f"could not fetch the {name} example from {url} ({error}); set PYDREAM_IMAGES to a "
            f"folder holding {file_name}",
            path=str(cached),
            role="example",
        ) from None
    return str(cached)
