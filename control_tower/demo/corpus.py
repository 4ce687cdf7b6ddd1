"""BEIR ``corpus.jsonl`` for the demo set, from the same layout the files are rendered from.

Evaluation normally parses the real files; this gives a parser-independent baseline.
"""

from __future__ import annotations

import json
from pathlib import Path

from control_tower.demo.content_model import CONTENT_DIR, load_departments
from control_tower.demo.layout import build_layout, plain_text


def corpus_records(content_dir: Path = CONTENT_DIR) -> list[dict]:
    records = []
    for dept in load_departments(content_dir):
        for doc in dept.documents:
            records.append(
                {
                    "_id": doc.key,
                    "title": doc.title,
                    "text": plain_text(build_layout(doc, dept.department)),
                    "metadata": {
                        "department": dept.department,
                        "access": doc.access.value,
                        "doc_type": doc.doc_type,
                        "format": doc.format,
                        "doc_no": doc.doc_no,
                        "date": doc.date.isoformat(),
                    },
                }
            )
    return records


def write_corpus_jsonl(path: Path, content_dir: Path = CONTENT_DIR) -> int:
    records = corpus_records(content_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(records)
