"""Test clients every suite uses (a plain module: the browser tests have a conftest of their own)."""

from django.test import Client, TestCase


class CommittingClient(Client):
    """A test client whose every request ends the way a real one does: with a commit.

    Tests run inside a transaction that is rolled back, so `transaction.on_commit` callbacks (e-mail and
    other side effects, see tinget.core.mail) would never run; here they run once each request is answered.
    """

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)
