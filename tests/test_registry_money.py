"""Budget amounts in the forms Korean public documents write them → 억원 + funding split."""

from __future__ import annotations

import pytest

from control_tower.registry.money import funding_from_source, parse_money, unit_from_header


@pytest.mark.parametrize(
    ("text", "unit", "total", "funding"),
    [
        ("1,250백만원", None, 12.5, {}),
        ("12억 5천만 원", None, 12.5, {}),
        ("12억5천만원", None, 12.5, {}),
        ("30,000천원", None, 0.3, {}),
        ("총 58억원(국비 29, 시비 29)", None, 58.0, {"국비": 29.0, "시비": 29.0}),
        (
            "총 2,000백만원 (국비 1,000 / 도비 300 / 시비 700)",
            None,
            20.0,
            {"국비": 10.0, "도비": 3.0, "시비": 7.0},
        ),
        (
            "2,000억원 (민자 1,500 / 국비 300 / 도비 60 / 시비 140)",
            None,
            2000.0,
            {"민자": 1500.0, "국비": 300.0, "도비": 60.0, "시비": 140.0},
        ),
        ("96백만원 (시비)", None, 0.96, {"시비": 0.96}),
        ("423,000,000", "원", 4.23, {}),
        ("1,500", "백만원", 15.0, {}),
        ("480000", "천원", 4.8, {}),
        ("4.2억원", None, 4.2, {}),
        ("3년간 총 58억원", None, 58.0, {}),  # the period's number is not the amount
        (
            "총 420백만원 (국비 210 / 도비 63 / 시비 147)",
            None,
            4.2,
            {"국비": 2.1, "도비": 0.63, "시비": 1.47},
        ),
        ("5억원(국비 2억원, 시비 3억원)", None, 5.0, {"국비": 2.0, "시비": 3.0}),
        ("1조 2,000억원", None, 12000.0, {}),
    ],
)
def test_parse_money_forms(text, unit, total, funding):
    money = parse_money(text, unit)
    assert money is not None
    assert money.total_eok == pytest.approx(total)
    assert money.funding == pytest.approx(funding)


@pytest.mark.parametrize("text", ["1,500", "", "미정", "2025. 3. ~ 2026. 12."])
def test_no_unit_no_amount(text):
    # A bare number with no unit from a header is unknown: never guess the scale.
    assert parse_money(text) is None


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("사업비(백만원)", "백만원"),
        ("2025 예산(백만원)", "백만원"),
        ("2025년 시범사업 예산 배정 (단위: 천원)", "천원"),
        ("<표> 연도별 투자 계획 (단위: 억원)", "억원"),
        ("금액 (원)", "원"),
        ("예산", None),
        ("지원 내용", None),
        ("(단위: 천톤CO₂eq)", None),
    ],
)
def test_unit_from_header(header, unit):
    assert unit_from_header(header) == unit


def test_funding_from_a_source_cell():
    assert funding_from_source("시비", 7.0) == {"시비": 7.0}
    assert funding_from_source("국비", 16.0) == {"국비": 16.0}
    # 국·도·시비 names the sources but not the shares: no split rather than a wrong one.
    assert funding_from_source("국·도·시비", 15.0) == {}
    assert funding_from_source("국·시비", 26.0) == {}


def test_compound_amounts_inside_the_funding_split():
    money = parse_money("총 12억 5천만 원 (국비 6억, 시비 6억 5천만 원)")
    assert money.total_eok == 12.5
    assert money.funding == {"국비": 6.0, "시비": 6.5}


@pytest.mark.parametrize(
    ("text", "eok"),
    [
        ("총 5억 3천3백만 원", 5.33),
        ("4억 8천만 원", 4.8),
        ("3천5백만원", 0.35),
        ("1억 2백만 원", 1.02),
    ],
)
def test_thousands_and_hundreds_inside_a_man_group(text, eok):
    assert parse_money(text).total_eok == pytest.approx(eok)
