from django import template
from django.utils.http import url_has_allowed_host_and_scheme

from tinget.accounts import identity, oidc

register = template.Library()


@register.inclusion_tag("accounts/idporten/login_button.html", takes_context=True)
def idporten_login_button(context, next_url="", level=identity.SUBSTANTIAL):
    """The "Log in with ID-porten" button, when ID-porten is configured; it comes back to next_url."""
    request = context["request"]
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return {"enabled": oidc.enabled(), "url": identity.login_url(level, next_url)}


@register.inclusion_tag("accounts/idporten/identity_summary.html", takes_context=True)
def identity_summary(context):
    """Min side's identity part: the level of this session, the last ID-porten login, residency."""
    from tinget.accounts.views.identity import identity_context

    request = context["request"]
    return {**identity_context(request), "request": request, "municipality": context.get("municipality")}
