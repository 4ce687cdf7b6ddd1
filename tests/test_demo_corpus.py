"""The demo corpus: generated once per session into a temp dir and opened with real readers."""

from __future__ import annotations

import csv
import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from control_tower.demo.content_model import (
    load_departments,
    load_links,
    load_users,
)
from control_tower.demo.corpus import corpus_records
from control_tower.demo.generate import generate_demo_corpus, plan_corpus
from control_tower.demo.layout import build_layout
from control_tower.demo.manifest import MANIFEST_NAME, DemoManifest
from control_tower.demo.writers import WRITERS
from control_tower.domain import AccessLevel

REPO = Path(__file__).resolve().parents[1]
DATASET = REPO / "evals" / "datasets" / "demo"
FORMATS = {"hwpx", "hwp", "pdf", "docx", "xlsx"}
MANIFEST_FIELDS = {
    "path",
    "key",
    "title",
    "department",
    "access",
    "allowed_users",
    "allowed_departments",
    "doc_type",
    "date",
    "doc_no",
}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> tuple[Path, DemoManifest]:
    out = tmp_path_factory.mktemp("demo_corpus")
    manifest = generate_demo_corpus(out)
    return out, manifest


def _ext(entry) -> str:
    return Path(entry.path).suffix.lstrip(".")


def _read_text(path: Path) -> str:
    """Text through each format's own library (the same ones the ingestion side uses)."""
    ext = path.suffix.lstrip(".")
    if ext == "hwpx":
        from hwpx import HwpxDocument

        doc = HwpxDocument.open(str(path))
        return doc.text.plain()
    if ext == "hwp":
        import unhwp

        return unhwp.extract_text(str(path))
    if ext == "docx":
        import docx

        document = docx.Document(str(path))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            parts += [cell.text for row in table.rows for cell in row.cells]
        return "\n".join(parts)
    if ext == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(str(path), read_only=True)
        cells = [
            str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
        ]
        wb.close()
        return "\n".join(c for c in cells if c != "None")
    if ext == "pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            return "\n".join(page.get_textpage().get_text_range() for page in pdf)
        finally:
            pdf.close()
    raise AssertionError(f"unexpected format {ext}")


def _squash(text: str) -> str:
    # PDF text breaks lines inside table cells; compare without whitespace.
    return "".join(unicodedata.normalize("NFC", text).split())


def test_corpus_size_departments_and_formats(corpus):
    out, manifest = corpus
    files = [p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST_NAME]
    assert len(files) >= 60
    assert len(files) == len(manifest.documents)
    assert len({e.department for e in manifest.documents}) >= 12
    by_format = Counter(_ext(e) for e in manifest.documents)
    assert set(by_format) == FORMATS
    assert by_format["hwpx"] >= 20 and by_format["hwp"] >= 10 and by_format["pdf"] >= 15
    assert by_format["docx"] >= 10 and by_format["xlsx"] >= 5


def test_manifest_shape_paths_and_keys(corpus):
    out, manifest = corpus
    raw = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert set(raw) == {"documents"}
    for item in raw["documents"]:
        assert set(item) == MANIFEST_FIELDS
        assert unicodedata.is_normalized("NFC", json.dumps(item, ensure_ascii=False))
    keys = [e.key for e in manifest.documents]
    assert len(keys) == len(set(keys))
    for entry in manifest.documents:
        path = out / entry.path
        assert path.is_file(), entry.path
        assert path.parent.name == entry.department
        assert path.stat().st_size > 0


def test_access_levels_and_allow_lists(corpus):
    _, manifest = corpus
    levels = Counter(e.access for e in manifest.documents)
    assert set(levels) == set(AccessLevel)
    assert levels[AccessLevel.internal] > levels[AccessLevel.public]
    users = {u.username for u in load_users()}
    departments = {e.department for e in manifest.documents}
    for entry in manifest.documents:
        if entry.access is AccessLevel.restricted:
            assert entry.allowed_users or entry.allowed_departments, entry.key
        assert set(entry.allowed_users) <= users, entry.key
        assert set(entry.allowed_departments) <= departments, entry.key


def test_users_cover_every_department_and_role():
    users = load_users()
    names = [u.username for u in users]
    assert len(names) == len(set(names))
    departments = {d.department for d in load_departments()}
    for dept in departments:
        roles = {r for u in users if u.department == dept for r in u.roles}
        assert {"staff", "dept_head"} <= roles, dept
    ai = [u for u in users if "ai_division" in u.roles]
    assert ai and all(u.department == "디지털융합산업과" for u in ai)
    assert any("admin" in u.roles for u in users)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_file_opens_with_its_library_and_holds_its_korean_text(corpus, fmt):
    out, manifest = corpus
    entries = [e for e in manifest.documents if _ext(e) == fmt]
    assert entries
    for entry in entries:
        text = _squash(_read_text(out / entry.path))
        assert _squash(entry.doc_no) in text, entry.path
        assert _squash(entry.title) in text, entry.path
        hangul = sum(1 for ch in text if "가" <= ch <= "힣")
        assert hangul >= 300, (entry.path, hangul)


def test_hwp_files_are_real_hwp5_and_hwp2markdown_reads_them(corpus, tmp_path):
    out, manifest = corpus
    hwp2md = pytest.importorskip("hwp2md")
    for entry in (e for e in manifest.documents if _ext(e) == "hwp"):
        path = out / entry.path
        assert path.read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")  # OLE compound file
        # convert() also saves <stem>.md into out_dir (default: the current directory).
        markdown = hwp2md.convert(str(path), out_dir=tmp_path).markdown
        assert entry.doc_no in markdown
        assert "|" in markdown or entry.doc_type == "회의록"  # tables come through as Markdown


def test_structure_headings_tables_pages_and_sheets(corpus):
    import docx
    import openpyxl
    import pypdfium2 as pdfium

    out, manifest = corpus
    for entry in manifest.documents:
        path = out / entry.path
        ext = _ext(entry)
        if ext == "docx":
            document = docx.Document(str(path))
            styles = {p.style.name for p in document.paragraphs}
            assert "Title" in styles and "Heading 1" in styles, entry.path
        elif ext == "pdf":
            pdf = pdfium.PdfDocument(str(path))
            assert len(pdf) >= 2, entry.path  # cover page + body
            pdf.close()
        elif ext == "xlsx":
            wb = openpyxl.load_workbook(str(path), read_only=True)
            assert len(wb.sheetnames) >= 2, entry.path
            wb.close()


def test_rendering_is_byte_deterministic(tmp_path):
    """Every writer, run twice on the same document, produces the same bytes."""
    picked = {}
    for dept in load_departments():
        for doc in dept.documents:
            picked.setdefault(doc.format, (doc, dept.department))
    assert set(picked) == FORMATS
    for fmt, (doc, department) in picked.items():
        first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        WRITERS[fmt](build_layout(doc, department), first)
        WRITERS[fmt](build_layout(doc, department), second)
        assert first.read_bytes() == second.read_bytes(), fmt


def test_manifest_is_reproducible_from_the_content(corpus):
    out, manifest = corpus
    planned = [entry for entry, _ in plan_corpus()]
    assert planned == [entry for entry, _ in plan_corpus()]
    assert planned == manifest.documents
    assert DemoManifest.read(out) == manifest


def test_links_refer_to_existing_documents(corpus):
    _, manifest = corpus
    keys = {e.key for e in manifest.documents}
    departments = {e.key: e.department for e in manifest.documents}
    links = load_links()
    assert {link.type for link in links} == {"related", "duplicate", "depends_on"}
    pairs = set()
    for link in links:
        assert link.source in keys and link.target in keys, link
        assert link.source != link.target
        assert link.reason
        pairs.add(frozenset((link.source, link.target)))
    assert len(pairs) == len(links), "a pair is listed twice"
    # The interesting links cross departments.
    dup = [lk for lk in links if lk.type == "duplicate"]
    assert all(departments[lk.source] != departments[lk.target] for lk in dup)


def _queries() -> list[dict]:
    lines = (DATASET / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _qrels() -> list[dict]:
    with (DATASET / "qrels.tsv").open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        assert reader.fieldnames == ["query-id", "corpus-id", "score"]
        return list(reader)


def test_query_set_is_labeled_against_the_manifest(corpus):
    _, manifest = corpus
    keys = {e.key for e in manifest.documents}
    queries = _queries()
    assert len(queries) >= 80
    ids = [q["_id"] for q in queries]
    assert len(ids) == len(set(ids))
    types = Counter(q["metadata"]["type"] for q in queries)
    assert set(types) == {"paraphrase", "keyword", "identifier", "project_name", "question"}
    qrels = _qrels()
    judged = Counter()
    for row in qrels:
        assert row["corpus-id"] in keys, row
        assert row["query-id"] in ids, row
        assert row["score"] in {"1", "2"}, row
        judged[row["query-id"]] += 1
    assert set(judged) == set(ids), "every query has at least one relevant document"
    assert sum(1 for n in judged.values() if n > 1) >= 30  # overlaps give several relevant docs


def test_exact_string_queries_occur_in_their_relevant_documents():
    text = {r["_id"]: _squash(r["title"] + r["text"]) for r in corpus_records()}
    relevant: dict[str, list[str]] = {}
    for row in _qrels():
        relevant.setdefault(row["query-id"], []).append(row["corpus-id"])
    for q in _queries():
        if q["metadata"]["type"] in {"identifier", "project_name"}:
            for key in relevant[q["_id"]]:
                assert _squash(q["text"]) in text[key], (q["_id"], key)


def test_corpus_builder_matches_manifest(corpus):
    _, manifest = corpus
    records = corpus_records()
    assert [r["_id"] for r in records] == [e.key for e in manifest.documents]
    for record in records:
        assert record["title"] and len(record["text"]) >= 500
        assert unicodedata.is_normalized("NFC", record["text"])


def test_exact_string_queries_label_every_document_that_contains_them():
    """Identifier and project-name queries are judged completely: any document holding the
    exact string is relevant. Guards the labels when content is edited."""
    text = {r["_id"]: _squash(r["title"] + r["text"]) for r in corpus_records()}
    relevant: dict[str, set[str]] = {}
    for row in _qrels():
        relevant.setdefault(row["query-id"], set()).add(row["corpus-id"])
    for q in _queries():
        if q["metadata"]["type"] in {"identifier", "project_name"}:
            holders = {key for key, body in text.items() if _squash(q["text"]) in body}
            assert holders <= relevant[q["_id"]], (q["_id"], sorted(holders - relevant[q["_id"]]))


def test_shipped_corpus_jsonl_matches_the_content():
    lines = (DATASET / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == corpus_records()


def test_cli_reports_bad_input_in_korean(tmp_path, capsys):
    from control_tower.demo.generate import main

    assert main([]) == 2
    assert "사용법" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main([str(blocker)]) == 1
    assert "데모 문서를 쓸 수 없습니다" in capsys.readouterr().err


def test_broken_content_is_rejected_with_a_clear_error(tmp_path):
    from pydantic import ValidationError

    (tmp_path / "bad.json").write_text(
        json.dumps(
            {
                "department": "테스트과",
                "documents": [
                    {
                        "key": "bad-restricted",
                        "title": "허용 목록 없는 비공개 문서",
                        "format": "hwpx",
                        "doc_type": "보고서",
                        "doc_no": "테스트과-2025-001",
                        "date": "2025-01-01",
                        "access": "restricted",
                        "sections": [{"heading": "개요", "lines": ["○ 내용"]}],
                    }
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="allow-list"):
        generate_demo_corpus(tmp_path / "out", content_dir=tmp_path)
