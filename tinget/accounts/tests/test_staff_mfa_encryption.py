"""Two-factor secrets are stored encrypted, and still work."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from cryptography.fernet import Fernet

from tinget.accounts.mfa import PREFIX, MFAAdapter

pytestmark = pytest.mark.django_db


def test_round_trip_and_not_in_clear():
    adapter = MFAAdapter()
    stored = adapter.encrypt("JBSWY3DPEHPK3PXP")
    assert stored.startswith(PREFIX)
    assert "JBSWY3DPEHPK3PXP" not in stored
    assert adapter.decrypt(stored) == "JBSWY3DPEHPK3PXP"


def test_plain_text_from_before_is_still_read():
    assert MFAAdapter().decrypt("JBSWY3DPEHPK3PXP") == "JBSWY3DPEHPK3PXP"


def test_rotation_keeps_old_secrets_readable(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TINGET_MFA_KEYS = [old]
    stored = MFAAdapter().encrypt("secret")
    settings.TINGET_MFA_KEYS = [new, old]
    assert MFAAdapter().decrypt(stored) == "secret"
    settings.TINGET_MFA_KEYS = [new]
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidToken
        MFAAdapter().decrypt(stored)


def test_a_totp_authenticator_is_saved_encrypted(resident):
    secret = generate_totp_secret()
    TOTP.activate(resident, secret)
    raw = Authenticator.objects.get(user=resident, type=Authenticator.Type.TOTP).data["secret"]
    assert raw.startswith(PREFIX)
    assert secret not in raw
