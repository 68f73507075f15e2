"""The tenant API in the template: every contract route behind the Cognito authorizer, the tenant id an
immutable attribute no client may write, and a stage that logs, traces, throttles and sits behind a WAF."""

from __future__ import annotations

import json

import pytest
from conftest import CONTEXT, refs

from infra.topology import TOPOLOGY

pytestmark = pytest.mark.xdist_group("cdk")


def _paths(synthesized) -> dict[str, str]:
    """Resource logical id -> its full path, from the PathPart/ParentId chain."""
    resources = synthesized.of_type("AWS::ApiGateway::Resource")
    paths: dict[str, str] = {}

    def path_of(logical_id: str) -> str:
        if logical_id not in resources:  # the REST API's root resource
            return ""
        if logical_id not in paths:
            properties = resources[logical_id]["Properties"]
            (parent,) = refs(properties["ParentId"])
            paths[logical_id] = f"{path_of(parent)}/{properties['PathPart']}"
        return paths[logical_id]

    for logical_id in resources:
        path_of(logical_id)
    return paths


def _methods(synthesized) -> list[tuple[str, str, dict]]:
    paths = _paths(synthesized)
    methods = []
    for method in synthesized.of_type("AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        resource_ids = refs(properties["ResourceId"]) & set(paths)
        path = paths[resource_ids.pop()] if resource_ids else "/"
        methods.append((properties["HttpMethod"], path, properties))
    return methods


def test_every_contract_route_exists_and_proxies_to_the_api_function(synthesized):
    # given the topology's routes (CONTRACT.md §3)
    api_function = synthesized.logical_id(synthesized.stack.functions.functions["api"])
    served = {(verb, path): properties for verb, path, properties in _methods(synthesized) if verb != "OPTIONS"}
    # then each is a method of the REST API, and there are no others
    assert set(served) == {(route.method, route.path) for route in TOPOLOGY.api_routes}
    public = {(route.method, route.path) for route in TOPOLOGY.api_routes if route.public}
    for key, properties in served.items():
        assert properties["Integration"]["Type"] == "AWS_PROXY"
        if key not in public:
            assert api_function in refs(properties["Integration"]["Uri"])


def test_every_method_requires_the_cognito_authorizer_except_cors_preflight(synthesized):
    # given every method of the REST API
    (authorizer_id,) = synthesized.of_type("AWS::ApiGateway::Authorizer")
    authorizer = synthesized.resources[authorizer_id]["Properties"]
    assert authorizer["Type"] == "COGNITO_USER_POOLS"
    assert refs(authorizer["ProviderARNs"]) == {synthesized.logical_id(synthesized.stack.api.user_pool)}
    for verb, path, properties in _methods(synthesized):
        if verb == "OPTIONS":
            # then CORS preflights (browsers send them without credentials) only answer CORS headers
            assert properties["AuthorizationType"] == "NONE"
            assert properties["Integration"]["Type"] == "MOCK"
            headers = properties["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
            assert headers["method.response.header.Access-Control-Allow-Origin"] == f"'{CONTEXT['incasso:corsOrigin']}'"
            continue
        if path.startswith("/p/"):
            continue  # the debtor's portal: public (test_cdk_portal)
        # and every other method needs a valid user-pool token
        assert properties["AuthorizationType"] == "COGNITO_USER_POOLS", (verb, path)
        assert properties["AuthorizerId"] == {"Ref": authorizer_id}, (verb, path)
        assert refs(properties["RequestValidatorId"]), (verb, path)


def test_tenant_id_is_immutable_and_no_client_can_write_it(synthesized):
    # given the user pool and its app client
    stack = synthesized.stack
    pool = synthesized.resources[synthesized.logical_id(stack.api.user_pool)]["Properties"]
    client = synthesized.resources[synthesized.logical_id(stack.api.client)]["Properties"]
    # then custom:tenant_id exists, cannot change after creation, is readable but not writable by the client
    (tenant,) = [attribute for attribute in pool["Schema"] if attribute["Name"] == "tenant_id"]
    assert tenant["Mutable"] is False
    assert "custom:tenant_id" in client["ReadAttributes"]
    assert not any(attribute.startswith("custom:") for attribute in client["WriteAttributes"])
    # and only administrators create users; MFA is required; passwords are strong
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["MfaConfiguration"] == "ON"
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12


def test_stage_logs_traces_and_throttles(synthesized):
    # given the deployed stage
    (stage,) = synthesized.of_type("AWS::ApiGateway::Stage").values()
    properties = stage["Properties"]
    # then access logs go to a log group in JSON with the tenant, X-Ray is on, every method is throttled
    (log_group,) = refs(properties["AccessLogSetting"]["DestinationArn"])
    assert synthesized.resources[log_group]["Type"] == "AWS::Logs::LogGroup"
    access_log_fields = json.loads(properties["AccessLogSetting"]["Format"])
    assert {"requestId", "status", "tenantId", "resourcePath"} <= set(access_log_fields)
    assert properties["TracingEnabled"] is True
    (settings,) = properties["MethodSettings"]
    assert (settings["HttpMethod"], settings["ResourcePath"]) == ("*", "/*")
    assert settings["ThrottlingRateLimit"] == 50 and settings["ThrottlingBurstLimit"] == 100
    # and execution logs hold errors only, never request bodies (debtors' personal data)
    assert settings["LoggingLevel"] == "ERROR" and settings["DataTraceEnabled"] is False


def test_gateway_errors_use_the_contract_error_shape(synthesized):
    # given API Gateway's own error answers (no token, unknown route, throttled, ...)
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in synthesized.of_type("AWS::ApiGateway::GatewayResponse").values()
    }
    # then a missing or bad token is 401 and every answer is {"error": {"code", "message", "details"}}
    assert responses["UNAUTHORIZED"]["StatusCode"] == "401"
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"
    assert responses["BAD_REQUEST_BODY"]["StatusCode"] == "422"
    for response in responses.values():
        body = response["ResponseTemplates"]["application/json"].replace("$context.error.messageString", '"m"')
        assert set(json.loads(body)["error"]) == {"code", "message", "details"}
        assert response["ResponseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == (
            f"'{CONTEXT['incasso:corsOrigin']}'"
        )


def test_the_stage_sits_behind_a_regional_web_acl(synthesized):
    # given the WAF web ACL and its association
    (acl_id,) = synthesized.of_type("AWS::WAFv2::WebACL")
    acl = synthesized.resources[acl_id]["Properties"]
    (association,) = synthesized.of_type("AWS::WAFv2::WebACLAssociation").values()
    (stage_id,) = synthesized.of_type("AWS::ApiGateway::Stage")
    # then it is regional, rate-limits per IP, runs AWS's managed rule groups and guards the API's stage
    assert acl["Scope"] == "REGIONAL"
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    assert rules["RequestsPerIp"]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= set(rules)
    assert refs(association["Properties"]["WebACLArn"]) == {acl_id}
    assert synthesized.logical_id(synthesized.stack.api.rest_api) in refs(association["Properties"]["ResourceArn"])
    # and it is created only once the stage exists (its ARN is built from names, not a reference)
    assert stage_id in association["DependsOn"]


def test_a_letters_pdf_passes_api_gateway_as_bytes(synthesized):
    # Given the REST API / Then application/pdf is a binary media type (the Lambda answers base64)
    (api,) = synthesized.of_type("AWS::ApiGateway::RestApi").values()
    assert "application/pdf" in api["Properties"]["BinaryMediaTypes"]
    # And the letter routes are served
    served = {(verb, path) for verb, path, _ in _methods(synthesized)}
    assert {("GET", "/v1/claims/{claim_id}/preview/{kind}"), ("GET", "/v1/claims/{claim_id}/messages"),
            ("GET", "/v1/claims/{claim_id}/documents/{name}")} <= served


def test_the_api_function_may_create_re_role_and_remove_users_of_its_own_pool_only(synthesized):
    # Given the API function and the user pool
    stack = synthesized.stack
    pool_id = synthesized.logical_id(stack.api.user_pool)
    function = synthesized.resources[synthesized.logical_id(stack.functions.functions["api"])]["Properties"]
    # Then it knows the pool
    assert refs(function["Environment"]["Variables"]["USER_POOL_ID"]) == {pool_id}
    # And a policy lets it administer users of that pool, nothing else
    statements = [s for policy in synthesized.of_type("AWS::IAM::Policy").values()
                  for s in policy["Properties"]["PolicyDocument"]["Statement"]
                  if "cognito-idp:AdminCreateUser" in json.dumps(s["Action"])]
    assert statements and all(refs(s["Resource"]) == {pool_id} for s in statements)
    assert set(statements[0]["Action"]) == {"cognito-idp:AdminCreateUser", "cognito-idp:AdminUpdateUserAttributes",
                                            "cognito-idp:AdminDeleteUser"}


def test_machine_clients_get_a_scope_and_a_trigger_binds_their_tokens_to_a_tenant(synthesized):
    # Given the user pool and its resource server
    stack = synthesized.stack
    pool_id = synthesized.logical_id(stack.api.user_pool)
    (server,) = synthesized.of_type("AWS::Cognito::UserPoolResourceServer").values()
    assert server["Properties"]["Identifier"] == "incasso"
    assert [s["ScopeName"] for s in server["Properties"]["Scopes"]] == ["api"]
    # Then the pool runs the pre-token trigger, version 3 (access tokens of client-credentials grants too)
    pool = synthesized.resources[pool_id]["Properties"]
    trigger = pool["LambdaConfig"]["PreTokenGenerationConfig"]
    assert trigger["LambdaVersion"] == "V3_0"
    assert refs(trigger["LambdaArn"]) == {synthesized.logical_id(stack.functions.functions["pre_token"])}
    # And the token endpoint has a domain
    assert synthesized.of_type("AWS::Cognito::UserPoolDomain")
    # And every tenant method takes a person's or a machine client's access token
    for _, path, properties in _methods(synthesized):
        if properties.get("AuthorizationType") == "COGNITO_USER_POOLS":
            assert properties["AuthorizationScopes"] == ["aws.cognito.signin.user.admin", "incasso/api"], path
    # And the API function may create and delete app clients of its own pool only
    statements = [s for policy in synthesized.of_type("AWS::IAM::Policy").values()
                  for s in policy["Properties"]["PolicyDocument"]["Statement"]
                  if "cognito-idp:CreateUserPoolClient" in json.dumps(s["Action"])]
    assert statements and all(refs(s["Resource"]) == {pool_id} for s in statements)
