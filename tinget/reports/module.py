"""The fault reports' entry in the registry."""

from django.utils.translation import gettext_lazy as _

from tinget.accounts.staff import CASE_WORKER, EDITOR, MODERATOR, add_role_permissions
from tinget.core.registry import Module, registry

from . import providers

add_role_permissions(
    CASE_WORKER,
    "reports.view_report",
    "reports.handle_report",
    "reports.view_category",
    "reports.view_categorygroup",
    "reports.view_question",
    "reports.view_photo",
    "reports.view_update",
)
# Categories, their routing and questions are data the municipality's editors keep up to date.
add_role_permissions(
    EDITOR,
    *(
        f"reports.{verb}_{model}"
        for verb in ("view", "add", "change", "delete")
        for model in ("categorygroup", "category", "question")
    ),
)
add_role_permissions(MODERATOR, "reports.view_report", "reports.moderate_report", "reports.view_photo")

registry.register(
    Module(
        slug="reports",
        name=_("Report a fault"),
        description=_(
            "Water, sewage, waste collection, roads, parks, buildings and nature: tell us what is broken and "
            "follow it until it is fixed."
        ),
        section="insight",
        url_name="reports:index",
        icon="wrench",
        order=10,
        min_side=providers.min_side,
        search=providers.search,
        demo=providers.demo,
        personal_data=providers.personal_data,
        erase=providers.erase,
        retention=_(
            "Your reports stay public without your name when you delete your account. The name, e-mail and phone "
            "of someone without an account are deleted two years after the report is closed."
        ),
        followable=("reports.report",),
        api_router="tinget.reports.api.router",
        page_url_names=("reports:index", "reports:new", "reports:stats", "reports:open311_docs"),
    )
)
