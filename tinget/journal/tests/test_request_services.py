"""The services behind access requests, without the pages: request_create (split per unit, verification by e-mail
or at once, every kind of bad input), request_verify (once, forged and expired links), the deadline in working
days across Easter, part_appeal (after a refusal, after § 32, never twice, never for another request or one not
sent), and the sweep's reminders and § 32 notice with time moved."""

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.core import mail, signing
from django.utils import timezone, translation

from tinget.core.errors import DomainError, InvalidTransition, NotAllowed
from tinget.journal import services
from tinget.journal.models import AccessRequest, AccessRequestItem, AccessRequestPart, RequestStatus

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


# Easter 2026: Maundy Thursday 2 April, Good Friday 3 April, Easter Monday 6 April.
WEDNESDAY_BEFORE_EASTER = oslo(2026, 4, 1, 10, 0)
EASTER_DEADLINE = dt.date(2026, 4, 13)


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def verified(resident):
    EmailAddress.objects.create(user=resident, email=resident.email, verified=True, primary=True)
    return resident


@pytest.fixture
def entries(unit, other_unit, entry_factory):
    """Three public entries: two for `unit`, one for `other_unit`."""
    return [
        entry_factory(unit, title="Søknad om skoleskyss"),
        entry_factory(other_unit, title="Byggesak Kirkeveien 3"),
        entry_factory(unit, title="Klage på skoleplass"),
    ]


def create(user, entries, *, now=None, **kwargs):
    kwargs.setdefault("email", "journalist@example.no")
    return services.request_create(user=user, entry_ids=[e.pk for e in entries], now=now, **kwargs)


def nb_path(name, **kwargs) -> str:
    """A path as the e-mails (in the request's language, Bokmål here) write it."""
    from django.urls import reverse
    from django.utils import translation

    with translation.override("nb"):
        return reverse(f"journal:{name}", kwargs=kwargs)


def confirm_marker() -> str:
    return nb_path("verify", token="x").rsplit("x/", 1)[0]


def token_in(message) -> str:
    marker = confirm_marker()
    start = message.body.index(marker) + len(marker)
    return message.body[start:].split("/", 1)[0]


def sent_request(user, entries, *, now=None, **kwargs):
    """A request sent as if its link was followed at `now`."""
    access_request = create(user, entries, now=now, **kwargs)
    if access_request.sent_at is None:
        services.request_verify(token=services.verification_token(access_request), now=now)
    access_request.refresh_from_db()
    return access_request


def refuse(part, actor, *, now=None):
    return services.part_answer(
        actor=actor,
        part=part,
        decision="refused",
        answer="Dokumentet er unntatt.",
        legal_basis="Offl. § 13 jf. fvl. § 13",
        appeal_information="Du kan klage innen tre uker.",
        now=now,
    )


# --- Sending -------------------------------------------------------------------------------------------------
def test_anonymous_request_is_split_per_unit_and_waits_for_the_link(
    anonymous, entries, unit, other_unit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        access_request = create(anonymous, entries, message="  Til en artikkel.  ", language="nn")
    assert access_request.sent_at is None and access_request.user is None
    assert access_request.message == "Til en artikkel." and access_request.language == "nn"
    parts = {part.unit_id: part for part in access_request.parts.all()}
    assert set(parts) == {unit.pk, other_unit.pk}
    assert [item.entry_id for item in parts[unit.pk].items.all()] == [entries[0].pk, entries[2].pk]
    assert parts[unit.pk].items.first().entry_number == entries[0].entry_number
    # Only the requester hears of it, with the link; the units do not until it is confirmed.
    assert [m.to for m in mail.outbox] == [["journalist@example.no"]]
    assert confirm_marker() in mail.outbox[0].body


def test_following_the_link_sends_it_once(anonymous, entries, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        access_request = create(anonymous, entries)
    token = token_in(mail.outbox[0])
    mail.outbox.clear()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.request_verify(token=token, now=now)
    assert sent.pk == access_request.pk and sent.sent_at == now
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == ["journalist@example.no", "oppvekst@example.no", "plan-og-bygning@example.no"]
    assert set(sent.parts.values_list("sent_at", flat=True)) == {now}
    mail.outbox.clear()
    # The second click changes nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.request_verify(token=token, now=now + dt.timedelta(hours=1))
    assert again.pk == access_request.pk and again.sent_at == now
    assert mail.outbox == []


def test_a_forged_or_expired_link_is_refused(anonymous, entries):
    access_request = create(anonymous, entries)
    token = services.verification_token(access_request)
    for bad in (token[:-2] + "xx", "nonsense", "", signing.dumps(str(access_request.key), salt="another.salt")):
        with pytest.raises(services.BadToken):
            services.request_verify(token=bad)

    class FourDaysAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 4 * 86400)

    old = FourDaysAgo(salt=services.VERIFY_SALT).sign_object(str(access_request.key))
    with pytest.raises(services.BadToken):
        services.request_verify(token=old)
    access_request.refresh_from_db()
    assert access_request.sent_at is None


def test_a_link_to_a_deleted_request_is_refused(anonymous, entries):
    access_request = create(anonymous, entries)
    token = services.verification_token(access_request)
    services.delete_request(access_request)
    with pytest.raises(services.BadToken):
        services.request_verify(token=token)


def test_from_the_verified_address_it_goes_at_once(verified, entries, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        access_request = create(verified, entries, email="KARI@example.no")
    assert access_request.sent_at is not None and access_request.user == verified
    assert not any(confirm_marker() in m.body for m in mail.outbox)
    assert ["KARI@example.no"] in [m.to for m in mail.outbox]


def test_a_logged_in_person_with_another_address_confirms_it(verified, entries):
    access_request = create(verified, entries, email="annen@example.no")
    assert access_request.sent_at is None and access_request.user == verified


def test_an_unverified_account_address_must_be_confirmed(resident, entries):
    assert create(resident, entries, email=resident.email).sent_at is None


def test_duplicated_entries_are_asked_for_once(anonymous, entries):
    access_request = services.request_create(
        user=anonymous, email="a@example.no", entry_ids=[entries[0].pk, str(entries[0].pk), entries[0].pk]
    )
    assert AccessRequestItem.objects.filter(part__request=access_request).count() == 1


@pytest.mark.parametrize(
    "entry_ids",
    [["abc"], [None], ["1.5"], [10**6], [2**63 - 1], [2**70], ["9" * 40]],
    ids=["text", "none", "decimal", "missing", "largest", "huge", "huge-text"],
)
def test_entries_that_do_not_exist_are_refused(anonymous, entries, entry_ids):
    with pytest.raises(services.RequestError):
        services.request_create(user=anonymous, email="a@example.no", entry_ids=[entries[0].pk, *entry_ids])
    assert not AccessRequest.objects.exists()


def test_withdrawn_entries_are_refused(anonymous, entries):
    entries[1].withdrawn_at = timezone.now()
    entries[1].save(update_fields=["withdrawn_at"])
    with pytest.raises(services.RequestError, match="no longer public"):
        create(anonymous, entries)
    assert not AccessRequest.objects.exists() and not AccessRequestPart.objects.exists()


def test_nothing_asked_for_is_refused(anonymous):
    with pytest.raises(services.RequestError, match="basket is empty"):
        services.request_create(user=anonymous, email="a@example.no", entry_ids=[])


def test_too_many_entries_are_refused(anonymous, unit, entry_factory, settings):
    settings.TINGET_JOURNAL_BASKET_MAX = 2
    many = [entry_factory(unit) for _ in range(3)]
    with pytest.raises(services.RequestError, match="at most 2 entries"):
        create(anonymous, many)


def test_a_message_over_the_limit_is_refused(anonymous, entries):
    create(anonymous, entries, message="x" * services.MESSAGE_MAX)
    with pytest.raises(services.RequestError, match="at most"):
        create(anonymous, entries, message="x" * (services.MESSAGE_MAX + 1))


@pytest.mark.parametrize("email", ["", "   "])
def test_an_empty_address_is_refused(anonymous, entries, email):
    with pytest.raises(services.RequestError, match="e-mail address"):
        create(anonymous, entries, email=email)


@pytest.mark.parametrize("email", ["not-an-address", "a@b", "x" * 250 + "@example.no", "a@example.no\nBcc: x@y.no"])
def test_a_malformed_address_is_refused(anonymous, entries, email):
    with pytest.raises(services.RequestError):
        create(anonymous, entries, email=email)
    assert not AccessRequest.objects.exists()


def test_an_unknown_language_falls_back_to_the_default(anonymous, entries):
    assert create(anonymous, entries, language="xx").language == "nb"


# --- The journal of a period (§ 28) --------------------------------------------------------------------------
def test_a_period_goes_to_the_journal_unit(anonymous, municipality):
    access_request = services.request_create(
        user=anonymous,
        email="a@example.no",
        period_from=dt.date(2026, 3, 1),
        period_to=dt.date(2026, 3, 31),
        now=oslo(2026, 4, 1, 9),
    )
    part = access_request.parts.get()
    assert part.unit.slug == "dokumentsenteret" and not part.items.exists()
    assert access_request.is_period


@pytest.mark.parametrize(
    "period, message",
    [
        ((dt.date(2026, 3, 31), dt.date(2026, 3, 1)), "on or after"),
        ((dt.date(2025, 1, 1), dt.date(2026, 3, 1)), "at most one year"),
        ((dt.date(2026, 5, 1), dt.date(2026, 5, 2)), "today or earlier"),
        ((dt.date(2026, 3, 1), None), "both the first and the last day"),
        ((None, dt.date(2026, 3, 1)), "both the first and the last day"),
    ],
)
def test_a_bad_period_is_refused(anonymous, municipality, period, message):
    with pytest.raises(services.RequestError, match=message):
        services.request_create(
            user=anonymous, email="a@example.no", period_from=period[0], period_to=period[1], now=oslo(2026, 4, 1, 9)
        )


def test_a_period_and_entries_together_are_refused(anonymous, entries):
    with pytest.raises(services.RequestError, match="not both"):
        create(anonymous, entries, period_from=dt.date(2026, 3, 1), period_to=dt.date(2026, 3, 2))


def test_a_period_without_its_unit_is_refused(anonymous, municipality, settings):
    settings.TINGET_JOURNAL_PERIOD_UNIT = "no-such-unit"
    with pytest.raises(services.RequestError, match="cannot be received"):
        services.request_create(
            user=anonymous, email="a@example.no", period_from=dt.date(2026, 3, 1), period_to=dt.date(2026, 3, 2)
        )
    assert not AccessRequest.objects.exists()


# --- Deadlines -----------------------------------------------------------------------------------------------
def test_the_deadline_counts_working_days_across_easter(anonymous, entries):
    access_request = sent_request(anonymous, entries, now=WEDNESDAY_BEFORE_EASTER)
    assert set(access_request.parts.values_list("deadline", flat=True)) == {EASTER_DEADLINE}


def test_the_deadline_runs_from_the_confirmation_not_the_basket(anonymous, entries):
    access_request = create(anonymous, entries, now=oslo(2026, 3, 27, 12))  # a Friday
    services.request_verify(token=services.verification_token(access_request), now=WEDNESDAY_BEFORE_EASTER)
    assert set(access_request.parts.values_list("deadline", flat=True)) == {EASTER_DEADLINE}


def test_a_request_sent_late_on_a_holiday_evening_counts_from_the_next_working_day(anonymous, entries):
    # Sent on Good Friday evening in Oslo (which is still Good Friday in the test's time zone): the first working
    # day is Tuesday 7 April, and five working days later is Tuesday 14 April.
    access_request = sent_request(anonymous, entries, now=oslo(2026, 4, 3, 23, 30))
    assert access_request.parts.first().deadline == dt.date(2026, 4, 14)


# --- Appeals -------------------------------------------------------------------------------------------------
def test_no_appeal_while_the_unit_still_has_time(anonymous, entries):
    access_request = sent_request(anonymous, entries, now=WEDNESDAY_BEFORE_EASTER)
    part = access_request.parts.first()
    with pytest.raises(InvalidTransition):
        services.part_appeal(access_request=access_request, part=part, now=oslo(2026, 4, 13, 23, 59))


def test_appeal_after_section_32_goes_to_the_unit_once(anonymous, entries, unit, django_capture_on_commit_callbacks):
    access_request = sent_request(anonymous, entries, now=WEDNESDAY_BEFORE_EASTER)
    part = access_request.parts.get(unit=unit)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appealed = services.part_appeal(
            access_request=access_request, part=part, message="  Ingen svar.  ", now=oslo(2026, 4, 14, 8)
        )
    assert appealed.status == RequestStatus.APPEALED and appealed.appeal_message == "Ingen svar."
    assert appealed.appealed_at == oslo(2026, 4, 14, 8)
    assert [m.to for m in mail.outbox] == [["oppvekst@example.no"]]
    with pytest.raises(InvalidTransition):
        services.part_appeal(access_request=access_request, part=part, now=oslo(2026, 4, 15, 8))


def test_appeal_after_a_refusal(anonymous, entries, unit, case_worker):
    access_request = sent_request(anonymous, entries)
    part = access_request.parts.get(unit=unit)
    refuse(part, case_worker)
    appealed = services.part_appeal(access_request=access_request, part=part, message="")
    assert appealed.status == RequestStatus.APPEALED and appealed.appeal_message == ""


def test_a_grant_cannot_be_appealed(anonymous, entries, unit, case_worker):
    access_request = sent_request(anonymous, entries)
    part = access_request.parts.get(unit=unit)
    services.part_answer(actor=case_worker, part=part, decision="granted", link="https://example.no/dokumenter")
    with pytest.raises(InvalidTransition):
        services.part_appeal(access_request=access_request, part=part, now=timezone.now() + dt.timedelta(days=30))


def test_an_appeal_over_the_limit_is_refused(anonymous, entries, unit, case_worker):
    access_request = sent_request(anonymous, entries)
    part = access_request.parts.get(unit=unit)
    refuse(part, case_worker)
    with pytest.raises(DomainError, match="at most"):
        services.part_appeal(access_request=access_request, part=part, message="x" * (services.MESSAGE_MAX + 1))
    part.refresh_from_db()
    assert part.status == RequestStatus.REFUSED


def test_another_requests_part_cannot_be_appealed(anonymous, entries, unit, case_worker):
    mine = sent_request(anonymous, entries[:1])
    theirs = sent_request(anonymous, entries[2:])
    their_part = theirs.parts.get()
    refuse(their_part, case_worker)
    with pytest.raises(NotAllowed):
        services.part_appeal(access_request=mine, part=their_part)
    their_part.refresh_from_db()
    assert their_part.status == RequestStatus.REFUSED


def test_a_request_never_confirmed_cannot_be_appealed(anonymous, entries):
    access_request = create(anonymous, entries, now=WEDNESDAY_BEFORE_EASTER)
    part = access_request.parts.first()
    with pytest.raises(InvalidTransition):
        services.part_appeal(access_request=access_request, part=part, now=oslo(2026, 5, 1, 9))


# --- The sweep: reminders and § 32 ----------------------------------------------------------------------------
def _sweep(at, capture):
    mail.outbox.clear()
    with capture(execute=True):
        return services.sweep(now=at)


def test_sweep_reminds_the_unit_and_tells_the_requester_of_section_32_across_easter(
    anonymous, entries, unit, django_capture_on_commit_callbacks
):
    access_request = sent_request(anonymous, entries[:1], now=WEDNESDAY_BEFORE_EASTER)
    part = access_request.parts.get()
    capture = django_capture_on_commit_callbacks

    # Thursday to Monday are holidays or the weekend: no working day has passed.
    assert _sweep(oslo(2026, 4, 6, 22), capture)["reminded_1"] == 0
    counts = _sweep(oslo(2026, 4, 7, 9), capture)
    assert counts["reminded_1"] == 1 and [m.to for m in mail.outbox] == [["oppvekst@example.no"]]
    assert _sweep(oslo(2026, 4, 8, 9), capture)["reminded_1"] == 0  # once
    assert _sweep(oslo(2026, 4, 9, 9), capture)["reminded_3"] == 1
    # The deadline day itself is still in time.
    counts = _sweep(oslo(2026, 4, 13, 23, 30), capture)
    assert counts["overdue_notified"] == 0 and mail.outbox == []
    counts = _sweep(oslo(2026, 4, 14, 0, 30), capture)
    assert counts["overdue_notified"] == 1
    assert [m.to for m in mail.outbox] == [["journalist@example.no"]]
    assert "§ 32" in mail.outbox[0].body and nb_path("request", key=access_request.key) in mail.outbox[0].body
    part.refresh_from_db()
    assert part.overdue_notified_at == oslo(2026, 4, 14, 0, 30) and part.status == RequestStatus.SENT
    assert _sweep(oslo(2026, 4, 15, 9), capture)["overdue_notified"] == 0  # once


def test_sweep_skips_answered_and_unconfirmed_requests(
    anonymous, entries, unit, case_worker, django_capture_on_commit_callbacks
):
    answered = sent_request(anonymous, entries[:1], now=WEDNESDAY_BEFORE_EASTER)
    refuse(answered.parts.get(), case_worker, now=oslo(2026, 4, 7, 9))
    create(anonymous, entries[2:], now=WEDNESDAY_BEFORE_EASTER)
    counts = _sweep(oslo(2026, 4, 20, 9), django_capture_on_commit_callbacks)
    assert (counts["reminded_1"], counts["reminded_3"], counts["overdue_notified"]) == (0, 0, 0)
    assert mail.outbox == []


def test_sweep_after_a_late_start_tells_of_section_32_without_reminding(
    anonymous, entries, django_capture_on_commit_callbacks
):
    # A sweep that did not run for weeks (an outage) does not send stale reminders; it tells the requester.
    sent_request(anonymous, entries[:1], now=WEDNESDAY_BEFORE_EASTER)
    counts = _sweep(oslo(2026, 5, 4, 9), django_capture_on_commit_callbacks)
    assert (counts["reminded_1"], counts["reminded_3"], counts["overdue_notified"]) == (0, 0, 1)
