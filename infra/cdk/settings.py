"""What an operator sets for a deployment, read once from CDK context (`cdk deploy -c incasso:<key>=...`).
README.md "Deploy to AWS" lists the keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from constructs import Node

CONTEXT_PREFIX = "incasso:"
_EMAIL = re.compile(r"^[^@\s]+@([^@\s]+\.[^@\s]+)$")
_ORIGIN = re.compile(r"^https://[A-Za-z0-9.-]+(:\d+)?$")


class SettingsError(ValueError):
    """A context value an operator set is not usable."""


@dataclass(frozen=True)
class DeploySettings:
    sender_email: str = "incasso@example.com"  # the From address; its SES identity must be verified
    alarm_email: str = ""  # subscribed to the alarm topic when set
    cors_origin: str = ""  # a browser front-end's origin (https://...); empty: no CORS
    import_retention_days: int = 30  # uploaded CSVs and import reports expire after this
    # Letters and dossiers expire after this at the latest (AVG art. 5 lid 1 (e)); the daily sweep erases a
    # debtor's documents earlier, once the tenant's retention period after the last claim closed is over.
    document_retention_days: int = 4383  # 12 years
    api_rate_limit: int = 50  # requests per second, steady state, per stage
    api_burst_limit: int = 100
    portal_base_url: str = ""  # the public host of the debtors' personal links (https://...); empty: no links

    @property
    def sender_domain(self) -> str:
        return _EMAIL.match(self.sender_email).group(1)

    @classmethod
    def from_context(cls, node: Node) -> DeploySettings:
        defaults = cls()
        values = {}
        for field, default in vars(defaults).items():
            raw = node.try_get_context(CONTEXT_PREFIX + _camel(field))
            if raw is None:
                continue
            values[field] = _parse(field, raw, type(default))
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        if not _EMAIL.match(self.sender_email):
            raise SettingsError(f"{CONTEXT_PREFIX}senderEmail is not an e-mail address: {self.sender_email!r}")
        if self.alarm_email and not _EMAIL.match(self.alarm_email):
            raise SettingsError(f"{CONTEXT_PREFIX}alarmEmail is not an e-mail address: {self.alarm_email!r}")
        if self.cors_origin and not _ORIGIN.match(self.cors_origin):
            raise SettingsError(f"{CONTEXT_PREFIX}corsOrigin must be one https origin, got {self.cors_origin!r}")
        for field in ("import_retention_days", "document_retention_days", "api_rate_limit", "api_burst_limit"):
            if getattr(self, field) < 1:
                raise SettingsError(f"{CONTEXT_PREFIX}{_camel(field)} must be at least 1")


def _camel(field: str) -> str:
    head, *rest = field.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _parse(field: str, raw: object, kind: type) -> object:
    if kind is int:
        try:
            return int(raw)
        except (TypeError, ValueError) as error:
            raise SettingsError(f"{CONTEXT_PREFIX}{_camel(field)} must be a whole number, got {raw!r}") from error
    return str(raw)
