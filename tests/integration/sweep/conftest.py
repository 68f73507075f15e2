"""The API tests' moto environment (tables, buckets, bus, clock), shared from tests/integration/api."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from api_support import api, aws, clock, workflows  # noqa: E402,F401 - fixtures
