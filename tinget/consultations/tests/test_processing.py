"""The case workers' processing pages: who gets in (only the responsible unit's case workers; moderators read and
hide), the list of all input with its filters and a query ceiling, one input in full (the read logged), marking
input considered with a response, tags, the processing page (summary of input, start processing, conclude) and
the conclusion's e-mails."""

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from tinget.accounts.privacy import STAFF_READ_ACTION
from tinget.accounts.tests.pagecheck import assert_page_is_sound
from tinget.consultations import selectors, services
from tinget.consultations.attachments import CheckedFile
from tinget.consultations.models import Consultation, Stage, Submission, Tag
from tinget.core.models import AuditEntry, Notification
from tinget.core.notify import services as notify

from .conftest import BJORN, idporten_client, pass_deadline, send_input

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def en(name, **kwargs):
    """An address of the English pages: tests read English words, which the translators may reword in nb."""
    with translation.override("en"):
        return reverse(f"consultations:{name}", kwargs=kwargs)


def page(response) -> str:
    return response.content.decode()


def query(location):
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def pdf_file(name="Kart over Holmen.pdf", content=PDF) -> CheckedFile:
    return CheckedFile(
        file=ContentFile(content),
        storage_name="attachment.pdf",
        filename=name,
        content_type="application/pdf",
        size=len(content),
    )


def give(actor, consultation, *, text="Torget bør ligge ved stasjonen.", section=None, answers=None, files=(), **data):
    """Input as the form sends it, with a section, answers and attachments when asked."""
    fields = {"author_name": data.pop("author_name", "Kari Nordmann"), "text": text, **data}
    return services.submission_save(
        actor=actor,
        consultation=consultation,
        key=uuid.uuid4(),
        data=fields,
        section=section,
        answers=answers,
        new_files=list(files),
        send=True,
    )


def questions(consultation):
    choice, scale, text = list(selectors.questions_of(consultation))
    return choice, scale, text


@pytest.fixture
def bjorn(person):
    return person(*BJORN)


@pytest.fixture
def inputs(open_consultation, resident, astrid, bjorn):
    """Three inputs, then the deadline passes: Kari's general input with an attachment, Astrid's comment on
    section 2, and Bjørn's on behalf of an organisation with answers to all three questions."""
    consultation = open_consultation
    choice, scale, _text = questions(consultation)
    sections = list(consultation.sections.order_by("order"))
    kari = give(resident, consultation, files=[pdf_file()])
    astrid_input = give(
        astrid, consultation, text="Fem etasjer er for høyt ved sjøen.", section=sections[1], author_name="Astrid T"
    )
    org = give(
        bjorn,
        consultation,
        text="Velforeningen støtter planen; men vil ha mer grønt.",
        author_name="Bjørn Prøvestad",
        sender_kind=Submission.SenderKind.ORGANISATION,
        organisation_name="Holmen vel",
        organisation_role="Leder",
        show_name=True,
        answers={choice.pk: choice.options.all()[1], scale.pk: 4, _text.pk: "Sykkelparkering mangler."},
    )
    pass_deadline(consultation)
    return {
        "kari": kari,
        "astrid": astrid_input,
        "org": org,
        "consultation": Consultation.objects.get(pk=consultation.pk),
    }


@pytest.fixture
def consultation(inputs):
    return inputs["consultation"]


def numbers_linked(html, consultation) -> list[int]:
    prefix = en("staff_submission", pk=consultation.pk, number=987654).split("987654")[0]
    import re

    return sorted({int(n) for n in re.findall(re.escape(prefix) + r"(\d+)/", html)})


# --- Who gets in -----------------------------------------------------------------------------------------------
def every_get(consultation, submission):
    pk = consultation.pk
    attachment = submission.attachments.first()
    urls = [
        en("staff_submissions", pk=pk),
        en("staff_submission", pk=pk, number=submission.number),
        en("report", pk=pk),
        en("export_csv", pk=pk),
        en("export_zip", pk=pk),
    ]
    if attachment is not None:
        urls.append(
            en("staff_attachment", pk=pk, number=submission.number, attachment_pk=attachment.pk),
        )
    return urls


def every_post(consultation, submission):
    pk = consultation.pk
    one = en("staff_submission", pk=pk, number=submission.number)
    report = en("report", pk=pk)
    return [
        (one, {"action": "consider", "considered": "yes", "response": "Takk."}),
        (one, {"action": "tags", "new_tags": "trafikk"}),
        (one, {"action": "hide", "reason": "Personopplysninger om andre."}),
        (one, {"action": "unhide"}),
        (report, {"action": "report", "text": "Oppsummering."}),
        (report, {"action": "start"}),
        (report, {"action": "conclude", "outcome": "Planen vedtas."}),
    ]


def unchanged(consultation, submission):
    submission.refresh_from_db()
    consultation.refresh_from_db()
    assert consultation.stage == Stage.PUBLISHED
    assert consultation.input_report == "" and consultation.outcome == ""
    assert submission.considered_at is None and submission.response == ""
    assert submission.hidden_at is None
    assert not submission.tags.exists()
    assert not Tag.objects.filter(consultation=consultation).exists()


class TestAccess:
    def test_anonymous_visitors_are_sent_to_log_in(self, client, inputs):
        consultation, kari = inputs["consultation"], inputs["kari"]
        for url in every_get(consultation, kari):
            response = client.get(url)
            assert response.status_code == 302, url
            assert urlsplit(response.url).path == reverse("account_login")
            assert query(response.url)["next"] == url
        for url, data in every_post(consultation, kari):
            response = client.post(url, data)
            assert response.status_code == 302
            assert query(response.url)["next"] == url
        unchanged(consultation, kari)

    def test_residents_get_403_everywhere(self, resident_client, inputs, astrid):
        consultation, kari = inputs["consultation"], inputs["kari"]
        for client in (resident_client, idporten_client(astrid)):
            for url in every_get(consultation, kari):
                assert client.get(url).status_code == 403, url
            for url, data in every_post(consultation, kari):
                assert client.post(url, data).status_code == 403, (url, data)
        unchanged(consultation, kari)

    def test_a_case_worker_outside_the_responsible_unit_gets_403_on_every_page_and_form(self, other_client, inputs):
        consultation, kari = inputs["consultation"], inputs["kari"]
        for url in every_get(consultation, kari):
            assert other_client.get(url).status_code == 403, url
        for url, data in every_post(consultation, kari):
            assert other_client.post(url, data).status_code == 403, (url, data)
        unchanged(consultation, kari)
        assert (
            not AuditEntry.objects.filter(action__startswith="consultations.submission.")
            .exclude(action="consultations.submission.sent")
            .exists()
        )
        assert not AuditEntry.objects.filter(action=STAFF_READ_ACTION).exists()

    def test_the_services_refuse_the_other_unit_too(self, other_worker, inputs):
        """The views' checks are repeated where the writes happen."""
        from tinget.core.errors import NotAllowed

        consultation, kari = inputs["consultation"], inputs["kari"]
        with pytest.raises(NotAllowed):
            services.submission_consider(actor=other_worker, submission=kari, response="x")
        with pytest.raises(NotAllowed):
            services.conclude(actor=other_worker, consultation=consultation, outcome="x")
        with pytest.raises(NotAllowed):
            services.log_submission_read(actor=other_worker, submission=kari)

    def test_a_moderator_reads_and_hides_but_does_not_process(self, moderator_client, inputs):
        consultation, kari = inputs["consultation"], inputs["kari"]
        pk = consultation.pk
        assert moderator_client.get(en("staff_submissions", pk=pk)).status_code == 200
        response = moderator_client.get(en("staff_submission", pk=pk, number=kari.number))
        assert response.status_code == 200
        assert 'value="consider"' not in page(response) and 'value="hide"' in page(response)
        assert "kari@example.no" not in page(response)
        assert moderator_client.get(en("report", pk=pk)).status_code == 403
        assert moderator_client.get(en("export_csv", pk=pk)).status_code == 403
        assert moderator_client.get(en("export_zip", pk=pk)).status_code == 403
        one = en("staff_submission", pk=pk, number=kari.number)
        assert moderator_client.post(one, {"action": "consider", "considered": "yes"}).status_code == 403
        assert moderator_client.post(one, {"action": "tags", "new_tags": "x"}).status_code == 403
        assert moderator_client.post(en("report", pk=pk), {"action": "conclude", "outcome": "x"}).status_code == 403
        unchanged(consultation, kari)

    def test_staff_without_a_second_factor_this_session_are_asked_for_a_code(self, client, case_worker, inputs):
        TOTP.activate(case_worker, generate_totp_secret())
        client.force_login(case_worker)
        url = en("staff_submissions", pk=inputs["consultation"].pk)
        response = client.get(url)
        assert urlsplit(response.url).path == reverse("mfa_reauthenticate")
        assert query(response.url)["next"] == url

    def test_unknown_consultation_or_input_is_404(self, staff_client, inputs):
        pk = inputs["consultation"].pk
        assert staff_client.get(en("staff_submissions", pk=999999)).status_code == 404
        assert staff_client.get(en("report", pk=999999)).status_code == 404
        assert staff_client.get(en("staff_submission", pk=pk, number=999)).status_code == 404
        assert staff_client.get(en("staff_attachment", pk=pk, number=2, attachment_pk=999)).status_code == 404

    def test_a_draft_is_not_listed(self, staff_client, open_consultation, resident):
        draft = send_input(resident, open_consultation, send=False)
        response = staff_client.get(en("staff_submissions", pk=open_consultation.pk))
        assert response.status_code == 200
        assert numbers_linked(page(response), open_consultation) == []
        assert draft.number is None


# --- The list --------------------------------------------------------------------------------------------------
class TestList:
    def test_every_sent_input_with_sender_section_and_status(self, staff_client, inputs):
        consultation = inputs["consultation"]
        services.submission_hide(actor=staff_client_user(staff_client), submission=inputs["astrid"], reason="Navn.")
        response = staff_client.get(en("staff_submissions", pk=consultation.pk))
        assert_page_is_sound(response, "en")
        html = page(response)
        assert numbers_linked(html, consultation) == [1, 2, 3]
        assert "Kari Nordmann" in html and "Astrid T" in html
        assert "Leder, Holmen vel" in html
        assert "General input" in html and "2 Byggehøyder" in html
        assert "Fem etasjer er for høyt ved sjøen." in html  # hidden input's text, for staff
        assert "Hidden" in html and "Not considered" in html
        assert "1 attachment" in html
        assert "3 inputs" in html

    def test_a_long_text_shows_its_beginning(self, staff_client, open_consultation, resident):
        give(resident, open_consultation, text="Begynnelsen. " + "x" * 5000 + " SLUTTEN")
        html = page(staff_client.get(en("staff_submissions", pk=open_consultation.pk)))
        assert "Begynnelsen." in html and "SLUTTEN" not in html

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"section": "general"}, [1, 3]),
            ({"sender_kind": "organisation"}, [3]),
            ({"sender_kind": "person"}, [1, 2]),
            ({"sender": "holmen"}, [3]),
            ({"sender": "astrid"}, [2]),
            ({"q": "STASJONEN"}, [1]),
            ({"q": "sykkelparkering"}, [3]),  # a text answer
            ({"q": "#2"}, [2]),
            ({"considered": "yes"}, []),
            ({"considered": "no"}, [1, 2, 3]),
            ({"hidden": "yes"}, []),
            ({"hidden": "no"}, [1, 2, 3]),
            ({"late": "yes"}, []),
            ({"late": "no"}, [1, 2, 3]),
            ({"tag": "none"}, [1, 2, 3]),
            ({"sender_kind": "person", "q": "etasjer"}, [2]),
        ],
    )
    def test_filters(self, staff_client, inputs, params, expected):
        consultation = inputs["consultation"]
        response = staff_client.get(en("staff_submissions", pk=consultation.pk), params)
        assert response.status_code == 200
        assert numbers_linked(page(response), consultation) == expected

    def test_filter_by_section_answer_tag_considered_hidden_and_late(self, staff_client, case_worker, inputs):
        consultation = inputs["consultation"]
        choice, scale, text = questions(consultation)
        section = consultation.sections.order_by("order")[1]
        services.submission_set_tags(actor=case_worker, submission=inputs["kari"], names=["trafikk", "støy"])
        services.submission_set_tags(actor=case_worker, submission=inputs["org"], names=["trafikk"])
        services.submission_consider(actor=case_worker, submission=inputs["org"], response="Takk.")
        services.submission_hide(actor=case_worker, submission=inputs["astrid"], reason="Navn på naboen.")
        services.set_late_input(actor=case_worker, consultation=consultation, allow=True)
        late = give(staff_client_user(staff_client), consultation, text="Sent, men viktig.", author_name="Sander")
        noise = Tag.objects.get(consultation=consultation, name="støy")
        traffic = Tag.objects.get(consultation=consultation, name="trafikk")
        option = choice.options.all()[1]
        cases = [
            ({"section": str(section.pk)}, [2]),
            ({"answer": f"o{option.pk}"}, [3]),
            ({"answer": f"o{choice.options.all()[0].pk}"}, []),
            ({"answer": f"s{scale.pk}-4"}, [3]),
            ({"answer": f"s{scale.pk}-5"}, []),
            ({"answer": f"q{text.pk}"}, [3]),
            ({"tag": str(traffic.pk)}, [1, 3]),
            ({"tag": str(noise.pk)}, [1]),
            ({"tag": "none"}, [2, late.number]),
            ({"considered": "yes"}, [3]),
            ({"hidden": "yes"}, [2]),
            ({"late": "yes"}, [late.number]),
        ]
        for params, expected in cases:
            response = staff_client.get(en("staff_submissions", pk=consultation.pk), params)
            assert numbers_linked(page(response), consultation) == expected, params

    def test_a_malformed_filter_is_named_and_the_rest_still_applies(self, staff_client, inputs):
        consultation = inputs["consultation"]
        response = staff_client.get(
            en("staff_submissions", pk=consultation.pk),
            {"section": "abc", "answer": "o999999", "sender": "Holmen vel", "q": "x" * 101},
        )
        assert response.status_code == 200
        html = page(response)
        assert 'id="error-summary"' in html
        assert "Select a valid choice." in html
        assert "Ensure this value has at most 100 characters" in html
        assert 'value="Holmen vel"' in html  # what was typed is kept
        assert numbers_linked(html, consultation) == [3]

    def test_script_in_a_search_is_just_text(self, staff_client, inputs):
        response = staff_client.get(
            en("staff_submissions", pk=inputs["consultation"].pk), {"q": "<script>alert(1)</script>"}
        )
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in page(response)
        assert "&lt;script&gt;" in page(response)

    def test_pages(self, staff_client, inputs, settings):
        settings.TINGET_CONSULTATION_PAGE_SIZE = 2
        consultation = inputs["consultation"]
        url = en("staff_submissions", pk=consultation.pk)
        assert numbers_linked(page(staff_client.get(url)), consultation) == [1, 2]
        assert numbers_linked(page(staff_client.get(url, {"side": 2})), consultation) == [3]
        assert numbers_linked(page(staff_client.get(url, {"page": 2})), consultation) == [3]
        second = page(staff_client.get(url, {"side": 2, "sender_kind": "person"}))
        assert numbers_linked(second, consultation) == [1, 2]  # one page only: the filter stays
        # The rows link to the input with the filters, for previous/next within them.
        filtered = page(staff_client.get(url, {"sender_kind": "person"}))
        assert "?sender_kind=person" in filtered

    def test_the_query_count_does_not_grow_with_the_rows(
        self, staff_client, case_worker, open_consultation, resident, django_assert_max_num_queries, settings
    ):
        settings.TINGET_CONSULTATION_PAGE_SIZE = 50
        url = en("staff_submissions", pk=open_consultation.pk)
        for n in range(60):
            submission = give(
                resident, open_consultation, text=f"Innspill nummer {n}.", files=[pdf_file()] if n % 3 else ()
            )
            services.submission_set_tags(actor=case_worker, submission=submission, names=[f"tema {n % 4}", "alle"])
        staff_client.get(url)  # warm: sessions, permissions, content types
        with django_assert_max_num_queries(19) as many:
            response = staff_client.get(url, {"side": 2})
        assert numbers_linked(page(response), open_consultation) == list(range(51, 61))
        everyone = Tag.objects.get(name="alle").pk
        # Filtered, the page also counts all input ("12 of 60"): one query more.
        with django_assert_max_num_queries(len(many.captured_queries) + 1):
            response = staff_client.get(url, {"tag": everyone, "considered": "no", "q": "nummer", "side": 2})
        assert numbers_linked(page(response), open_consultation) == list(range(51, 61))


def staff_client_user(client):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


# --- One input -------------------------------------------------------------------------------------------------
class TestOneInput:
    def test_everything_about_it_and_the_read_is_logged(self, staff_client, case_worker, inputs, bjorn):
        consultation, org = inputs["consultation"], inputs["org"]
        response = staff_client.get(en("staff_submission", pk=consultation.pk, number=org.number))
        assert_page_is_sound(response, "en")
        html = page(response)
        assert "Bjørn Prøvestad" in html and "Holmen vel" in html and "Leder" in html
        assert bjorn.email in html
        assert "Velforeningen støtter planen; men vil ha mer grønt." in html
        assert "Ved skolen" in html and "4 / 5" in html and "Sykkelparkering mangler." in html
        viewed = AuditEntry.objects.get(action="consultations.submission.viewed")
        assert viewed.actor_id == case_worker.pk and viewed.target_id == str(org.pk)
        read = AuditEntry.objects.get(action=STAFF_READ_ACTION)
        assert read.target_id == str(bjorn.pk) and read.data["unit"] == case_worker.units.get().name
        assert "Your input to a consultation" in read.data["what"]

    def test_hidden_input_shows_its_original_text_and_the_reason(self, staff_client, case_worker, inputs):
        astrid = inputs["astrid"]
        services.submission_hide(actor=case_worker, submission=astrid, reason="Nevner naboen med navn.")
        html = page(staff_client.get(en("staff_submission", pk=astrid.consultation_id, number=astrid.number)))
        assert "Fem etasjer er for høyt ved sjøen." in html
        assert "Nevner naboen med navn." in html
        assert 'value="unhide"' in html

    def test_attachments_for_staff(self, staff_client, case_worker, inputs):
        kari = inputs["kari"]
        services.submission_hide(actor=case_worker, submission=kari, reason="Skjult.")
        attachment = kari.attachments.get()
        html = page(staff_client.get(en("staff_submission", pk=kari.consultation_id, number=kari.number)))
        url = en("staff_attachment", pk=kari.consultation_id, number=kari.number, attachment_pk=attachment.pk)
        assert url in html and "Kart over Holmen.pdf" in html
        response = staff_client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert "attachment;" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
        # Not reachable through another input's number.
        other = en("staff_attachment", pk=kari.consultation_id, number=2, attachment_pk=attachment.pk)
        assert staff_client.get(other).status_code == 404

    def test_previous_and_next_follow_the_filters(self, staff_client, inputs):
        consultation = inputs["consultation"]
        html = page(staff_client.get(en("staff_submission", pk=consultation.pk, number=2)))
        assert f'href="{en("staff_submission", pk=consultation.pk, number=1)}" rel="prev"' in html
        assert f'href="{en("staff_submission", pk=consultation.pk, number=3)}" rel="next"' in html
        html = page(staff_client.get(en("staff_submission", pk=consultation.pk, number=1), {"section": "general"}))
        assert 'rel="prev"' not in html
        assert f'href="{en("staff_submission", pk=consultation.pk, number=3)}?section=general" rel="next"' in html

    def test_an_unknown_action_is_400(self, staff_client, inputs):
        url = en("staff_submission", pk=inputs["consultation"].pk, number=1)
        assert staff_client.post(url, {"action": "delete"}).status_code == 400
        assert staff_client.post(url, {}).status_code == 400


class TestConsider:
    def url(self, submission):
        return en("staff_submission", pk=submission.consultation_id, number=submission.number)

    def test_considered_with_a_response(self, staff_client, case_worker, inputs):
        kari = inputs["kari"]
        url = self.url(kari) + "?sender_kind=person"
        response = staff_client.post(url, {"action": "consider", "considered": "yes", "response": "Vi ser på det."})
        assert response.status_code == 302 and response.url == url
        kari.refresh_from_db()
        assert kari.considered_at is not None and kari.considered_by == case_worker
        assert kari.response == "Vi ser på det."
        assert "is marked as considered" in page(staff_client.get(url))

    def test_sent_twice_is_harmless(self, staff_client, inputs):
        kari = inputs["kari"]
        data = {"action": "consider", "considered": "yes", "response": "Takk."}
        assert staff_client.post(self.url(kari), data).status_code == 302
        assert staff_client.post(self.url(kari), data).status_code == 302
        kari.refresh_from_db()
        assert kari.considered_at is not None and kari.response == "Takk."
        assert AuditEntry.objects.filter(action="consultations.submission.considered").count() == 2

    def test_back_to_not_considered(self, staff_client, case_worker, inputs):
        kari = inputs["kari"]
        services.submission_consider(actor=case_worker, submission=kari, response="Takk.")
        staff_client.post(self.url(kari), {"action": "consider", "considered": "no", "response": ""})
        kari.refresh_from_db()
        assert kari.considered_at is None and kari.considered_by is None

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"response": "Takk."}, "Choose whether the input is considered."),
            ({"considered": "maybe", "response": "Takk."}, "Select a valid choice."),
            ({"considered": "yes", "response": "<script>alert(1)</script>"}, "Write plain text"),
            ({"considered": "yes", "response": "x" * 10_001}, "Ensure this value has at most 10000 characters"),
        ],
    )
    def test_refused_with_a_message_and_the_text_kept(self, staff_client, inputs, data, message):
        kari = inputs["kari"]
        response = staff_client.post(self.url(kari), {"action": "consider", **data})
        assert response.status_code == 400
        html = page(response)
        assert message in html and 'id="error-summary"' in html
        if data["response"].startswith("<script>"):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in html
            assert "<script>alert(1)</script>" not in html
        kari.refresh_from_db()
        assert kari.considered_at is None and kari.response == ""

    def test_not_after_the_conclusion(self, staff_client, case_worker, inputs):
        kari = inputs["kari"]
        services.conclude(actor=case_worker, consultation=inputs["consultation"], outcome="Vedtatt.")
        response = staff_client.post(self.url(kari), {"action": "consider", "considered": "yes", "response": "Sent."})
        assert response.status_code == 409
        assert "The consultation is concluded" in page(response)
        assert 'value="consider"' not in page(response)
        kari.refresh_from_db()
        assert kari.response == ""


class TestTags:
    def url(self, submission):
        return en("staff_submission", pk=submission.consultation_id, number=submission.number)

    def test_new_tags_comma_separated_then_checkboxes(self, staff_client, inputs):
        kari, org = inputs["kari"], inputs["org"]
        response = staff_client.post(self.url(kari), {"action": "tags", "new_tags": " trafikk,  støy ved  skolen ,,"})
        assert response.status_code == 302
        assert sorted(kari.tags.values_list("name", flat=True)) == ["støy ved skolen", "trafikk"]
        # The consultation's tags are now checkboxes on every input.
        html = page(staff_client.get(self.url(org)))
        assert 'name="tags" value="trafikk"' in html and 'name="tags" value="støy ved skolen"' in html
        staff_client.post(self.url(org), {"action": "tags", "tags": ["trafikk"], "new_tags": "Trafikk, grønt"})
        assert sorted(org.tags.values_list("name", flat=True)) == ["Trafikk", "grønt", "trafikk"]
        # Unticking all clears them; the tags stay for the others.
        staff_client.post(self.url(kari), {"action": "tags"})
        assert not kari.tags.exists()
        assert Tag.objects.filter(consultation=kari.consultation).count() == 4

    def test_sent_twice_is_harmless(self, staff_client, inputs):
        kari = inputs["kari"]
        for _ in range(2):
            assert staff_client.post(self.url(kari), {"action": "tags", "new_tags": "trafikk"}).status_code == 302
        assert list(kari.tags.values_list("name", flat=True)) == ["trafikk"]
        assert Tag.objects.filter(consultation=kari.consultation).count() == 1

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"tags": ["finnes ikke"]}, "Select a valid choice."),
            ({"new_tags": "x" * 61}, "A tag can be at most 60 characters"),
            ({"new_tags": "<b>viktig</b>"}, "Write plain text"),
            ({"new_tags": ", ".join(f"tag {n}" for n in range(21))}, "at most 20 tags"),
            ({"new_tags": "x, " * 300}, "Ensure this value has at most 600 characters"),
        ],
    )
    def test_refused_with_a_message_and_the_text_kept(self, staff_client, inputs, data, message):
        kari = inputs["kari"]
        response = staff_client.post(self.url(kari), {"action": "tags", **data})
        assert response.status_code == 400
        assert message in page(response)
        if "new_tags" in data and len(data["new_tags"]) < 100:
            assert 'value="' + data["new_tags"].replace("<", "&lt;").replace(">", "&gt;") + '"' in page(response)
        assert not Tag.objects.filter(consultation=kari.consultation).exists()

    def test_a_tag_of_another_consultation_is_not_offered(self, staff_client, case_worker, inputs, municipality, unit):
        from .conftest import consultation_data

        other = services.consultation_create(actor=case_worker, municipality=municipality, data=consultation_data(unit))
        Tag.objects.create(consultation=other, name="fremmed")
        html = page(staff_client.get(self.url(inputs["kari"])))
        assert "fremmed" not in html
        response = staff_client.post(self.url(inputs["kari"]), {"action": "tags", "tags": ["fremmed"]})
        assert response.status_code == 400


# --- The processing page ---------------------------------------------------------------------------------------
class TestReport:
    def test_counts_and_answers(self, staff_client, case_worker, inputs):
        consultation = inputs["consultation"]
        services.submission_consider(actor=case_worker, submission=inputs["org"], response="Takk.")
        services.submission_set_tags(actor=case_worker, submission=inputs["kari"], names=["trafikk"])
        response = staff_client.get(en("report", pk=consultation.pk))
        assert_page_is_sound(response, "en")
        counts = response.context["counts"]
        assert (counts["total"], counts["considered"], counts["not_considered"], counts["organisations"]) == (
            3,
            1,
            2,
            1,
        )
        assert [row["total"] for row in counts["sections"]] == [2, 0, 1]
        assert [(row["tag"].name, row["total"]) for row in counts["tags"]] == [("trafikk", 1)]
        choice = response.context["results"][0]
        assert [row["count"] for row in choice["rows"]] == [0, 1, 0]
        html = page(response)
        list_url = en("staff_submissions", pk=consultation.pk)
        assert f'href="{list_url}?considered=no">2</a>' in html
        assert f"{list_url}?answer=o{choice['question'].options.all()[1].pk}" in html
        assert "Start processing" in html and "Conclude the consultation" in html

    def test_before_the_deadline_only_the_numbers(self, staff_client, open_consultation, resident):
        give(resident, open_consultation)
        html = page(staff_client.get(en("report", pk=open_consultation.pk)))
        assert 'value="start"' not in html and 'value="conclude"' not in html and 'value="report"' not in html
        assert "The summary of input is written after the deadline" in html

    def test_the_summary_of_input(self, staff_client, consultation):
        url = en("report", pk=consultation.pk)
        response = staff_client.post(url, {"action": "report", "text": "  Tre innspill; to om torget.  "})
        assert response.status_code == 302
        consultation.refresh_from_db()
        assert consultation.input_report == "Tre innspill; to om torget."
        assert "Tre innspill; to om torget." in page(staff_client.get(url))

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("<script>alert(1)</script>", "Write plain text"),
            ("x" * 100_001, "Ensure this value has at most 100000 characters"),
        ],
    )
    def test_the_summary_refused(self, staff_client, consultation, text, message):
        response = staff_client.post(en("report", pk=consultation.pk), {"action": "report", "text": text})
        assert response.status_code == 400
        assert message in page(response)
        consultation.refresh_from_db()
        assert consultation.input_report == ""

    def test_the_summary_before_the_deadline_is_refused(self, staff_client, open_consultation):
        response = staff_client.post(en("report", pk=open_consultation.pk), {"action": "report", "text": "Tidlig."})
        assert response.status_code == 409
        assert "The summary of input is written after the deadline." in page(response)

    def test_start_processing_after_the_deadline_once(self, staff_client, consultation):
        url = en("report", pk=consultation.pk)
        assert staff_client.post(url, {"action": "start"}).status_code == 302
        consultation.refresh_from_db()
        assert consultation.stage == Stage.PROCESSING and consultation.processing_started_at is not None
        started = consultation.processing_started_at
        response = staff_client.post(url, {"action": "start"}, follow=True)
        assert "Processing had already started" in page(response)
        consultation.refresh_from_db()
        assert consultation.processing_started_at == started

    def test_start_processing_before_the_deadline_is_refused(self, staff_client, open_consultation):
        response = staff_client.post(en("report", pk=open_consultation.pk), {"action": "start"})
        assert response.status_code == 409
        assert "Input can be processed once the deadline has passed." in page(response)
        open_consultation.refresh_from_db()
        assert open_consultation.stage == Stage.PUBLISHED

    def test_an_unknown_action_is_400(self, staff_client, consultation):
        assert staff_client.post(en("report", pk=consultation.pk), {"action": "delete"}).status_code == 400


class TestConclude:
    def test_concluded_and_everyone_told_once(self, staff_client, case_worker, inputs, person, mailoutbox):
        """Through the page (the test client runs the on-commit callbacks at the end of each request, as the
        commit of a real one does)."""
        consultation, kari, org = inputs["consultation"], inputs["kari"], inputs["org"]
        follower = person(pid="11111111111", given="Frida", family="Følger", email="frida@example.no")
        notify.follow(actor=follower, target=consultation)
        services.submission_consider(actor=case_worker, submission=kari, response="Torget flyttes til stasjonen.")
        mailoutbox.clear()
        url = en("report", pk=consultation.pk)
        data = {
            "action": "conclude",
            "outcome": "Planen er vedtatt med endringer.",
            "political_case_number": "26/55",
            "political_case_url": "https://politikk.example.no/sak/26-55",
        }
        response = staff_client.post(url, data)
        assert response.status_code == 302
        consultation.refresh_from_db()
        assert consultation.stage == Stage.CONCLUDED
        assert consultation.outcome == "Planen er vedtatt med endringer."
        assert consultation.political_case_number == "26/55"

        to = [message.to[0] for message in mailoutbox]
        assert sorted(to) == sorted(
            ["kari@example.no", inputs["astrid"].author.email, org.author.email, follower.email]
        )
        kari_mail = next(m for m in mailoutbox if m.to == ["kari@example.no"])
        assert "Planen er vedtatt med endringer." in kari_mail.body
        assert "Torget flyttes til stasjonen." in kari_mail.body  # the response to her own input
        assert "26/55" in kari_mail.body
        assert Notification.objects.filter(user=follower, verb="concluded").count() == 1

        # Sent twice: refused, and nobody is told again.
        mailoutbox.clear()
        again = staff_client.post(url, data)
        assert again.status_code == 409
        assert "already concluded" in page(again)
        assert mailoutbox == []
        assert Notification.objects.filter(user=follower, verb="concluded").count() == 1

    def test_the_service_tells_a_sender_and_a_follower_once_each(
        self, case_worker, inputs, person, mailoutbox, django_capture_on_commit_callbacks
    ):
        consultation, kari = inputs["consultation"], inputs["kari"]
        follower = person(pid="11111111111", given="Frida", family="Følger", email="frida@example.no")
        notify.follow(actor=follower, target=consultation)
        services.submission_consider(actor=case_worker, submission=kari, response="Torget flyttes.")
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.conclude(actor=case_worker, consultation=consultation, outcome="Vedtatt med endringer.")
        to = [message.to[0] for message in mailoutbox]
        assert to.count("kari@example.no") == 1 and to.count("frida@example.no") == 1
        assert len(to) == 4  # Kari, Astrid, Bjørn, and the follower
        follower_mail = next(m for m in mailoutbox if m.to == ["frida@example.no"])
        assert "Vedtatt med endringer." in follower_mail.body

    def test_a_sender_who_follows_is_told_once(self, staff_client, inputs, resident, mailoutbox):
        consultation = inputs["consultation"]
        notify.follow(actor=resident, target=consultation)
        mailoutbox.clear()
        staff_client.post(en("report", pk=consultation.pk), {"action": "conclude", "outcome": "Vedtatt."})
        assert [m.to for m in mailoutbox].count(["kari@example.no"]) == 1

    def test_concluded_from_processing(self, staff_client, case_worker, consultation):
        services.start_processing(actor=case_worker, consultation=consultation)
        response = staff_client.post(en("report", pk=consultation.pk), {"action": "conclude", "outcome": "Vedtatt."})
        assert response.status_code == 302
        consultation.refresh_from_db()
        assert consultation.stage == Stage.CONCLUDED
        html = page(staff_client.get(en("report", pk=consultation.pk)))
        assert "Vedtatt." in html and 'value="conclude"' not in html

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"outcome": "  "}, "outcome", "Write the outcome"),
            ({"outcome": "<script>alert(1)</script>"}, "outcome", "Write plain text"),
            ({"outcome": "x" * 20_001}, "outcome", "Ensure this value has at most 20000 characters"),
            ({"outcome": "Vedtatt.", "political_case_url": "javascript:alert(1)"}, "political_case_url", "valid URL"),
            ({"outcome": "Vedtatt.", "political_case_number": "x" * 41}, "political_case_number", "at most 40"),
            ({"outcome": "Vedtatt.", "political_case_number": "<b>26</b>"}, "political_case_number", "plain text"),
        ],
    )
    def test_refused_with_a_message_and_what_was_typed_kept(
        self, staff_client, consultation, mailoutbox, data, field, message
    ):
        typed = {"political_case_number": "26/55", **data}
        response = staff_client.post(en("report", pk=consultation.pk), {"action": "conclude", **typed})
        assert response.status_code == 400
        html = page(response)
        assert message in html
        assert f'href="#conclude_{field}"' in html
        if field != "political_case_number":
            assert 'value="26/55"' in html
        consultation.refresh_from_db()
        assert consultation.stage == Stage.PUBLISHED
        assert mailoutbox == []

    def test_not_before_the_deadline(self, staff_client, open_consultation):
        response = staff_client.post(
            en("report", pk=open_consultation.pk), {"action": "conclude", "outcome": "For tidlig."}
        )
        assert response.status_code == 409
        assert "A consultation is concluded after its deadline." in page(response)
        open_consultation.refresh_from_db()
        assert open_consultation.stage == Stage.PUBLISHED


def test_moments_are_shown_in_local_time(staff_client, inputs):
    kari = inputs["kari"]
    html = page(staff_client.get(en("staff_submissions", pk=kari.consultation_id)))
    # The list shows Oslo time (test settings use another zone than UTC to catch times shown in UTC).
    assert f'datetime="{timezone.localtime(kari.sent_at).isoformat()}"' in html
