"""The demo consultations: a zoning plan open for input, a budget being processed and a school structure case
concluded, plus an upcoming one and a draft; invented senders, realistic input, loaded through the services, once
only, marked as demo, and without e-mailing anyone."""

import json
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tinget.accounts.demo import load_demo_users
from tinget.consultations import attachments, providers, rules, selectors, services
from tinget.consultations.demo import DEMO_MARK, RESIDENT_EMAIL, load_demo
from tinget.consultations.models import (
    Answer,
    Consultation,
    Document,
    Question,
    State,
    Submission,
    SubmissionAttachment,
    Tag,
    Topic,
    Version,
)
from tinget.core.models import AuditEntry, Follow
from tinget.core.registry import registry


@pytest.fixture
def demo(municipality, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the demo logins file
    load_demo_users()
    started = time.monotonic()
    made = load_demo(municipality)
    return {"made": made, "seconds": time.monotonic() - started, "municipality": municipality}


def counts():
    return tuple(
        model.objects.count()
        for model in (
            Consultation,
            Submission,
            Answer,
            Document,
            SubmissionAttachment,
            Question,
            Tag,
            Topic,
            Version,
            Follow,
            AuditEntry,
        )
    )


def case(title_start):
    return Consultation.objects.get(title__startswith=title_start)


@pytest.mark.django_db
class TestLoad:
    def test_the_cases_in_their_states(self, demo):
        assert demo["made"] == Consultation.objects.count() == 5
        assert demo["seconds"] < 20
        states = {c.title: c.state for c in Consultation.objects.all()}
        assert states == {
            f"Reguleringsplan for Holmen sentrum {DEMO_MARK}": State.OPEN,
            f"Handlingsprogram 2027\u20132030 og budsjett 2027 {DEMO_MARK}": State.PROCESSING,
            f"Skolestruktur i Heggedal og Røyken {DEMO_MARK}": State.CONCLUDED,
            f"Hovedplan for sykkel 2027\u20132038 {DEMO_MARK}": State.UPCOMING,
            f"Kommunedelplan for klima og miljø 2027\u20132035 {DEMO_MARK}": State.DRAFT,
        }
        units = dict(Consultation.objects.values_list("title", "unit__slug"))
        assert units[f"Reguleringsplan for Holmen sentrum {DEMO_MARK}"] == "plan-og-bygning"
        assert units[f"Handlingsprogram 2027\u20132030 og budsjett 2027 {DEMO_MARK}"] == "okonomi"
        assert units[f"Skolestruktur i Heggedal og Røyken {DEMO_MARK}"] == "oppvekst"
        assert AuditEntry.objects.filter(action="consultations.demo.loaded").count() == 1

    def test_a_second_load_changes_nothing(self, demo):
        before = counts()
        assert load_demo(demo["municipality"]) == 0
        assert counts() == before

    def test_manage_py_load_demo_loads_it_through_the_registry(self, municipality, settings, tmp_path):
        settings.VAR_DIR = tmp_path
        assert registry.get("consultations").demo is providers.demo
        call_command("load_demo", "--quiet-logins", stdout=StringIO())
        before = counts()
        call_command("load_demo", "--quiet-logins", stdout=StringIO())
        assert counts() == before and Consultation.objects.count() == 5

    def test_topics_in_three_languages(self, demo):
        topics = {t.slug: t for t in Topic.objects.all()}
        assert set(topics) == {"planer-og-bygging", "okonomi", "skole-og-barnehage", "miljo", "samferdsel"}
        assert all(t.name and t.name_nn and t.name_en for t in topics.values())
        assert not Consultation.objects.filter(topic__isnull=True).exists()

    def test_every_text_says_it_is_demo(self, demo):
        for consultation in Consultation.objects.all():
            assert consultation.title.endswith(DEMO_MARK) and consultation.summary.endswith(DEMO_MARK)
            for text in (consultation.outcome, consultation.input_report):
                assert not text or text.endswith(DEMO_MARK)
        for submission in Submission.objects.all():
            assert submission.text.endswith(DEMO_MARK), submission.pk
            for text in (submission.organisation_name, submission.response, submission.hidden_reason):
                assert not text or text.endswith(DEMO_MARK), submission.pk
        assert all(title.endswith(DEMO_MARK) for title in Document.objects.values_list("title", flat=True))

    def test_the_texts_fit_the_services_limits(self, demo, settings):
        for submission in Submission.objects.all():
            limit = settings.TINGET_CONSULTATION_COMMENT_MAX if submission.section_id else 20_000
            assert 0 < len(submission.text) <= limit


@pytest.mark.django_db
class TestZoningPlan:
    def test_open_with_sections_a_pdf_and_questions(self, demo):
        holmen = case("Reguleringsplan for Holmen")
        assert [a.slug for a in holmen.areas.all()] == ["holmen"] and holmen.topic.slug == "planer-og-bygging"
        assert [s.heading for s in holmen.sections.order_by("order")] == [
            "Bakgrunn og formål",
            "Byggehøyder og tetthet",
            "Trafikk, parkering og skolevei",
            "Grøntområder og møteplasser",
        ]
        (document,) = holmen.documents.all()
        assert document.content_type == "application/pdf"
        with document.file.open("rb") as stored:
            assert attachments.check_file(stored).content_type == "application/pdf"
        assert [q.kind for q in holmen.questions.order_by("order")] == [Question.Kind.CHOICE, Question.Kind.SCALE]
        assert holmen.version == 2 and holmen.versions.get(number=2).note

    def test_input_from_people_and_two_associations(self, demo):
        holmen = case("Reguleringsplan for Holmen")
        sent = holmen.submissions.sent()
        assert 24 <= sent.count() <= 30
        assert list(sent.order_by("number").values_list("number", flat=True)) == list(range(1, sent.count() + 1))
        organisations = set(
            sent.filter(sender_kind=Submission.SenderKind.ORGANISATION).values_list("organisation_name", flat=True)
        )
        assert organisations == {f"Holmen velforening {DEMO_MARK}", f"Holmen idrettslag {DEMO_MARK}"}
        assert sent.filter(section__isnull=False).count() >= 8
        assert sent.filter(show_name=True).count() >= 4 and sent.filter(show_name=False).count() >= 4
        assert {1, 2} <= set(sent.values_list("version", flat=True))  # before and after the change
        (hidden,) = sent.filter(hidden_at__isnull=False)
        assert hidden.hidden_reason and hidden.hidden_by.email == "admin@example.no"
        results = {r["kind"]: r for r in selectors.question_results(holmen, include_hidden=False)}
        assert results[Question.Kind.CHOICE]["total"] >= 10 and results[Question.Kind.SCALE]["total"] >= 10

    def test_times_follow_each_other(self, demo):
        now = timezone.now()
        for consultation in Consultation.objects.exclude(stage="draft"):
            assert consultation.created_at <= consultation.published_at <= now
            for submission in consultation.submissions.sent():
                assert consultation.opens_at <= submission.sent_at <= min(consultation.deadline, now)
                assert submission.created_at <= submission.sent_at <= submission.updated_at <= now
                if submission.hidden_at:
                    assert submission.sent_at < submission.hidden_at <= now
                if submission.considered_at:
                    assert consultation.processing_started_at <= submission.considered_at <= now
            if consultation.concluded_at:
                assert consultation.deadline < consultation.processing_started_at < consultation.concluded_at < now


@pytest.mark.django_db
class TestPages:
    def test_the_public_pages_and_the_api_show_it(self, demo, client):
        holmen = case("Reguleringsplan for Holmen")
        hidden = holmen.submissions.get(hidden_at__isnull=False)
        assert client.get(holmen.get_absolute_url()).status_code == 200
        page = client.get(reverse("consultations:submissions", kwargs={"pk": holmen.pk}))
        assert page.status_code == 200 and hidden.text not in page.content.decode()
        assert client.get("/api/v1/consultations/").json()["count"] == 4
        listed = client.get(f"/api/v1/consultations/{holmen.pk}/input", {"page_size": 100}).json()
        assert listed["count"] == holmen.submissions.sent().count()
        assert hidden.text not in json.dumps(listed)

    def test_the_sweep_finds_nothing_to_do(self, demo):
        before = counts()
        assert services.sweep() == {"drafts_reminded": 0, "drafts_deleted": 0}
        assert counts() == before


@pytest.mark.django_db
class TestProcessingAndConcluded:
    def test_the_budget_is_being_processed_with_tags_and_some_responses(self, demo):
        budget = case("Handlingsprogram")
        assert budget.unit.slug == "okonomi" and budget.deadline < timezone.now()
        sent = budget.submissions.sent()
        assert 13 <= sent.count() <= 17
        considered = sent.filter(considered_at__isnull=False)
        assert 3 <= considered.count() < sent.count()
        assert considered.exclude(response="").count() >= 3
        assert Tag.objects.filter(consultation=budget).count() >= 5
        assert sent.filter(tags__isnull=False).distinct().count() >= 8

    def test_the_school_structure_is_concluded_with_everything_considered(self, demo):
        schools = case("Skolestruktur")
        assert schools.state == State.CONCLUDED
        assert schools.outcome and schools.input_report and schools.political_case_number
        assert schools.political_case_url.startswith("https://")
        sent = schools.submissions.sent()
        assert 18 <= sent.count() <= 23
        assert not sent.filter(considered_at__isnull=True).exists()
        assert sent.exclude(response="").exists()
        assert {a.slug for a in schools.areas.all()} == {"heggedal", "spikkestad", "slemmestad"}


@pytest.mark.django_db
class TestPeople:
    def test_senders_are_invented_and_never_e_mailed_by_the_load(self, demo, django_user_model):
        senders = django_user_model.objects.filter(email__startswith="demo-horing-")
        assert senders.count() >= 30
        assert all(u.email.endswith(".invalid") and not u.has_usable_password() for u in senders)
        assert all(u.display_name.endswith(DEMO_MARK) for u in senders)

    def test_the_demo_resident_has_input_a_draft_and_follows(self, demo, django_user_model):
        resident = django_user_model.objects.get(email=RESIDENT_EMAIL)
        mine = Submission.objects.filter(author=resident)
        assert mine.sent().count() == 2 and mine.drafts().count() == 1
        assert Follow.objects.filter(user=resident, content_type__app_label="consultations").count() == 2
        items = providers.min_side(resident).items
        assert len(items) == 3
        assert any("?draft=" in item["url"] for item in items)

    def test_the_case_worker_works_in_plan_og_bygning(self, demo, django_user_model):
        worker = django_user_model.objects.get(email="saksbehandler@example.no")
        assert worker.units.filter(slug="plan-og-bygning").exists()
        holmen = case("Reguleringsplan for Holmen")
        draft = Consultation.objects.get(stage="draft")
        assert rules.can_author(worker, holmen) and rules.can_author(worker, draft)
        assert not rules.can_process(worker, case("Handlingsprogram"))


@pytest.mark.django_db(transaction=True)
def test_loading_queues_no_e_mail(settings, tmp_path, mailoutbox):
    """A real commit (no test transaction around it): the receipts, the word about hidden input and the outcome
    would go out here, to invented people."""
    settings.VAR_DIR = tmp_path
    call_command("load_demo", "--quiet-logins", stdout=StringIO())
    assert Submission.objects.sent().count() > 50
    assert mailoutbox == []
