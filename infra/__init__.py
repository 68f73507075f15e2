"""Deployment: the topology (declared once), the CDK app for AWS and the local deployer onto moto."""
