"""Two-factor secrets are encrypted at rest. allauth keeps the TOTP key and the recovery-code seed in the
database; anyone who could read a backup could otherwise log in as staff. MultiFernet takes a list of keys
(TINGET_MFA_KEYS, newest first) so a key can be rotated: new secrets use the first, old ones still open."""

import base64
import hashlib

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

PREFIX = "fernet:"


def _fernet() -> MultiFernet:
    keys = list(settings.TINGET_MFA_KEYS)
    if not keys:
        # Without a key of its own, derive one from SECRET_KEY (rotating SECRET_KEY then means staff set up
        # their authenticator again; production should set TINGET_MFA_KEYS).
        digest = hashlib.sha256(b"tinget.mfa:" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key) for key in keys])


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return PREFIX + _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(PREFIX):
            return encrypted_text  # written before encryption was switched on
        return _fernet().decrypt(encrypted_text.removeprefix(PREFIX).encode()).decode()
