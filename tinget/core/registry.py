"""The module registry: each participation channel describes itself once, and the hub, search and
Min side iterate over what is registered. The core never imports a module app."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    """A group on the hub, following the seed page's headings."""

    slug: str
    title: Promise
    intro: Promise


# The seed page's five groups, in its order.
SECTIONS = (
    Section("politics", _("Politics"), _("Vote, follow political cases and talk to your representatives.")),
    Section(
        "local",
        _("Get involved where you live"),
        _("Say what you think, give input on plans and take part in your neighbourhood."),
    ),
    Section(
        "insight",
        _("Access and report faults"),
        _("Report faults and defects, and see the municipality's post and documents."),
    ),
    Section(
        "culture",
        _("Sport, culture and volunteering"),
        _("Join an association, find support for your idea or lend a hand."),
    ),
    Section("follow", _("Keep up to date"), _("Events, meetings and news from the municipality.")),
)
SECTION_SLUGS = frozenset(s.slug for s in SECTIONS)


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    summary: str = ""
    module: str = ""


@dataclass(frozen=True)
class MinSideSection:
    """What one module has for one person on Min side."""

    title: str
    items: list = field(default_factory=list)  # each: {"title", "url", "status"}
    empty_text: str = ""
    more_url: str = ""


@dataclass(frozen=True)
class Module:
    """A participation channel's entry in the registry (its manifest)."""

    slug: str
    name: Promise
    description: Promise
    section: str
    url_name: str
    icon: str = "circle"
    order: int = 100
    # Optional providers; each takes the viewer (and the query for search).
    min_side: Callable | None = None
    search: Callable | None = None
    stats: Callable | None = None
    demo: Callable | None = None
    # Privacy (GDPR): what this module holds about a person, and how it forgets them.
    # personal_data(user) -> dict (JSON-serialisable) for "download my data";
    # erase(user) -> None deletes what may go and unlinks what must stay public by law (e.g. a consultation
    # submission), declared in `retention` for the privacy page and tested per module.
    personal_data: Callable | None = None
    erase: Callable | None = None
    retention: Promise | str = ""
    # Models (app_label.model) a person may follow; the core's follow service refuses any other.
    followable: tuple[str, ...] = ()
    # Dotted path to the module's django-ninja Router, mounted at /api/v1/<slug>/.
    api_router: str | None = None
    # Extra pages that the browser tests must visit (url names without arguments).
    page_url_names: tuple[str, ...] = ()

    def __post_init__(self):
        if self.section not in SECTION_SLUGS:
            raise ValueError(f"Module {self.slug!r} names unknown hub section {self.section!r}")

    @property
    def url(self):
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


class Registry:
    def __init__(self):
        self._modules: dict[str, Module] = {}

    def register(self, module: Module) -> Module:
        if module.slug in self._modules and self._modules[module.slug] != module:
            raise ValueError(f"A module with slug {module.slug!r} is already registered")
        self._modules[module.slug] = module
        return module

    def unregister(self, slug: str) -> None:
        self._modules.pop(slug, None)

    def __iter__(self) -> Iterator[Module]:
        return iter(sorted(self._modules.values(), key=lambda m: (m.order, m.slug)))

    def __len__(self):
        return len(self._modules)

    def get(self, slug: str) -> Module | None:
        return self._modules.get(slug)

    def sections(self):
        """[(section, [modules with a working page])], in the seed's order; empty sections included."""
        by_section = {s.slug: [] for s in SECTIONS}
        for module in self:
            if module.url is not None:
                by_section[module.section].append(module)
        return [(section, by_section[section.slug]) for section in SECTIONS]

    @contextmanager
    def temporarily(self, *modules: Module):
        """Register modules for the duration of a block (tests)."""
        for m in modules:
            self.register(m)
        try:
            yield self
        finally:
            for m in modules:
                self.unregister(m.slug)


registry = Registry()
