"""My input to consultations: what I sent (and what became of it), my drafts, and the consultations I follow. A
personal page: login required, never cached, only the person's own."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import rules, selectors, services
from ..models import State
from .submitting import url_or_none

# Designsystemet tag colours; the state is always written out too.
STATE_COLORS = {
    State.DRAFT: "neutral",
    State.UPCOMING: "info",
    State.OPEN: "success",
    State.CLOSED: "warning",
    State.PROCESSING: "info",
    State.CONCLUDED: "neutral",
}
# The drafts have their own pages, so that the list of sent input keeps the shared pagination's "side".
DRAFTS_PAGE = "utkast"


def _state(consultation, now):
    state = consultation.state_at(now)
    return {"label": State(state).label, "color": STATE_COLORS.get(state, "neutral"), "value": state}


def _drafts_nav(request, page):
    def url_for(number):
        params = request.GET.copy()
        params[DRAFTS_PAGE] = number
        return "?" + urlencode(params, doseq=True)

    return {
        "previous_url": url_for(page.previous_page_number()) if page.has_previous() else None,
        "next_url": url_for(page.next_page_number()) if page.has_next() else None,
    }


@require_GET
@never_cache
@login_required
def mine(request):
    user = request.user
    now = timezone.now()
    size = settings.TINGET_CONSULTATION_PAGE_SIZE

    sent_page = Paginator(selectors.sent_input_of(user), size).get_page(request.GET.get("side"))
    for submission in sent_page.object_list:
        consultation = submission.consultation
        submission.consultation_state = _state(consultation, now)
        submission.sent_when = services.local_moment(submission.sent_at)
        submission.public_url = url_or_none("consultations:submission", pk=consultation.pk, number=submission.number)
        submission.receipt_url = reverse("consultations:receipt", kwargs={"pk": consultation.pk, "key": submission.key})
        submission.detail_url = url_or_none("consultations:detail", pk=consultation.pk)

    drafts_page = Paginator(selectors.drafts_of(user), size).get_page(request.GET.get(DRAFTS_PAGE))
    for draft in drafts_page.object_list:
        consultation = draft.consultation
        draft.consultation_state = _state(consultation, now)
        draft.deadline_when = services.local_moment(consultation.deadline)
        draft.can_send = rules.takes_input(consultation, now)
        draft.finish_url = (
            reverse("consultations:give_input", kwargs={"pk": consultation.pk})
            + "?"
            + urlencode({"draft": str(draft.key)})
        )
        draft.discard_url = reverse("consultations:draft_discard", kwargs={"key": draft.key})
        draft.detail_url = url_or_none("consultations:detail", pk=consultation.pk)

    followed = selectors.followed_consultations(user)
    for consultation in followed:
        consultation.state_info = _state(consultation, now)
        consultation.deadline_when = services.local_moment(consultation.deadline)

    return render(
        request,
        "consultations/mine/index.html",
        {
            "sent_page": sent_page,
            "sent": sent_page.object_list,
            "drafts_page": drafts_page,
            "drafts": drafts_page.object_list,
            "drafts_nav": _drafts_nav(request, drafts_page),
            "followed": followed,
            "index_url": url_or_none("consultations:index"),
            "crumbs": [
                (_("Front page"), reverse("core:hub")),
                (_("My page"), reverse("accounts:min_side")),
                (_("My input to consultations"), None),
            ],
        },
    )


urlpatterns = [
    path(gettext_lazy("my-input/"), mine, name="mine"),
]
