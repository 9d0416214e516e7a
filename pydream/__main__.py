"""``python -m pydream``: the ``pydream`` command."""

import sys

from .cli import main

sys.exit(main())
