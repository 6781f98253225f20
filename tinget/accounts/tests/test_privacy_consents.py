"""Consents: recorded with time and text version, withdrawn at will, and void when the text changes."""

import pytest

from tinget.accounts import privacy
from tinget.accounts.models import Consent
from tinget.core.models import AuditEntry

from .conftest import url
from .pagecheck import read

CURRENT = privacy.consent_purposes.get("user_research").version


def test_record_and_withdraw(resident):
    assert not privacy.has_consent(resident, "user_research")
    consent = privacy.record_consent(user=resident, purpose="user_research", text_version=CURRENT)
    assert consent.given_at is not None and consent.text_version == CURRENT
    assert privacy.has_consent(resident, "user_research")
    # Agreeing twice changes nothing.
    assert privacy.record_consent(user=resident, purpose="user_research", text_version=CURRENT) == consent
    assert Consent.objects.count() == 1
    assert privacy.withdraw_consent(user=resident, purpose="user_research") == 1
    assert not privacy.has_consent(resident, "user_research")
    assert privacy.withdraw_consent(user=resident, purpose="user_research") == 0
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["accounts.consent.given", "accounts.consent.withdrawn"]


def test_a_new_text_version_needs_a_new_consent(resident):
    privacy.record_consent(user=resident, purpose="user_research", text_version=CURRENT)
    reworded = privacy.ConsentPurpose("user_research", "Title", "Reworded text", version="2099-01-01")
    with privacy.consent_purposes.temporarily(reworded):
        assert not privacy.has_consent(resident, "user_research")
        overview = {item["purpose"].slug: item for item in privacy.consent_overview(resident)}
        assert overview["user_research"]["consent"] is None
        assert overview["user_research"]["outdated"] is True
        privacy.record_consent(user=resident, purpose="user_research", text_version="2099-01-01")
        assert privacy.has_consent(resident, "user_research")
    # Back to the registered wording: the first consent, given to it, still stands.
    assert privacy.has_consent(resident, "user_research")


def test_agreeing_to_text_that_has_changed_is_refused(resident):
    with pytest.raises(privacy.ConsentTextChanged):
        privacy.record_consent(user=resident, purpose="user_research", text_version="1999-01-01")
    with pytest.raises(privacy.UnknownConsentPurpose):
        privacy.record_consent(user=resident, purpose="no-such-purpose", text_version=CURRENT)
    with pytest.raises(privacy.UnknownConsentPurpose):
        privacy.withdraw_consent(user=resident, purpose="no-such-purpose")
    assert not Consent.objects.exists()


def test_one_persons_consent_is_not_anothers(resident, django_user_model):
    ola = django_user_model.objects.create_user("ola@example.no", "et-annet-passord-456")
    privacy.record_consent(user=resident, purpose="user_research", text_version=CURRENT)
    assert not privacy.has_consent(ola, "user_research")


def test_privacy_page_gives_and_withdraws(resident_client, resident):
    page = read(resident_client.get(url("accounts:privacy", "en")).content.decode())
    assert page.one("input", name="text_version").attrs["value"] == CURRENT
    response = resident_client.post(
        url("accounts:privacy_consent", "en"),
        {"purpose": "user_research", "text_version": CURRENT, "action": "give"},
        follow=True,
    )
    assert privacy.has_consent(resident, "user_research")
    page = read(response.content.decode())
    assert "Thank you. Your consent is recorded." in page.text
    assert [b.text for b in page.all("button", name="action")][-1] == "Withdraw my consent"
    resident_client.post(url("accounts:privacy_consent", "en"), {"purpose": "user_research", "action": "withdraw"})
    assert not privacy.has_consent(resident, "user_research")


def test_privacy_page_says_when_the_text_changed_under_you(resident_client, resident):
    response = resident_client.post(
        url("accounts:privacy_consent", "en"),
        {"purpose": "user_research", "text_version": "1999-01-01", "action": "give"},
        follow=True,
    )
    assert "The text changed after you opened the page" in read(response.content.decode()).text
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"purpose": "user_research", "action": "sell-my-data"}, {"action": "give"}, {"purpose": "x" * 200}],
)
def test_malformed_consent_posts_are_bad_requests(resident_client, data):
    assert resident_client.post(url("accounts:privacy_consent", "en"), data).status_code == 400
    assert not Consent.objects.exists()


def test_consent_needs_login_and_csrf(client, csrf_client, resident):
    data = {"purpose": "user_research", "text_version": CURRENT, "action": "give"}
    assert client.post(url("accounts:privacy_consent", "en"), data).status_code == 302
    csrf_client.force_login(resident)
    assert csrf_client.post(url("accounts:privacy_consent", "en"), data).status_code == 403
    assert not Consent.objects.exists()
