"""Property-based tests of the whole API from its own OpenAPI document (schemathesis).

Every operation is called with generated input: it must never answer 5xx, and what it answers must match
the document (status codes, content types, response schemas)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tinget.core.profile import load_profile

HYPOTHESIS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# Reading the document needs no database, so it is loaded once, when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's own test client does this too: the WSGI handler closes "old" connections when a request
    starts and ends, and inside a test's transaction every connection looks old (autocommit is off), so
    PostgreSQL would lose the test's transaction. (SQLite's in-memory database ignores close().)"""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def asker(db):
    load_profile("asker")


@schema.parametrize()
@HYPOTHESIS
@pytest.mark.usefixtures("asker")
def test_no_server_errors(case):
    case.call_and_validate(checks=[not_a_server_error])


@schema.parametrize()
@HYPOTHESIS
@pytest.mark.usefixtures("asker")
def test_responses_conform_to_the_document(case):
    case.call_and_validate()


@schema.parametrize()
@HYPOTHESIS
@pytest.mark.django_db
def test_conforms_before_any_profile_is_loaded(case):
    case.call_and_validate()
