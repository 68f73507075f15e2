"""The base of every domain model, in a module of its own: a Lambda that needs one small model (an API
client, a user, an import record) loads it without the claim's seventeen (cold start, docs/benchmarks.md)."""

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Base for every domain model: strict about unknown fields, immutable by default, and built at its
    first use rather than at import."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False, defer_build=True)
