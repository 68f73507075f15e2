"""Moto with the topology's tables, bucket and bus; the API's services wired to them."""

from api_support import api, aws, clock, fuzz_resources, workflows  # noqa: F401 - fixtures
