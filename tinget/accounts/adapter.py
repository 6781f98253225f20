from allauth.account.adapter import DefaultAccountAdapter

from tinget.core import ratelimit


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
