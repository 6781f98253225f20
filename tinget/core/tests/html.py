"""A small HTML reader for tests, on the standard library's parser: elements with their attributes and text."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict
    parent: "Element | None" = field(default=None, repr=False)
    children: list = field(default_factory=list, repr=False)
    # Text and child elements in document order.
    content: list = field(default_factory=list, repr=False)

    @property
    def text(self):
        return " ".join(" ".join(part if isinstance(part, str) else part.text for part in self.content).split())

    def iter(self):
        for child in self.children:
            yield child
            yield from child.iter()

    def find_all(self, tag=None, **attrs):
        attrs = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [el for el in self.iter() if (tag is None or el.tag == tag) and el._matches(attrs)]

    def _matches(self, attrs):
        for name, value in attrs.items():
            if name == "class":
                if value not in self.attrs.get("class", "").split():
                    return False
            elif self.attrs.get(name) != value:
                return False
        return True

    def find(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def by_id(self, element_id):
        return self.find(id=element_id)

    def ids(self):
        return [el.attrs["id"] for el in self.iter() if "id" in el.attrs]

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: ("" if v is None else v) for k, v in attrs}, parent=self.current)
        self.current.children.append(element)
        self.current.content.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        element = Element(tag, {k: ("" if v is None else v) for k, v in attrs}, parent=self.current)
        self.current.children.append(element)
        self.current.content.append(element)

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.content.append(data)


def parse(html) -> Element:
    if isinstance(html, bytes):
        html = html.decode()
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root
