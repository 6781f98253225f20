from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from tinget.core import ratelimit
from tinget.core.mail import queue_email


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return True

    def pre_authenticate(self, request, **credentials):
        # Password guessing gets a tighter limit than other writes, on top of allauth's own.
        ratelimit.check(request, "login", "10/5m", network_rate="50/5m")
        return super().pre_authenticate(request, **credentials)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.email = user.email.lower()
        language = getattr(request, "LANGUAGE_CODE", None)
        if language:
            user.preferred_language = language
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix, email, context):
        """Account e-mails (verification, password reset) go through the task queue like all others."""
        # The context allauth's own send_mail gives the templates: without it, {{ email }} is empty.
        request = allauth_context.request
        context = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        message = self.render_mail(template_prefix, email, context)
        html = next((content for content, mime in getattr(message, "alternatives", []) if mime == "text/html"), None)
        queue_email(subject=message.subject, body=message.body, to=message.to, html=html, from_email=message.from_email)
