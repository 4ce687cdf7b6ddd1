"""The access rules themselves; index/retriever/API enforcement is tested beside those."""

import pytest

from control_tower.access import can_read, read_scope
from control_tower.domain import AccessLevel, DocumentMeta, Principal, Role


def meta(level: AccessLevel, department="배터리산업과", users=(), depts=()) -> DocumentMeta:
    return DocumentMeta(
        doc_id="d1",
        title="문서",
        department=department,
        access_level=level,
        allowed_users=list(users),
        allowed_departments=list(depts),
        source_path="/x.hwp",
        doc_type="hwp",
        content_hash="h",
    )


BATTERY = Principal(username="battery_staff", department="배터리산업과")
STEEL = Principal(username="steel_staff", department="철강산업과")
ADMIN = Principal(username="admin", department="정보통신과", roles={Role.admin})
ANON = Principal.anonymous()


@pytest.mark.parametrize(
    ("who", "level", "expected"),
    [
        (ANON, AccessLevel.public, True),
        (ANON, AccessLevel.internal, False),
        (ANON, AccessLevel.department, False),
        (ANON, AccessLevel.restricted, False),
        (STEEL, AccessLevel.public, True),
        (STEEL, AccessLevel.internal, True),
        (STEEL, AccessLevel.department, False),
        (STEEL, AccessLevel.restricted, False),
        (BATTERY, AccessLevel.department, True),
        (BATTERY, AccessLevel.restricted, False),  # owning department is not enough
        (ADMIN, AccessLevel.restricted, True),
        (ADMIN, AccessLevel.department, True),
    ],
)
def test_levels(who, level, expected):
    assert can_read(who, meta(level)) is expected


def test_restricted_allow_lists():
    doc = meta(AccessLevel.restricted, users=["steel_staff"], depts=["정보통신과"])
    assert can_read(STEEL, doc)
    assert can_read(Principal(username="it_staff", department="정보통신과"), doc)
    assert not can_read(BATTERY, doc)
    assert not can_read(ANON, doc)


def test_nfd_department_matches_nfc_document():
    import unicodedata

    nfd = Principal(username="u", department=unicodedata.normalize("NFD", "배터리산업과"))
    assert can_read(nfd, meta(AccessLevel.department))


def test_scope_for_roles():
    assert read_scope(ADMIN).everything
    assert read_scope(ANON).levels == [AccessLevel.public]
    scope = read_scope(BATTERY)
    assert not scope.everything and scope.department == "배터리산업과"
