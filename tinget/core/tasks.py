"""Background work shared by every module. Run by `manage.py db_worker` (started by `make run`)."""

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(*, subject: str, body: str, to: list[str], html: str | None = None, from_email: str | None = None):
    """Send one e-mail. Runs in the worker so a slow or failing SMTP server never holds up a page."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, from_email=from_email)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    return len(to)
