"""The dream itself: settings in, octaves walked smallest first, a picture out.

The API layer: ``deep_dream`` and ``Dreamer`` read the picture, write the files and show the
progress; ``loop.dream_array`` dreams on arrays, ``cache.EngineCache`` builds and keeps the
engines, ``plan`` fits a dream in memory.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from ..media.images import check_folder_writable, check_output_path, load_image, save_image
from ..nets import backend
from ..nets.models import get_spec
from ..presets import DEFAULT_LAYERS, resolve_named_settings
from ..presets import resolve_settings as resolve_settings
from ..settings import DreamSettings, settings_docs, settings_parameters
from . import loop, plan
from .cache import GUIDE_SIZE as GUIDE_SIZE
from .cache import Engine as Engine
from .cache import EngineCache, build_engine, register_cache
from .cache import fit_guide as fit_guide
from .cache import settings_spec as settings_spec
from .memory import DreamNotice, MemoryPlan
from .selection import resolve_picture_terms

DreamCallback = Callable[[int, int, float], Any]
"""``callback(octave, step, loss)`` after every step (0-based); returning ``True`` stops."""


def concrete_precision(settings: DreamSettings) -> DreamSettings:
    """``settings`` with ``precision="auto"`` replaced by what this machine computes best,
    said once (a ``DreamNotice``) together with the device where it is a GPU."""
    if settings.precision != "auto":
        backend.warn_emulated_precision(settings.precision)  # once, where the device emulates it
        return settings
    chosen = backend.auto_precision()
    _announce_device(chosen)
    return dataclasses.replace(settings, precision=chosen)


_ANNOUNCED: set[str] = set()
register_cache(_ANNOUNCED.clear)


def _announce_device(precision: str) -> None:
    device = backend.device_description()
    line = f"computing on {device} with Keras' {backend.NAME} backend, in {precision}"
    if line not in _ANNOUNCED:
        _ANNOUNCED.add(line)
        warnings.warn(line, DreamNotice, stacklevel=4)


class Dreamer:
    """Builds each model, feature extractor and compiled step once, and reuses them.

    The module-level functions share one ``Dreamer``; make your own to hold models apart.
    Its engines live in an ``EngineCache`` (``cache``); ``pydream.clear_caches()`` empties it.
    """

    def __init__(self, max_engines: int = 8) -> None:
        self.cache = EngineCache(max_engines, builder=lambda settings: self._build_engine(settings))

    @property
    def max_engines(self) -> int:
        """Engines kept at most (least recently used first out)."""
        return self.cache.max_engines

    @max_engines.setter
    def max_engines(self, value: int) -> None:
        self.cache.max_engines = value

    def engine(self, settings: DreamSettings) -> Engine:
        """The optimiser for ``settings`` (one layer mapping: see ``for_octave``), built on
        first use."""
        return self.cache.engine(concrete_precision(settings))

    def _build_engine(self, settings: DreamSettings) -> Engine:
        if backend.device_description() != "cpu":
            _announce_device(settings.precision)
        return build_engine(settings)

    def octave_engines(self, settings: DreamSettings) -> list[tuple[DreamSettings, Engine]]:
        """The settings and engine of each of the ``num_octave`` octaves, smallest first,
        every engine built now: unknown layers and unreadable weights fail before any work.
        (Octaves share the engine of a shared layer mapping.)"""
        octaves = settings.num_octave
        each = [settings.for_octave(index, octaves) for index in range(octaves)]
        return [(octave, self.engine(octave)) for octave in each]

    def guide_features(self, settings: DreamSettings) -> list[Any] | None:
        """The guide's features for the engine of ``settings`` (one layer mapping), or
        ``None`` without a guide.

        The guide is seen at most ``GUIDE_SIZE`` pixels on its longer side (and at least the
        model's minimum input on its shorter side).
        """
        return self.cache.guide_features(concrete_precision(settings))

    def memory_plan(
        self, settings: DreamSettings, shape: tuple[int, int], announce: bool = True
    ) -> MemoryPlan | None:
        """How a dream whose largest octave is ``shape`` (height, width) fits in memory.

        ``None`` when the settings fix the tiling themselves (``tile_size`` a number or
        ``None``). With ``tile_size="auto"`` the estimate is compared with ``memory_budget``
        and (with ``announce``) a ``DreamNotice`` says when the dream will be tiled.

        Raises:
            MemoryBudgetError: not even the smallest tile fits the budget.
        """
        return plan.memory_plan(self.cache, concrete_precision(settings), shape, announce)

    def tile_size(self, settings: DreamSettings, shape: tuple[int, int]) -> int | None:
        """The tile side for a dream whose largest octave is ``shape``; ``None``: untiled.

        With per-octave layers, the smallest tile any of their mappings needs.
        """
        return plan.tile_size(self.cache, concrete_precision(settings), shape)

    def ascend(
        self,
        image: np.ndarray,
        settings: DreamSettings,
        rng: np.random.Generator,
        on_step: Callable[[int, float], bool | None] | None = None,
        tile_size: int | None = None,
        guides: list[Any] | None = None,
    ) -> tuple[np.ndarray, bool]:
        """Run one octave's optimisation on a preprocessed image (1, H, W, 3).

        ``settings`` hold one layer mapping (see ``DreamSettings.for_octave``); ``tile_size``
        is the tiling already decided (see ``tile_size``); ``guides`` are the guide's
        features (see ``guide_features``; computed here when needed and not given). A mask
        in ``settings`` is resized to the image.
        """
        engine = self.engine(settings)
        if guides is None and settings.guide is not None:
            guides = self.guide_features(settings)
        return loop.ascend(engine, image, settings, rng, on_step, tile_size, guides)

    def dream(
        self,
        image: Any,
        settings: DreamSettings,
        *,
        save_octaves: Any = None,
        output: Any = None,
        overwrite: bool = False,
        progress: bool = False,
        callback: DreamCallback | None = None,
    ) -> np.ndarray:
        """Dream ``image`` with ``settings``; see ``deep_dream`` for the arguments."""
        loaded = load_image(image)
        output_path = check_output_path(output, loaded.path, overwrite) if output else None
        octave_folder = _octave_folder(save_octaves)
        settings = resolve_picture_terms(settings, loaded.rgb)  # "mixed4:strong10" and such
        self.octave_engines(settings)  # unknown layers and bad weights fail before any work
        with _progress_bar(settings.num_octave * settings.iterations, progress) as bar:
            hooks = _file_and_progress_hooks(settings, bar, callback, octave_folder)
            result = loop.dream_array(loaded.rgb, concrete_precision(settings), self.cache, hooks)
        if output_path is not None:
            save_image(
                result,
                output_path,
                mode=loaded.mode,
                alpha=loaded.alpha,
                metadata=settings.as_dict(),
            )
        return result


def _file_and_progress_hooks(
    settings: DreamSettings, bar: Any, callback: DreamCallback | None, folder: Path | None
) -> loop.DreamHooks:
    """Hooks that move the progress ``bar``, call the user's ``callback`` and save each
    octave's picture into ``folder`` (with the settings as metadata)."""
    spec = settings_spec(settings)

    def on_octave_start(octave: int, count: int, shape: tuple[int, int]) -> None:
        bar.total = count * settings.iterations  # octaves too small for the model left out
        bar.set_description(f"octave {octave + 1}/{count} {shape[1]}x{shape[0]}")

    def on_step(octave: int, step: int, loss: float) -> bool:
        bar.update(1)
        bar.set_postfix(loss=f"{loss:.3g}", refresh=False)
        return bool(callback(octave, step, loss)) if callback is not None else False

    def on_octave(octave: int, shape: tuple[int, int], dream: np.ndarray) -> None:
        bar.update((octave + 1) * settings.iterations - bar.n)  # an octave stopped early
        if folder is not None:
            save_image(
                spec.deprocess(dream[0]),
                folder / f"octave_{octave + 1}_{shape[1]}x{shape[0]}.png",
                metadata=settings.as_dict(),
            )

    return loop.DreamHooks(on_step, on_octave_start, on_octave)


def _octave_folder(save_octaves: Any) -> Path | None:
    if save_octaves is None:
        return None
    folder = Path(save_octaves).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"save_octaves must be a folder, but {folder} is a file")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(
            f"cannot create the save_octaves folder {folder}: {error.strerror}"
        ) from None
    check_folder_writable(folder, f"the octave images into {folder}")
    return folder


@contextlib.contextmanager
def _progress_bar(total: int, enabled: bool) -> Iterator[Any]:
    bar = tqdm(total=total, disable=not enabled, unit="step", leave=True, dynamic_ncols=True)
    try:
        yield bar
    finally:
        bar.close()


DEFAULT_DREAMER = Dreamer()


RUN_OPTIONS_OF_DEEP_DREAM = ("save_octaves", "output", "progress", "callback", "overwrite")


def deep_dream(
    image: Any,
    layers: Any = None,
    *,
    preset: str | None = None,
    save_octaves: Any = None,
    output: Any = None,
    progress: bool = False,
    callback: DreamCallback | None = None,
    overwrite: bool = False,
    **settings: Any,
) -> np.ndarray:
    """Dream a picture: gradient ascent on layer activations, octave by octave.

        Every setting of ``pydream.settings.DreamSettings`` is a keyword argument (listed
        under Settings below, from the schema); those not given are left to ``preset``, then to
        their defaults.

        Args:
            image: a file path, a ``PIL.Image`` or a uint8 array (H x W, H x W x 3, H x W x 4).
            layers: what to maximise: layer key -> coefficient, e.g. ``{"mixed3": 0.8,
                "mixed5": 4}``, or an objective value (``pydream.objectives.layer("mixed4") * 2 +
                pydream.objectives.channel("mixed4", 97)``). A key is a layer (``"mixed4"``),
                channels of it (``"mixed4:97"``, ``"mixed4:97,120"``, ``"mixed4:0-15"``; the same
                ``loss`` over just those channels) or ImageNet classes (``"predictions:207"``:
                the pre-softmax logit, averaged over the classes named; needs the model's
                classification top). A list of these gives one per octave, smallest first; a
                shorter list repeats its last. Without it (and without a preset setting it) the
                ``chollet`` preset's layers are used.
            preset: a name from ``pydream.presets``; arguments given explicitly win over it.
            save_octaves: a folder; one PNG per octave is written there.
            output: a file to write (atomically); it keeps the input's mode and alpha channel.
            progress: show a progress bar.
            callback: ``callback(octave, step, loss)`` after each step; returning ``True`` stops
                the run (the dream so far is returned, full size).
            overwrite: allow ``output`` to be the input file itself.
            **settings: the dream's settings:

    {settings}

        Notes:
            ``guide``: at each chosen layer every position of the dream's activation ``a_p`` is
            pushed toward the guide's activation ``g_q`` it matches best, maximising
            ``sum_p <a_p, g_m(p)> / size(a)`` with ``m(p) = argmax_q <a_p, g_q>`` (crops as the
            ``"l2"`` loss; class terms are not guided); the guide is seen at most 512 pixels on
            its longer side. ``mask``: a grey picture or an (H, W) array of 0..1 (or 0..255)
            values, resized to each octave, that multiplies each step. With a ``keras.Model`` as
            ``model``, ``preprocess`` and ``deprocess`` are ``"tf"`` (default; [-1, 1]),
            ``"caffe"`` or ``"torch"``, or two functions from 0..255 RGB pixels (..., H, W, 3) to
            the network's input and back.

        Returns:
            The dream, a uint8 RGB array (H, W, 3) the size of the input.

        Raises:
            SettingError: a setting is unusable, or given explicitly while the chosen optimiser
                does not use it (a ``ValueError`` and ``TypeError``).
            ImageError, ImageNotFoundError: the picture cannot be read (``ValueError``,
                ``FileNotFoundError``).
            LayerError, WeightsError: an unknown layer, unreadable weights.
            MemoryBudgetError: a ``ValueError``: the dream cannot fit ``memory_budget``.
    """
    checked = resolve_named_settings("deep_dream", layers, preset, settings)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, not {type(callback).__name__}")
    return DEFAULT_DREAMER.dream(
        image,
        checked,
        save_octaves=save_octaves,
        output=output,
        overwrite=bool(overwrite),
        progress=bool(progress),
        callback=callback,
    )


def _signature_from_the_schema() -> None:
    """``deep_dream``'s signature and docs list every setting of the schema, in order."""
    own = inspect.signature(deep_dream).parameters
    head = [own["image"], own["layers"], own["preset"]]
    rest = settings_parameters("deep_dream", run_options=RUN_OPTIONS_OF_DEEP_DREAM)
    rest = [own.get(parameter.name, parameter) for parameter in rest]
    deep_dream.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [*head, *rest], return_annotation=inspect.signature(deep_dream).return_annotation
    )
    docs = settings_docs(indent=" " * 12)
    deep_dream.__doc__ = (deep_dream.__doc__ or "").replace("{settings}", docs)


_signature_from_the_schema()


def preprocess_image(image: Any, model: str = "inception_v3") -> np.ndarray:
    """Load a picture and preprocess it for ``model``: float32 (1, H, W, 3)."""
    return get_spec(model).preprocess(load_image(image).rgb)[None]


def deprocess_image(x: Any, model: str = "inception_v3") -> np.ndarray:
    """Undo ``preprocess_image``: (1, H, W, 3) or (H, W, 3) floats -> uint8 (H, W, 3)."""
    array = np.asarray(x, dtype=np.float32)
    if array.ndim == 4 and array.shape[0] == 1:
        array = array[0]
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"x must have shape (1, H, W, 3) or (H, W, 3), not {array.shape}")
    return get_spec(model).deprocess(array)


def gradient_ascent(
    x: Any,
    iterations: int,
    step: float,
    max_loss: float | None = None,
    *,
    layers: Mapping[str, float] | None = None,
    model: str = "inception_v3",
    weights: str | None = "imagenet",
    loss: str = "l2",
    border: int = 2,
    normalize: str = "mean_abs",
    clip: bool = False,
    jitter: int = 0,
    seed: int | None = None,
    learning_phase: int = 0,
    tile_size: int | str | None = None,
    memory_budget: float | None = None,
    precision: str = "float32",
) -> np.ndarray:
    """The blog's building block: ``iterations`` ascent steps on a preprocessed image.

    Args:
        x: preprocessed image, float (1, H, W, 3) (see ``preprocess_image``).
        iterations, step, max_loss: as in ``deep_dream`` (max_loss ``None``: never stop).
        layers: layer name -> coefficient (default: the ``chollet`` preset's layers).
        tile_size, memory_budget: as in ``deep_dream``, but without tiling by default.

    Returns:
        The image after the ascent, float32 (1, H, W, 3).
    """
    array = np.asarray(x, dtype=np.float32)
    if array.ndim != 4 or array.shape[0] != 1 or array.shape[3] != 3:
        raise ValueError(f"x must be a preprocessed image of shape (1, H, W, 3), not {array.shape}")
    if layers is not None and not isinstance(layers, Mapping):
        raise TypeError(
            "gradient_ascent dreams one layer mapping (a dict of layer -> coefficient), not "
            f"{type(layers).__name__}; per-octave lists are for deep_dream"
        )
    settings = DreamSettings(
        layers=dict(DEFAULT_LAYERS) if layers is None else layers,
        model=model, weights=weights, step=step, iterations=iterations, max_loss=max_loss,
        loss=loss, border=border, normalize=normalize, clip=clip, jitter=jitter, seed=seed,
        learning_phase=learning_phase, tile_size=tile_size, memory_budget=memory_budget,
        precision=precision,
    )  # fmt: skip
    min_size = get_spec(model).min_size
    if min(array.shape[1:3]) < min_size:
        raise ValueError(f"x is {array.shape[2]}x{array.shape[1]}; {model} needs {min_size}+ px")
    tile_size = DEFAULT_DREAMER.tile_size(settings, (array.shape[1], array.shape[2]))
    rng = np.random.default_rng(settings.seed)
    result, _ = DEFAULT_DREAMER.ascend(array, settings, rng, None, tile_size)
    return result
