"""A small reading of an HTML page for accessibility and CSP checks, on the standard library's parser."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

LABELLABLE = {"input", "select", "textarea"}
NOT_LABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict
    in_label: bool = False
    text: str = ""


@dataclass
class Page:
    lang: str | None = None
    title: str = ""
    elements: list = field(default_factory=list)
    text: str = ""

    def all(self, tag, **attrs):
        return [
            element
            for element in self.elements
            if element.tag == tag and all(element.attrs.get(k) == v for k, v in attrs.items())
        ]

    def one(self, tag, **attrs):
        found = self.all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]

    @property
    def fields(self):
        return [
            element
            for element in self.elements
            if element.tag in LABELLABLE and element.attrs.get("type", "text") not in NOT_LABELLED_TYPES
        ]

    @property
    def label_targets(self):
        return {element.attrs.get("for") for element in self.all("label")}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.open = []  # elements whose text we are collecting
        self.label_depth = 0
        self.in_title = False
        self.in_script_or_style = False
        self.text = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: (value if value is not None else "") for name, value in attrs}
        element = Element(tag, attrs, in_label=self.label_depth > 0)
        self.page.elements.append(element)
        if tag == "html":
            self.page.lang = attrs.get("lang")
        elif tag == "title":
            self.in_title = True
        elif tag == "label":
            self.label_depth += 1
        elif tag in ("script", "style"):
            self.in_script_or_style = True
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag == "label":
            self.label_depth -= 1
        elif tag in ("script", "style"):
            self.in_script_or_style = False
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index]
                break

    def handle_data(self, data):
        if self.in_title:
            self.page.title += data
        for element in self.open:
            element.text += data
        if not self.in_script_or_style and not self.in_title:
            self.text.append(data)


def read(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    page = reader.page
    page.title = " ".join(page.title.split())
    page.text = " ".join(" ".join(reader.text).split())
    for element in page.elements:
        element.text = " ".join(element.text.split())
    return page


def accessibility_problems(html: str) -> list[str]:
    """What every account page must get right; an empty list means it does."""
    page = read(html)
    problems = []
    if not page.lang:
        problems.append("<html> has no lang")
    if not page.title:
        problems.append("no <title>")
    h1s = page.all("h1")
    if len(h1s) != 1:
        problems.append(f"{len(h1s)} <h1> elements")
    elif h1s[0].text not in page.title:
        problems.append(f"<title> {page.title!r} does not start from the <h1> {h1s[0].text!r}")
    targets = page.label_targets
    for element in page.fields:
        element_id = element.attrs.get("id")
        if not element.in_label and (not element_id or element_id not in targets):
            problems.append(f"no label for <{element.tag} name={element.attrs.get('name')!r}>")
    ids = [element.attrs["id"] for element in page.elements if "id" in element.attrs]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        problems.append(f"duplicate ids: {sorted(duplicates)}")
    for element in page.elements:
        described_by = element.attrs.get("aria-describedby")
        if described_by:
            for target in described_by.split():
                if target not in ids:
                    problems.append(f"aria-describedby points to missing #{target}")
        if "style" in element.attrs:
            problems.append(f"style attribute on <{element.tag}> (forbidden by our CSP)")
        if element.tag == "script" and not element.attrs.get("src"):
            problems.append("inline <script> (forbidden by our CSP)")
        if element.tag == "style":
            problems.append("<style> element (forbidden by our CSP)")
        if any(name.startswith("on") for name in element.attrs):
            problems.append(f"inline event handler on <{element.tag}>")
    for link in page.all("a"):
        href = link.attrs.get("href", "")
        if href.startswith("#") and len(href) > 1 and href[1:] not in ids:
            problems.append(f"link to missing #{href[1:]}")
    return problems


def assert_page_is_sound(response, language):
    """A 200 in our layout (main landmark and skip link), in `language`, with no problem pagecheck finds."""
    assert response.status_code == 200
    html = response.content.decode()
    assert accessibility_problems(html) == []
    page = read(html)
    assert page.lang == language
    # Our layout, not allauth's bare one.
    assert page.all("main", id="main")
    assert page.all("a", href="#main")
    return page
