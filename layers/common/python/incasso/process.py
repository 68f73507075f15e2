"""What a process keeps from one invocation to the next, and the one way to forget it.

A warm Lambda keeps its settings, the services built from them, its boto3 clients and copies of
tenants' profiles. The local stack (and a test) changes the environment under the process and then
calls ``reset``: the next call reads the environment again.
"""

from __future__ import annotations

import sys

# (module, its function that forgets what it keeps). A module not imported yet keeps nothing, and is not
# imported just to be reset.
RESETS = (
    ("incasso.settings", "reset_settings"),
    ("incasso.services.wiring", "reset"),
    ("incasso.adapters.aws", "reset_clients"),
    ("incasso.adapters.message_sending", "reset_clients"),
    ("incasso.adapters.dynamodb.tenants", "forget_tenants"),
)


def reset() -> None:
    """Forget the settings, the services, the boto3 clients and the tenant copies of this process."""
    for module_name, function_name in RESETS:
        module = sys.modules.get(module_name)
        if module is not None:
            getattr(module, function_name)()
