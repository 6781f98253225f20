"""The core's own entries in the registry: content pages that belong to a hub section."""

from django.utils.translation import gettext_lazy as _

from .registry import Module, registry

registry.register(
    Module(
        slug="on-call",
        name=_("Emergency and on-call numbers"),
        description=_("Who to call when something is urgent: water, roads, doctor, fire and police."),
        section="insight",
        url_name="core:on_call",
        icon="phone",
        order=900,
    )
)

# Residents follow the area they live in (DOMAIN.md); modules announce what happens there.
registry.register(
    Module(
        slug="areas",
        name=_("Areas"),
        description=_("Follow the area where you live and be told when something happens there."),
        section="local",
        url_name="core:areas",
        icon="map-pin",
        order=800,
        followable=("core.area",),
    )
)
