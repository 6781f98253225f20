"""Checks on text that residents write. Everything is shown escaped anyway; these say *why* a text is refused."""

import re
from html.parser import HTMLParser

from django.utils.translation import gettext_lazy as _

# Tags that do harm even unfinished ("<script src=…" with no ">"): the parser below only reports finished ones.
_DANGEROUS_START = re.compile(
    r"<\s*/?\s*(script|style|iframe|frame|object|embed|svg|math|img|link|meta|base|form|input|a)\b", re.IGNORECASE
)


class _MarkupFinder(HTMLParser):
    """The standard library's HTML tokenizer, noting whether it met a tag, a comment or a declaration. Text that
    merely uses < and > ("5 < 10", "<3") is not markup to it, as it is not to a browser."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = False

    def handle_starttag(self, tag, attrs):
        self.found = True

    def handle_endtag(self, tag):
        self.found = True

    def handle_comment(self, data):
        self.found = True

    def handle_decl(self, decl):
        self.found = True

    def handle_pi(self, data):
        self.found = True

    def unknown_decl(self, data):
        self.found = True


def looks_like_html(text: str) -> bool:
    """Whether `text` holds HTML tags, comments or script. Residents' texts are plain text: everything is shown
    escaped anyway, but markup in a proposal or a submission is either a mistake (text pasted from a web page) or
    an attempt."""
    if "<" not in (text or ""):
        return False
    if _DANGEROUS_START.search(text):
        return True
    finder = _MarkupFinder()
    finder.feed(text)
    finder.close()
    return finder.found


PLAIN_TEXT_MESSAGE = _(
    "Write plain text: remove the HTML tags or code (such as <b> or <script>). Line breaks are kept as you write them."
)
