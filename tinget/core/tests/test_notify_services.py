"""Follow, unfollow and announce: the rules, idempotency, and who is told what in which language."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.utils.translation import gettext_lazy as _

from tinget.core.models import AuditEntry, Follow, Notification
from tinget.core.notify import selectors, services
from tinget.core.registry import registry

from .factories import AreaFactory, UserFactory

pytestmark = pytest.mark.django_db


class TestFollow:
    def test_the_core_makes_areas_followable(self):
        assert "core.area" in registry.get("areas").followable

    def test_follow_and_unfollow(self, resident, area):
        services.follow(actor=resident, target=area)
        assert selectors.is_following(resident, area)
        assert AuditEntry.objects.filter(action="core.follow.created", target_id=str(area.pk)).count() == 1

        assert services.unfollow(actor=resident, target=area) is True
        assert not selectors.is_following(resident, area)
        assert AuditEntry.objects.filter(action="core.follow.deleted", target_id=str(area.pk)).count() == 1

    def test_following_twice_is_one_follow(self, resident, area):
        first = services.follow(actor=resident, target=area)
        second = services.follow(actor=resident, target=area)
        assert first.pk == second.pk
        assert Follow.objects.filter(user=resident).count() == 1
        assert AuditEntry.objects.filter(action="core.follow.created").count() == 1

    def test_unfollowing_what_one_does_not_follow_is_harmless(self, resident, area):
        assert services.unfollow(actor=resident, target=area) is False

    def test_a_model_no_module_lists_cannot_be_followed(self, resident, unit):
        with pytest.raises(services.NotFollowable):
            services.follow(actor=resident, target=unit)
        with pytest.raises(services.NotFollowable):
            services.follow(actor=resident, target=resident)
        assert not Follow.objects.exists()

    def test_a_module_that_lists_a_model_makes_it_followable(self, resident, unit, units_followable):
        services.follow(actor=resident, target=unit)
        assert selectors.is_following(resident, unit)

    def test_anonymous_and_inactive_people_cannot_follow(self, area):
        with pytest.raises(services.NotLoggedIn):
            services.follow(actor=AnonymousUser(), target=area)
        inactive = UserFactory(is_active=False)
        with pytest.raises(services.NotLoggedIn):
            services.follow(actor=inactive, target=area)
        assert not Follow.objects.exists()

    def test_a_target_may_refuse_a_follower(self, resident, area):
        # A module's model that is not public to everyone says so through is_followable_by.
        area.is_followable_by = lambda user: user.email != resident.email
        with pytest.raises(services.NotFollowable):
            services.follow(actor=resident, target=area)
        other = UserFactory()
        services.follow(actor=other, target=area)
        assert selectors.is_following(other, area)


class TestSelectors:
    def test_followers_of_leaves_out_inactive_people(self, area, people):
        for person in people.values():
            services.follow(actor=person, target=area)
        people["never"].is_active = False
        people["never"].save()
        assert set(selectors.followers_of(area)) == {people["instant"], people["daily"]}

    def test_follows_for_groups_by_module_with_title_and_url(self, resident, area, unit, units_followable):
        other_area = AreaFactory(municipality=area.municipality, name="Borgen", slug="borgen")
        services.follow(actor=resident, target=area)
        services.follow(actor=resident, target=other_area)
        services.follow(actor=resident, target=unit)

        groups = selectors.follows_for(resident)

        by_module = {group.module.slug: group for group in groups}
        assert set(by_module) == {"areas", "test-units"}
        assert [(item.title, item.url) for item in by_module["areas"].items] == [
            ("Borgen", other_area.get_absolute_url()),
            ("Heggedal", area.get_absolute_url()),
        ]
        assert [item.title for item in by_module["test-units"].items] == ["Vei og park"]

    def test_follows_for_leaves_out_what_is_gone_or_no_longer_followable(self, resident, area, unit, units_followable):
        services.follow(actor=resident, target=area)
        services.follow(actor=resident, target=unit)
        registry.unregister(units_followable.slug)
        area_pk = area.pk
        Follow.objects.filter(object_id=str(area_pk)).update(object_id="999999")
        assert selectors.follows_for(resident) == []

    def test_follows_for_costs_one_query_per_kind(
        self, resident, area, unit, units_followable, django_assert_num_queries
    ):
        for index in range(5):
            services.follow(actor=resident, target=AreaFactory(municipality=area.municipality, slug=f"a{index}"))
        services.follow(actor=resident, target=unit)
        with django_assert_num_queries(3):
            groups = selectors.follows_for(resident)
        assert sum(len(group.items) for group in groups) == 6


class TestAnnounce:
    def announce(self, target, key="core.area.1.news", **kwargs):
        return services.announce(
            event_key=key, verb="news", target=target, title=kwargs.pop("title", "Nytt i Heggedal"), **kwargs
        )

    def test_every_follower_gets_one_notification_except_the_one_who_acted(
        self, area, people, resident, django_capture_on_commit_callbacks
    ):
        for person in [*people.values(), resident]:
            services.follow(actor=person, target=area)
        with django_capture_on_commit_callbacks(execute=True):
            created = self.announce(area, exclude=resident)

        assert created == 3
        notified = set(Notification.objects.values_list("user__email", flat=True))
        assert notified == {p.email for p in people.values()}
        notification = Notification.objects.get(user=people["instant"])
        assert notification.url == area.get_absolute_url()
        assert (notification.content_type.model, notification.object_id) == ("area", str(area.pk))

    def test_nobody_who_does_not_follow_is_told(self, area, resident, people):
        services.follow(actor=people["instant"], target=area)
        self.announce(AreaFactory(municipality=area.municipality))
        assert not Notification.objects.exists()

    def test_announcing_twice_stores_and_sends_once(self, area, people, django_capture_on_commit_callbacks):
        for person in people.values():
            services.follow(actor=person, target=area)
        with django_capture_on_commit_callbacks(execute=True):
            assert self.announce(area) == 3
        with django_capture_on_commit_callbacks(execute=True):
            assert self.announce(area) == 0
        assert Notification.objects.count() == 3
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [people["instant"].email]

    def test_a_new_follower_gets_an_event_announced_again(self, area, people, django_capture_on_commit_callbacks):
        services.follow(actor=people["instant"], target=area)
        self.announce(area)
        services.follow(actor=people["daily"], target=area)
        assert self.announce(area) == 1
        assert Notification.objects.filter(user=people["daily"]).count() == 1

    def test_titles_are_in_each_followers_language(self, area, people):
        for person in people.values():
            services.follow(actor=person, target=area)
        self.announce(area, title=_("My page"), body=lambda: str(_("Notifications")))
        titles = dict(Notification.objects.values_list("user__preferred_language", "title"))
        assert titles == {"nb": "Min side", "nn": "Mi side", "en": "My page"}
        assert Notification.objects.get(user=people["never"]).body == "Notifications"

    def test_nothing_is_sent_when_the_transaction_rolls_back(self, area, people, django_capture_on_commit_callbacks):
        from django.db import transaction

        services.follow(actor=people["instant"], target=area)
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
            self.announce(area)
            raise RuntimeError
        assert not Notification.objects.exists()
        assert mail.outbox == []

    def test_long_titles_are_cut_to_fit(self, area, resident):
        services.follow(actor=resident, target=area)
        self.announce(area, title="x" * 1000)
        assert len(Notification.objects.get().title) == 300


class TestMarkRead:
    def test_mark_all_read_touches_only_the_persons_own(self, area, people):
        for person in people.values():
            services.follow(actor=person, target=area)
        services.announce(event_key="e1", verb="news", target=area, title="En")
        services.announce(event_key="e2", verb="news", target=area, title="To")

        assert services.mark_all_read(actor=people["never"]) == 2
        assert selectors.unread_count(people["never"]) == 0
        assert selectors.unread_count(people["daily"]) == 2

    def test_one_cannot_mark_another_persons_notification(self, area, people):
        services.follow(actor=people["never"], target=area)
        services.announce(event_key="e1", verb="news", target=area, title="En")
        notification = Notification.objects.get()
        with pytest.raises(services.NotAllowed):
            services.mark_read(actor=people["daily"], notification=notification)
        notification.refresh_from_db()
        assert notification.read_at is None
