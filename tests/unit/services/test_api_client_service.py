"""Machine credentials on the fakes: created with a secret shown once and kept only hashed, authenticated
by id and secret, refused once revoked; another tenant's client is not found."""

import pytest
from fakes import InMemoryApiClients, RecordingCredentials

from incasso.domain.api_clients import binding_of, client_name, tenant_of_local_client
from incasso.services.api_clients import ApiClientService, NewApiClient
from incasso.services.errors import NotFoundError


@pytest.fixture
def service() -> ApiClientService:
    return ApiClientService(InMemoryApiClients(), RecordingCredentials())


def test_a_new_client_is_bound_to_the_callers_tenant_and_its_secret_is_kept_only_hashed(service):
    # when acme's manager creates a client for its accounting system
    created = service.create("acme", NewApiClient(name="Exact Online", role="clerk"))
    # then its id names acme, the secret is long and random, and only its hash is on the record
    assert tenant_of_local_client(created.client.client_id) == "acme"
    assert len(created.client_secret) >= 43
    assert created.client.secret_hash and created.client_secret not in created.client.model_dump_json()
    assert [c.client_id for c in service.list("acme")] == [created.client.client_id] and service.list("globex") == []


def test_the_client_authenticates_with_its_secret_only_and_not_after_it_is_revoked(service):
    created = service.create("acme", NewApiClient(name="ERP"))
    client_id = created.client.client_id
    # then the right secret authenticates as acme's clerk, a wrong one does not
    assert service.authenticate(client_id, created.client_secret).role == "clerk"
    assert service.authenticate(client_id, created.client_secret + "x") is None
    assert service.authenticate(client_id.replace("acme", "globex"), created.client_secret) is None
    # when it is revoked / then neither the secret nor its tokens count any more
    revoked = service.revoke("acme", client_id)
    assert revoked.revoked_at is not None and service.credentials.deleted == [client_id]
    assert service.authenticate(client_id, created.client_secret) is None
    assert service.active("acme", client_id) is False


def test_another_tenants_client_cannot_be_revoked(service):
    created = service.create("acme", NewApiClient(name="ERP"))
    with pytest.raises(NotFoundError):
        service.revoke("globex", created.client.client_id)
    assert service.active("acme", created.client.client_id) is True


def test_a_cognito_app_clients_name_carries_its_binding_for_the_pre_token_trigger():
    assert binding_of(client_name("acme", "viewer", "Power BI")) == ("acme", "viewer")
    assert binding_of("some-other-app") is None and binding_of("incasso:acme:manager:x") is None
