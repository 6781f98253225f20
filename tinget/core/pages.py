"""Which pages the site-wide checks (the browser suite's axe, language and heading checks) must visit.

Built from the registry, so a module that registers itself is checked without anyone editing the tests.
"""

from .registry import registry

CORE_PAGES = (
    "core:hub",
    "core:search",
    "core:on_call",
    "core:accessibility",
    "core:privacy",
    "core:about",
)
ACCOUNT_PAGES = ("account_login", "account_signup", "account_reset_password")
LOGIN_REQUIRED_PAGES = (
    "accounts:min_side",
    "accounts:settings",
    "accounts:privacy",
    "accounts:privacy_delete",
    "core:notifications",
    "account_email",
    "account_change_password",
    "mfa_index",
)


def public_pages() -> list[str]:
    """URL names (taking no arguments) of every page anyone may open, without duplicates, in a stable order."""
    names = [*CORE_PAGES, *ACCOUNT_PAGES]
    for module in registry:
        names.append(module.url_name)
        names.extend(module.page_url_names)
    return list(dict.fromkeys(names))


def login_required_pages() -> list[str]:
    """URL names (taking no arguments) of pages that only a logged-in person sees."""
    return list(LOGIN_REQUIRED_PAGES)
