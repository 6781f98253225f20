"""What fault reports give the rest of the platform: the Min side section, site search, and privacy (download
my data; delete my account keeps the report public without the person)."""

import json
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import translation

from tinget.accounts import privacy
from tinget.core.models import Follow
from tinget.core.registry import registry
from tinget.reports import providers, services
from tinget.reports.models import Report, State, Subscriber, Update

from .conftest import ASKER, NEAR_ASKER


def make(actor, category, title, *, point=ASKER, **kwargs):
    return services.report_create(
        actor=actor,
        category=category,
        latitude=point[0],
        longitude=point[1],
        title=title,
        description="Beskrivelse.",
        address="Asker sentrum",
        **kwargs,
    )


@pytest.fixture
def kari_report(pothole, resident):
    """Kari's report, with her name shown publicly and a phone number."""
    return make(
        resident,
        pothole,
        "Hull ved Føyka",
        reporter=services.Reporter(name="Kari Nordmann", phone="900 00 001", show_name=True),
    )


@pytest.fixture
def other_person(django_user_model):
    return django_user_model.objects.create_user("ola@example.no", "et-langt-passord-123", display_name="Ola")


@pytest.mark.django_db
class TestMinSide:
    def test_my_reports_and_their_state(self, resident_client, kari_report, pothole, other_person, case_worker):
        services.report_change_state(
            actor=case_worker, report=kari_report, state=State.INVESTIGATING, answer="Vi ser på det."
        )
        others = make(other_person, pothole, "Olas melding om hullet")

        response = resident_client.get(reverse("accounts:min_side"))

        assert response.status_code == 200
        page = response.content.decode()
        assert "Hull ved Føyka" in page and kari_report.get_absolute_url() in page
        assert str(State.INVESTIGATING.label) in page or "Undersøkes" in page
        assert others.title not in page

    def test_the_section_has_at_most_five_and_a_link_to_all(self, resident, pothole):
        for number in range(7):
            make(resident, pothole, f"Melding {number}")

        section = providers.min_side(resident)

        assert len(section.items) == providers.MIN_SIDE_ITEMS
        assert section.items[0]["title"].endswith("Melding 6")  # newest first
        assert section.more_url == reverse("reports:mine")
        assert {"title", "url", "status"} <= set(section.items[0])

    def test_someone_without_reports_sees_the_empty_text(self, resident, municipality):
        section = providers.min_side(resident)
        assert section.items == [] and section.empty_text

    def test_a_report_hidden_by_a_moderator_stays_on_the_reporters_min_side(self, resident, kari_report, moderator):
        services.report_set_hidden(actor=moderator, report=kari_report, hidden=True, reason="Personopplysninger")
        assert [item["url"] for item in providers.min_side(resident).items] == [kari_report.get_absolute_url()]


@pytest.mark.django_db
class TestSiteSearch:
    def test_finds_a_public_report_and_not_a_hidden_or_unconfirmed_one(self, client, pothole, resident, moderator):
        public = make(resident, pothole, "Bussholdeplassen har et dypt hull")
        hidden = make(resident, pothole, "Bussholdeplassen: skjult melding", point=NEAR_ASKER)
        services.report_set_hidden(actor=moderator, report=hidden, hidden=True, reason="Personopplysninger")
        unconfirmed = make(
            AnonymousUser(),
            pothole,
            "Bussholdeplassen: ubekreftet melding",
            reporter=services.Reporter(name="Per", email="per@example.no"),
        )
        assert unconfirmed.state == State.UNCONFIRMED

        response = client.get(reverse("core:search"), {"q": "bussholdeplassen"})

        assert response.status_code == 200
        page = response.content.decode()
        assert public.get_absolute_url() in page
        assert hidden.get_absolute_url() not in page and "skjult" not in page
        assert unconfirmed.get_absolute_url() not in page and "ubekreftet" not in page
        hits = providers.search("bussholdeplassen", AnonymousUser())
        assert [hit.url for hit in hits] == [public.get_absolute_url()]
        assert hits[0].module == "reports"

    def test_text_in_the_search_is_escaped(self, client, pothole, resident):
        make(resident, pothole, "<script>alert(1)</script> hull")
        page = client.get(reverse("core:search"), {"q": "hull"}).content.decode()
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


@pytest.mark.django_db
class TestPersonalData:
    def test_my_reports_and_subscriptions_are_in_the_export(self, resident, kari_report, pothole, other_person):
        others = make(other_person, pothole, "Olas melding")
        Subscriber.objects.create(report=others, email=resident.email.upper())

        data = privacy.personal_data(resident)["modules"]["reports"]

        assert [r["id"] for r in data["reports"]] == [kari_report.pk]
        mine = data["reports"][0]
        assert mine["title"] == "Hull ved Føyka" and mine["phone"] == "900 00 001" and mine["show_name"] is True
        assert (mine["latitude"], mine["longitude"]) == ASKER
        assert mine["url"] == kari_report.get_absolute_url() and mine["category"] == kari_report.category.name
        assert [s["report_id"] for s in data["subscriptions"]] == [others.pk]

    def test_the_download_holds_them(self, resident, kari_report):
        file, _name = privacy.export_personal_data(user=resident, language="en")
        with zipfile.ZipFile(file) as archive:
            data = json.loads(archive.read("data.json"))
            html = archive.read("index.html").decode()
        assert data["modules"]["reports"]["reports"][0]["title"] == "Hull ved Føyka"
        assert "Hull ved Føyka" in html

    def test_the_privacy_page_says_what_is_kept(self):
        with translation.override("en"):
            rules = {str(rule["module"].slug): str(rule["retention"]) for rule in privacy.retention_rules()}
        assert "stay public without your name" in rules["reports"]


@pytest.mark.django_db
class TestErase:
    def test_deleting_the_account_keeps_the_report_public_without_the_person(
        self, client, resident, kari_report, case_worker, pothole, other_person
    ):
        services.report_change_state(actor=case_worker, report=kari_report, state=State.FIXED, answer="Lappet.")
        services.report_support(actor=resident, report=make(other_person, pothole, "Olas hull", point=NEAR_ASKER))
        Subscriber.objects.create(report=kari_report, email=resident.email, confirmed_at=kari_report.created_at)
        assert Follow.objects.filter(user=resident).count() == 2

        privacy.delete_account(user=resident)

        report = Report.objects.get(pk=kari_report.pk)
        assert report.is_public and report.title == "Hull ved Føyka" and report.state == State.FIXED
        assert report.reporter is None
        assert (report.reporter_name, report.reporter_email, report.reporter_phone) == ("", "", "")
        assert report.show_name is False and report.public_name == ""
        created = report.updates.get(kind=Update.Kind.CREATED)
        assert created.author is None and created.author_label == ""
        answer = report.updates.get(kind=Update.Kind.STATE)
        assert answer.author == case_worker and answer.author_label == report.unit.name
        assert not Subscriber.objects.filter(email__iexact="kari@example.no").exists()
        assert not Follow.objects.filter(object_id=str(report.pk)).exists()

        page = client.get(report.get_absolute_url())
        assert page.status_code == 200
        assert "Hull ved Føyka" in page.content.decode() and "Kari" not in page.content.decode()
        assert [hit.url for hit in providers.search("Føyka", AnonymousUser())] == [report.get_absolute_url()]

    def test_erase_leaves_other_peoples_reports_alone(self, resident, kari_report, pothole, other_person):
        others = make(other_person, pothole, "Olas melding", reporter=services.Reporter(show_name=True))

        providers.erase(resident)

        others.refresh_from_db()
        assert others.reporter == other_person and others.reporter_email == "ola@example.no" and others.show_name

    def test_the_module_is_registered_with_its_privacy_providers(self):
        module = registry.get("reports")
        assert module.personal_data is providers.personal_data and module.erase is providers.erase
        assert module.min_side is providers.min_side and module.search is providers.search
