"""The mail journal's entry in the registry, and what each staff role may do with it."""

from django.utils.translation import gettext_lazy as _

from tinget.accounts.staff import ADMINISTRATOR, CASE_WORKER, add_role_permissions
from tinget.core.registry import Module, registry

from . import providers

add_role_permissions(
    CASE_WORKER,
    "journal.answer_accessrequest",
    "journal.view_accessrequestpart",
    "journal.view_accessrequest",
    "journal.view_journalentry",
    "journal.view_casefile",
)
add_role_permissions(
    ADMINISTRATOR,
    "journal.import_journal",
    "journal.view_importjob",
    "journal.add_importjob",
)

registry.register(
    Module(
        slug="journal",
        name=_("Mail journal and access"),
        description=_("Search the municipality's public mail journal and ask to see documents."),
        section="insight",
        url_name="journal:index",
        icon="archive",
        order=20,
        min_side=providers.min_side,
        search=providers.search,
        demo=providers.demo,
        personal_data=providers.personal_data,
        erase=providers.erase,
        retention=providers.retention,
        api_router="tinget.journal.api.router",
        page_url_names=("journal:index", "journal:statistics", "journal:basket", "journal:period_request"),
    )
)
