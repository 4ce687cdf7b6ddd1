"""Every file of the shared HWP corpora parses to text or fails with the right reason —
through the real sandbox, so nothing can crash or hang the test run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.parsers.hwp import is_distribution_placeholder
from ingest.sandbox import SandboxPool

pytestmark = pytest.mark.shared_data

# Expected failure reason for each malformed fixture, by name pattern.
MALFORMED_EXPECTED = [
    (r"^empty\.", {"empty"}),
    (r"^trunc\d+_", {"truncated"}),
    (r"^flip_", {"corrupt"}),
    (r"^badxml_", {"corrupt"}),
    (r"^random\.", {"unsupported_type", "corrupt"}),
]
# Real fixtures that contain no text at all (a chart-only file, a blank form).
NO_TEXT_FIXTURES = {"hwplib_차트.hwp", "hwpxlib_2022.hwpx"}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def results(shared_data: Path) -> dict[Path, object]:
    files = sorted(
        p
        for sub in (
            "hwp_fixtures/hwp",
            "hwp_fixtures/hwpx",
            "hwp_fixtures/malformed",
            "nts_hwp/hwp",
            "nts_hwp/bad",
        )
        for p in (shared_data / sub).iterdir()
        if p.is_file()
    )
    with SandboxPool(timeout_s=60, memory_mb=2048, workers=2) as pool:
        return dict(pool.map(files))


def test_good_fixtures_yield_text(results, shared_data):
    for path, r in results.items():
        if path.parent.name not in ("hwp", "hwpx") or path.name in NO_TEXT_FIXTURES:
            continue
        assert not isinstance(r, IngestError), f"{path.name}: {r}"
        text = "\n".join(b.text for b in r.blocks)
        assert text.strip() and not is_distribution_placeholder(text), path.name


def test_text_free_fixtures_are_empty(results, shared_data):
    for name in NO_TEXT_FIXTURES:
        (path,) = [p for p in results if p.name == name]
        assert isinstance(results[path], IngestError) and results[path].code == "empty"


def test_distribution_document_yields_real_text(results, shared_data):
    path = shared_data / "hwp_fixtures" / "hwp" / "hwplib_distribution.hwp"
    doc = results[path]
    text = "\n".join(b.text for b in doc.blocks)
    assert "배포용 문서" not in text
    assert "시설관리원 용역업체 선정 입찰공고" in text
    assert doc.parser != "unhwp"


def test_malformed_fixtures_get_the_right_reason(results, shared_data):
    malformed = [p for p in results if p.parent.name == "malformed"]
    assert len(malformed) == 19
    for path in malformed:
        r = results[path]
        expected = next(
            codes for pattern, codes in MALFORMED_EXPECTED if re.search(pattern, path.name)
        )
        assert isinstance(r, IngestError) and r.code in expected, f"{path.name}: {r!r}"


def test_markany_drm_files_are_skipped_as_drm(results, shared_data):
    bad = [p for p in results if p.parent.name == "bad"]
    assert len(bad) == 6
    for path in bad:
        r = results[path]
        assert isinstance(r, IngestError) and r.code == "drm_markany" and r.status == "skipped"


def test_nts_documents_parse_and_contain_their_title(results, shared_data):
    nts = [p for p in results if p.parent.name == "hwp" and p.parent.parent.name == "nts_hwp"]
    assert len(nts) == 300
    failed = {p.name: r for p in nts if isinstance(r := results[p], IngestError)}
    assert not failed
    records = [json.loads(line) for line in (shared_data / "nts_hwp" / "docs.jsonl").open()]
    by_file = {shared_data / "nts_hwp" / r["file"]: r["fields"] for r in records}
    checked = 0
    for path, fields in sorted(by_file.items())[::5]:  # every 5th document
        title = fields.get("제목")
        if not title or path not in results:
            continue
        text = squash("\n".join(b.text for b in results[path].blocks))
        assert squash(title) in text, f"{path.name}: {title}"
        checked += 1
    assert checked >= 50
