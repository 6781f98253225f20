"""What the mail journal gives the rest of the platform: the Min side section (my access requests and where each
stands, in one query), the site search (public entries only), and privacy (download my data; delete my account
deletes what is done and keeps, without the account, what a unit is still working on)."""

import datetime as dt
import json
import zipfile

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from tinget.accounts import privacy
from tinget.core.models import AuditEntry
from tinget.core.registry import registry
from tinget.journal import providers, services
from tinget.journal.models import AccessRequest, AnswerFile, JournalEntry, RequestStatus

pytestmark = pytest.mark.django_db

LINK = "https://example.no/innsyn/dokumenter"
BASIS = "Offl. § 13 jf. fvl. § 13"
APPEAL = "Du kan klage innen tre uker. Klagen sendes til kommunen."


# --- Helpers the other test files use too ------------------------------------------------------------------------


def send(entries=(), *, email="kari@example.no", user=None, now=None, message="", period=None):
    """An access request as the basket sends it, with the e-mail address verified by the mailed link."""
    period_from, period_to = period or (None, None)
    access_request = services.request_create(
        user=user,
        email=email,
        entry_ids=[e.pk for e in entries],
        message=message,
        period_from=period_from,
        period_to=period_to,
        now=now,
    )
    return services.request_verify(token=services.verification_token(access_request), now=now)


def part_of(access_request, unit):
    return access_request.parts.get(unit=unit)


def grant(worker, part, *, files=(), now=None):
    return services.part_answer(
        actor=worker, part=part, decision="granted", answer="Her er dokumentene.", link=LINK, files=files, now=now
    )


def refuse(worker, part, *, now=None):
    return services.part_answer(
        actor=worker,
        part=part,
        decision="refused",
        answer="Dokumentet er unntatt.",
        legal_basis=BASIS,
        appeal_information=APPEAL,
        now=now,
    )


def pdf(name="svar.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"x" * 100 + b"\n%%EOF\n", content_type="application/pdf")


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def url_or_empty(name, **kwargs):
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:  # the pages are not mounted yet
        return ""


# --- Fixtures -----------------------------------------------------------------------------------------------------


@pytest.fixture
def entries(unit, other_unit, entry_factory):
    return {
        "school": entry_factory(unit, title="Søknad om skoleskyss", case_title="Skoleskyss"),
        "kindergarten": entry_factory(unit, title="Søknad om barnehageplass", case_title="Barnehageopptak"),
        "building": entry_factory(
            other_unit,
            title="Rammetillatelse for tilbygg",
            case_title="Byggesak Holmen",
            correspondents=(("recipient", "Nordvik Arkitekter AS", False),),
        ),
    }


@pytest.fixture
def me(resident):
    return verified(resident)


# --- Min side -----------------------------------------------------------------------------------------------------


class TestMinSide:
    def test_each_request_with_where_it_stands(
        self, me, entries, unit, other_unit, case_worker, other_worker, django_capture_on_commit_callbacks
    ):
        e = entries
        long_ago = timezone.now() - dt.timedelta(days=30)
        waiting = send([e["school"]], user=me, email=me.email)
        half = send([e["kindergarten"], e["building"]], user=me, email=me.email)
        grant(other_worker, part_of(half, other_unit), files=[pdf()])
        overdue = send([e["school"]], user=me, email=me.email, now=long_ago)
        granted = send([e["building"]], user=me, email=me.email)
        grant(other_worker, part_of(granted, other_unit))
        refused = send([e["school"], e["building"]], user=me, email=me.email)
        refuse(case_worker, part_of(refused, unit))
        grant(other_worker, part_of(refused, other_unit))
        unsent = services.request_create(user=me, email="annen@example.no", entry_ids=[e["school"].pk])

        with translation.override("en"):
            section = providers.min_side(me)
            by_url = {item["url"]: item for item in section.items}
            assert section.title == "Access requests"
            assert len(section.items) == providers.MIN_SIDE_ITEMS
            status = {url: item["status"] for url, item in by_url.items()}

            def of(r):
                return status[url_or_empty("journal:request", key=r.key)]

            if not url_or_empty("journal:request", key=waiting.key):
                pytest.skip("the journal's pages are not mounted yet")
            assert section.more_url == reverse("journal:mine")
            assert of(unsent) == "Not sent: confirm your e-mail address with the link we sent you"
            assert of(refused) == "Partly granted"
            assert of(granted) == "Granted"
            assert of(overdue) == "No answer in time: you may appeal"
            assert of(half).startswith("1 of 2 units have answered; the rest answer by ")
            assert waiting.pk not in [int(i["title"].split(":")[0].split()[-1]) for i in section.items]  # the 6th
            titles = [item["title"] for item in section.items]
            assert titles[0] == f"Access request {unsent.pk}: 1 entry"
            assert f"Access request {refused.pk}: 2 entries" in titles

    def test_waiting_refused_appealed_and_forwarded(self, me, entries, unit, case_worker):
        access_request = send([entries["school"]], user=me, email=me.email)
        part = part_of(access_request, unit)
        with translation.override("en"):
            assert providers.min_side(me).items[0]["status"].startswith("Sent: answer by ")
            refuse(case_worker, part)
            assert providers.min_side(me).items[0]["status"] == "Refused"
            services.part_appeal(access_request=access_request, part=part, message="Jeg klager.")
            assert providers.min_side(me).items[0]["status"] == "Appealed: waiting for the unit"
            services.part_forward(actor=case_worker, part=part)
            assert providers.min_side(me).items[0]["status"] == "Appeal sent to the County Governor"

    def test_a_request_for_a_period_of_the_journal(self, me, municipality, settings):
        settings.TINGET_JOURNAL_PERIOD_UNIT = "dokumentsenteret"
        send(user=me, email=me.email, period=(dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
        with translation.override("en"):
            (item,) = providers.min_side(me).items
            assert item["title"].endswith(": the journal from 1. March 2026 to 31. March 2026")

    def test_one_query_and_only_my_own(self, me, entries, astrid, django_assert_num_queries):
        send([entries["school"]], email="astrid@example.no", user=astrid)
        for _ in range(3):
            send([entries["school"], entries["building"]], user=me, email=me.email)
        with django_assert_num_queries(1):
            section = providers.min_side(me)
        assert len(section.items) == 3
        with django_assert_num_queries(0):
            assert providers.min_side(AnonymousUser()).items == []

    def test_nothing_yet(self, me):
        section = providers.min_side(me)
        assert section.items == [] and section.empty_text

    def test_the_min_side_page_shows_it(self, me, entries, resident_client):
        access_request = send([entries["school"]], user=me, email=me.email)
        page = resident_client.get(reverse("accounts:min_side"))
        assert page.status_code == 200
        text = page.content.decode()
        assert reverse("journal:request", kwargs={"key": access_request.key}) in text
        assert reverse("journal:mine") in text


@pytest.fixture
def astrid(django_user_model):
    return verified(django_user_model.objects.create_user("astrid@example.no", "et-langt-passord-123"))


# --- Site search --------------------------------------------------------------------------------------------------


class TestSiteSearch:
    def test_finds_public_entries_by_title_case_and_correspondent(self, entries):
        for query in ("skoleskyss", "barnehageopptak", "nordvik arkitekter", '"tilbygg"'):
            hits = providers.search(query, AnonymousUser())
            assert len(hits) == 1, query
        (hit,) = providers.search("skoleskyss", AnonymousUser())
        school = entries["school"]
        assert hit.module == "journal" and hit.title == f"{school.entry_number} Søknad om skoleskyss"
        assert hit.url == url_or_empty("journal:entry", pk=school.pk)
        with translation.override("en"):
            summary = providers.search("skoleskyss", AnonymousUser())[0].summary
        assert summary.startswith("Mail journal · Incoming document · ") and summary.endswith(school.unit.name)

    def test_never_a_withdrawn_entry_even_for_staff(self, entries, case_worker):
        JournalEntry.objects.filter(pk=entries["school"].pk).update(withdrawn_at=timezone.now())
        assert providers.search("skoleskyss", case_worker) == []
        assert providers.search("skoleskyss", AnonymousUser()) == []

    @pytest.mark.parametrize("query", ["", "   ", None, "-skole", '-"asker sentrum"', '"', "AND OR", "\x00"])
    def test_nothing_or_only_exclusions_finds_nothing(self, entries, query):
        assert providers.search(query, AnonymousUser()) == []

    @pytest.mark.parametrize("query", ["x" * 100_000, "😀" * 300, "skole* NEAR(a b) ^c:d", "'; DROP TABLE x; --"])
    def test_hostile_input_never_raises(self, entries, query):
        providers.search(query, AnonymousUser())

    def test_at_most_ten(self, unit, entry_factory):
        for n in range(12):
            entry_factory(unit, title=f"Skoleskyss nummer {n}")
        assert len(providers.search("skoleskyss", AnonymousUser())) == providers.SEARCH_HITS

    def test_the_site_search_page(self, entries, client):
        page = client.get(reverse("core:search"), {"q": "skoleskyss"})
        assert page.status_code == 200 and "Søknad om skoleskyss" in page.content.decode()


# --- Registry -----------------------------------------------------------------------------------------------------


def test_the_registry_entry():
    module = registry.get("journal")
    assert module.min_side is providers.min_side and module.search is providers.search
    assert module.demo is providers.demo
    assert module.personal_data is providers.personal_data and module.erase is providers.erase
    assert module.api_router == "tinget.journal.api.router"
    assert module.retention


# --- Privacy ------------------------------------------------------------------------------------------------------


class TestPersonalData:
    def test_my_requests_with_the_answers_and_my_appeals(
        self, me, entries, unit, other_unit, case_worker, other_worker
    ):
        access_request = send(
            [entries["school"], entries["building"]], user=me, email=me.email, message="Til en artikkel."
        )
        refuse(case_worker, part_of(access_request, unit))
        grant(other_worker, part_of(access_request, other_unit), files=[pdf()])
        services.part_appeal(
            access_request=access_request, part=part_of(access_request, unit), message="Jeg klager på avslaget."
        )

        data = privacy.personal_data(me)["modules"]["journal"]

        (mine,) = data["access_requests"]
        assert mine["number"] == access_request.pk and mine["email"] == me.email
        assert mine["message"] == "Til en artikkel." and mine["sent_at"] and mine["linked_to_account"] is True
        parts = {p["unit"]: p for p in mine["parts"]}
        refused = parts[unit.name]
        assert refused["status"] == RequestStatus.APPEALED and refused["legal_basis"] == BASIS
        assert refused["how_to_appeal"] == APPEAL and refused["appeal"] == "Jeg klager på avslaget."
        assert refused["entries"] == [
            {
                "entry": entries["school"].pk,
                "entry_number": entries["school"].entry_number,
                "title": "Søknad om skoleskyss",
                "decision": "refused",
            }
        ]
        granted = parts[other_unit.name]
        assert granted["status"] == "granted" and granted["link"] == LINK
        assert granted["files"] == [{"name": "svar.pdf", "size": 116, "content_type": "application/pdf"}]
        json.dumps(data, cls=DjangoJSONEncoder)  # what the download writes

    def test_requests_sent_without_login_from_my_verified_address_are_mine(self, me, astrid, entries):
        send([entries["school"]], email=me.email.upper())
        send([entries["school"]], email=astrid.email)
        send([entries["school"]], email="someone@example.no")
        data = providers.personal_data(me)
        assert [r["email"] for r in data["access_requests"]] == [me.email.upper()]
        assert data["access_requests"][0]["linked_to_account"] is False

    def test_an_unverified_address_proves_nothing(self, resident, entries):
        send([entries["school"]], email=resident.email)
        assert providers.personal_data(resident) == {"access_requests": []}

    def test_the_download_holds_it(self, me, entries):
        send([entries["school"]], user=me, email=me.email, message="Til en artikkel.")
        file, _name = privacy.export_personal_data(user=me, language="en")
        with zipfile.ZipFile(file) as archive:
            data = json.loads(archive.read("data.json"))
        assert data["modules"]["journal"]["access_requests"][0]["message"] == "Til en artikkel."


class TestErase:
    def test_done_requests_go_and_open_ones_stay_without_the_account(
        self,
        me,
        astrid,
        entries,
        unit,
        other_unit,
        case_worker,
        other_worker,
        django_capture_on_commit_callbacks,
    ):
        e = entries
        with django_capture_on_commit_callbacks(execute=True):
            answered = send([e["school"], e["building"]], user=me, email=me.email)
            refuse(case_worker, part_of(answered, unit))
            grant(other_worker, part_of(answered, other_unit), files=[pdf()])
            waiting = send([e["kindergarten"]], user=me, email=me.email)
            appealed = send([e["building"]], user=me, email=me.email)
            refuse(other_worker, part_of(appealed, other_unit))
            services.part_appeal(access_request=appealed, part=part_of(appealed, other_unit))
            forwarded = send([e["school"]], user=me, email=me.email)
            refuse(case_worker, part_of(forwarded, unit))
            services.part_appeal(access_request=forwarded, part=part_of(forwarded, unit))
            services.part_forward(actor=case_worker, part=part_of(forwarded, unit))
            without_login = send([e["school"]], email=me.email)
            grant(case_worker, part_of(without_login, unit))
            unsent = services.request_create(user=me, email="ny@example.no", entry_ids=[e["school"].pk])
            others = send([e["school"]], user=astrid, email=astrid.email)
        stored = AnswerFile.objects.get(part__request=answered).file
        assert stored.storage.exists(stored.name)
        user_id = me.pk

        with django_capture_on_commit_callbacks(execute=True):
            privacy.delete_account(user=me)

        left = {r.pk: r for r in AccessRequest.objects.all()}
        assert set(left) == {waiting.pk, appealed.pk, forwarded.pk, others.pk}
        for kept in (waiting, appealed, forwarded):
            assert left[kept.pk].user_id is None and left[kept.pk].email == "kari@example.no"
        assert left[others.pk].user_id == astrid.pk
        assert not stored.storage.exists(stored.name)
        assert unsent.pk not in left and without_login.pk not in left
        # The audit log keeps the account number, not the address.
        assert not AuditEntry.objects.filter(actor_label__iexact="kari@example.no").exists()
        assert AuditEntry.objects.filter(action="journal.request.sent", actor_label=f"#{user_id}").exists()
        assert AuditEntry.objects.filter(action="journal.request.sent", actor_label="astrid@example.no").exists()

    def test_a_unit_can_still_answer_a_kept_request(self, me, entries, unit, case_worker, mailoutbox):
        waiting = send([entries["school"]], user=me, email=me.email)
        providers.erase(me)
        part = grant(case_worker, part_of(waiting, unit))
        assert part.status == RequestStatus.GRANTED
        assert AccessRequest.objects.get(pk=waiting.pk).email == me.email

    def test_nothing_to_erase(self, me):
        providers.erase(me)
        assert not AuditEntry.objects.filter(action="journal.request.requester_erased").exists()

    def test_the_privacy_page_says_what_is_kept(self, settings):
        settings.TINGET_JOURNAL_REQUEST_RETENTION_DAYS = 1000
        settings.TINGET_JOURNAL_NAME_SEARCH_DAYS = 200
        with translation.override("en"):
            rules = {rule["module"].slug: str(rule["retention"]) for rule in privacy.retention_rules()}
        assert "1000 days" in rules["journal"] and "200 days" in rules["journal"]
        assert "still working on" in rules["journal"]
