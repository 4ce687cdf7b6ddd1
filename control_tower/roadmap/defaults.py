"""Loads ``defaults.json``: the Korean pillar, governance and skill defaults of a roadmap."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULTS_FILE = Path(__file__).with_name("defaults.json")


@lru_cache(maxsize=4)
def load_defaults(path: Path = DEFAULTS_FILE) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))
