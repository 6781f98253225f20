"""The notification pages, the follow button's endpoint, one-click unsubscribe, and Min side's section."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tinget.core.models import Follow, Notification
from tinget.core.notify import selectors, services
from tinget.core.notify.tokens import make_token

from .factories import UserFactory
from .html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The pages in English (/en/...), so the assertions read the msgids whatever the catalogues say."""
    from django.utils import translation

    translation.activate("en")


def notify(target, count, start=0):
    for index in range(start, start + count):
        services.announce(event_key=f"e{index}", verb="news", target=target, title=f"Varsel {index}")


def follow_data(target, action="follow", **extra):
    return {"model": target._meta.label_lower, "object_id": str(target.pk), "action": action, **extra}


class TestNotificationList:
    def test_needs_login(self, client):
        response = client.get(reverse("core:notifications"))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]

    def test_lists_the_persons_notifications_paginated_with_unread_marked_in_words(
        self, resident_client, resident, area
    ):
        services.follow(actor=resident, target=area)
        notify(area, 25)
        Notification.objects.filter(event_key="e24").update(read_at="2024-01-01T00:00:00Z")

        page = parse(resident_client.get(reverse("core:notifications")).content)

        items = page.find_all("li", class_="notification")
        assert len(items) == 20
        newest, second = items[0], items[1]
        assert "Varsel 24" in newest.text and "Unread" not in newest.text
        assert "Varsel 23" in second.text and "Unread" in second.text
        assert "24 unread" in page.find("main").text
        second_page = parse(resident_client.get(reverse("core:notifications") + "?side=2").content)
        assert len(second_page.find_all("li", class_="notification")) == 5

    def test_query_count_does_not_grow_with_the_list(
        self, resident_client, resident, area, municipality, django_assert_max_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        services.follow(actor=resident, target=area)
        notify(area, 2)
        resident_client.get(reverse("core:notifications"))  # the profile is cached from here on
        with CaptureQueriesContext(connection) as few:
            resident_client.get(reverse("core:notifications"))
        notify(area, 40, start=2)
        # Session and user (plus what session middleware writes), count, unread count, page.
        with django_assert_max_num_queries(9), CaptureQueriesContext(connection) as many:
            assert resident_client.get(reverse("core:notifications")).status_code == 200
        assert len(many) == len(few)

    def test_shows_only_the_persons_own(self, resident_client, resident, area):
        other = UserFactory()
        services.follow(actor=other, target=area)
        notify(area, 2)
        page = parse(resident_client.get(reverse("core:notifications")).content)
        assert page.find_all("li", class_="notification") == []
        assert page.find(class_="empty-state") is not None

    def test_opening_one_marks_it_read(self, resident_client, resident, area):
        services.follow(actor=resident, target=area)
        notify(area, 1)
        notification = Notification.objects.get()

        response = resident_client.get(reverse("core:notification", kwargs={"pk": notification.pk}))

        assert response.status_code == 200
        assert parse(response.content).find("h1").text == "Varsel 0"
        notification.refresh_from_db()
        assert notification.read_at is not None

    def test_another_persons_notification_is_not_found(self, resident_client, area):
        other = UserFactory()
        services.follow(actor=other, target=area)
        notify(area, 1)
        notification = Notification.objects.get()

        response = resident_client.get(reverse("core:notification", kwargs={"pk": notification.pk}))

        assert response.status_code == 404
        notification.refresh_from_db()
        assert notification.read_at is None

    def test_mark_all_as_read(self, csrf_client, resident, area):
        services.follow(actor=resident, target=area)
        notify(area, 3)
        csrf_client.force_login(resident)
        page = parse(csrf_client.get(reverse("core:notifications")).content)
        form = next(f for f in page.find_all("form") if f.attrs["action"] == reverse("core:notifications_read_all"))
        token = form.find("input", name="csrfmiddlewaretoken").attrs["value"]

        response = csrf_client.post(reverse("core:notifications_read_all"), {"csrfmiddlewaretoken": token})

        assert response.status_code == 302
        assert selectors.unread_count(resident) == 0

    def test_mark_all_as_read_is_post_only(self, resident_client):
        assert resident_client.get(reverse("core:notifications_read_all")).status_code == 405


class TestFollowEndpoint:
    def test_follow_and_unfollow_without_javascript(self, resident_client, resident, area):
        response = resident_client.post(reverse("core:follow"), follow_data(area, next=area.get_absolute_url()))
        assert response.status_code == 302
        assert response["Location"] == area.get_absolute_url()
        assert selectors.is_following(resident, area)

        response = resident_client.post(reverse("core:follow"), follow_data(area, "unfollow"))
        assert response.status_code == 302
        assert not selectors.is_following(resident, area)

    def test_the_button_on_the_area_page_follows(self, resident_client, resident, municipality):
        area = municipality.areas.get(slug="heggedal")
        page = parse(resident_client.get(area.get_absolute_url()).content)
        form = page.find("form", action=reverse("core:follow"))
        data = {el.attrs["name"]: el.attrs.get("value", "") for el in form.find_all("input")}

        response = resident_client.post(reverse("core:follow"), data)

        assert response.status_code == 302
        assert response["Location"] == area.get_absolute_url()
        assert selectors.is_following(resident, area)
        page = parse(resident_client.get(area.get_absolute_url()).content)
        assert "Stop following" in page.find("form", action=reverse("core:follow")).text
        assert "Heggedal" in page.find(class_="messages").text

    def test_htmx_gets_the_button_back(self, resident_client, resident, area):
        response = resident_client.post(reverse("core:follow"), follow_data(area), headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert "Stop following" in response.content.decode()
        assert "<html" not in response.content.decode()

    def test_an_unsafe_next_is_ignored(self, resident_client, area):
        response = resident_client.post(reverse("core:follow"), follow_data(area, next="https://evil.example/"))
        assert response.status_code == 302
        assert response["Location"] == reverse("core:hub")

    def test_anonymous_people_are_sent_to_log_in(self, client, area):
        response = client.post(reverse("core:follow"), follow_data(area, next=area.get_absolute_url()))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert not Follow.objects.exists()

    @pytest.mark.parametrize(
        "change",
        [
            {"model": "nonsense"},
            {"model": "core.nosuchmodel"},
            {"model": "x" * 500},
            {"object_id": "not-a-number"},
            {"object_id": "9" * 65},
            {"object_id": ""},
            {"action": "explode"},
        ],
        ids=["bad-label", "unknown-model", "oversized-label", "bad-id", "oversized-id", "no-id", "bad-action"],
    )
    def test_malformed_posts_get_a_readable_400(self, resident_client, area, change):
        response = resident_client.post(reverse("core:follow"), {**follow_data(area), **change})
        assert response.status_code == 400
        page = parse(response.content)
        assert page.find("h1").text == "Something was wrong with the request"
        assert not Follow.objects.exists()

    def test_an_unfollowable_kind_is_refused_with_a_400(self, resident_client, resident, unit):
        response = resident_client.post(reverse("core:follow"), follow_data(unit))
        assert response.status_code == 400
        assert "This cannot be followed." in response.content.decode()
        response = resident_client.post(reverse("core:follow"), follow_data(resident))
        assert response.status_code == 400
        assert not Follow.objects.exists()

    def test_an_object_that_does_not_exist_is_not_found(self, resident_client, area):
        response = resident_client.post(reverse("core:follow"), {**follow_data(area), "object_id": "987654"})
        assert response.status_code == 404

    def test_needs_a_csrf_token(self, csrf_client, resident, area):
        csrf_client.force_login(resident)
        assert csrf_client.post(reverse("core:follow"), follow_data(area)).status_code == 403
        assert not Follow.objects.exists()


class TestUnsubscribe:
    def follow_token(self, user, target):
        services.follow(actor=user, target=target)
        return make_token(user, content_type_id=ContentType.objects.get_for_model(target).pk, object_id=str(target.pk))

    def test_get_shows_a_confirm_page_and_changes_nothing(self, client, resident, area):
        token = self.follow_token(resident, area)
        response = client.get(reverse("core:unsubscribe", kwargs={"token": token}))
        assert response.status_code == 200
        page = parse(response.content)
        form = page.find("form", method="post")
        assert form.attrs["action"] == reverse("core:unsubscribe", kwargs={"token": token})
        assert "Heggedal" in page.find("main").text
        assert selectors.is_following(resident, area)

    def test_the_button_unfollows_without_login(self, csrf_client, resident, area):
        token = self.follow_token(resident, area)
        response = csrf_client.post(reverse("core:unsubscribe", kwargs={"token": token}))
        assert response.status_code == 200
        assert not selectors.is_following(resident, area)
        assert "Heggedal" in parse(response.content).find(role="status").text

    def test_rfc_8058_one_click_post_without_csrf(self, csrf_client, resident, area):
        token = self.follow_token(resident, area)
        response = csrf_client.post(
            reverse("core:unsubscribe", kwargs={"token": token}),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        assert not selectors.is_following(resident, area)
        # Twice is harmless.
        assert csrf_client.post(reverse("core:unsubscribe", kwargs={"token": token})).status_code == 200

    def test_all_email_token_stops_e_mail_but_keeps_the_follows(self, csrf_client, resident, area):
        services.follow(actor=resident, target=area)
        response = csrf_client.post(reverse("core:unsubscribe", kwargs={"token": make_token(resident)}))
        assert response.status_code == 200
        resident.refresh_from_db()
        assert resident.notification_frequency == "never"
        assert selectors.is_following(resident, area)

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_a_tampered_token_gets_a_clear_400(self, csrf_client, resident, area, method):
        token = self.follow_token(resident, area)
        other = UserFactory()
        forged = make_token(other).replace(":", ":x", 1)
        for bad in (token[:-3] + "abc", forged, "nonsense"):
            response = getattr(csrf_client, method)(reverse("core:unsubscribe", kwargs={"token": bad}))
            assert response.status_code == 400
            assert parse(response.content).find("h1").text == "This link does not work"
        assert selectors.is_following(resident, area)

    def test_a_token_signed_for_another_purpose_is_refused(self, client, resident):
        from django.core import signing

        token = signing.dumps([resident.pk, "all"], salt="something-else")
        assert client.get(reverse("core:unsubscribe", kwargs={"token": token})).status_code == 400

    def test_a_token_for_a_deleted_account_is_refused(self, client, resident):
        token = make_token(resident)
        resident.delete()
        assert client.post(reverse("core:unsubscribe", kwargs={"token": token})).status_code == 400


class TestMinSide:
    def test_shows_unread_count_latest_five_and_what_i_follow(self, resident_client, resident, area):
        services.follow(actor=resident, target=area)
        notify(area, 7)

        page = parse(resident_client.get(reverse("accounts:min_side")).content)

        section = page.by_id("ms-notifications").parent
        assert "7 unread" in section.text
        assert len(section.find_all("li")) == 5
        follows = page.by_id("ms-follows").parent
        assert "Heggedal" in follows.text
        assert follows.find("form", action=reverse("core:follow")) is not None

    def test_unfollow_from_min_side(self, resident_client, resident, area):
        services.follow(actor=resident, target=area)
        page = parse(resident_client.get(reverse("accounts:min_side")).content)
        form = page.by_id("ms-follows").parent.find("form", action=reverse("core:follow"))
        data = {el.attrs["name"]: el.attrs.get("value", "") for el in form.find_all("input")}
        assert data["action"] == "unfollow"

        response = resident_client.post(reverse("core:follow"), data)

        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:min_side")
        assert not selectors.is_following(resident, area)


class TestAreaPages:
    def test_list_and_detail(self, client, municipality):
        page = parse(client.get(reverse("core:areas")).content)
        links = {a.attrs["href"] for a in page.find("main").find_all("a")}
        assert {area.get_absolute_url() for area in municipality.areas.all()} <= links
        response = client.get(reverse("core:area", kwargs={"slug": "heggedal"}))
        assert response.status_code == 200
        # Not logged in: a link to log in instead of the button.
        assert parse(response.content).find("form", action=reverse("core:follow")) is None

    def test_unknown_area(self, client, municipality):
        assert client.get(reverse("core:area", kwargs={"slug": "nowhere"})).status_code == 404


class TestSummary:
    def test_unread_count_rides_on_the_latest(self, resident, area, django_assert_num_queries):
        services.follow(actor=resident, target=area)
        assert selectors.summary_for(resident)["unread"] == 0
        notify(area, 8)
        services.mark_read(actor=resident, notification=Notification.objects.filter(user=resident).first())
        with django_assert_num_queries(3):  # latest with the count, follows, the areas followed
            summary = selectors.summary_for(resident)
        assert summary["unread"] == 7
        assert len(summary["latest"]) == 5
        services.mark_all_read(actor=resident)
        assert selectors.summary_for(resident)["unread"] == 0
