"""`manage.py open311_apikey`: a key printed once that works, a list without the keys, and revoking that bites at
once."""

import io
import xml.etree.ElementTree as ET

import pytest
from django.core.management import CommandError, call_command

from tinget.core.models import AuditEntry
from tinget.reports.models import ApiKey, Report, hash_key

from .conftest import ASKER


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("open311_apikey", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def post_report(client, key, pothole):
    return client.post(
        "/open311/v2/requests.xml",
        {"api_key": key, "service_code": pothole.slug, "lat": ASKER[0], "long": ASKER[1], "description": "Hull"},
    )


@pytest.mark.django_db
class TestCreate:
    def test_prints_a_key_that_works(self, client, pothole):
        out, err = run("create", "--name", "Bymelding")

        key = out.strip()
        assert len(key) >= 40 and "\n" not in key
        assert "shown only this once" in err
        api_key = ApiKey.objects.get()
        assert api_key.name == "Bymelding"
        assert api_key.key_hash == hash_key(key) and key not in api_key.key_hash
        assert api_key.prefix == key[:8]
        response = post_report(client, key, pothole)
        assert response.status_code == 200, response.content
        assert Report.objects.get().api_key == api_key
        assert AuditEntry.objects.filter(action="reports.apikey.created").exists()

    @pytest.mark.parametrize("name", ["", "   ", "x" * 101])
    def test_a_name_is_needed(self, db, name):
        with pytest.raises(CommandError):
            run("create", "--name", name)
        assert not ApiKey.objects.exists()

    def test_without_a_subcommand(self, db):
        with pytest.raises(CommandError):
            run()


@pytest.mark.django_db
class TestList:
    def test_lists_without_the_keys(self, db):
        key = run("create", "--name", "Bymelding")[0].strip()
        run("create", "--name", "Driftssystem")

        out, _ = run("list")

        assert "Bymelding" in out and "Driftssystem" in out
        assert key[:8] in out
        assert key not in out
        assert "active" in out and "never" in out

    def test_empty(self, db):
        assert "No Open311 API keys" in run("list")[0]


@pytest.mark.django_db
class TestRevoke:
    def test_by_prefix_makes_the_key_403(self, client, pothole):
        key = run("create", "--name", "Bymelding")[0].strip()

        out, _ = run("revoke", key[:8])

        assert "Revoked" in out
        assert ApiKey.objects.get().revoked_at is not None
        response = post_report(client, key, pothole)
        assert response.status_code == 403
        assert ET.fromstring(response.content).find("error/code").text == "403"
        assert not Report.objects.exists()
        assert "revoked" in run("list")[0]
        assert AuditEntry.objects.filter(action="reports.apikey.revoked").count() == 1

    def test_by_id_and_twice(self, db):
        run("create", "--name", "Bymelding")
        api_key = ApiKey.objects.get()

        run("revoke", str(api_key.pk))
        out, _ = run("revoke", str(api_key.pk))

        assert "already revoked" in out
        assert AuditEntry.objects.filter(action="reports.apikey.revoked").count() == 1

    @pytest.mark.parametrize("value", ["finnes", "999999", "9" * 40])
    def test_unknown(self, db, value):
        run("create", "--name", "Bymelding")
        with pytest.raises(CommandError):
            run("revoke", value)
        assert ApiKey.objects.get().revoked_at is None

    def test_an_ambiguous_prefix(self, db):
        ApiKey.objects.create(name="En", prefix="abcdefgh", key_hash="1" * 64)
        ApiKey.objects.create(name="To", prefix="abcdefgh", key_hash="2" * 64)
        with pytest.raises(CommandError, match="Several"):
            run("revoke", "abcdefgh")
        assert not ApiKey.objects.filter(revoked_at__isnull=False).exists()
