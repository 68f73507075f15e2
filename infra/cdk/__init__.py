"""The CDK app: the whole incasso stack on AWS, built from ``infra.topology``. One construct per capability
(data, storage, events, functions, orchestration, api, ingest, schedules, observability); the stack wires them.
"""
