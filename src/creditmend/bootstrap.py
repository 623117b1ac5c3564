"""Composition root: the one place where adapters meet services."""

from __future__ import annotations

from dataclasses import dataclass

from creditmend.adapters.holidays_cn import ChinaCalendar
from creditmend.adapters.irr_scipy import BrentRootFinder
from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.domain.rules import profile
from creditmend.services.loans import LoanService


@dataclass(frozen=True, slots=True)
class App:
    loans: LoanService


def build(jurisdiction: str = "cn") -> App:
    rules = profile(jurisdiction)
    return App(
        loans=LoanService(
            profile=rules,
            calendar=ChinaCalendar(),
            root_finder=BrentRootFinder(),
            read_document=read_yaml_with_lines,
        )
    )
