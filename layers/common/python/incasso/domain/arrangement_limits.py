"""What a debtor may propose without the tenant (CONTRACT.md §8: "accepted at once within the policy's
limits, else left for the tenant"): at most ``Policy.debtor_max_instalments`` instalments, none smaller than
``Policy.debtor_min_instalment`` — except the last, which settles what remains and may be smaller.

Only a debtor's proposal is held to these (the portal's path); an arrangement the tenant agrees itself
(``POST /v1/claims/{id}/arrangement``) is the tenant's own decision and is not.
"""

from __future__ import annotations

from typing import Sequence

from incasso.domain.models import Instalment, Policy


def proposal_problems(instalments: Sequence[Instalment], policy: Policy) -> list[dict[str, str]]:
    """Why the tenant's policy does not let a debtor agree these instalments on its own (field and
    message, as the API's 422 details), or an empty list when they are within its limits."""
    problems: list[dict[str, str]] = []
    if len(instalments) > policy.debtor_max_instalments:
        problems.append({"field": "instalments",
                         "message": f"at most {policy.debtor_max_instalments} instalments"})
    for index, instalment in enumerate(instalments[:-1]):
        if instalment.amount < policy.debtor_min_instalment:
            problems.append({"field": f"instalments.{index}.amount",
                             "message": f"each instalment but the last is at least {policy.debtor_min_instalment}"})
    return problems


def within_limits(instalments: Sequence[Instalment], policy: Policy) -> bool:
    return not proposal_problems(instalments, policy)
