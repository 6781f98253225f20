from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site

from tinget.core import ratelimit
from tinget.core.mail import queue_email

from .oidc import end_session_url


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return True

    def pre_authenticate(self, request, **credentials):
        # Every attempt counts here; allauth counts the failed ones (settings: login throttling, part D).
        ratelimit.check(request, "login", settings.TINGET_LOGIN_RATE, network_rate=settings.TINGET_LOGIN_RATE_NETWORK)
        return super().pre_authenticate(request, **credentials)

    def get_logout_redirect_url(self, request):
        # After an ID-porten login, logging out here logs out at ID-porten too (part A, accounts/oidc.py).
        return end_session_url(request) or super().get_logout_redirect_url(request)

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
