"""Project periods in Korean document forms → start/end year and month; status from dates."""

from __future__ import annotations

from datetime import date

import pytest

from control_tower.registry.period import (
    Period,
    parse_period,
    status_from_period,
    status_from_text,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026. 3. ~ 2028. 12.", (2026, 3, 2028, 12)),
        ("’26~’28", (2026, None, 2028, None)),
        ("'26~'28", (2026, None, 2028, None)),
        ("3년간(2026-2028)", (2026, None, 2028, None)),
        ("2025. ~ 2029. (5년)", (2025, None, 2029, None)),
        ("2025. 5. 15. ~ 9. 30.", (2025, 5, 2025, 9)),
        ("2025. 5. ~ 11. (총 12기수)", (2025, 5, 2025, 11)),
        ("2026년 3월 ~ 2028년 12월", (2026, 3, 2028, 12)),
        ("AI 특화도시 조성 중기 재정투자 계획(2026~2030)", (2026, None, 2030, None)),
        ("2025. 3. ~ 2027. 12. (3년)", (2025, 3, 2027, 12)),
        ("2025~2027", (2025, None, 2027, None)),
        ("2025. 11. ~ 2.", (2025, 11, 2026, 2)),  # the end inherits the year, wrapping
        ("2025", (2025, None, 2025, None)),
        ("2025년", (2025, None, 2025, None)),
    ],
)
def test_parse_period_forms(text, expected):
    p = parse_period(text)
    assert p is not None
    assert (p.start_year, p.start_month, p.end_year, p.end_month) == expected


@pytest.mark.parametrize("text", ["", "미정", "사업비 1,000", "2028 ~ 2025"])
def test_no_period(text):
    assert parse_period(text) is None


def test_status_words():
    assert status_from_text("신규") == "계획"
    assert status_from_text("계속") == "추진중"
    assert status_from_text("계속사업") == "추진중"
    assert status_from_text("완료") == "완료"
    assert status_from_text("보류") == "보류"
    assert status_from_text("2개년 사업 1차년도") is None


def test_status_from_period_against_document_date():
    p = Period(start_year=2025, start_month=3, end_year=2026, end_month=12)
    assert status_from_period(p, date(2025, 2, 13)) == "계획"
    assert status_from_period(p, date(2025, 3, 1)) == "추진중"
    assert status_from_period(p, date(2026, 12, 31)) == "추진중"
    assert status_from_period(p, date(2027, 1, 2)) == "완료"
    assert status_from_period(Period(start_year=2025, end_year=2025), date(2025, 6, 1)) == "추진중"
    assert status_from_period(p, None) is None
