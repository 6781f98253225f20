"""Consultations' entry in the registry, and what each staff role may do with them."""

from django.utils.translation import gettext_lazy as _

from tinget.accounts.staff import CASE_WORKER, EDITOR, MODERATOR, add_role_permissions
from tinget.core.registry import Module, registry

from . import providers

add_role_permissions(
    CASE_WORKER,
    *(f"consultations.{verb}_consultation" for verb in ("view", "add", "change")),
    "consultations.publish_consultation",
    "consultations.process_consultation",
    "consultations.export_submissions",
    "consultations.view_submission",
    "consultations.view_section",
    "consultations.view_question",
    "consultations.view_document",
    "consultations.view_version",
    "consultations.view_tag",
)
add_role_permissions(
    MODERATOR, "consultations.view_consultation", "consultations.view_submission", "consultations.moderate_submission"
)
add_role_permissions(EDITOR, *(f"consultations.{verb}_topic" for verb in ("view", "add", "change", "delete")))

registry.register(
    Module(
        slug="consultations",
        name=_("Consultations"),
        description=_("Read cases and plans on consultation and give your input before the deadline."),
        section="local",
        url_name="consultations:index",
        icon="chat",
        order=10,
        min_side=providers.min_side,
        search=providers.search,
        demo=providers.demo,
        personal_data=providers.personal_data,
        erase=providers.erase,
        retention=providers.retention,
        followable=("consultations.consultation",),
        api_router="tinget.consultations.api.router",
        page_url_names=("consultations:index",),
    )
)
