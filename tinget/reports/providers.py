"""What fault reports give the rest of the platform: Min side, site search, demo data and privacy."""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from tinget.core import audit
from tinget.core.registry import MinSideSection, SearchHit

from . import selectors
from .models import Report, Subscriber, Update

MIN_SIDE_ITEMS = 5


def min_side(user) -> MinSideSection:
    reports = list(selectors.reports_of(user)[:MIN_SIDE_ITEMS])
    return MinSideSection(
        title=_("My fault reports"),
        items=[
            {"title": f"#{r.pk} {r.title}", "url": r.get_absolute_url(), "status": r.get_state_display()}
            for r in reports
        ],
        empty_text=_("You have not reported any faults."),
        more_url=reverse("reports:mine"),
    )


def search(query, viewer):
    return [
        SearchHit(
            title=f"#{r.pk} {r.title}",
            url=r.get_absolute_url(),
            summary=f"{r.get_state_display()} · {r.address or r.category.name}",
            module="reports",
        )
        for r in selectors.search(query, viewer)[:10]
    ]


def demo(municipality):
    from .demo import load_demo

    load_demo(municipality)


def personal_data(user) -> dict:
    reports = selectors.reports_of(user).prefetch_related("photos")
    return {
        "reports": [
            {
                "id": r.pk,
                "url": r.get_absolute_url(),
                "category": r.category.name,
                "title": r.title,
                "description": r.description,
                "address": r.address,
                "latitude": r.latitude,
                "longitude": r.longitude,
                "state": r.state,
                "show_name": r.show_name,
                "phone": r.reporter_phone,
                "created_at": r.created_at,
                "photos": [p.image.name for p in r.photos.all()],
            }
            for r in reports
        ],
        "subscriptions": list(Subscriber.objects.filter(email__iexact=user.email).values("report_id", "confirmed_at")),
    }


def erase(user) -> None:
    """The reports stay (the fault is public information and the unit's case), without the person: name, e-mail
    and phone are cleared and the name is no longer shown. E-mail subscriptions go."""
    with transaction.atomic():
        reports = Report.objects.filter(reporter=user)
        count = reports.update(reporter=None, reporter_name="", reporter_email="", reporter_phone="", show_name=False)
        # The reporter's own lines in the history (reported, "is it fixed?") lose the name too; a staff
        # member's answers stay signed by their unit.
        Update.objects.filter(
            author=user, kind__in=[Update.Kind.CREATED, Update.Kind.QUESTIONNAIRE, Update.Kind.REOPENED]
        ).update(author=None, author_label="")
        Subscriber.objects.filter(email__iexact=user.email).delete()
        if count:
            audit.log("privacy", "reports.report.reporter_erased", None, {"reports": count})
