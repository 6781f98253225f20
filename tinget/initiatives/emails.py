"""The e-mails initiatives send outside the follow notifications (tinget.core.notify): the invitation to a
co-promoter, who may not have an account yet. Queued after commit, in the promoter's language."""

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
