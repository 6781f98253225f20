"""The e-mails initiatives send outside the follow notifications (tinget.core.notify): the invitation to a
co-promoter, who may not have an account yet (in the promoter's language), and the word to reviewing staff that a
proposal waits for them (in each one's language). Queued after commit."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tinget.core.mail import queue_email
from tinget.core.notify.email import absolute_url


def co_promoter_invitation(co_promoter, token: str):
    initiative = co_promoter.initiative
    with translation.override(initiative.language):
        url = absolute_url(reverse("initiatives:co_promoter_confirm", kwargs={"token": token}))
        body = "\n".join(
            [
                _('%(name)s asks you to promote the citizen initiative "%(title)s" together with them.')
                % {"name": initiative.promoter_name, "title": initiative.title},
                "",
                _("If you agree, open this link and log in with ID-porten to confirm:"),
                url,
                "",
                _(
                    "Your name is shown with the initiative once you confirm. "
                    "If you do not know this person, ignore this e-mail."
                ),
            ]
        )
        queue_email(subject=_("Will you promote a citizen initiative?"), body=body, to=[co_promoter.email])


def reviewers():
    """Active staff who may review initiatives (through a role or their own permissions)."""
    from django.contrib.auth.models import Permission

    permission = Permission.objects.filter(codename="review_initiative", content_type__app_label="initiatives")
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(groups__permissions__in=permission) | Q(user_permissions__in=permission))
        .distinct()
    )


def review_requested(initiative):
    """To reviewing staff: a proposal was sent for review. Only the title and a link: the rest is on the page."""
    for reviewer in reviewers().only("email", "preferred_language"):
        with translation.override(reviewer.preferred_language):
            url = absolute_url(reverse("initiatives:staff_detail", kwargs={"pk": initiative.pk}))
            body = "\n".join(
                [
                    _('A citizen initiative waits for review: "%(title)s".') % {"title": initiative.title},
                    "",
                    _("Review it here (log in with your second factor):"),
                    url,
                ]
            )
            queue_email(subject=_("Citizen initiative to review"), body=body, to=[reviewer.email])
