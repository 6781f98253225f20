"""Domain errors: raised by services when a rule forbids what was asked, with a message a resident can read."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule said no. `message` is translatable and shown to the user as it is."""

    default_message = _("This could not be done.")
    code = "domain_error"

    def __init__(self, message=None, *, code=None, params=None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.params = params or {}
        super().__init__(str(self.message))

    def __str__(self):
        return str(self.message) % self.params if self.params else str(self.message)


class NotAllowed(DomainError):
    default_message = _("You do not have permission to do this.")
    code = "not_allowed"


class InvalidTransition(DomainError):
    default_message = _("This change of status is not allowed.")
    code = "invalid_transition"
