"""Browser assets from the npm registry, copied into ``serving/static/vendor/``.

Why: the UI must work on a city network with no internet (no CDN at run time) and show Hangul
on servers without CJK fonts. ``make setup`` runs ``npm ci`` (versions pinned in
``package.json`` / ``package-lock.json``) and then ``python -m serving.web_assets``, which copies
only the files the pages load, each package's licence next to them. The vendor folder is
generated (gitignored); ``create_app`` warns when it is missing.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"

# (npm package, file inside the package, name under vendor/)
ASSETS: tuple[tuple[str, str, str], ...] = (
    ("htmx.org", "dist/htmx.min.js", "htmx.min.js"),
    ("htmx.org", "LICENSE", "htmx.LICENSE.txt"),
    ("pretendard", "dist/web/variable/woff2/PretendardVariable.woff2", "PretendardVariable.woff2"),
    ("pretendard", "dist/LICENSE.txt", "pretendard.LICENSE.txt"),
    # the API documentation page (/api/docs), served from here instead of FastAPI's CDN default
    ("swagger-ui-dist", "swagger-ui-bundle.js", "swagger-ui-bundle.js"),
    ("swagger-ui-dist", "swagger-ui.css", "swagger-ui.css"),
    ("swagger-ui-dist", "favicon-32x32.png", "swagger-favicon-32x32.png"),
    ("swagger-ui-dist", "LICENSE", "swagger-ui.LICENSE.txt"),
    # the link map (/links): an interactive graph of cards and their links (MIT)
    ("cytoscape", "dist/cytoscape.min.js", "cytoscape.min.js"),
    ("cytoscape", "LICENSE", "cytoscape.LICENSE.txt"),
)
MANIFEST = "manifest.json"


def missing_assets(vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """Names under ``vendor/`` that the pages load but that are not there."""
    return [dest for _, _, dest in ASSETS if not (vendor_dir / dest).is_file()]


def warn_if_missing(vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """Log one clear startup warning when assets are missing (the UI would look broken)."""
    missing = missing_assets(vendor_dir)
    if missing:
        log.warning(
            "웹 화면 자산이 없습니다 (%s): `make setup`을 실행하세요 "
            "(npm ci 후 python -m serving.web_assets).",
            ", ".join(missing),
        )
    return missing


def copy_assets(node_modules: Path = NODE_MODULES, vendor_dir: Path = VENDOR_DIR) -> dict[str, str]:
    """Copy the pinned files out of ``node_modules``; returns {vendor name: package@version}."""
    vendor_dir.mkdir(parents=True, exist_ok=True)
    copied: dict[str, str] = {}
    for package, inner, dest in ASSETS:
        pkg_dir = node_modules / package
        source = pkg_dir / inner
        if not source.is_file():
            raise FileNotFoundError(
                f"{source} 이(가) 없습니다. 먼저 `npm ci`를 실행하세요 (make setup)."
            )
        version = json.loads((pkg_dir / "package.json").read_text(encoding="utf-8"))["version"]
        shutil.copyfile(source, vendor_dir / dest)
        copied[dest] = f"{package}@{version}"
    (vendor_dir / MANIFEST).write_text(
        json.dumps(copied, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return copied


def main() -> int:
    try:
        copied = copy_assets()
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 1
    for dest, origin in copied.items():
        print(f"vendor/{dest} ← {origin}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
