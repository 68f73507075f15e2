"""A tenant's user (CONTRACT.md §7): an e-mail address and a role, bound to one tenant."""

import datetime as dt
from typing import Literal

from pydantic import Field

from incasso.domain.base import Model

Role = Literal["viewer", "clerk", "manager"]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class User(Model):
    tenant_id: str
    user_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    role: Role
    created_at: dt.datetime
