"""New 사업계획서 files for ``ct review``: proposals that are *not* in the demo corpus.

They are written with the demo's own writers (same layout, same overview table), so a review
run reads them through the real parsers exactly like an uploaded plan. The content is data
(``proposals.json``); the expected verdicts live only in ``evals/data/review_labels.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from control_tower.demo.content_model import DepartmentContent, _nfc_deep
from control_tower.demo.generate import file_name
from control_tower.demo.layout import build_layout
from control_tower.demo.writers import WRITERS

PROPOSALS_FILE = Path(__file__).resolve().parent / "proposals.json"


class ProposalSet(BaseModel):
    description: str = ""
    departments: list[DepartmentContent]


def load_proposals(path: Path = PROPOSALS_FILE) -> list[tuple[str, object]]:
    """(department, DemoDocument) for every proposal, in file order."""
    data = ProposalSet.model_validate(_nfc_deep(json.loads(path.read_text(encoding="utf-8"))))
    return [(dept.department, doc) for dept in data.departments for doc in dept.documents]


def write_proposals(out_dir: Path, path: Path = PROPOSALS_FILE) -> list[Path]:
    """Write every proposal into ``out_dir`` (flat, one file each); return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for department, doc in load_proposals(path):
        target = out_dir / file_name(doc)
        WRITERS[doc.format](build_layout(doc, department), target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("사용법: python -m control_tower.demo.proposals 출력_폴더", file=sys.stderr)
        return 2
    paths = write_proposals(Path(args[0]))
    print(f"신규 사업계획서 {len(paths)}건을 {args[0]}에 만들었습니다.")
    return 0
