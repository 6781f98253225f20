"""Screenshots of the main pages on a phone and a desktop, for looking at the layout by eye.

    python tests/browser/screenshots.py http://127.0.0.1:8103 var/screenshots

Needs a running server (e.g. `make run PORT=8103`) and Chromium (CHROMIUM, default /usr/bin/chromium).
Pages are taken in Bokmål. Their paths come from Django's URL configuration (run from the repository root
with the virtualenv's Python), so translated paths stay right.
"""

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urljoin

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from browser_checks import CHROMIUM_ARGS, url_for  # noqa: E402  (tests/browser is on the path as the script's dir)

# (URL name, query string)
PAGES = {
    "hub": ("core:hub", ""),
    "search-results": ("core:search", "?q=vakt"),
    "on-call": ("core:on_call", ""),
    "reports": ("reports:index", ""),
    "reports-new": ("reports:new", ""),
    "reports-new-details": ("reports:new_details", "?category=hull-i-veien&latitude=59.8335&longitude=10.4345"),
    "reports-stats": ("reports:stats", ""),
    "reports-developers": ("reports:open311_docs", ""),
}
VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 900},
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="where the site runs, e.g. http://127.0.0.1:8103")
    parser.add_argument("outdir", type=Path, help="directory for the PNG files")
    parser.add_argument("--viewport-only", action="store_true", help="only what fits the screen, not the page")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    args.outdir.mkdir(parents=True, exist_ok=True)
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            for device, viewport in VIEWPORTS.items():
                context = browser.new_context(viewport=viewport, locale="nb-NO", device_scale_factor=1)
                page = context.new_page()
                for name, (url_name, query) in PAGES.items():
                    path = url_for(url_name, "nb") + query
                    response = page.goto(urljoin(args.base_url, path))
                    if response is None or response.status != 200:
                        status = response.status if response else "no response"
                        print(f"{name}: {path} answered {status}", file=sys.stderr)
                        return 1
                    target = args.outdir / f"{name}-{device}.png"
                    page.screenshot(path=str(target), full_page=not args.viewport_only)
                    saved.append(target)
                context.close()
        finally:
            browser.close()
    for target in saved:
        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
