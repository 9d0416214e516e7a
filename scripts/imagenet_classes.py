#!/usr/bin/env python3
"""Generates pydream/data/imagenet_classes.json, the 1000 ImageNet class names kept with the
package (Keras downloads its class index at run time, which cannot work offline).

The names come from the PyPI package timm (Apache-2.0): ``timm/data/_info/imagenet_synsets.txt``
(the 1000 WordNet ids of ILSVRC-2012) and ``imagenet_synset_to_lemma.txt`` (each id's names,
comma-separated). A class's index is its id's position in sorted order, which is Keras' order
(0 = n01440764 tench, 207 = n02099601 golden retriever, 281 = n02123045 tabby).

Usage: scripts/imagenet_classes.py FOLDER   (FOLDER holds timm's wheel unpacked, or the wheel)
       e.g.  pip download timm --no-deps -d /tmp/timm && scripts/imagenet_classes.py /tmp/timm
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "pydream" / "data" / "imagenet_classes.json"
INFO = "timm/data/_info/"
KNOWN = {0: "n01440764", 207: "n02099601", 281: "n02123045"}


def read_sources(folder: Path) -> tuple[str, str, str]:
    """The synset list, the synset-to-lemma table and timm's version, from ``folder``."""
    wheels = sorted(folder.glob("timm-*.whl"))
    if wheels:
        with zipfile.ZipFile(wheels[-1]) as archive:
            read = archive.read
            version = wheels[-1].name.split("-")[1]
            return (
                read(INFO + "imagenet_synsets.txt").decode(),
                read(INFO + "imagenet_synset_to_lemma.txt").decode(),
                version,
            )
    info = folder / INFO
    return (
        (info / "imagenet_synsets.txt").read_text(),
        (info / "imagenet_synset_to_lemma.txt").read_text(),
        "unknown",
    )


def build(synsets_text: str, lemmas_text: str, version: str) -> dict[str, object]:
    """The data file's content: one ``[wordnet_id, [names...]]`` per class, by class index."""
    synsets = sorted(line.strip() for line in synsets_text.splitlines() if line.strip())
    if len(synsets) != 1000 or len(set(synsets)) != 1000:
        raise SystemExit(f"expected 1000 distinct synsets, found {len(synsets)}")
    lemmas = dict(line.split("\t", 1) for line in lemmas_text.splitlines() if "\t" in line)
    for index, synset in KNOWN.items():
        if synsets[index] != synset:
            raise SystemExit(f"class {index} is {synsets[index]}, not {synset}")
    classes = [[synset, [name.strip() for name in lemmas[synset].split(",")]] for synset in synsets]
    return {
        "about": "The 1000 ImageNet (ILSVRC-2012) classes in Keras' order: [WordNet id, names].",
        "source": f"timm {version} (PyPI), timm/data/_info/imagenet_synsets.txt and "
        "imagenet_synset_to_lemma.txt",
        "license": "Apache-2.0 (timm, Copyright 2019 Ross Wightman); the names are WordNet "
        "3.0 lemmas (WordNet licence, Princeton University)",
        "generated_by": "scripts/imagenet_classes.py",
        "classes": classes,
    }


def to_text(content: dict[str, object]) -> str:
    """The JSON text: one line per field and per class."""
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}," for key, value in content.items()]
    rows = [json.dumps(row, ensure_ascii=False) for row in content["classes"]]  # type: ignore[attr-defined]
    lines[-1] = '  "classes": [\n    ' + ",\n    ".join(rows) + "\n  ]"
    return "{\n" + "\n".join(lines) + "\n}\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    content = build(*read_sources(Path(argv[0])))
    TARGET.write_text(to_text(content), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}: {len(content['classes'])} classes")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
