"""Intent patterns: the deterministic first half of routing (works on any model, even none).

Each intent is a set of Korean surface patterns. They are checked in order of specificity: a
question that asks to sum the budgets of duplicates matches both ``related`` and ``aggregate``,
and the planner chains the two.
"""

from __future__ import annotations

import re

INTENTS: dict[str, re.Pattern] = {
    "review": re.compile(r"사전\s*협의|검토해|검토\s*의견|제안서|중복\s*검토"),
    "related": re.compile(
        r"겹치|겹쳐|중복|유사한|비슷한|연계|협업|협력할|같은\s*사업|관련\s*(된\s*)?사업|다른\s*부서"
    ),
    "aggregate": re.compile(
        r"합치|합계|합하|총액|총\s*예산|모두\s*더|다\s*더|몇\s*(개|건|가지)(?!소)|개수|"
        r"제일|가장|최대|최소|비교|평균|순위|많은\s*순|큰\s*순|더\s*(큰|많|작|적)"
    ),
    "depends": re.compile(r"선행|의존|먼저\s*(해야|끝나|추진)|영향을\s*(주|받)|전제"),
    "ideas": re.compile(
        r"해\s*볼\s*만한|발굴|추천|새로운|새\s*AI|아이디어|제안해\s*줘|도입할\s*만한"
    ),
    "roadmap": re.compile(r"로드맵|중장기|[0-9一二三]\s*단계|추진\s*과제"),
    "facts": re.compile(
        r"예산|사업비|얼마|기간|언제|부서|담당|주관|협력|파트너|목표|상태|진행|국비|시비|도비"
    ),
}
_OP_PATTERNS = [
    ("count", re.compile(r"몇\s*(개|건|가지)(?!소)|개수|건수")),
    ("max", re.compile(r"(제일|가장|더)\s*(큰|많은|비싼|긴|오래)|최대|큰\s*순|많은\s*순")),
    ("min", re.compile(r"(제일|가장|더)\s*(작은|적은|싼|짧은)|최소")),
    ("sum", re.compile(r"합치|합계|합하|총액|총\s*예산|모두\s*더|다\s*더")),
    ("list", re.compile(r"비교|순위|목록|나열")),
]
_FIELD_PATTERNS = [
    ("national_eok", re.compile(r"국비")),
    ("province_eok", re.compile(r"도비")),
    ("city_eok", re.compile(r"시비")),
    ("private_eok", re.compile(r"민자|민간\s*투자")),
    ("period", re.compile(r"기간|오래|긴|짧은")),
    ("start_year", re.compile(r"시작\s*(연도|년도)|언제\s*시작")),
]


def intents_of(question: str) -> list[str]:
    return [name for name, pattern in INTENTS.items() if pattern.search(question)]


def aggregate_op(question: str) -> str:
    for op, pattern in _OP_PATTERNS:
        if pattern.search(question):
            return op
    return "list"


def aggregate_field(question: str) -> str:
    for name, pattern in _FIELD_PATTERNS:
        if pattern.search(question):
            return name
    return "budget_eok"


def wants_budget(question: str) -> bool:
    return bool(re.search(r"예산|사업비|금액|비용", question))
