"""The OpenAPI document of the API, generated from the code: ``python -m incasso.api.openapi > docs/openapi.json``."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer


def openapi_document() -> str:
    from incasso.api.app import API_VERSION, app  # deferred: app imports this module for its security scheme

    schema = app.get_openapi_json_schema(
        title="incasso tenant API",
        version=API_VERSION,
        description="Claims, payments, disputes, arrangements, CSV imports and reports of one tenant. "
                    "The tenant comes from the bearer token alone. Amounts are strings with two decimals.",
        security_schemes={"bearer": HTTPBearer(description="Cognito ID token (custom:tenant_id); "
                                                           "locally: `incasso token TENANT_ID`")},
        security=[{"bearer": []}],
    )
    return json.dumps(json.loads(schema), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(openapi_document(), end="")
