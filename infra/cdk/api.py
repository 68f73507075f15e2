"""The tenant HTTP API (CONTRACT.md §3): API Gateway REST API with a Cognito user-pool authorizer on every
route, the routes of the topology proxied to their function, access logs, tracing, throttling and a WAF."""

from __future__ import annotations

import json
import re

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.cdk.functions import Functions
from infra.cdk.portal import add_public_route, portal_rate_limit_rule
from infra.cdk.settings import DeploySettings
from infra.topology import ApiRoute, Topology

STAGE_NAME = "prod"
TENANT_ATTRIBUTE = "tenant_id"  # the token's claim is custom:tenant_id
# The user's role (viewer, clerk, manager: CONTRACT.md §7), claim custom:role; the operator (or a tenant's
# manager) sets it, the user cannot (not in the client's write attributes). Absent: the API treats it as manager.
ROLE_ATTRIBUTE = "role"
ACCESS_LOG_RETENTION = logs.RetentionDays.ONE_YEAR
REQUESTS_PER_IP_PER_5_MINUTES = 1000
BINARY_MEDIA_TYPES = ["application/pdf"]
USER_ADMIN_ACTIONS = ("cognito-idp:AdminCreateUser", "cognito-idp:AdminUpdateUserAttributes",
                      "cognito-idp:AdminDeleteUser")
# A tenant's machine credentials (POST /v1/tenant/clients): app clients with the client-credentials grant.
CLIENT_ADMIN_ACTIONS = ("cognito-idp:CreateUserPoolClient", "cognito-idp:DeleteUserPoolClient")
RESOURCE_SERVER = "incasso"
API_SCOPE_NAME = "api"
API_SCOPE = f"{RESOURCE_SERVER}/{API_SCOPE_NAME}"
# Every method takes an access token: a person's (scope aws.cognito.signin.user.admin, from signing in) or a
# machine client's (scope incasso/api); the pre-token trigger puts the tenant and the role into both.
METHOD_SCOPES = ("aws.cognito.signin.user.admin", API_SCOPE)
_PATH_PARAMETER = re.compile(r"\{([A-Za-z0-9_]+)\}")
# API Gateway's own answers in the contract's error shape: {"error": {"code", "message", "details"}}.
_GATEWAY_ERRORS = (
    (apigw.ResponseType.UNAUTHORIZED, "401", "unauthorized"),
    (apigw.ResponseType.ACCESS_DENIED, "403", "forbidden"),
    # No route matches: API Gateway says 403 "Missing Authentication Token"; the contract knows 404.
    (apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, "404", "not_found"),
    (apigw.ResponseType.BAD_REQUEST_BODY, "422", "validation_error"),
    (apigw.ResponseType.THROTTLED, "429", "throttled"),
    (apigw.ResponseType.DEFAULT_4_XX, None, "client_error"),
    (apigw.ResponseType.DEFAULT_5_XX, None, "server_error"),
)


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        topology: Topology,
        settings: DeploySettings,
        functions: Functions,
    ) -> None:
        super().__init__(scope, construct_id_)
        self._settings = settings
        self.user_pool = self._build_user_pool()
        self.client = self._build_client()
        self._let_managers_invite_users(functions)
        self._machine_credentials(functions)
        self.authorizer = apigw.CognitoUserPoolsAuthorizer(self, "Authorizer", cognito_user_pools=[self.user_pool])
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=ACCESS_LOG_RETENTION, removal_policy=RemovalPolicy.RETAIN
        )
        self.rest_api = self._build_rest_api()
        self._json_object = self.rest_api.add_model(
            "JsonObject",
            content_type="application/json",
            schema=apigw.JsonSchema(schema=apigw.JsonSchemaVersion.DRAFT4, type=apigw.JsonSchemaType.OBJECT),
            description="Any JSON object: the function validates the fields (422 with the fields at fault)",
        )
        self._validator = self.rest_api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True
        )
        self.methods: list[apigw.Method] = [self._add_route(route, functions) for route in topology.api_routes]
        self._add_gateway_responses()
        self.firewall = self._build_firewall()
        Validations.of(self.rest_api).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AmazonAPIGatewayPushToCloudWatchLogs]",
                reason="The account-level role API Gateway assumes to write execution and access logs; AWS "
                "maintains this policy for exactly that purpose and it grants log writes only.",
            )
        )

    def _build_user_pool(self) -> cognito.UserPool:
        # Tenants' users are created by the operator (AdminCreateUser) with their tenant id; nobody signs up.
        return cognito.UserPool(
            self,
            "Users",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            custom_attributes={TENANT_ATTRIBUTE: cognito.StringAttribute(min_len=1, max_len=64, mutable=False),
                               ROLE_ATTRIBUTE: cognito.StringAttribute(min_len=4, max_len=16, mutable=True)},
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _let_managers_invite_users(self, functions: Functions) -> None:
        # POST/PUT/DELETE /v1/tenant/users: a tenant's manager creates, re-roles and removes its own users
        # in this pool (the tenant bound from the caller's token by the function, never from the request).
        api_function = functions.functions["api"]
        api_function.add_environment("USER_POOL_ID", self.user_pool.user_pool_id)
        self.user_pool.grant(api_function, *USER_ADMIN_ACTIONS)

    def _machine_credentials(self, functions: Functions) -> None:
        """The tenants' integrations: a resource server with the API's scope, the token endpoint's domain,
        and the pre-token trigger that binds a client's tokens to the tenant its manager created it for."""
        self.resource_server = self.user_pool.add_resource_server(
            "ApiResourceServer", identifier=RESOURCE_SERVER,
            scopes=[cognito.ResourceServerScope(scope_name=API_SCOPE_NAME, scope_description="the tenant API")])
        self.domain = self.user_pool.add_domain("TokenDomain", cognito_domain=cognito.CognitoDomainOptions(
            domain_prefix=f"incasso-{Stack.of(self).account}"))
        api_function = functions.functions["api"]
        api_function.add_environment("API_SCOPE", API_SCOPE)
        self.user_pool.grant(api_function, *CLIENT_ADMIN_ACTIONS)
        trigger = functions.functions["pre_token"]
        self.user_pool.add_trigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, trigger,
                                   cognito.LambdaVersion.V3_0)
        # By ARN pattern, not the pool's own reference: the pool depends on its trigger, so the trigger's
        # policy naming the pool would be a cycle. Describing app clients of this account's pools only.
        pools = Stack.of(self).format_arn(service="cognito-idp", resource="userpool", resource_name="*")
        trigger.add_to_role_policy(iam.PolicyStatement(actions=["cognito-idp:DescribeUserPoolClient"],
                                                       resources=[pools]))
        Validations.of(trigger.role).acknowledge(Acknowledgment(
            id="AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cognito-idp:<AWS::Region>:<AWS::AccountId>:userpool/*]",
            reason="The pre-token trigger reads app client names (DescribeUserPoolClient, read only) of the "
            "account's user pool; naming the pool itself would make a dependency cycle (pool -> trigger)."))

    def _build_client(self) -> cognito.UserPoolClient:
        # The client may read the tenant id but never write it: only an administrator sets it, once.
        return self.user_pool.add_client(
            "ApiClient",
            auth_flows=cognito.AuthFlow(user_srp=True),
            generate_secret=False,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(email=True, email_verified=True, fullname=True)
            .with_custom_attributes(TENANT_ATTRIBUTE, ROLE_ATTRIBUTE),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(fullname=True),
        )

    def _build_rest_api(self) -> apigw.RestApi:
        origin = self._settings.cors_origin
        return apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=f"{Stack.of(self).stack_name}-tenant-api",
            description="incasso tenant API (CONTRACT.md §3)",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # A letter's PDF (GET .../preview/{kind}) leaves the Lambda base64-encoded; API Gateway sends
            # it as bytes to a client that accepts application/pdf.
            binary_media_types=BINARY_MEDIA_TYPES,
            # The account-level role API Gateway needs to write execution logs.
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE_NAME,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=_access_log_format(),
                # Errors only and no request/response bodies: they carry debtors' personal data.
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                metrics_enabled=True,
                tracing_enabled=True,
                throttling_rate_limit=self._settings.api_rate_limit,
                throttling_burst_limit=self._settings.api_burst_limit,
            ),
            default_cors_preflight_options=(
                apigw.CorsOptions(
                    allow_origins=[origin],
                    allow_methods=["GET", "POST", "OPTIONS"],
                    allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
                    max_age=Duration.hours(1),
                )
                if origin
                else None
            ),
        )

    def _add_route(self, route: ApiRoute, functions: Functions) -> apigw.Method:
        if route.public:  # the debtor's portal (infra.cdk.portal): no authorizer
            return add_public_route(self.rest_api, route, functions.functions[route.function])
        resource = self.rest_api.root.resource_for_path(route.path)
        integration = apigw.LambdaIntegration(functions.functions[route.function], allow_test_invoke=False)
        method = resource.add_method(
            route.method,
            integration,
            authorization_type=apigw.AuthorizationType.COGNITO,
            authorizer=self.authorizer,
            authorization_scopes=list(METHOD_SCOPES),
            request_validator=self._validator,
            request_models={"application/json": self._json_object} if route.method in ("POST", "PUT", "PATCH") else None,
            request_parameters={
                f"method.request.path.{name}": True for name in _PATH_PARAMETER.findall(route.path)
            }
            or None,
        )
        return method

    def _add_gateway_responses(self) -> None:
        origin = self._settings.cors_origin
        headers = {"Access-Control-Allow-Origin": f"'{origin}'"} if origin else None
        for response_type, status, code in _GATEWAY_ERRORS:
            body = '{"error": {"code": "%s", "message": $context.error.messageString, "details": []}}' % code
            self.rest_api.add_gateway_response(
                f"{code.title().replace('_', '')}Response",
                type=response_type,
                status_code=status,
                response_headers=headers,
                templates={"application/json": body},
            )

    def _build_firewall(self) -> wafv2.CfnWebACL:
        def managed(name: str, priority: int) -> wafv2.CfnWebACL.RuleProperty:
            return wafv2.CfnWebACL.RuleProperty(
                name=name,
                priority=priority,
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=name
                    )
                ),
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                visibility_config=_visibility(name),
            )

        rate_limit = wafv2.CfnWebACL.RuleProperty(
            name="RequestsPerIp",
            priority=0,
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=REQUESTS_PER_IP_PER_5_MINUTES, aggregate_key_type="IP"
                )
            ),
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            visibility_config=_visibility("RequestsPerIp"),
        )
        acl = wafv2.CfnWebACL(
            self,
            "Firewall",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility("IncassoApi"),
            rules=[
                rate_limit,
                managed("AWSManagedRulesAmazonIpReputationList", 1),
                managed("AWSManagedRulesCommonRuleSet", 2),
                managed("AWSManagedRulesKnownBadInputsRuleSet", 3),
                portal_rate_limit_rule(4, _visibility("PortalRequestsPerIp")),
            ],
        )
        association = wafv2.CfnWebACLAssociation(
            self,
            "FirewallAssociation",
            resource_arn=self.rest_api.deployment_stage.stage_arn,
            web_acl_arn=acl.attr_arn,
        )
        # The stage ARN is built from names, not a reference: without this the association may come first and fail.
        association.node.add_dependency(self.rest_api.deployment_stage)
        return acl


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True
    )


def _access_log_format() -> apigw.AccessLogFormat:
    field = apigw.AccessLogField
    return apigw.AccessLogFormat.custom(
        json.dumps(
            {
                "requestId": field.context_request_id(),
                "requestTime": field.context_request_time(),
                "ip": field.context_identity_source_ip(),
                "httpMethod": field.context_http_method(),
                "resourcePath": field.context_resource_path(),
                "status": field.context_status(),
                "responseLength": field.context_response_length(),
                "responseLatency": field.context_response_latency(),
                "integrationLatency": field.context_integration_latency(),
                "tenantId": field.context_authorizer_claims(f"custom:{TENANT_ATTRIBUTE}"),
                "error": field.context_error_message(),
                "xrayTraceId": field.context_xray_trace_id(),
            }
        )
    )
