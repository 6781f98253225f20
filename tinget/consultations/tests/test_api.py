"""Consultations in the REST API (/api/v1/consultations/): only published consultations, their text, documents,
questions and results, and the public input (hidden input shows only its reason; names only as chosen); filters,
pagination limits, bad parameters, unknown ids, and a session that must not widen what is shown."""

import datetime as dt
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tinget.consultations import attachments, services
from tinget.consultations.models import Question, Submission, Topic
from tinget.core.models import Area

from .conftest import consultation_data, pass_deadline, send_input

URL = "/api/v1/consultations/"
HIDDEN_TEXT = "Naboen i nummer 12 er en idiot."


def get_json(client, path, status=200, data=None, **extra):
    response = client.get(path, data, **extra)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"x" * 200 + b"\n%%EOF\n", content_type="application/pdf")


@pytest.fixture
def topic(db):
    return Topic.objects.create(slug="planer", name="Planer og bygging", name_nn="Planar", name_en="Planning")


def published(case_worker, municipality, unit, **overrides):
    consultation = services.consultation_create(
        actor=case_worker, municipality=municipality, data=consultation_data(unit, **overrides)
    )
    services.section_save(actor=case_worker, consultation=consultation, data={"heading": "Bakgrunn", "body": "Tekst."})
    return services.consultation_publish(actor=case_worker, consultation=consultation)


def comment(actor, consultation, section, text):
    """A comment on one section, as the form sends it."""
    return services.submission_save(
        actor=actor,
        consultation=consultation,
        key=uuid.uuid4(),
        data={"author_name": "Kari Nordmann", "text": text},
        section=section,
        send=True,
    )


def answers_for(consultation, choice=0, scale=4):
    questions = {q.kind: q for q in consultation.questions.prefetch_related("options")}
    return {
        questions[Question.Kind.CHOICE].pk: list(questions[Question.Kind.CHOICE].options.all())[choice],
        questions[Question.Kind.SCALE].pk: scale,
    }


@pytest.mark.django_db
class TestList:
    def test_published_consultations_with_their_state_and_deadline(self, client, open_consultation, draft, resident):
        send_input(resident, open_consultation)

        data = get_json(client, URL)

        assert data["count"] == 1
        item = data["items"][0]
        assert item["id"] == open_consultation.pk and item["title"] == open_consultation.title
        assert item["state"] == "open" and item["state_label"]
        assert item["unit"]["slug"] == "plan-og-bygning" and item["case_number"] == "2026/1234"
        assert item["input_count"] == 1
        assert item["url"].startswith("http://testserver/") and item["url"].endswith(f"/{open_consultation.pk}/")
        assert item["input_url"] == f"http://testserver{URL}{open_consultation.pk}/input"
        # ISO 8601 with the local offset: the same moment as stored (to the millisecond JSON keeps).
        deadline = dt.datetime.fromisoformat(item["deadline"])
        assert abs(deadline - open_consultation.deadline) < dt.timedelta(milliseconds=1)
        assert deadline.utcoffset() == timezone.localtime(open_consultation.deadline).utcoffset()

    def test_drafts_are_never_listed_even_for_their_author(self, draft, staff_client):
        assert get_json(staff_client, URL)["count"] == 0
        assert get_json(staff_client, f"{URL}{draft.pk}", status=404)["code"] == "not_found"
        assert get_json(staff_client, f"{URL}{draft.pk}/input", status=404)["code"] == "not_found"

    def test_filters(self, client, open_consultation, case_worker, municipality, unit, other_unit, topic, admin_user):
        holmen = Area.objects.get(municipality=municipality, slug="holmen")
        services.consultation_update(
            actor=case_worker, consultation=open_consultation, data={"topic": topic}, areas=[holmen], note="Tema."
        )
        now = timezone.now()
        upcoming = published(
            case_worker,
            municipality,
            unit,
            title="Kommer",
            opens_at=now + dt.timedelta(days=3),
            deadline=now + dt.timedelta(days=30),
        )
        closed = published(admin_user, municipality, other_unit, title="Skole")
        pass_deadline(closed)

        def ids(**query):
            return [item["id"] for item in get_json(client, URL, data=query)["items"]]

        assert ids(state="open") == [open_consultation.pk]
        assert ids(state="upcoming") == [upcoming.pk]
        assert ids(state="closed") == [closed.pk]
        assert ids(state="concluded") == []
        assert ids(area="holmen") == [open_consultation.pk]
        assert ids(unit="oppvekst") == [closed.pk]
        assert set(ids(unit="plan-og-bygning")) == {open_consultation.pk, upcoming.pk}
        assert ids(topic="planer") == [open_consultation.pk]
        assert ids(area="finnes-ikke") == [] and ids(unit="finnes-ikke") == [] and ids(topic="finnes-ikke") == []
        assert len(ids()) == 3
        item = get_json(client, URL, data={"topic": "planer"})["items"][0]
        assert item["topic"] == {"slug": "planer", "name": "Planer og bygging"}
        assert item["areas"] == [{"slug": "holmen", "name": "Holmen"}]
        assert get_json(client, URL, data={"topic": "planer"}, HTTP_ACCEPT_LANGUAGE="en")["items"][0]["topic"] == {
            "slug": "planer",
            "name": "Planning",
        }

    @pytest.mark.parametrize(
        "query",
        [
            "state=draft",  # not a public state
            "state=apen",
            "state=",
            "area=%3Cscript%3E",
            "area=" + "a" * 61,
            "unit=%00",
            "topic=planer%20og%20bygging",
            "page=0",
            "page=abc",
            "page=100001",
            "page_size=101",  # oversized: refused, not quietly cut
            "page_size=0",
            "page_size=-1",
        ],
    )
    def test_bad_parameters(self, client, open_consultation, query):
        data = get_json(client, f"{URL}?{query}", status=422)
        assert data["code"] == "invalid" and isinstance(data["detail"], list)

    def test_pagination(self, client, case_worker, municipality, unit):
        made = [published(case_worker, municipality, unit, title=f"Høring {n}") for n in range(3)]

        page = get_json(client, URL, data={"page_size": 2})
        assert page["count"] == 3 and len(page["items"]) == 2
        rest = get_json(client, URL, data={"page_size": 2, "page": 2})["items"]
        assert {item["id"] for item in page["items"] + rest} == {m.pk for m in made}
        assert get_json(client, URL, data={"page": 99})["items"] == []
        assert len(get_json(client, URL, data={"page_size": 100})["items"]) == 3

    def test_query_count(self, client, case_worker, municipality, unit, topic, django_assert_max_num_queries):
        holmen = Area.objects.get(municipality=municipality, slug="holmen")
        for n in range(8):
            consultation = published(case_worker, municipality, unit, title=f"Høring {n}", topic=topic)
            consultation.areas.set([holmen])
        with django_assert_max_num_queries(4):
            assert len(get_json(client, URL)["items"]) == 8

    def test_writes_are_refused(self, client, open_consultation):
        assert client.post(URL, {}).status_code == 405
        assert client.delete(f"{URL}{open_consultation.pk}").status_code == 405
        assert client.post(f"{URL}{open_consultation.pk}/input", {}).status_code == 405


@pytest.mark.django_db
class TestDetail:
    def test_text_sections_documents_questions_and_results(
        self, client, open_consultation, case_worker, resident, astrid, moderator
    ):
        checked = attachments.check_file(pdf(), max_bytes=10_000)
        document = services.document_add(
            actor=case_worker, consultation=open_consultation, checked=checked, title="Planbeskrivelse", note="Ny fil."
        )
        section = open_consultation.sections.order_by("order").first()
        send_input(resident, open_consultation)
        services.submission_save(
            actor=resident,
            consultation=open_consultation,
            key="00000000-0000-4000-8000-000000000001",
            data={"author_name": "Kari", "text": "Enig."},
            answers=answers_for(open_consultation, choice=0, scale=5),
            send=True,
        )
        hidden = services.submission_save(
            actor=astrid,
            consultation=open_consultation,
            key="00000000-0000-4000-8000-000000000002",
            data={"author_name": "Astrid", "text": HIDDEN_TEXT},
            answers=answers_for(open_consultation, choice=1, scale=1),
            send=True,
        )
        services.submission_hide(actor=moderator, submission=hidden, reason="Personangrep.")
        comment(resident, open_consultation, section, "Kommentar til delen.")

        data = get_json(client, f"{URL}{open_consultation.pk}")

        assert data["state"] == "open" and data["version"] == 2
        assert data["influence"] and data["next_steps"]
        assert data["contact"] == {"name": "Per Plan", "email": "per.plan@example.no", "phone": ""}
        assert [s["heading"] for s in data["sections"]] == ["Bakgrunn", "Byggehøyder"]
        assert [s["comment_count"] for s in data["sections"]] == [1, 0]
        (listed,) = data["documents"]
        assert listed["id"] == document.pk and listed["title"] == "Planbeskrivelse"
        assert listed["content_type"] == "application/pdf" and listed["size"] == document.size
        assert listed["url"].startswith("http://testserver/") and f"/{open_consultation.pk}/" in listed["url"]
        kinds = [q["kind"] for q in data["questions"]]
        assert kinds == ["choice", "scale", "text"]
        choice = data["questions"][0]
        assert [o["label"] for o in choice["options"]] == ["Ved stasjonen", "Ved skolen", "Ved butikkene"]
        assert choice["scale_max"] is None and data["questions"][1]["scale_max"] == 5
        results = {r["question"]: r for r in data["results"]}
        choice_result = results[choice["id"]]
        # The hidden input's answers are not counted in public.
        assert choice_result["total"] == 1
        assert [row["count"] for row in choice_result["rows"]] == [1, 0, 0]
        scale_result = results[data["questions"][1]["id"]]
        assert [row["count"] for row in scale_result["rows"]] == [0, 0, 0, 0, 1]
        assert HIDDEN_TEXT not in json.dumps(data)
        assert data["input_count"] == 4  # hidden input keeps its number

    def test_unknown_and_malformed_ids(self, client, open_consultation):
        for pk in (999_999, 2**62):
            assert get_json(client, f"{URL}{pk}", status=404) == {
                "code": "not_found",
                "detail": "No published consultation has this id.",
            }
            assert get_json(client, f"{URL}{pk}/input", status=404)["code"] == "not_found"
        for bad in ("0", "-1", "abc", str(2**63), "1.5", "%20"):
            assert get_json(client, f"{URL}{bad}", status=422)["code"] == "invalid"
            assert get_json(client, f"{URL}{bad}/input", status=422)["code"] == "invalid"

    def test_concluded_shows_the_outcome(self, client, closed_consultation, case_worker):
        services.input_report_save(actor=case_worker, consultation=closed_consultation, text="Mange var enige.")
        services.conclude(
            actor=case_worker,
            consultation=closed_consultation,
            outcome="Planen ble vedtatt med fire etasjer.",
            political_case_number="26/55",
            political_case_url="https://politikk.example.no/sak/26-55",
        )
        data = get_json(client, f"{URL}{closed_consultation.pk}")
        assert data["state"] == "concluded" and data["outcome"] == "Planen ble vedtatt med fire etasjer."
        assert data["input_report"] == "Mange var enige." and data["political_case_number"] == "26/55"
        assert data["concluded_at"] and data["processing_started_at"]

    def test_query_count(self, client, open_consultation, resident, django_assert_max_num_queries):
        for n in range(5):
            send_input(resident, open_consultation, text=f"Innspill {n}")
        with django_assert_max_num_queries(12):
            get_json(client, f"{URL}{open_consultation.pk}")


@pytest.mark.django_db
class TestInput:
    def test_public_input_names_only_as_chosen(self, client, open_consultation, resident, astrid):
        send_input(resident, open_consultation, author_name="Kari Nordmann", text="Uten navn.")
        send_input(astrid, open_consultation, author_name="Astrid Testesen", show_name=True, text="Med navn.")
        send_input(
            resident,
            open_consultation,
            author_name="Kari Nordmann",
            sender_kind=Submission.SenderKind.ORGANISATION,
            organisation_name="Holmen velforening",
            organisation_role="Leder",
            text="Fra foreningen.",
        )

        data = get_json(client, f"{URL}{open_consultation.pk}/input")

        assert data["count"] == 3 and data["page"] == 1 and data["page_size"] == 25
        first, second, third = data["items"]
        assert [first["number"], second["number"], third["number"]] == [1, 2, 3]
        assert first["name"] is None and first["organisation"] is None and first["text"] == "Uten navn."
        assert second["name"] == "Astrid Testesen" and second["sender"] == "Astrid Testesen"
        assert third["organisation"] == "Holmen velforening" and third["sender"] == "Holmen velforening"
        assert third["name"] is None and third["sender_kind"] == "organisation"
        body = json.dumps(data)
        assert "Kari Nordmann" not in body and "Leder" not in body
        assert resident.email not in body and astrid.email not in body
        assert first["url"].startswith("http://testserver/") and first["url"].endswith("/1/")
        assert dt.datetime.fromisoformat(first["sent_at"]).utcoffset() is not None

    def test_hidden_input_shows_only_the_reason(self, client, open_consultation, resident, moderator):
        hidden = send_input(resident, open_consultation, text=HIDDEN_TEXT, author_name="Kari Nordmann", show_name=True)
        services.submission_hide(actor=moderator, submission=hidden, reason="Personopplysninger om andre.")

        data = get_json(client, f"{URL}{open_consultation.pk}/input")

        item = data["items"][0]
        assert item["hidden"] is True and item["hidden_reason"] == "Personopplysninger om andre."
        assert item["text"] is None and item["name"] is None and item["sender"] is None
        assert item["answers"] == [] and item["attachments"] == []
        body = json.dumps(data)
        assert HIDDEN_TEXT not in body and "Kari Nordmann" not in body

    def test_drafts_are_not_shown(self, client, open_consultation, resident):
        send_input(resident, open_consultation, text="Et utkast.", send=False)
        sent = send_input(resident, open_consultation, text="Sendt.")
        data = get_json(client, f"{URL}{open_consultation.pk}/input")
        assert [item["number"] for item in data["items"]] == [sent.number]
        assert "Et utkast." not in json.dumps(data)

    def test_answers_attachments_and_section_comments(self, client, open_consultation, resident):
        section = open_consultation.sections.order_by("order").last()
        checked = attachments.check_file(pdf("innspill.pdf"))
        services.submission_save(
            actor=resident,
            consultation=open_consultation,
            key="00000000-0000-4000-8000-000000000003",
            data={"author_name": "Kari", "text": "Se vedlegg."},
            answers=answers_for(open_consultation, choice=2, scale=3),
            new_files=[checked],
            send=True,
        )
        comment(resident, open_consultation, section, "For høyt.")

        items = get_json(client, f"{URL}{open_consultation.pk}/input")["items"]

        assert [a["answer"] for a in items[0]["answers"]] == ["Ved butikkene", "3"]
        assert items[0]["answers"][0]["option"] is not None and items[0]["answers"][1]["option"] is None
        assert items[0]["attachments"][0]["filename"] == "innspill.pdf"
        assert items[0]["attachments"][0]["url"].startswith("http://testserver/")
        assert items[1]["section"] == {"id": section.pk, "number": "2", "heading": "Byggehøyder"}
        only = get_json(client, f"{URL}{open_consultation.pk}/input", data={"section": section.pk})["items"]
        assert [item["number"] for item in only] == [2]
        assert get_json(client, f"{URL}{open_consultation.pk}/input", data={"section": 999_999})["items"] == []

    def test_the_municipalitys_response_is_public(self, client, open_consultation, resident, case_worker):
        sent = send_input(resident, open_consultation, text="Flere benker.")
        quiet = send_input(resident, open_consultation, text="Ingen svar ennå.")
        pass_deadline(open_consultation)
        services.submission_consider(actor=case_worker, submission=sent, response="Vi setter ut tre benker.")
        items = get_json(client, f"{URL}{open_consultation.pk}/input")["items"]
        assert [(i["number"], i["response"]) for i in items] == [
            (sent.number, "Vi setter ut tre benker."),
            (quiet.number, None),
        ]

    def test_pagination_limits(self, client, open_consultation, resident):
        for n in range(5):
            send_input(resident, open_consultation, text=f"Innspill {n}")
        url = f"{URL}{open_consultation.pk}/input"

        page = get_json(client, url, data={"page_size": 2, "page": 3})
        assert page["count"] == 5 and [item["number"] for item in page["items"]] == [5]
        assert get_json(client, url, data={"page": 9})["items"] == []
        for query in ("page_size=101", "page_size=0", "page=0", "page=x", "section=0", "section=abc"):
            assert get_json(client, f"{url}?{query}", status=422)["code"] == "invalid"

    def test_query_count(self, client, open_consultation, resident, django_assert_max_num_queries):
        section = open_consultation.sections.first()
        for n in range(10):
            send_input(resident, open_consultation, text=f"Innspill {n}")
        comment(resident, open_consultation, section, "Om delen.")
        with django_assert_max_num_queries(6):
            assert len(get_json(client, f"{URL}{open_consultation.pk}/input")["items"]) == 11


@pytest.mark.django_db
def test_the_document_lists_the_operations(client):
    document = get_json(client, "/api/v1/openapi.json")
    for path in (URL, f"{URL}{{consultation_id}}", f"{URL}{{consultation_id}}/input"):
        assert path in document["paths"], path
    modules = {m["slug"]: m for m in get_json(client, "/api/v1/modules")}
    assert modules["consultations"]["api"] == f"http://testserver{URL}"
