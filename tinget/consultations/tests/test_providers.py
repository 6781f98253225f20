"""What consultations give the rest of the platform: the Min side section, site search, and privacy (download my
data; delete my account deletes drafts and keeps sent input, a public document, without the account)."""

import json
import uuid
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import translation

from tinget.accounts import privacy
from tinget.consultations import attachments, providers, services
from tinget.consultations.models import Question, Submission, SubmissionAttachment
from tinget.core.models import AuditEntry
from tinget.core.registry import registry

from .conftest import pass_deadline, send_input


def pdf(name="vedlegg.pdf"):
    return attachments.check_file(
        SimpleUploadedFile(name, b"%PDF-1.4\n" + b"x" * 200 + b"\n%%EOF\n", content_type="application/pdf")
    )


def full_input(actor, consultation, *, send=True, text="Torget bør ligge ved stasjonen.", **data):
    """Input with answers to the choice and scale questions and an attachment."""
    questions = {q.kind: q for q in consultation.questions.prefetch_related("options")}
    choice = questions[Question.Kind.CHOICE]
    return services.submission_save(
        actor=actor,
        consultation=consultation,
        key=uuid.uuid4(),
        data={"author_name": "Kari Nordmann", "text": text, **data},
        answers={choice.pk: choice.options.all()[1], questions[Question.Kind.SCALE].pk: 4},
        new_files=[pdf()],
        send=send,
    )


@pytest.mark.django_db
class TestMinSide:
    def test_sent_input_and_drafts_with_where_they_stand(self, open_consultation, resident, moderator):
        sent = send_input(resident, open_consultation)
        hidden = send_input(resident, open_consultation, text="Noe stygt.")
        services.submission_hide(actor=moderator, submission=hidden, reason="Personangrep.")
        draft = send_input(resident, open_consultation, text="Halvferdig.", send=False)

        with translation.override("en"):
            section = providers.min_side(resident)

            assert section.title == "Consultations"
            assert section.more_url == reverse("consultations:mine")
            by_url = {item["url"]: item for item in section.items}
            assert len(by_url) == 3
            give_input = reverse("consultations:give_input", kwargs={"pk": open_consultation.pk})
            mine = by_url[f"{give_input}?draft={draft.key}"]
            assert mine["title"] == open_consultation.title
            assert mine["status"].startswith("Draft, not sent: deadline ")
            receipt = reverse("consultations:receipt", kwargs={"pk": open_consultation.pk, "key": sent.key})
            assert by_url[receipt]["status"].startswith(f"Input {sent.number}, sent ")
            assert by_url[receipt]["status"].endswith(": Open for input")
            hidden_receipt = reverse("consultations:receipt", kwargs={"pk": open_consultation.pk, "key": hidden.key})
            assert by_url[hidden_receipt]["status"].endswith("hidden by a moderator")

    def test_newest_change_first_and_at_most_five(self, open_consultation, resident):
        made = [send_input(resident, open_consultation, text=f"Innspill {n}") for n in range(7)]
        items = providers.min_side(resident).items
        assert len(items) == providers.MIN_SIDE_ITEMS
        assert items[0]["url"].endswith(f"/{made[-1].key}/")

    def test_a_draft_past_the_deadline_cannot_be_resumed(self, open_consultation, resident):
        send_input(resident, open_consultation, send=False)
        pass_deadline(open_consultation)
        with translation.override("en"):
            (item,) = providers.min_side(resident).items
            assert item["status"] == "Draft, not sent: the deadline has passed"
            assert item["url"] == open_consultation.get_absolute_url()

    def test_one_query_and_only_my_own(self, open_consultation, resident, astrid, django_assert_max_num_queries):
        send_input(astrid, open_consultation, author_name="Astrid")
        for n in range(3):
            send_input(resident, open_consultation, text=f"Innspill {n}")
        send_input(resident, open_consultation, send=False)
        with django_assert_max_num_queries(1):
            section = providers.min_side(resident)
        assert len(section.items) == 4
        assert providers.min_side(AnonymousUser()).items == []

    def test_nothing_yet(self, resident):
        section = providers.min_side(resident)
        assert section.items == [] and section.empty_text

    def test_the_min_side_page(self, open_consultation, resident, resident_client):
        sent = send_input(resident, open_consultation)
        page = resident_client.get(reverse("accounts:min_side"))
        assert page.status_code == 200
        text = page.content.decode()
        assert open_consultation.title in text
        assert reverse("consultations:receipt", kwargs={"pk": open_consultation.pk, "key": sent.key}) in text
        assert reverse("consultations:mine") in text


@pytest.mark.django_db
class TestSiteSearch:
    def test_finds_published_consultations_by_title_summary_and_case_number(self, open_consultation, client):
        for query in ("Holmen sentrum", "nye regler", "2026/1234"):
            hits = providers.search(query, AnonymousUser())
            assert [hit.url for hit in hits] == [open_consultation.get_absolute_url()], query
        hit = providers.search("Holmen", AnonymousUser())[0]
        assert hit.module == "consultations" and hit.title == open_consultation.title
        with translation.override("en"):
            assert providers.search("Holmen", AnonymousUser())[0].summary.startswith("Open for input · deadline ")

        page = client.get(reverse("core:search"), {"q": "Holmen sentrum"})
        assert page.status_code == 200 and open_consultation.get_absolute_url() in page.content.decode()

    def test_never_a_draft_even_for_its_author(self, draft, case_worker):
        assert providers.search("Holmen", case_worker) == []
        assert providers.search("Holmen", AnonymousUser()) == []

    def test_an_empty_query_finds_nothing(self, open_consultation):
        assert providers.search("   ", AnonymousUser()) == []
        assert providers.search(None, AnonymousUser()) == []

    def test_closed_and_concluded_are_found(self, closed_consultation, case_worker):
        services.conclude(actor=case_worker, consultation=closed_consultation, outcome="Vedtatt.")
        assert len(providers.search("Holmen", AnonymousUser())) == 1


@pytest.mark.django_db
class TestPersonalData:
    def test_input_and_drafts_with_texts_answers_and_attachment_names(self, open_consultation, resident, astrid):
        sent = full_input(resident, open_consultation, show_name=True)
        full_input(resident, open_consultation, send=False, text="Et utkast.")
        section = open_consultation.sections.order_by("order").last()
        services.submission_save(
            actor=resident,
            consultation=open_consultation,
            key=uuid.uuid4(),
            data={"author_name": "Kari Nordmann", "text": "For høyt."},
            section=section,
            send=True,
        )
        send_input(astrid, open_consultation, author_name="Astrid Testesen", text="Astrids innspill.")

        data = privacy.personal_data(resident)["modules"]["consultations"]

        assert len(data["sent"]) == 2 and len(data["drafts"]) == 1
        mine = next(s for s in data["sent"] if s["number"] == sent.number)
        assert mine["text"] == "Torget bør ligge ved stasjonen." and mine["name"] == "Kari Nordmann"
        assert mine["name_shown_publicly"] is True and mine["consultation"] == open_consultation.pk
        assert [a["answer"] for a in mine["answers"]] == ["Ved skolen", 4]
        assert mine["answers"][0]["question"] == "Hvor bør torget ligge?"
        assert mine["attachments"] == [{"filename": "vedlegg.pdf", "content_type": "application/pdf", "size": 216}]
        assert mine["sent_at"] == sent.sent_at and mine["url"].endswith(f"/{sent.number}/")
        comment = next(s for s in data["sent"] if s["number"] != sent.number)
        assert comment["comment_on_section"] == "2 Byggehøyder"
        (draft,) = data["drafts"]
        assert draft["text"] == "Et utkast." and draft["status"] == "draft" and "number" not in draft
        assert draft["attachments"][0]["filename"] == "vedlegg.pdf"
        body = json.dumps(data, cls=DjangoJSONEncoder)  # what the download writes
        assert "Astrids innspill." not in body and "Astrid Testesen" not in body

    def test_the_response_tags_and_hiding_are_there(self, open_consultation, resident, case_worker, moderator):
        sent = send_input(resident, open_consultation)
        hidden = send_input(resident, open_consultation, text="Stygt.")
        services.submission_hide(actor=moderator, submission=hidden, reason="Personangrep.")
        pass_deadline(open_consultation)
        services.submission_consider(actor=case_worker, submission=sent, response="Takk, vi ser på det.")
        services.submission_set_tags(actor=case_worker, submission=sent, names=["Torg"])

        data = providers.personal_data(resident)
        by_number = {s["number"]: s for s in data["sent"]}
        assert by_number[sent.number]["response"] == "Takk, vi ser på det."
        assert by_number[sent.number]["tags"] == ["Torg"] and by_number[sent.number]["considered_at"]
        assert by_number[hidden.number]["reason_for_hiding"] == "Personangrep."
        assert by_number[hidden.number]["text"] == "Stygt."  # their own text, even hidden

    def test_the_download_holds_it(self, open_consultation, resident):
        full_input(resident, open_consultation)
        file, _name = privacy.export_personal_data(user=resident, language="en")
        with zipfile.ZipFile(file) as archive:
            data = json.loads(archive.read("data.json"))
            html = archive.read("index.html").decode()
        assert data["modules"]["consultations"]["sent"][0]["text"] == "Torget bør ligge ved stasjonen."
        assert "vedlegg.pdf" in html

    def test_nothing_for_someone_without_input(self, resident):
        assert providers.personal_data(resident) == {"sent": [], "drafts": []}

    def test_the_privacy_page_says_what_is_kept(self, settings):
        settings.TINGET_CONSULTATION_DRAFT_RETENTION_DAYS = 45
        with translation.override("en"):
            rules = {rule["module"].slug: str(rule["retention"]) for rule in privacy.retention_rules()}
        assert "drafts" in rules["consultations"] and "offentleglova" in rules["consultations"]
        assert "no longer linked to you" in rules["consultations"]
        assert "45 days after the deadline" in rules["consultations"]

    def test_the_module_is_registered_with_its_providers(self):
        module = registry.get("consultations")
        assert module.personal_data is providers.personal_data and module.erase is providers.erase
        assert module.min_side is providers.min_side and module.search is providers.search
        assert module.demo is providers.demo and module.api_router == "tinget.consultations.api.router"
        assert module.followable == ("consultations.consultation",)


@pytest.mark.django_db
class TestErase:
    def test_delete_account_deletes_drafts_and_keeps_sent_input_without_the_account(
        self, open_consultation, resident, client, django_capture_on_commit_callbacks
    ):
        sent = full_input(resident, open_consultation, show_name=True, text="Et offentlig innspill.")
        draft = full_input(resident, open_consultation, send=False, text="Et privat utkast.")
        draft_files = [(a.file.storage, a.file.name) for a in draft.attachments.all()]
        sent_files = [(a.file.storage, a.file.name) for a in sent.attachments.all()]
        assert all(storage.exists(name) for storage, name in draft_files + sent_files)

        with django_capture_on_commit_callbacks(execute=True):
            privacy.delete_account(user=resident)

        assert not Submission.objects.filter(pk=draft.pk).exists()
        assert not SubmissionAttachment.objects.filter(submission_id=draft.pk).exists()
        assert not any(storage.exists(name) for storage, name in draft_files)
        sent.refresh_from_db()
        assert sent.author is None and sent.is_sent
        assert sent.author_name == "Kari Nordmann" and sent.show_name is True  # the name as given, as chosen
        assert sent.text == "Et offentlig innspill." and sent.answers.count() == 2
        assert all(storage.exists(name) for storage, name in sent_files)
        entry = AuditEntry.objects.get(action="consultations.author_erased")
        assert entry.data == {"drafts_deleted": 1, "input_kept": 1} and entry.actor is None

        # The public page still shows it, with the name the sender chose to show.
        page = client.get(sent.get_absolute_url())
        assert page.status_code == 200
        assert "Et offentlig innspill." in page.content.decode() and "Kari Nordmann" in page.content.decode()
        listed = client.get(f"/api/v1/consultations/{open_consultation.pk}/input").json()["items"]
        assert [(i["number"], i["text"], i["name"]) for i in listed] == [
            (sent.number, "Et offentlig innspill.", "Kari Nordmann")
        ]

    def test_hidden_and_considered_input_stays_too(self, open_consultation, resident, case_worker, moderator):
        hidden = send_input(resident, open_consultation, text="Stygt.")
        services.submission_hide(actor=moderator, submission=hidden, reason="Personangrep.")
        considered = send_input(resident, open_consultation)
        pass_deadline(open_consultation)
        services.submission_consider(actor=case_worker, submission=considered, response="Takk.")

        privacy.delete_account(user=resident)

        hidden.refresh_from_db()
        considered.refresh_from_db()
        assert hidden.author is None and hidden.is_hidden and hidden.hidden_reason == "Personangrep."
        assert considered.author is None and considered.response == "Takk."

    def test_others_are_left_alone(self, open_consultation, resident, astrid):
        theirs = send_input(astrid, open_consultation, author_name="Astrid")
        their_draft = send_input(astrid, open_consultation, send=False)
        send_input(resident, open_consultation)

        providers.erase(resident)

        assert Submission.objects.get(pk=theirs.pk).author == astrid
        assert Submission.objects.get(pk=their_draft.pk).author == astrid

    def test_someone_without_input_leaves_no_entry(self, resident):
        providers.erase(resident)
        assert not AuditEntry.objects.filter(action="consultations.author_erased").exists()

    def test_the_outcome_goes_to_nobody_once_the_account_is_gone(
        self, open_consultation, resident, case_worker, django_capture_on_commit_callbacks, mailoutbox
    ):
        send_input(resident, open_consultation)
        privacy.delete_account(user=resident)
        pass_deadline(open_consultation)
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.conclude(actor=case_worker, consultation=open_consultation, outcome="Vedtatt.")
        assert mailoutbox == []
