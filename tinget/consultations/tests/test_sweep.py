"""The scheduled sweep: a draft's author is reminded once before the deadline; drafts that can no longer be sent
are deleted with their files."""

import datetime as dt
import uuid

import pytest
from django.core.management import call_command

from tinget.consultations import attachments, services
from tinget.consultations.models import Submission

from .conftest import pass_deadline, send_input
from .test_services import pdf

pytestmark = pytest.mark.django_db


def test_reminds_once_near_the_deadline(open_consultation, resident, mailoutbox, django_capture_on_commit_callbacks):
    draft = send_input(resident, open_consultation, send=False)
    send_input(resident, open_consultation)  # sent input is not reminded
    far = open_consultation.deadline - dt.timedelta(days=5)
    near = open_consultation.deadline - dt.timedelta(hours=20)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_drafts(now=far) == 0
        assert services.remind_drafts(now=near) == 1
        assert services.remind_drafts(now=near) == 0
    assert [m.to for m in mailoutbox] == [[resident.email]]
    assert f"?draft={draft.key}" in mailoutbox[0].body


def test_stale_drafts_go_with_their_files(open_consultation, resident, case_worker, django_capture_on_commit_callbacks):
    draft = services.submission_save(
        actor=resident,
        consultation=open_consultation,
        key=uuid.uuid4(),
        data={"author_name": "K", "show_name": False, "text": "Utkast"},
        new_files=[attachments.check_file(pdf())],
        send=False,
    )
    stored = draft.attachments.get().file
    send_input(resident, open_consultation)
    assert services.purge_stale_drafts() == 0
    pass_deadline(open_consultation, days=1)
    assert services.purge_stale_drafts() == 0  # late input may still be allowed
    services.start_processing(actor=case_worker, consultation=open_consultation)
    assert stored.storage.exists(stored.name)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.purge_stale_drafts() == 1
    assert list(Submission.objects.values_list("status", flat=True)) == ["sent"]
    assert not stored.storage.exists(stored.name)


def test_the_command_runs_twice(open_consultation, resident, capsys):
    send_input(resident, open_consultation, send=False)
    pass_deadline(open_consultation, days=40)
    call_command("consultations_sweep")
    first = capsys.readouterr().out
    call_command("consultations_sweep")
    second = capsys.readouterr().out
    assert "drafts_deleted: 1" in first and "drafts_deleted: 0" in second
