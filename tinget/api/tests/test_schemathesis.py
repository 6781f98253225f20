"""Property-based tests of the whole API from its own OpenAPI document (schemathesis).

Every operation is called with generated input: it must never answer 5xx, and what it answers must match
the document (status codes, content types, response schemas)."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tinget.core.profile import load_profile

HYPOTHESIS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# Reading the document needs no database, so it is loaded once, when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


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
