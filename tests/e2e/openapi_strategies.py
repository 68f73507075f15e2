"""Hypothesis strategies for the JSON Schema subset the OpenAPI document uses (objects, strings with a
format or pattern, enums, numbers, arrays, anyOf, $ref): values that follow the schema most of the time,
so that requests get past validation into the services, and stray from it now and then."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

SAMPLES = {
    "date": st.sampled_from(["2025-12-01", "2025-12-20", "2026-01-05", "2026-02-01", "2000-01-01", "2099-12-31"]),
    "date-time": st.sampled_from(["2026-01-05T08:00:00Z", "2025-12-20T00:00:00Z", "2099-01-01T00:00:00Z"]),
    "time": st.sampled_from(["09:00:00", "17:00:00", "23:59:59"]),
}
AMOUNTS = st.sampled_from(["425.00", "0.01", "10.00", "99999999.99", "1e3", "-5.00", "1234,56"])
TEXTS = st.one_of(st.sampled_from(["Jan de Vries", "jan@example.nl", "+31612345678", "NL", "nl", "K-1001",
                                   "https://127.0.0.1:1/hook", "F-1", "Kerkstraat 1", "1234 AB"]),
                  st.text(max_size=20))


# Fields whose valid values a generator would rarely hit: mostly valid, sometimes the schema's own.
BY_NAME = {
    "email": st.sampled_from(["jan@example.nl", "info@korst.example.nl"]),
    "phone": st.sampled_from(["+31612345678", "020-7654321"]),
    "invoice_number": st.integers(min_value=1, max_value=10 ** 6).map(lambda n: f"FZ-{n}"),
    "principal": st.sampled_from(["425.00", "1250.00", "89.95", "3000.00"]),
    "amount": st.sampled_from(["10.00", "100.00", "425.00", "0.01"]),
    "invoice_date": st.sampled_from(["2025-11-01", "2025-12-01"]),
    "due_date": st.sampled_from(["2025-12-20", "2026-01-05", "2026-02-10"]),
    "paid_at": st.sampled_from(["2026-01-05", "2025-12-21"]),
    "iban": st.sampled_from(["NL91ABNA0417164300", "NL44RABO0123456789"]),
    "url": st.sampled_from(["http://127.0.0.1:9/hook", "https://hooks.example.com/x"]),
    "postal_code": st.sampled_from(["1234 AB", "1012 LG"]),
}


class SchemaStrategies:
    def __init__(self, document: dict[str, Any]) -> None:
        self.components = document.get("components", {}).get("schemas", {})

    def for_schema(self, schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy:
        if "$ref" in schema:
            return st.deferred(lambda: self.for_schema(self.components[schema["$ref"].rsplit("/", 1)[1]], depth + 1))
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        if "const" in schema:
            return st.just(schema["const"])
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return st.one_of([self.for_schema(option, depth + 1) for option in schema[key]])
        if "allOf" in schema:
            return self.for_schema(schema["allOf"][0], depth + 1)
        kind = schema.get("type")
        if kind == "null":
            return st.none()
        if kind == "boolean":
            return st.booleans()
        if kind == "integer":
            low, high = schema.get("minimum", -5), schema.get("maximum", 1000)
            return st.integers(min_value=int(low), max_value=int(high))
        if kind == "number":
            return st.integers(min_value=0, max_value=100)
        if kind == "string":
            if schema.get("format") in SAMPLES:
                return SAMPLES[schema["format"]]
            if "pattern" in schema and "\\d{2}$" in schema["pattern"]:
                return AMOUNTS  # the money pattern
            if "pattern" in schema:
                return st.one_of(st.from_regex(schema["pattern"], fullmatch=True).filter(lambda s: len(s) < 80),
                                 TEXTS)
            return TEXTS
        if kind == "array":
            items = self.for_schema(schema.get("items", {}), depth + 1)
            return st.lists(items, min_size=schema.get("minItems", 0), max_size=min(schema.get("maxItems", 3), 3))
        if kind == "object" or "properties" in schema:
            if depth > 6:
                return st.just({})
            properties = schema.get("properties", {})
            required = set(schema.get("required", ()))
            fixed = {name: self.for_property(name, value, depth) for name, value in properties.items()
                     if name in required}
            optional = {name: self.for_property(name, value, depth) for name, value in properties.items()
                        if name not in required}
            return st.fixed_dictionaries(fixed, optional=optional)
        return st.one_of(st.none(), TEXTS, st.integers())

    def for_property(self, name: str, schema: dict[str, Any], depth: int) -> st.SearchStrategy:
        own = self.for_schema(schema, depth + 1)
        if name in BY_NAME:
            return st.one_of(BY_NAME[name], BY_NAME[name], BY_NAME[name], own)
        return own
