"""Who is in the synthetic population: platforms, persons, archetypes and their ids."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from creditmend.domain.calendar import BusinessCalendar, add_months, month_end
from creditmend.domain.loan.contract import Contract
from creditmend.domain.loan.events import (
    LoanEvent,
)
from creditmend.domain.rules.profile import JurisdictionProfile

Record = dict[str, Any]


CMF_FIELDS = (
    "furnisher_id", "account_id", "period", "id_type", "id_number", "name", "account_type",
    "currency", "opened_on", "principal", "credit_limit", "term_months", "scheduled_amount",
    "paid_amount", "balance", "past_due_amount", "days_past_due", "status", "closed_on",
    "last_payment_on", "first_delinquency_on", "negative_notice_on", "remarks",
)  # fmt: skip

_REGION_CODES = (
    "110101 120101 140121 150121 210224 222401 230722 310101 330122 340121 350121 360121 "
    "422822 430121 510121 520203 530124 540121 610323 620121 632221 640121 650121 110102 "
    "120102 140122 150222 210321 222402 232721 310104 330127 340421 422823 430321 513226 "
    "522623 532328 540123 610324 620123 632322 640122 652723 110105 120103 140123 152222 "
    "210421 222424 310105 340621 422825 433122 513322 522627 532528 540127 610326 622922 "
    "632523 640221 652827 110106 120104 152501 210726 222426 310106 422826 433123 513329 "
    "522631 532625 542522 610327 622924 632622 652927 110107 120105 152524 210727 310107 "
    "422921 433124 513336 522635 532924 542524 610328 622926 632626 653121 110108 120106 "
    "152527 210921 310109 429001 433125 513426 522723 532931 542526 610329 623021 632725 "
    "653128 110109 152530 210922 310110 429021 433126 513433 522728 533422 610330 623023 "
    "632822 653224 152922 211021 433127 522732 610331 623025"
)
REGIONS = tuple(_REGION_CODES.split())
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
_SURNAME_WEIGHTS = tuple(1 / (k + 3) for k in range(len(SURNAMES)))
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩凯晨欣怡子涵雨轩博"
COURTS = (
    ("北京市朝阳区人民法院", "京0105"), ("上海市浦东新区人民法院", "沪0115"),
    ("广东省深圳市南山区人民法院", "粤0305"), ("浙江省杭州市西湖区人民法院", "浙0106"),
    ("四川省成都市武侯区人民法院", "川0107"), ("湖北省武汉市江汉区人民法院", "鄂0103"),
)  # fmt: skip
_NAME_PARTS = "安信 宁泰 华融 中昊 恒通 易达 金桥 汇盈 速融 民享 天诚 启明 众邦 瑞丰 鑫源 和信"
_PLATFORM_NAMES = tuple(_NAME_PARTS.split())


@dataclass(frozen=True, slots=True)
class Archetype:
    """A kind of borrower. Its rates are probabilities for random draws (floats on purpose);
    every amount the generator produces is Decimal and goes through the ledger."""

    loans_per_year: float
    min_loans: int
    miss: float  # P(an instalment's auto-debit fails for lack of funds)
    cure_days: tuple[int, int]
    shoppers: tuple[int, int]  # other platforms inquiring before each loan
    autopay: float
    settle_early: float


ARCHETYPES = {
    "prime": Archetype(0.8, 1, 0.005, (1, 6), (0, 1), 0.9, 0.15),
    "regular": Archetype(1.2, 1, 0.03, (2, 20), (0, 2), 0.8, 0.08),
    "slipping": Archetype(1.5, 1, 0.15, (5, 75), (1, 3), 0.7, 0.03),
    "multi_head": Archetype(5.0, 5, 0.08, (3, 45), (2, 6), 0.7, 0.05),
    "restructured": Archetype(1.0, 1, 0.02, (3, 20), (1, 3), 0.7, 0.0),
    "defaulter": Archetype(1.5, 1, 0.1, (5, 40), (1, 4), 0.7, 0.0),
    "fraud": Archetype(0.0, 3, 1.0, (0, 0), (3, 8), 0.5, 0.0),
}
BLOCK = (
    ("prime_fault",) + ("prime",) * 25 + ("regular",) * 10 + ("slipping",) * 5
    + ("multi_head",) * 4 + ("restructured",) * 2 + ("defaulter_sued", "defaulter", "fraud")
)  # fmt: skip
PLATFORM_FAULT = 0.005
ID_CAPACITY = len(REGIONS) * 999


@dataclass(frozen=True, slots=True)
class Platform:
    code: str
    name: str
    kind: str  # bank | non_bank
    subtype: str  # online_bank | consumer_finance | online_microloan
    account_type: str
    weight: float
    charge_off_days: int

    def as_record(self) -> Record:
        return {"furnisher_id": self.code, "name": self.name, "kind": self.kind,
                "subtype": self.subtype, "account_type": self.account_type}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Person:
    index: int
    id_number: str
    name: str
    birth_date: date
    gender: str
    archetype: str


@dataclass(frozen=True, slots=True)
class Loan:
    """One simulated account: its terms and events replay with `fold.run` to the same state."""

    furnisher_id: str
    account_id: str
    contract: Contract
    events: tuple[LoanEvent, ...]


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """Everything about one person, as records ready to write (dicts of JSON-ready values)."""

    person: Person
    loans: tuple[Loan, ...]
    cmf: tuple[Record, ...]
    inquiries: tuple[Record, ...]
    public_records: tuple[Record, ...]
    blacklist: tuple[Record, ...]
    deduction_failures: tuple[Record, ...]
    tags: frozenset[str]  # behaviours that happened: multi_head, cure, platform_fault, ...


@dataclass(frozen=True, slots=True)
class World:
    """The fixed inputs every person is generated against."""

    seed: int
    first_day: date
    last_day: date
    platforms: tuple[Platform, ...]
    profile: JurisdictionProfile
    calendar: BusinessCalendar


def check_digit(body: str) -> str:
    """GB 11643-1999: weights 2^(17-i) mod 11 over the first 17 digits, mapped by "10X98765432"."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]


def make_world(
    platforms: int,
    months: int,
    seed: int,
    start: date,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
) -> World:
    if platforms < 1 or months < 1:
        raise ValueError("platforms and months must be at least 1")
    first = start.replace(day=1)
    return World(seed, first, month_end(add_months(first, months - 1)),
                 make_platforms(platforms, seed), profile, calendar)  # fmt: skip


def make_platforms(count: int, seed: int) -> tuple[Platform, ...]:
    rng = random.Random(f"platforms:{seed}")
    made = []
    for k in range(count):
        draw = rng.random()
        kind, subtype, account_type, suffix, off = (
            ("bank", "online_bank", "online_consumer_loan", "银行", 180)
            if draw < 0.25
            else ("non_bank", "consumer_finance", "consumer_finance", "消费金融", 90)
            if draw < 0.5
            else ("non_bank", "online_microloan", "microloan", "小额贷款", 90)
        )
        code = f"{'BK' if kind == 'bank' else 'NB'}{k + 1:04d}"
        name = f"{rng.choice(_PLATFORM_NAMES)}{rng.choice(_PLATFORM_NAMES)}{suffix}"
        made.append(Platform(code, name, kind, subtype, account_type, 1 / (k + 1), off))
    return tuple(made)


def _block(seed: int, block: int) -> tuple[str, ...]:
    order = list(BLOCK)
    random.Random(f"block:{seed}:{block}").shuffle(order)
    return tuple(order)


def make_person(seed: int, index: int, rng: random.Random) -> tuple[Person, str]:
    """The person and their archetype variant (e.g. `defaulter_sued`)."""
    variant = _block(seed, index // len(BLOCK))[index % len(BLOCK)]
    region = REGIONS[index % len(REGIONS)]
    sequence = index // len(REGIONS) % 999 + 1
    birth = date(1960, 1, 1) + timedelta(days=rng.randrange(45 * 365))
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    surname = rng.choices(SURNAMES, _SURNAME_WEIGHTS)[0]
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    gender = "male" if sequence % 2 else "female"
    archetype = variant.split("_")[0] if variant != "multi_head" else variant
    person = Person(index, body + check_digit(body), surname + given, birth, gender, archetype)
    return person, variant


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _between(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high) if high > low else low


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k
