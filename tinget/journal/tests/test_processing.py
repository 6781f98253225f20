"""The case worker's pages for access requests: who gets in (only the responsible unit's case workers; another
unit's get 404, residents 403, staff without a second factor are asked for one), the queue (my units, soonest
deadline first, filters, deadline tags, pages, a query ceiling), one part (the requester's data, its read logged
once per view) and the answer form (grant with files, partly, refuse; every kind of bad input; twice), and after
an appeal: answer again or send it on to the County Governor."""

# The fixtures come from test_answer_services (imported by name, so that pytest finds them): ruff's F811 would
# flag every test that takes one.
# ruff: noqa: F811

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from tinget.accounts.privacy import STAFF_READ_ACTION, staff_reads
from tinget.accounts.tests.pagecheck import assert_page_is_sound
from tinget.accounts.tests.people import fast_staff_client
from tinget.core.models import AuditEntry, Unit
from tinget.core.workdays import add_working_days, working_days_between
from tinget.journal import services
from tinget.journal.models import AccessRequestPart, AnswerFile, RequestStatus
from tinget.journal.processing_forms import LEGAL_BASIS_SUGGESTIONS
from tinget.journal.views.processing import deadline_status

from .test_answer_services import (  # noqa: F401  (fixtures)
    APPEAL,
    LEGAL_BASIS,
    PDF,
    access_request,
    administrator,
    appealed,
    at,
    entries,
    other_part,
    part,
    part_of,
    pdf,
    refuse,
    send_request,
    verified,
)


def en(name, **kwargs):
    """An address of the English pages: tests read English words, which the translators may reword in nb."""
    with translation.override("en"):
        return reverse(f"journal:{name}", kwargs=kwargs or None)


def page(response) -> str:
    return response.content.decode()


def query(location):
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def answer_file_url(pk) -> str:
    """journal:answer_file belongs to another page; "" while it does not exist."""
    try:
        return en("answer_file", pk=pk)
    except NoReverseMatch:
        return ""


def post_answer(client, part, **data):
    data.setdefault("action", "answer")
    return client.post(en("part", pk=part.pk), data)


def grant_data(**overrides):
    return {"decision": "granted", "answer": "Her er dokumentene.", **overrides}


def refuse_data(**overrides):
    return {
        "decision": "refused",
        "answer": "Dokumentet er unntatt offentlighet.",
        "legal_basis": LEGAL_BASIS,
        "appeal_information": APPEAL,
        **overrides,
    }


def unanswered(part):
    part.refresh_from_db()
    assert part.status == RequestStatus.SENT and part.answered_at is None
    assert not AnswerFile.objects.filter(part=part).exists()


def mails_to(mailoutbox, address):
    return [mail for mail in mailoutbox if address in mail.to]


@pytest.fixture
def anonymous_request(entries):
    """A journalist's request without an account (the e-mail address confirmed by the link)."""
    return send_request(entries=entries[:2], email="journalist@example.no", message="Til en artikkel.")


@pytest.fixture
def admin_client(administrator):
    return fast_staff_client(administrator)


# --- Who gets in -----------------------------------------------------------------------------------------------
class TestAccess:
    def test_anonymous_visitors_are_sent_to_log_in(self, client, part):
        for url in (en("queue"), en("part", pk=part.pk)):
            response = client.get(url)
            assert response.status_code == 302
            assert urlsplit(response.url).path == reverse("account_login")
            assert query(response.url)["next"] == url
        url = en("part", pk=part.pk)
        response = client.post(url, refuse_data(action="answer"))
        assert response.status_code == 302 and query(response.url)["next"] == url
        unanswered(part)

    def test_residents_get_403(self, resident_client, part):
        assert resident_client.get(en("queue")).status_code == 403
        assert resident_client.get(en("part", pk=part.pk)).status_code == 403
        assert post_answer(resident_client, part, **refuse_data()).status_code == 403
        assert resident_client.post(en("part", pk=part.pk), {"action": "forward"}).status_code == 403
        unanswered(part)

    def test_another_units_case_worker_gets_404_and_learns_nothing(self, other_client, part, resident):
        response = other_client.get(en("queue"))
        assert response.status_code == 200
        assert en("part", pk=part.pk) not in page(response)
        assert other_client.get(en("part", pk=part.pk)).status_code == 404
        assert post_answer(other_client, part, **refuse_data()).status_code == 404
        assert other_client.post(en("part", pk=part.pk), {"action": "forward"}).status_code == 404
        unanswered(part)
        assert staff_reads(resident).count() == 0
        assert not AuditEntry.objects.filter(action="journal.part.read").exists()

    def test_staff_without_a_second_factor_this_session_are_asked_for_a_code(self, client, case_worker, part):
        TOTP.activate(case_worker, generate_totp_secret())
        client.force_login(case_worker)
        for url in (en("queue"), en("part", pk=part.pk)):
            response = client.get(url)
            assert urlsplit(response.url).path == reverse("mfa_reauthenticate")
            assert query(response.url)["next"] == url
        response = post_answer(client, part, **refuse_data())
        assert urlsplit(response.url).path == reverse("mfa_reauthenticate")
        unanswered(part)

    def test_staff_without_an_authenticator_are_asked_to_set_one_up(self, client, case_worker, part):
        client.force_login(case_worker)
        response = client.get(en("queue"))
        assert urlsplit(response.url).path == reverse("mfa_activate_totp")

    def test_unknown_or_unsent_parts_are_404(self, staff_client, entries, unit):
        assert staff_client.get(en("part", pk=999999)).status_code == 404
        unsent = services.request_create(user=None, email="noen@example.no", entry_ids=[entries[0].pk])
        assert staff_client.get(en("part", pk=part_of(unsent, unit).pk)).status_code == 404

    def test_an_unknown_action_is_400_and_the_queue_is_read_only(self, staff_client, part):
        assert staff_client.post(en("part", pk=part.pk), {"action": "delete"}).status_code == 400
        assert staff_client.post(en("part", pk=part.pk), {}).status_code == 400
        assert staff_client.post(en("queue"), {}).status_code == 405
        unanswered(part)


# --- The queue -------------------------------------------------------------------------------------------------
def linked_parts(html) -> list[int]:
    prefix = en("part", pk=987654).split("987654")[0]
    return [int(n) for n in re.findall(re.escape(prefix) + r"(\d+)/", html)]


class TestQueue:
    def test_my_units_parts_soonest_deadline_first(self, staff_client, resident, entries, unit, other_unit):
        late = send_request(entries=entries[:1], user=resident)
        early = send_request(entries=entries, user=resident, now=timezone.now() - dt.timedelta(days=10))
        response = staff_client.get(en("queue"))
        page_ = assert_page_is_sound(response, "en")
        html = page(response)
        assert linked_parts(html) == [part_of(early, unit).pk, part_of(late, unit).pk]
        assert part_of(early, other_unit).pk not in linked_parts(html)
        assert f"Request {early.pk}" in html
        assert "2 entries" in html and "1 entry" in html
        assert "Overdue" in html
        assert page_.one("h1").text == "Access requests"

    def test_an_administrator_sees_every_unit(self, admin_client, access_request, unit, other_unit):
        html = page(admin_client.get(en("queue")))
        assert set(linked_parts(html)) == {part_of(access_request, unit).pk, part_of(access_request, other_unit).pk}
        html = page(admin_client.get(en("queue"), {"unit": other_unit.slug}))
        assert linked_parts(html) == [part_of(access_request, other_unit).pk]

    def test_filter_by_status(self, staff_client, case_worker, resident, entries, unit):
        waiting = part_of(send_request(entries=entries[:1], user=resident), unit)
        answered = part_of(send_request(entries=entries[1:2], user=resident), unit)
        services.part_answer(actor=case_worker, part=answered, decision="granted", link="https://example.no/d")
        assert linked_parts(page(staff_client.get(en("queue")))) == [waiting.pk]
        assert linked_parts(page(staff_client.get(en("queue"), {"status": "answered"}))) == [answered.pk]
        assert set(linked_parts(page(staff_client.get(en("queue"), {"status": "all"})))) == {waiting.pk, answered.pk}

    def test_a_bad_filter_is_named_and_the_defaults_apply(self, staff_client, part, other_unit):
        response = staff_client.get(en("queue"), {"status": "<script>", "unit": other_unit.slug})
        assert response.status_code == 200
        html = page(response)
        assert "error-summary" in html and "<script>" not in html
        assert linked_parts(html) == [part.pk]  # another unit's slug is not one of mine: all my units

    def test_odd_page_numbers(self, staff_client, part):
        for side in ("0", "-1", "999", "abc", "1" * 50):
            response = staff_client.get(en("queue"), {"side": side})
            assert response.status_code == 200 and linked_parts(page(response)) == [part.pk]

    def test_deadline_tags_reminders_and_appeals(self, staff_client, case_worker, resident, entries, unit):
        today = services.today()
        parts = [part_of(send_request(entries=entries[:1], user=resident), unit) for _ in range(4)]
        AccessRequestPart.objects.filter(pk=parts[0].pk).update(deadline=today - dt.timedelta(days=1))
        AccessRequestPart.objects.filter(pk=parts[1].pk).update(deadline=today, reminded_1_at=timezone.now())
        three = add_working_days(today, 3)
        AccessRequestPart.objects.filter(pk=parts[2].pk).update(deadline=three)
        services.part_answer(
            actor=case_worker, part=parts[3], decision="refused", legal_basis=LEGAL_BASIS, appeal_information=APPEAL
        )
        services.part_appeal(access_request=parts[3].request, part=parts[3])
        html = page(staff_client.get(en("queue")))
        assert linked_parts(html) == [parts[0].pk, parts[1].pk, parts[2].pk, parts[3].pk]
        rows = html.split("<tr>")[2:]
        assert "Overdue" in rows[0]
        assert "Due today" in rows[1] and "After 1 working day" in rows[1]
        assert f"{working_days_between(today, three)} working days left" in rows[2]
        assert "Appealed" in rows[3] and "Appeal waiting" in rows[3]

    def test_the_journal_of_a_period(self, admin_client, administrator):
        today = timezone.localdate()
        send_request(user=verified(administrator), period_from=today - dt.timedelta(days=7), period_to=today)
        assert "The journal of a period" in page(admin_client.get(en("queue")))

    def test_pages(self, staff_client, resident, entries, unit, settings):
        settings.TINGET_JOURNAL_PAGE_SIZE = 2
        parts = [part_of(send_request(entries=entries[:1], user=resident), unit) for _ in range(3)]
        assert linked_parts(page(staff_client.get(en("queue")))) == [parts[0].pk, parts[1].pk]
        assert linked_parts(page(staff_client.get(en("queue"), {"side": 2}))) == [parts[2].pk]
        html = page(staff_client.get(en("queue"), {"status": "all"}))
        assert "status=all" in html  # the filter stays on the page links

    def test_nothing_waiting(self, staff_client, municipality):
        response = staff_client.get(en("queue"))
        assert_page_is_sound(response, "en")
        assert "No request waits for an answer" in page(response)

    def test_the_query_count_does_not_grow_with_the_rows(
        self, staff_client, resident, entries, unit, django_assert_max_num_queries, settings
    ):
        settings.TINGET_JOURNAL_PAGE_SIZE = 20
        verified(resident)
        for n in range(3):
            send_request(entries=entries[: 1 + n % 2], user=resident)
        staff_client.get(en("queue"))  # warm: sessions, permissions, content types
        # 10 when written: session, user, second factor, permissions, units, the count and the page.
        with django_assert_max_num_queries(12) as few:
            staff_client.get(en("queue"))
        for n in range(30):
            send_request(entries=entries[: 1 + n % 2], user=resident)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = staff_client.get(en("queue"), {"side": 2})
        assert len(linked_parts(page(response))) == 13


class TestDeadlineStatus:
    """The tag's words on fixed dates: Thursday 2 April 2026 and Good Friday are holidays."""

    def part(self, deadline, status=RequestStatus.SENT):
        return AccessRequestPart(deadline=deadline, status=status)

    @pytest.mark.parametrize(
        ("today", "deadline", "label", "color"),
        [
            (dt.date(2026, 3, 10), dt.date(2026, 3, 9), "Overdue", "danger"),
            (dt.date(2026, 3, 9), dt.date(2026, 3, 9), "Due today", "warning"),
            (dt.date(2026, 3, 6), dt.date(2026, 3, 9), "1 working day left", "warning"),
            (dt.date(2026, 3, 2), dt.date(2026, 3, 9), "5 working days left", "info"),
            (dt.date(2026, 4, 1), dt.date(2026, 4, 8), "2 working days left", "info"),
            (dt.date(2026, 3, 7), dt.date(2026, 3, 9), "1 working day left", "warning"),
        ],
    )
    def test_waiting(self, today, deadline, label, color):
        with translation.override("en"):
            assert deadline_status(self.part(deadline), today) == (label, color)

    def test_answered_and_appealed_do_not_run_against_the_deadline(self):
        with translation.override("en"):
            past = dt.date(2026, 1, 1)
            assert deadline_status(self.part(past, RequestStatus.APPEALED), dt.date(2026, 3, 1))[0] == "Appeal waiting"
            assert deadline_status(self.part(past, RequestStatus.GRANTED), dt.date(2026, 3, 1)) == (
                "Granted",
                "success",
            )


# --- One part --------------------------------------------------------------------------------------------------
class TestOnePart:
    def test_everything_about_it_and_the_read_is_logged_once(self, staff_client, part, resident, unit):
        response = staff_client.get(en("part", pk=part.pk))
        page_ = assert_page_is_sound(response, "en")
        html = page(response)
        assert resident.email in html and "Jeg skriver om skoleskyss." in html
        for item in part.items.all():
            assert item.entry_number in html and item.title in html
        assert part.deadline.isoformat() in html
        assert "Sent to" in html
        # The answer form: three radio buttons, the legal basis with its suggestions, the standard appeal text.
        assert {radio.attrs["value"] for radio in page_.all("input", name="decision")} == {
            "granted",
            "partly_granted",
            "refused",
        }
        assert page_.one("input", name="legal_basis").attrs["list"] == "legal-basis-suggestions"
        assert page_.one("datalist", id="legal-basis-suggestions")
        for suggestion in LEGAL_BASIS_SUGGESTIONS:
            assert f'value="{suggestion}"' in html
        assert "Statsforvalteren" in html and "three weeks" in html
        assert page_.one("input", name="files").attrs.get("multiple") is not None
        assert page_.one("form", enctype="multipart/form-data")
        assert staff_reads(resident).count() == 1
        read = AuditEntry.objects.get(action=STAFF_READ_ACTION)
        assert read.data["unit"] == unit.name
        assert not AuditEntry.objects.filter(action="journal.part.read").exists()
        staff_client.get(en("part", pk=part.pk))
        assert staff_reads(resident).count() == 2

    def test_a_request_without_an_account_is_logged_as_a_read_of_the_part(self, staff_client, anonymous_request, unit):
        part = part_of(anonymous_request, unit)
        html = page(staff_client.get(en("part", pk=part.pk)))
        assert "journalist@example.no" in html and "Til en artikkel." in html
        read = AuditEntry.objects.get(action="journal.part.read")
        assert read.target_id == str(part.pk)
        assert not AuditEntry.objects.filter(action=STAFF_READ_ACTION).exists()

    def test_in_norwegian_too(self, staff_client, part, resident):
        with translation.override("nb"):
            urls = [reverse("journal:queue"), reverse("journal:part", kwargs={"pk": part.pk})]
        for url in urls:
            response = staff_client.get(url)
            assert_page_is_sound(response, "nb")
        assert staff_reads(resident).count() == 1

    def test_entries_link_to_their_pages_when_the_pages_exist(self, staff_client, part, entries):
        html = page(staff_client.get(en("part", pk=part.pk)))
        try:
            url = en("entry", pk=entries[0].pk)
        except NoReverseMatch:
            pytest.skip("journal:entry is not written yet")
        assert f'href="{url}"' in html

    def test_screening_is_shown(self, staff_client, resident, entry_factory, unit):
        entry = entry_factory(unit, title="Klage på vedtak", restriction_code="13", legal_basis="Offl. § 13")
        part = part_of(send_request(entries=[entry], user=resident), unit)
        html = page(staff_client.get(en("part", pk=part.pk)))
        assert "Screened" in html and "Offl. § 13" in html


# --- Answering -------------------------------------------------------------------------------------------------
class TestAnswer:
    def test_grant_with_files(self, staff_client, case_worker, part, resident, mailoutbox):
        files = [pdf("Vedtak.pdf"), pdf("Kart.png", b"\x89PNG\r\n", "image/png")]
        response = post_answer(staff_client, part, **grant_data(files=files))
        assert response.status_code == 302 and response.url == en("part", pk=part.pk)
        part.refresh_from_db()
        assert part.status == RequestStatus.GRANTED and part.answered_by == case_worker
        assert part.working_days_to_answer == working_days_between(part.sent_at, part.answered_at) == 0
        stored = list(AnswerFile.objects.filter(part=part).order_by("pk"))
        assert [f.name for f in stored] == ["Vedtak.pdf", "Kart.png"]
        [mail] = mails_to(mailoutbox, resident.email)
        assert "Her er dokumentene." in mail.body
        # Afterwards: the answer read-only, no form.
        response = staff_client.get(response.url)
        page_ = assert_page_is_sound(response, "en")
        html = page(response)
        assert "The answer is sent." in html
        assert not page_.all("input", name="decision")
        assert "Vedtak.pdf" in html and "Kart.png" in html
        # The requester fetches the files (the download page is another helper's: tested when it exists).
        url = answer_file_url(stored[0].pk)
        if url:
            assert f'href="{url}"' in html
            download = verified_client(resident).get(url)
            assert download.status_code == 200
            assert b"".join(download.streaming_content) == PDF

    def test_refuse(self, staff_client, part, resident, mailoutbox):
        response = post_answer(staff_client, part, **refuse_data())
        assert response.status_code == 302
        part.refresh_from_db()
        assert part.status == RequestStatus.REFUSED and part.legal_basis == LEGAL_BASIS
        [mail] = mails_to(mailoutbox, resident.email)
        assert LEGAL_BASIS in mail.body and APPEAL in mail.body
        html = page(staff_client.get(en("part", pk=part.pk)))
        assert "Refused" in html and LEGAL_BASIS in html

    def test_partly(self, staff_client, part):
        first, second = part.items.order_by("pk")
        response = post_answer(
            staff_client,
            part,
            **refuse_data(decision="partly_granted", link="https://asker.kommune.no/innsyn/1"),
            **{f"item_{first.pk}": "granted", f"item_{second.pk}": "refused"},
        )
        assert response.status_code == 302
        part.refresh_from_db()
        assert part.status == RequestStatus.PARTLY_GRANTED
        assert list(part.items.order_by("pk").values_list("decision", flat=True)) == ["granted", "refused"]

    def test_a_period_is_granted_without_files(self, admin_client, administrator, municipality):
        today = timezone.localdate()
        access_request = send_request(
            user=verified(administrator), period_from=today - dt.timedelta(days=7), period_to=today
        )
        part = part_of(access_request, Unit.objects.get(slug="dokumentsenteret"))
        response = post_answer(admin_client, part, **grant_data())
        assert response.status_code == 302
        part.refresh_from_db()
        assert part.status == RequestStatus.GRANTED


class TestBadAnswers:
    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"answer": "Uten beslutning."}, "Choose whether to grant, partly grant or refuse."),
            (refuse_data(decision="perhaps"), "Choose whether to grant, partly grant or refuse."),
            (refuse_data(legal_basis=""), "Give the legal basis for refusing access"),
            (refuse_data(legal_basis="   "), "Give the legal basis for refusing access"),
            (refuse_data(appeal_information=""), "Tell the requester how to appeal."),
            (refuse_data(legal_basis="x" * 301), "at most 300 characters"),
            (refuse_data(answer="x" * (services.ANSWER_MAX + 1)), "at most 10000 characters"),
            (refuse_data(answer="<script>alert(1)</script>"), "plain text"),
            (grant_data(), "Attach the documents or give a link"),
            (grant_data(link="javascript:alert(1)"), "Enter a valid URL."),
            (grant_data(link="ftp://example.no/dokument"), "Enter a valid URL."),
            (grant_data(link="https://" + "a" * 500 + ".no"), "at most 500 characters"),
            (refuse_data(decision="partly_granted", link="https://example.no"), "granted or refused"),
        ],
        ids=[
            "no decision",
            "unknown decision",
            "refusal without legal basis",
            "blank legal basis",
            "refusal without appeal text",
            "long legal basis",
            "long answer",
            "markup",
            "grant without documents",
            "javascript link",
            "ftp link",
            "long link",
            "partly without choices",
        ],
    )
    def test_refused_with_a_message_and_what_was_typed_kept(self, staff_client, part, data, message, mailoutbox):
        response = post_answer(staff_client, part, **data)
        assert response.status_code == 400
        html = page(response)
        assert 'id="error-summary"' in html
        assert message.replace("'", "&#x27;") in html, message
        if data.get("answer") and len(data["answer"]) < 100 and "<" not in data["answer"]:
            assert data["answer"] in html
        unanswered(part)
        assert mailoutbox == []

    def test_partly_with_every_entry_refused(self, staff_client, part):
        first, second = part.items.order_by("pk")
        response = post_answer(
            staff_client,
            part,
            **refuse_data(decision="partly_granted", link="https://example.no"),
            **{f"item_{first.pk}": "refused", f"item_{second.pk}": "refused"},
        )
        assert response.status_code == 400 and "Nothing is granted" in page(response)
        unanswered(part)

    def test_partly_with_one_entry(self, staff_client, resident, entries, unit):
        part = part_of(send_request(entries=entries[:1], user=resident), unit)
        item = part.items.get()
        response = post_answer(
            staff_client,
            part,
            **refuse_data(decision="partly_granted", link="https://example.no"),
            **{f"item_{item.pk}": "granted"},
        )
        # One document with parts held back: the usual partial grant.
        assert response.status_code == 302
        part.refresh_from_db()
        item.refresh_from_db()
        assert part.status == "partly_granted" and item.decision == "granted"

    @pytest.mark.parametrize("name", ["program.exe", "side.html", "uten-endelse"])
    def test_a_forbidden_kind_of_file(self, staff_client, part, name):
        response = post_answer(staff_client, part, **grant_data(files=[pdf(name)]))
        assert response.status_code == 400
        html = page(response)
        assert "cannot be sent" in html and name in html
        assert "Choose them again" in html
        assert "Her er dokumentene." in html  # the text is kept; the files must be chosen again
        unanswered(part)

    @override_settings(TINGET_JOURNAL_ANSWER_FILE_MAX_BYTES=1024)
    def test_an_oversized_file(self, staff_client, part):
        response = post_answer(staff_client, part, **grant_data(files=[pdf(content=PDF * 100)]))
        assert response.status_code == 400
        assert "is larger than" in page(response) and "Choose them again" in page(response)
        unanswered(part)

    def test_an_empty_file(self, staff_client, part):
        response = post_answer(staff_client, part, **grant_data(files=[pdf(content=b"")]))
        assert response.status_code == 400
        unanswered(part)

    def test_too_many_files(self, staff_client, part):
        files = [pdf(f"Vedlegg {n}.pdf") for n in range(services.ANSWER_FILES_MAX + 1)]
        response = post_answer(staff_client, part, **grant_data(files=files))
        assert response.status_code == 400
        assert "Send at most 20 files" in page(response)
        unanswered(part)

    def test_a_domain_error_from_the_service_is_shown_on_the_form(self, staff_client, part, monkeypatch):
        from tinget.core.errors import DomainError

        def refuse_it(**kwargs):
            raise DomainError("The archive is closed for maintenance.")

        monkeypatch.setattr(services, "part_answer", refuse_it)
        response = post_answer(staff_client, part, **grant_data(link="https://example.no/d"))
        assert response.status_code == 400
        html = page(response)
        assert 'id="error-summary"' in html and "The archive is closed for maintenance." in html
        assert 'value="https://example.no/d"' in html
        unanswered(part)

    def test_answering_twice(self, staff_client, part, resident, mailoutbox):
        assert post_answer(staff_client, part, **grant_data(files=[pdf()])).status_code == 302
        response = post_answer(staff_client, part, **refuse_data())
        assert response.status_code == 409
        assert "already been answered" in page(response)
        part.refresh_from_db()
        assert part.status == RequestStatus.GRANTED
        assert AnswerFile.objects.filter(part=part).count() == 1
        assert len(mails_to(mailoutbox, resident.email)) == 1

    def test_the_answer_of_another_units_part_through_my_own_page(self, staff_client, part, other_part):
        """The items of another part sent with mine are ignored: only my part's items are choices."""
        other_item = other_part.items.first()
        first, second = part.items.order_by("pk")
        response = post_answer(
            staff_client,
            part,
            **refuse_data(decision="partly_granted", link="https://example.no"),
            **{f"item_{first.pk}": "granted", f"item_{second.pk}": "refused", f"item_{other_item.pk}": "granted"},
        )
        assert response.status_code == 302
        other_part.refresh_from_db()
        assert other_part.status == RequestStatus.SENT
        assert other_part.items.get().decision == ""


# --- After an appeal -------------------------------------------------------------------------------------------
class TestAppeal:
    def test_the_appeal_and_the_two_ways_on(self, staff_client, appealed):
        response = staff_client.get(en("part", pk=appealed.pk))
        page_ = assert_page_is_sound(response, "en")
        html = page(response)
        assert "Dokumentet må være offentlig." in html
        assert "Answer again" in html and "Send the appeal to the County Governor" in html
        checked = [radio for radio in page_.all("input", name="decision") if "checked" in radio.attrs]
        assert [radio.attrs["value"] for radio in checked] == ["granted"]
        assert LEGAL_BASIS in html  # the first answer, read-only

    def test_answer_again_and_grant(self, staff_client, appealed, resident, mailoutbox):
        response = post_answer(staff_client, appealed, **grant_data(link="https://example.no/d"))
        assert response.status_code == 302
        part = AccessRequestPart.objects.get(pk=appealed.pk)
        assert part.status == RequestStatus.GRANTED
        assert len(mails_to(mailoutbox, resident.email)) == 1

    def test_send_to_the_county_governor(self, staff_client, appealed, resident, mailoutbox):
        url = en("part", pk=appealed.pk)
        response = staff_client.post(url, {"action": "forward", "note": "Vi opprettholder avslaget."})
        assert response.status_code == 302
        part = AccessRequestPart.objects.get(pk=appealed.pk)
        assert part.status == RequestStatus.FORWARDED
        [mail] = mails_to(mailoutbox, resident.email)
        assert "Vi opprettholder avslaget." in mail.body
        response = staff_client.get(url)
        page_ = assert_page_is_sound(response, "en")
        html = page(response)
        assert "The appeal was sent to the County Governor" in html
        assert not page_.all("input", name="decision")
        # Twice: nothing more happens.
        response = staff_client.post(url, {"action": "forward", "note": "Igjen."})
        assert response.status_code == 409 and "already been sent" in page(response)
        assert len(mails_to(mailoutbox, resident.email)) == 1

    def test_forward_bad_input(self, staff_client, appealed):
        url = en("part", pk=appealed.pk)
        response = staff_client.post(url, {"action": "forward", "note": "x" * (services.ANSWER_MAX + 1)})
        assert response.status_code == 400 and 'id="error-summary"' in page(response)
        response = staff_client.post(url, {"action": "forward", "note": "<b>fet</b>"})
        assert response.status_code == 400
        assert AccessRequestPart.objects.get(pk=appealed.pk).status == RequestStatus.APPEALED

    def test_forward_a_part_that_is_not_appealed(self, staff_client, part):
        response = staff_client.post(en("part", pk=part.pk), {"action": "forward", "note": ""})
        assert response.status_code == 409 and "Only an appealed request" in page(response)
        unanswered(part)

    def test_another_unit_cannot_forward(self, other_client, appealed):
        response = other_client.post(en("part", pk=appealed.pk), {"action": "forward"})
        assert response.status_code == 404
        assert AccessRequestPart.objects.get(pk=appealed.pk).status == RequestStatus.APPEALED


def verified_client(user):
    from django.conf import settings

    from tinget.core.tests.clients import CommittingClient

    client = CommittingClient()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_dates_are_norwegian_working_days(staff_client, resident, entries, unit):
    """A request sent on the Wednesday before Easter 2026 is due on Monday 13 April."""
    part = part_of(send_request(entries=entries[:1], user=resident, now=at(2026, 4, 1)), unit)
    html = page(staff_client.get(en("part", pk=part.pk)))
    assert "2026-04-13" in html
