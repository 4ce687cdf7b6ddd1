"""A roadmap draft as a download, shared by the API and the workspace page.

The file is written to a private temporary folder (the exporters write atomically), served,
and the folder removed after the response; access is re-checked by ``export_draft`` at the
time of export. Raises ``RoadmapError`` for the caller to answer in its own way.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from control_tower.domain import Principal
from control_tower.roadmap.ordering import RoadmapError

FORMATS = {"md": ".md", "docx": ".docx", "hwpx": ".hwpx"}


def export_response(
    store,  # noqa: ANN001
    principal: Principal,
    draft_id: str,
    fmt: str,
    version: int | None,
) -> tuple[FileResponse, int]:
    """(the download, the exported version number)."""
    from control_tower.roadmap.export import exporter_for
    from control_tower.roadmap.service import export_draft, get_version

    folder = Path(tempfile.mkdtemp(prefix="ct-export-"))
    try:
        v = get_version(store, principal, draft_id, version)
        out = folder / f"roadmap-{draft_id}-v{v.version}{FORMATS[fmt]}"
        export_draft(store, principal, draft_id, out, version=v.version)
    except RoadmapError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    response = FileResponse(
        out,
        media_type=exporter_for(out).media_type,
        filename=f"{v.structure.title}_{v.version}판{FORMATS[fmt]}",
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
    return response, v.version
