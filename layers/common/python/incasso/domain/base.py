"""The bases of the product's pydantic models, in a module of their own: a Lambda that needs one small model
(an API client, a user, an import record) loads it without the claim's seventeen (cold start,
docs/benchmarks.md)."""

from pydantic import BaseModel, ConfigDict


class DeferredModel(BaseModel):
    """Base for every model of the product: built at its first use rather than at import, so a function
    builds only the validators it uses (a subclass's own ``model_config`` is merged with this one)."""

    model_config = ConfigDict(defer_build=True)


class Model(DeferredModel):
    """Base for every domain model: strict about unknown fields and immutable by default."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)
