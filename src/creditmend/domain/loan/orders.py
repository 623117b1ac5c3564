"""What the instalment ledger needs to know of an allocation order, worked out once per order.

Comparing and hashing `AllocationRule`s runs Python code, so the ledger asks these questions
when it opens, not on every payment.
"""

from __future__ import annotations

from creditmend.domain.rules.profile import AllocationOrder, AllocationRule, Component, DueState

_IN_ADVANCE_PAYOFF = tuple(
    AllocationRule(DueState.IN_ADVANCE, c)
    for c in (Component.FEE, Component.PENALTY, Component.INTEREST, Component.PRINCIPAL)
)

_OWED_STEPS = frozenset(
    AllocationRule(state, component)
    for state in (DueState.PAST_DUE, DueState.DUE)
    for component in Component
)


def settle_order(order: AllocationOrder) -> AllocationOrder:
    """The order extended by every step in advance it lacks: what pays a loan off."""
    return order + tuple(rule for rule in _IN_ADVANCE_PAYOFF if rule not in order)


def pays_owed_first(order: AllocationOrder) -> bool:
    """True when the order has a step for every past-due and due component, all before any
    step in advance: then a payment that covers all that is owed pays it all, whatever the
    order, and only the remainder depends on it."""
    steps = set()
    for rule in order:
        if rule.due is DueState.IN_ADVANCE:
            break
        steps.add(rule)
    return steps >= _OWED_STEPS


def steps_in_advance(order: AllocationOrder) -> AllocationOrder:
    """The order's steps that pay what is not yet due, in order."""
    return tuple(rule for rule in order if rule.due is DueState.IN_ADVANCE)


CARRIED_FIELDS = {
    Component.FEE: "carried_fee",
    Component.PENALTY: "carried_penalty",
    Component.INTEREST: "carried_interest",
}
DUE_FIELDS = {
    Component.FEE: "fee_out",
    Component.PENALTY: "penalty_out",
    Component.INTEREST: "interest_out",
    Component.PRINCIPAL: "principal_out",
}
