"""What the browser tests and the screenshot script share: Chromium's flags, axe-core, URLs per language."""

from pathlib import Path

AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = ("nb", "nn", "en")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def url_for(name, lang="nb"):
    """The path of a URL name in a language (nb has no prefix; nn and en do)."""
    from django.urls import reverse
    from django.utils import translation

    with translation.override(lang):
        return reverse(name)


def run_axe(page, axe_source):
    """Inject axe-core as a page evaluation (the CSP forbids inline script tags) and return violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return result["violations"]


def format_violations(violations):
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


def context_with_session_of(browser, site, client, locale="nb-NO", **options):
    """A new browser context that carries the cookies of a Django test client, e.g. a staff member logged in
    through the real login and two-factor pages with the client (typing a TOTP code in the browser would
    only repeat what the accounts tests cover). `options` go to new_context (a phone's viewport, say)."""
    from urllib.parse import urlsplit

    host = urlsplit(site).hostname
    context = browser.new_context(base_url=site, locale=locale, **options)
    context.add_cookies(
        [{"name": name, "value": morsel.value, "domain": host, "path": "/"} for name, morsel in client.cookies.items()]
    )
    return context
