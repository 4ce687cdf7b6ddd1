"""Render the demo content into real office files plus ``ct-manifest.json``.

Usage: ``python -m control_tower.demo.generate OUT_DIR``
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pydantic import ValidationError

from control_tower.demo.content_model import CONTENT_DIR, DemoDocument, load_departments
from control_tower.demo.layout import build_layout
from control_tower.demo.manifest import DemoManifest, ManifestEntry
from control_tower.demo.writers import WRITERS

_UNSAFE = re.compile(r'[\\/:*?"<>|]')


def file_name(doc: DemoDocument) -> str:
    """Korean file name from the title; spaces become underscores for shell-friendliness."""
    stem = _UNSAFE.sub("", doc.title).strip().replace(" ", "_")
    return f"{stem}.{doc.format}"


def plan_corpus(content_dir: Path = CONTENT_DIR) -> list[tuple[ManifestEntry, DemoDocument]]:
    """Every document with its manifest entry, in a fixed order (department files sorted by
    name, documents in file order). Pure: reads the content, writes nothing."""
    planned: list[tuple[ManifestEntry, DemoDocument]] = []
    seen: set[str] = set()
    for dept in load_departments(content_dir):
        for doc in dept.documents:
            if doc.key in seen:
                raise ValueError(f"duplicate document key: {doc.key}")
            seen.add(doc.key)
            entry = ManifestEntry(
                path=(Path(dept.department) / file_name(doc)).as_posix(),
                key=doc.key,
                title=doc.title,
                department=dept.department,
                access=doc.access,
                allowed_users=doc.allowed_users,
                allowed_departments=doc.allowed_departments,
                doc_type=doc.doc_type,
                date=doc.date.isoformat(),
                doc_no=doc.doc_no,
            )
            planned.append((entry, doc))
    return planned


def generate_demo_corpus(out_dir: Path, content_dir: Path = CONTENT_DIR) -> DemoManifest:
    """Write every demo document under ``out_dir/<부서>/`` and the manifest; return the manifest.

    Deterministic: the same content produces byte-identical files on every run.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    planned = plan_corpus(content_dir)
    for entry, doc in planned:
        target = out_dir / entry.path
        target.parent.mkdir(exist_ok=True)
        WRITERS[doc.format](build_layout(doc, entry.department), target)
    manifest = DemoManifest(documents=[entry for entry, _ in planned])
    manifest.write(out_dir)
    return manifest


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("사용법: python -m control_tower.demo.generate 출력_폴더", file=sys.stderr)
        return 2
    out = Path(args[0])
    try:
        manifest = generate_demo_corpus(out)
    except OSError as exc:
        print(f"데모 문서를 쓸 수 없습니다 ({out}): {exc.strerror or exc}", file=sys.stderr)
        return 1
    except (ValueError, ValidationError) as exc:  # JSONDecodeError is a ValueError
        print(f"데모 콘텐츠 파일이 올바르지 않습니다: {exc}", file=sys.stderr)
        return 1
    departments = {e.department for e in manifest.documents}
    print(
        f"데모 문서 {len(manifest.documents)}건 ({len(departments)}개 부서)을 {out}에 만들었습니다."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
