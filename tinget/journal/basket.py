"""The basket of journal entries a person wants to see, kept in the session (no login needed), and the keys of the
access requests sent from this session.

The basket holds entry ids only, in the order they were added, at most settings.TINGET_JOURNAL_BASKET_MAX; whether
an entry exists and is public is checked when it is added (the views) and again when the request is sent
(services.request_create). A session can be altered only by the server, but an old session may hold an entry that
has since been withdrawn: `ids` gives what is stored, selectors.basket_entries what is still public.

A request's key is the requester's secret (the e-mailed link carries it): the keys of the requests sent or opened in
this session are remembered under REQUESTS_KEY, so that the requester may fetch the answer's files
(rules.owns_request) without logging in.
"""

from django.conf import settings

SESSION_KEY = "journal_basket"
REQUESTS_KEY = "journal_request_keys"
# A session remembers this many requests; older keys still work as links, they only leave the session.
REQUESTS_REMEMBERED = 50
# The largest primary key the databases hold (a signed 64-bit integer): anything larger names no entry.
ID_MAX = 2**63 - 1


class BasketFull(Exception):
    """Adding would take the basket over its maximum; nothing was added."""


def maximum() -> int:
    return settings.TINGET_JOURNAL_BASKET_MAX


def parse_id(raw) -> int | None:
    """An entry id from a form value, or None for anything that cannot be one (text, signs, spaces, huge)."""
    text = str(raw if raw is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= ID_MAX else None


def ids(request) -> list[int]:
    """The ids in the basket, oldest first."""
    stored = request.session.get(SESSION_KEY) or []
    if not isinstance(stored, list):
        return []
    return [value for value in stored if isinstance(value, int)]


def _store(request, values: list[int]) -> None:
    if values:
        request.session[SESSION_KEY] = values
    else:
        request.session.pop(SESSION_KEY, None)


def add(request, entry_ids) -> list[int]:
    """Put entries in the basket; returns the ids that were not there already. Raises BasketFull (adding none)
    when they would not all fit."""
    current = ids(request)
    new = []
    for pk in entry_ids:
        if pk not in current and pk not in new:
            new.append(pk)
    if len(current) + len(new) > maximum():
        raise BasketFull()
    if new:
        _store(request, current + new)
    return new


def remove(request, entry_ids) -> list[int]:
    """Take entries out of the basket; returns the ids that were in it."""
    current, wanted = ids(request), set(entry_ids)
    gone = [pk for pk in current if pk in wanted]
    if gone:
        _store(request, [pk for pk in current if pk not in gone])
    return gone


def clear(request) -> None:
    request.session.pop(SESSION_KEY, None)


def contains(request, pk) -> bool:
    return pk in ids(request)


def count(request) -> int:
    return len(ids(request))


# --- Requests sent from this session ----------------------------------------------------------------------------


def request_keys(request) -> list[str]:
    """The keys (as text) of the access requests this session has sent or opened, newest first."""
    stored = request.session.get(REQUESTS_KEY) or []
    return [key for key in stored if isinstance(key, str)] if isinstance(stored, list) else []


def remember_request(request, key) -> None:
    """Remember an access request's key in the session (newest first, at most REQUESTS_REMEMBERED)."""
    key = str(key)
    keys = request_keys(request)
    if keys and keys[0] == key:
        return
    request.session[REQUESTS_KEY] = [key, *(k for k in keys if k != key)][:REQUESTS_REMEMBERED]
