"""Resources several capabilities need in the same hardened form."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Validations
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from constructs import Construct

DEAD_LETTER_RETENTION = Duration.days(14)  # SQS's maximum: time to look, fix and redrive


def customer_managed_key(scope: Construct, construct_id: str, purpose: str) -> kms.Key:
    """A KMS key with yearly automatic rotation, kept when the stack goes (data encrypted with it may remain)."""
    return kms.Key(
        scope,
        construct_id,
        description=f"incasso: {purpose}",
        enable_key_rotation=True,
        removal_policy=RemovalPolicy.RETAIN,
    )


def dead_letter_queue(scope: Construct, construct_id: str, dead_letters_of: str) -> sqs.Queue:
    """An encrypted, TLS-only queue that keeps what could not be delivered to ``dead_letters_of``."""
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=DEAD_LETTER_RETENTION,
    )
    Validations.of(queue).acknowledge(
        Acknowledgment(
            id="AwsSolutions-SQS3",
            reason=f"This queue is itself the dead-letter queue of {dead_letters_of}.",
        )
    )
    return queue
