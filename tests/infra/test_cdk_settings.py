"""What an operator sets with `cdk deploy -c incasso:KEY=VALUE`: read, typed and checked before anything is built."""

from __future__ import annotations

import pytest

from infra.cdk.settings import DeploySettings, SettingsError


class _Context:
    """Stands in for a construct node's context (the CLI passes -c values as strings)."""

    def __init__(self, values: dict[str, object]) -> None:
        self._values = values

    def try_get_context(self, key: str) -> object:
        return self._values.get(key)


def test_defaults_apply_when_nothing_is_set():
    # given no context / when read / then the documented defaults
    settings = DeploySettings.from_context(_Context({}))
    assert settings == DeploySettings()
    assert (settings.import_retention_days, settings.api_rate_limit, settings.cors_origin) == (30, 50, "")


def test_context_values_are_read_by_their_camel_case_keys_and_typed():
    # given values as the CLI passes them (strings)
    context = _Context(
        {
            "incasso:senderEmail": "incasso@collect.example.nl",
            "incasso:corsOrigin": "https://app.collect.example.nl",
            "incasso:importRetentionDays": "14",
            "incasso:apiBurstLimit": "250",
        }
    )
    # when read / then typed, and the sender's domain is derived for the SES identity
    settings = DeploySettings.from_context(context)
    assert settings.import_retention_days == 14
    assert settings.api_burst_limit == 250
    assert settings.sender_domain == "collect.example.nl"
    assert settings.cors_origin == "https://app.collect.example.nl"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("senderEmail", "not-an-address", "senderEmail is not an e-mail address"),
        ("alarmEmail", "ops@", "alarmEmail is not an e-mail address"),
        ("corsOrigin", "*", "corsOrigin must be one https origin"),
        ("corsOrigin", "http://app.example.nl", "corsOrigin must be one https origin"),
        ("importRetentionDays", "thirty", "importRetentionDays must be a whole number"),
        ("apiRateLimit", "0", "apiRateLimit must be at least 1"),
    ],
)
def test_unusable_values_are_refused_with_the_key_at_fault(key, value, message):
    # given one unusable value / when read / then refused, naming the key
    with pytest.raises(SettingsError, match=message):
        DeploySettings.from_context(_Context({f"incasso:{key}": value}))
