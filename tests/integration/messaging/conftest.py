"""Moto for the messaging tests: a documents bucket, a verified sender, a fixed clock."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from incasso.adapters.documents import DocumentStore
from incasso.adapters.message_sending import MessageSender
from incasso.clock import FixedClock, set_clock
from messaging_support import BUCKET, NOW, REGION, SENDER


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity=SENDER)
        yield


@pytest.fixture
def clock():
    previous = set_clock(FixedClock(NOW))
    yield
    set_clock(previous)


@pytest.fixture
def store(aws) -> DocumentStore:
    return DocumentStore(bucket=BUCKET, client=boto3.client("s3", region_name=REGION))


@pytest.fixture
def sender(aws, store, clock) -> MessageSender:
    return MessageSender(ses=boto3.client("sesv2", region_name=REGION), sns=boto3.client("sns", region_name=REGION),
                         documents=store, sender_email=SENDER)
