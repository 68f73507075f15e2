"""The debtor's portal on API Gateway (CONTRACT.md §8): its routes are public (no Cognito authorizer; the
personal link's token is the key, checked by the portal function), rate-limited per IP by the WAF more
tightly than the tenant API, and the portal function knows the public base URL of the links and where
the payment provider's API key is kept (a Secrets Manager secret)."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.topology import ApiRoute

PORTAL_PATH_PREFIX = "/p/"
# A debtor opens the page, pays, perhaps disputes: a few requests a minute. Guessing tokens needs millions.
PORTAL_REQUESTS_PER_IP_PER_5_MINUTES = 100
PAYMENT_KEY_SECRET_NAME = "incasso/payment-provider-api-key"


def add_public_route(rest_api: apigw.RestApi, route: ApiRoute, function: lambda_.IFunction) -> apigw.Method:
    """A method without an authorizer, proxied to ``function`` (the portal); nag findings acknowledged."""
    resource = rest_api.root.resource_for_path(route.path)
    method = resource.add_method(route.method, apigw.LambdaIntegration(function, allow_test_invoke=False),
                                 authorization_type=apigw.AuthorizationType.NONE)
    for finding in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
        Validations.of(method).acknowledge(Acknowledgment(
            id=finding, reason="The debtor's portal is public by design (CONTRACT.md §8): the unguessable personal "
            "link (256 random bits, stored hashed) is the credential, checked by the portal function; the WAF "
            "rate-limits these paths per IP."))
    return method


def portal_rate_limit_rule(priority: int, visibility: wafv2.CfnWebACL.VisibilityConfigProperty) -> wafv2.CfnWebACL.RuleProperty:
    """Requests to the portal's paths per IP in 5 minutes, blocked beyond the limit."""
    return wafv2.CfnWebACL.RuleProperty(
        name="PortalRequestsPerIp",
        priority=priority,
        statement=wafv2.CfnWebACL.StatementProperty(rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
            limit=PORTAL_REQUESTS_PER_IP_PER_5_MINUTES, aggregate_key_type="IP",
            scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                    field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                    positional_constraint="CONTAINS", search_string=PORTAL_PATH_PREFIX,
                    text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")])))),
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        visibility_config=visibility,
    )


class PortalSettings(Construct):
    """The payment provider's key secret for the portal function (created empty; the operator puts the key)."""

    def __init__(self, scope: Construct, construct_id: str, *, function: lambda_.Function) -> None:
        super().__init__(scope, construct_id)
        self.secret = secretsmanager.Secret(self, "PaymentApiKey", secret_name=PAYMENT_KEY_SECRET_NAME,
                                            description="The payment provider's live API key (Mollie)")
        Validations.of(self.secret).acknowledge(Acknowledgment(
            id="AwsSolutions-SMG4", reason="The payment provider's API key is rotated in the provider's dashboard, "
            "not by a Lambda; the operator replaces the secret's value when it does."))
        self.secret.grant_read(function)
        function.add_environment("INCASSO_PAYMENT_API_KEY_SECRET", self.secret.secret_name)
