"""The answer services on their own: services.part_answer (grant with files or a link, partly grant per entry,
refuse with the legal basis and how to appeal; again after an appeal) and services.part_forward (an appeal sent on
to the County Governor): the rules, bad input, duplicates, who may, the e-mails, the statistics field and the
stored files. The helpers at the top make sent requests as the requesting pages do, and the view and admin tests
import them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone, translation

from tinget.accounts.staff import ADMINISTRATOR, CASE_WORKER
from tinget.accounts.tests.people import new_staff
from tinget.core.errors import DomainError, InvalidTransition, NotAllowed
from tinget.core.models import AuditEntry, Unit
from tinget.core.workdays import working_days_between
from tinget.journal import rules, services
from tinget.journal.models import AccessRequestItem, AccessRequestPart, AnswerFile, RequestStatus

OSLO = ZoneInfo("Europe/Oslo")
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
LEGAL_BASIS = "Offl. § 13 jf. fvl. § 13"
APPEAL = "Du kan klage innen tre uker. Klagen sendes oss; Statsforvalteren avgjør den."

pytestmark = pytest.mark.usefixtures("english")


def at(year, month, day, hour=10):
    """A moment in Norway."""
    return dt.datetime(year, month, day, hour, tzinfo=OSLO)


def pdf(name="Vedtak.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def verified(user):
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def send_request(*, entries=(), user=None, email=None, now=None, **kwargs):
    """A sent request, as the basket leaves it: at once for a logged-in person with a verified address, otherwise
    after the e-mailed link is followed."""
    if user is not None:
        verified(user)
        email = email or user.email
    access_request = services.request_create(
        user=user, email=email, entry_ids=[entry.pk for entry in entries], now=now, **kwargs
    )
    if access_request.sent_at is None:
        services.request_verify(token=services.verification_token(access_request), now=now)
    access_request.refresh_from_db()
    return access_request


def part_of(access_request, unit) -> AccessRequestPart:
    return AccessRequestPart.objects.select_related("request", "unit").get(request=access_request, unit=unit)


@pytest.fixture
def entries(entry_factory, unit, other_unit):
    """Two entries of the case worker's unit (oppvekst) and one of the other unit (plan og bygning)."""
    return [
        entry_factory(unit, title="Søknad om skoleskyss for elev"),
        entry_factory(unit, title="Svar på søknad om skoleskyss", type="U"),
        entry_factory(other_unit, title="Byggesak Holmen brygge", case_title="Holmen brygge"),
    ]


@pytest.fixture
def access_request(resident, entries):
    """Kari's request (she has an account), sent a while ago so that the deadline runs."""
    return send_request(entries=entries, user=resident, message="Jeg skriver om skoleskyss.")


@pytest.fixture
def part(access_request, unit):
    return part_of(access_request, unit)


@pytest.fixture
def other_part(access_request, other_unit):
    return part_of(access_request, other_unit)


@pytest.fixture
def administrator(municipality):
    return new_staff("ada@example.no", ADMINISTRATOR)


def items_of(part):
    return list(AccessRequestItem.objects.filter(part=part).order_by("pk"))


def answer(actor, part, decision="granted", **kwargs):
    return services.part_answer(actor=actor, part=part, decision=decision, **kwargs)


def refuse(actor, part, **kwargs):
    kwargs.setdefault("legal_basis", LEGAL_BASIS)
    kwargs.setdefault("appeal_information", APPEAL)
    kwargs.setdefault("answer", "Dokumentet er unntatt fordi det inneholder taushetsbelagte opplysninger.")
    return answer(actor, part, "refused", **kwargs)


def unanswered(part):
    part.refresh_from_db()
    assert part.status == RequestStatus.SENT
    assert part.answered_at is None and part.answered_by is None and part.working_days_to_answer is None
    assert part.answer == "" and part.legal_basis == "" and part.link == ""
    assert not AnswerFile.objects.filter(part=part).exists()
    assert all(item.decision == "" for item in items_of(part))


# --- Granting ----------------------------------------------------------------------------------------------------
class TestGrant:
    def test_with_a_file_everything_is_recorded_and_the_requester_told(
        self, case_worker, part, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            answered = answer(case_worker, part, answer="Her er dokumentene.", files=[pdf()])
        part.refresh_from_db()
        assert part.status == RequestStatus.GRANTED == answered.status
        assert part.answered_by == case_worker and part.answered_at is not None
        assert part.answer == "Her er dokumentene."
        assert part.working_days_to_answer == working_days_between(part.sent_at, part.answered_at)
        assert {item.decision for item in items_of(part)} == {AccessRequestItem.Decision.GRANTED}
        stored = AnswerFile.objects.get(part=part)
        assert (stored.name, stored.size, stored.content_type) == ("Vedtak.pdf", len(PDF), "application/pdf")
        with stored.file.open("rb") as handle:
            assert handle.read() == PDF
        assert AuditEntry.objects.filter(action="journal.part.granted", target_id=str(part.pk)).count() == 1
        [mail] = mailoutbox
        assert mail.to == [part.request.email]
        assert str(part.request.pk) in mail.subject
        with translation.override("nb"):
            assert part.request.get_absolute_url() in mail.body

    def test_with_a_link_only(self, case_worker, part):
        answer(case_worker, part, link="https://asker.kommune.no/innsyn/123")
        part.refresh_from_db()
        assert part.status == RequestStatus.GRANTED and part.link == "https://asker.kommune.no/innsyn/123"

    def test_without_documents_or_a_link_is_refused(self, case_worker, part):
        with pytest.raises(DomainError, match="Attach the documents"):
            answer(case_worker, part)
        unanswered(part)

    def test_the_journal_of_a_period_needs_nothing_attached(self, administrator, municipality):
        period_unit = Unit.objects.get(municipality=municipality, slug="dokumentsenteret")
        today = timezone.localdate()
        access_request = send_request(
            user=verified(administrator), period_from=today - dt.timedelta(days=30), period_to=today
        )
        part = part_of(access_request, period_unit)
        assert part.items.count() == 0
        answer(administrator, part, answer="Postlisten for perioden ligger på nettsiden.")
        part.refresh_from_db()
        assert part.status == RequestStatus.GRANTED

    def test_working_days_to_answer_skip_easter(self, case_worker, resident, entries, unit):
        """Sent the Wednesday before Easter 2026; Maundy Thursday, Good Friday and Easter Monday are holidays."""
        access_request = send_request(entries=entries[:1], user=resident, now=at(2026, 4, 1))
        part = part_of(access_request, unit)
        assert part.deadline == dt.date(2026, 4, 13)
        answer(case_worker, part, link="https://example.no/d", now=at(2026, 4, 7))
        part.refresh_from_db()
        assert part.working_days_to_answer == 1

    def test_same_day_is_zero_working_days(self, case_worker, resident, entries, unit):
        access_request = send_request(entries=entries[:1], user=resident, now=at(2026, 3, 2, 9))
        part = part_of(access_request, unit)
        answer(case_worker, part, link="https://example.no/d", now=at(2026, 3, 2, 15))
        part.refresh_from_db()
        assert part.working_days_to_answer == 0


# --- Refusing and partly granting ----------------------------------------------------------------------------
class TestRefuse:
    def test_with_the_legal_basis_and_how_to_appeal(
        self, case_worker, part, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            refuse(case_worker, part)
        part.refresh_from_db()
        assert part.status == RequestStatus.REFUSED
        assert (part.legal_basis, part.appeal_information) == (LEGAL_BASIS, APPEAL)
        assert {item.decision for item in items_of(part)} == {AccessRequestItem.Decision.REFUSED}
        [mail] = mailoutbox
        assert LEGAL_BASIS in mail.body and APPEAL in mail.body
        assert rules.can_appeal(part, services.today())

    @pytest.mark.parametrize(
        ("missing", "message"),
        [("legal_basis", "legal basis"), ("appeal_information", "how to appeal")],
    )
    def test_without_what_a_refusal_needs(self, case_worker, part, missing, message):
        with pytest.raises(DomainError, match=message):
            refuse(case_worker, part, **{missing: "   "})
        unanswered(part)

    def test_an_unknown_decision(self, case_worker, part):
        for decision in ("", "maybe", None, "GRANTED"):
            with pytest.raises(DomainError, match="Choose whether"):
                answer(case_worker, part, decision, link="https://example.no")
        unanswered(part)

    def test_too_long_texts(self, case_worker, part):
        with pytest.raises(DomainError, match="at most"):
            refuse(case_worker, part, answer="x" * (services.ANSWER_MAX + 1))
        with pytest.raises(DomainError, match="at most"):
            refuse(case_worker, part, appeal_information="x" * (services.ANSWER_MAX + 1))
        unanswered(part)

    def test_a_legal_basis_longer_than_the_column(self, case_worker, part):
        """Found while writing these tests: a legal basis over 300 characters went on to the database (a DataError,
        a 500, on PostgreSQL). The service now refuses it."""
        with pytest.raises(DomainError, match="legal basis"):
            refuse(case_worker, part, legal_basis="Offl. § 13 " * 40)
        unanswered(part)


class TestPartly:
    def test_per_entry(self, case_worker, part, mailoutbox, django_capture_on_commit_callbacks):
        first, second = items_of(part)
        with django_capture_on_commit_callbacks(execute=True):
            answer(
                case_worker,
                part,
                "partly_granted",
                files=[pdf()],
                legal_basis="Offl. § 13",
                appeal_information=APPEAL,
                item_decisions={first.pk: "granted", str(second.pk): "refused"},
            )
        part.refresh_from_db()
        assert part.status == RequestStatus.PARTLY_GRANTED and part.legal_basis == "Offl. § 13"
        assert [item.decision for item in items_of(part)] == ["granted", "refused"]
        [mail] = mailoutbox
        assert first.entry_number in mail.body and second.entry_number in mail.body

    @pytest.mark.parametrize(
        "choose",
        [
            lambda first, second: None,
            lambda first, second: {},
            lambda first, second: {first: "granted"},
            lambda first, second: {first: "granted", second: "maybe"},
            lambda first, second: {first: "refused", second: "refused"},
        ],
        ids=["none", "empty", "one missing", "not a choice", "all refused"],
    )
    def test_without_a_choice_for_each_entry_or_nothing_granted(self, case_worker, part, choose):
        first, second = items_of(part)
        with pytest.raises(DomainError):
            answer(
                case_worker,
                part,
                "partly_granted",
                link="https://example.no/d",
                legal_basis="Offl. § 13",
                appeal_information=APPEAL,
                item_decisions=choose(first.pk, second.pk),
            )
        unanswered(part)

    def test_needs_the_legal_basis_too(self, case_worker, part):
        first, second = items_of(part)
        with pytest.raises(DomainError, match="legal basis"):
            answer(
                case_worker,
                part,
                "partly_granted",
                link="https://example.no/d",
                appeal_information=APPEAL,
                item_decisions={first.pk: "granted", second.pk: "refused"},
            )
        unanswered(part)


# --- Files and links -----------------------------------------------------------------------------------------------
class TestFilesAndLinks:
    @pytest.mark.parametrize("name", ["virus.exe", "side.html", "skript.js", "uten-endelse", ".pdf.exe", "x.svg"])
    def test_a_forbidden_kind_of_file(self, case_worker, part, name):
        with pytest.raises(DomainError, match="cannot be sent"):
            answer(case_worker, part, files=[pdf(name)])
        unanswered(part)

    def test_an_extension_in_capitals_is_fine(self, case_worker, part):
        answer(case_worker, part, files=[pdf("SKANNET.PDF")])
        assert AnswerFile.objects.get(part=part).name == "SKANNET.PDF"

    @override_settings(TINGET_JOURNAL_ANSWER_FILE_MAX_BYTES=1024**2)
    def test_an_oversized_file(self, case_worker, part):
        with pytest.raises(DomainError, match="larger than 1 MB"):
            answer(case_worker, part, files=[pdf(content=PDF + b"0" * 1024**2)])
        unanswered(part)

    def test_too_many_files(self, case_worker, part):
        files = [pdf(f"Vedlegg {n}.pdf") for n in range(services.ANSWER_FILES_MAX + 1)]
        with pytest.raises(DomainError, match="at most"):
            answer(case_worker, part, files=files)
        unanswered(part)

    def test_a_long_file_name_is_kept_and_stored(self, case_worker, part):
        name = "Brev fra kommunen om skoleskyss " * 7 + ".pdf"
        answer(case_worker, part, files=[pdf(name)])
        stored = AnswerFile.objects.get(part=part)
        assert stored.name == name
        with stored.file.open("rb") as handle:
            assert handle.read() == PDF

    def test_a_path_in_the_file_name_is_dropped(self, case_worker, part):
        answer(case_worker, part, files=[pdf("../../etc/Vedtak.pdf")])
        stored = AnswerFile.objects.get(part=part)
        assert stored.name == "Vedtak.pdf" and ".." not in stored.file.name

    @pytest.mark.parametrize(
        "link", ["javascript:alert(1)", "ftp://example.no/x", "ikke en adresse", "https://" + "a" * 500 + ".no"]
    )
    def test_a_link_that_is_not_a_web_address(self, case_worker, part, link):
        """Found while writing these tests: the service stored any text as the link, and the requester's page
        makes it a link (javascript: would run there). The service now takes http(s) addresses only."""
        with pytest.raises(DomainError, match="link"):
            answer(case_worker, part, link=link)
        unanswered(part)


# --- Twice, and who may ------------------------------------------------------------------------------------------
class TestDuplicatesAndPermissions:
    def test_answering_twice(self, case_worker, part, mailoutbox, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            answer(case_worker, part, link="https://example.no/first")
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidTransition, match="already"):
            refuse(case_worker, part)
        part.refresh_from_db()
        assert part.status == RequestStatus.GRANTED and part.link == "https://example.no/first"
        assert len(mailoutbox) == 1
        assert AuditEntry.objects.filter(action__startswith="journal.part.", target_id=str(part.pk)).count() == 1

    def test_a_stale_copy_of_the_part_cannot_answer_again(self, case_worker, part):
        stale = AccessRequestPart.objects.get(pk=part.pk)
        answer(case_worker, part, link="https://example.no/first")
        with pytest.raises(InvalidTransition):
            answer(case_worker, stale, link="https://example.no/second")

    def test_another_units_case_worker(self, other_worker, part, other_part):
        with pytest.raises(NotAllowed):
            answer(other_worker, part, link="https://example.no")
        with pytest.raises(NotAllowed):
            refuse(other_worker, part)
        unanswered(part)
        answer(other_worker, other_part, link="https://example.no")  # their own part

    def test_residents_and_nobody(self, resident, part):
        from django.contrib.auth.models import AnonymousUser

        for actor in (resident, AnonymousUser(), None):
            with pytest.raises(NotAllowed):
                answer(actor, part, link="https://example.no")
        unanswered(part)

    def test_staff_without_the_permission(self, part, unit):
        editor = new_staff("ed@example.no")
        editor.units.add(unit)
        with pytest.raises(NotAllowed):
            answer(editor, part, link="https://example.no")

    def test_an_administrator_answers_for_every_unit(self, administrator, part):
        answer(administrator, part, link="https://example.no")
        part.refresh_from_db()
        assert part.answered_by == administrator

    def test_an_unsent_request_cannot_be_answered(self, case_worker, entries, unit):
        access_request = services.request_create(user=None, email="noen@example.no", entry_ids=[entries[0].pk])
        part = part_of(access_request, unit)
        with pytest.raises(InvalidTransition):
            answer(case_worker, part, link="https://example.no")


# --- After an appeal -----------------------------------------------------------------------------------------------
@pytest.fixture
def appealed(case_worker, part):
    """Refused within the hour, then appealed with a message."""
    refuse(case_worker, part, now=part.sent_at + dt.timedelta(hours=1))
    return services.part_appeal(access_request=part.request, part=part, message="Dokumentet må være offentlig.")


class TestAfterAnAppeal:
    def test_answer_again_and_grant(self, case_worker, appealed, mailoutbox, django_capture_on_commit_callbacks):
        first = AccessRequestPart.objects.get(pk=appealed.pk)
        with django_capture_on_commit_callbacks(execute=True):
            answer(case_worker, appealed, link="https://example.no/d", answer="Vi gir innsyn etter klagen.")
        part = AccessRequestPart.objects.get(pk=appealed.pk)
        assert part.status == RequestStatus.GRANTED
        assert part.legal_basis == "" and part.appeal_information == ""
        assert part.working_days_to_answer == first.working_days_to_answer  # the statistics keep the first answer
        assert part.appealed_at == first.appealed_at
        assert {item.decision for item in items_of(part)} == {"granted"}
        assert not rules.can_appeal(part, services.today())  # appealed once
        [mail] = mailoutbox
        assert "Vi gir innsyn etter klagen." in mail.body

    def test_forward_to_the_county_governor(
        self, case_worker, appealed, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            services.part_forward(actor=case_worker, part=appealed, note="Vi opprettholder avslaget.")
        part = AccessRequestPart.objects.get(pk=appealed.pk)
        assert part.status == RequestStatus.FORWARDED
        assert part.legal_basis == LEGAL_BASIS
        # The unit's note goes with the appeal; its reasons for refusing stay as they were.
        assert part.forward_note == "Vi opprettholder avslaget." and part.forwarded_at is not None
        assert part.answer == appealed.answer
        assert AuditEntry.objects.filter(action="journal.part.forwarded", target_id=str(part.pk)).count() == 1
        [mail] = mailoutbox
        assert mail.to == [part.request.email]
        assert "County Governor" in mail.subject or "Statsforvalter" in mail.subject
        assert "Vi opprettholder avslaget." in mail.body
        assert not rules.can_answer_now(part)

    def test_forward_twice_or_before_an_appeal(self, case_worker, part, appealed):
        services.part_forward(actor=case_worker, part=appealed)
        with pytest.raises(InvalidTransition):
            services.part_forward(actor=case_worker, part=appealed)
        with pytest.raises(InvalidTransition):
            answer(case_worker, appealed, link="https://example.no")

    def test_forward_a_part_that_is_not_appealed(self, case_worker, part):
        with pytest.raises(InvalidTransition, match="Only an appealed"):
            services.part_forward(actor=case_worker, part=part)
        refuse(case_worker, part)
        with pytest.raises(InvalidTransition, match="Only an appealed"):
            services.part_forward(actor=case_worker, part=part)

    def test_forward_by_another_unit_or_too_long(self, other_worker, case_worker, appealed):
        with pytest.raises(NotAllowed):
            services.part_forward(actor=other_worker, part=appealed)
        with pytest.raises(DomainError, match="at most"):
            services.part_forward(actor=case_worker, part=appealed, note="x" * (services.ANSWER_MAX + 1))
        assert AccessRequestPart.objects.get(pk=appealed.pk).status == RequestStatus.APPEALED

    def test_an_unanswered_part_appealed_under_section_32(self, case_worker, resident, entries, unit):
        """No answer in five working days counts as a refusal: the requester appeals, the unit may then grant."""
        access_request = send_request(entries=entries[:1], user=resident, now=at(2026, 3, 2))
        part = part_of(access_request, unit)
        services.part_appeal(access_request=access_request, part=part, now=at(2026, 3, 10))
        answer(case_worker, part, link="https://example.no/d", now=at(2026, 3, 11))
        part.refresh_from_db()
        assert part.status == RequestStatus.GRANTED and part.working_days_to_answer == 7


def test_a_case_worker_role_may_answer(unit):
    """The role gets the permission from the module (module.py)."""
    user = new_staff("cw@example.no", CASE_WORKER)
    assert user.has_perm("journal.answer_accessrequest")
