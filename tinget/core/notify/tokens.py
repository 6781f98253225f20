"""Signed tokens for the one-click unsubscribe link in every notification e-mail.

A token names the person and either one followed object ("stop following this") or all e-mail. It is signed
with the secret key and its own salt, and does not expire: an e-mail may be read months later, and all the
link can do is send less e-mail to the person it was sent to."""

from dataclasses import dataclass

from django.core import signing

SALT = "tinget.core.notify.unsubscribe"
ALL = "all"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    # (content type id, object id) of a followed object, or None for "all e-mail".
    target: tuple[int, str] | None


def make_token(user, *, content_type_id: int | None = None, object_id: str | None = None) -> str:
    payload = [user.pk, ALL] if content_type_id is None else [user.pk, content_type_id, str(object_id)]
    return signing.dumps(payload, salt=SALT, compress=True)


def read_token(token: str) -> Unsubscribe:
    """The request a token carries. Raises signing.BadSignature for anything tampered with or malformed."""
    payload = signing.loads(token, salt=SALT)
    match payload:
        case [int() as user_id, "all"]:
            return Unsubscribe(user_id, None)
        case [int() as user_id, int() as content_type_id, str() as object_id]:
            return Unsubscribe(user_id, (content_type_id, object_id))
    raise signing.BadSignature("Unexpected unsubscribe payload")
