"""Citizen initiatives' entry in the registry."""

from django.utils.translation import gettext_lazy as _

from tinget.accounts.staff import CASE_WORKER, EDITOR, MODERATOR, add_role_permissions
from tinget.core.registry import Module, registry

from . import providers

add_role_permissions(
    CASE_WORKER,
    "initiatives.view_initiative",
    "initiatives.review_initiative",
    "initiatives.handle_initiative",
    "initiatives.view_signature_list",
    "initiatives.invalidate_signatures",
    "initiatives.view_signature",
    "initiatives.view_papersignature",
    "initiatives.view_paperbatch",
    "initiatives.view_burst",
    "initiatives.view_step",
    "initiatives.view_invalidation",
)
add_role_permissions(MODERATOR, "initiatives.view_initiative", "initiatives.review_initiative")
add_role_permissions(EDITOR, *(f"initiatives.{verb}_topic" for verb in ("view", "add", "change", "delete")))

registry.register(
    Module(
        slug="initiatives",
        name=_("Citizen initiatives"),
        description=_(
            "Propose something the council must consider, or sign a proposal: 300 signatures from residents are "
            "always enough."
        ),
        section="local",
        url_name="initiatives:index",
        icon="pen",
        order=20,
        min_side=providers.min_side,
        search=providers.search,
        demo=providers.demo,
        personal_data=providers.personal_data,
        erase=providers.erase,
        retention=providers.retention,
        followable=("initiatives.initiative",),
        api_router="tinget.initiatives.api.router",
        # "mine" and "my_signatures" need a login, so the browser tests' anonymous round does not visit them.
        page_url_names=("initiatives:index",),
    )
)
