"""Moderation of input on the staff page of one input: hide it with a reason (the author is told once, the public
sees the reason, staff keep the original, all audited), and show it again. Moderators may do it for every
consultation, the responsible unit's case workers for theirs; nobody else."""

import pytest
from django.utils import translation

from tinget.consultations import selectors, services
from tinget.consultations.models import Submission
from tinget.core.models import AuditEntry

from .conftest import send_input
from .test_processing import en, page


@pytest.fixture
def sent(open_consultation, resident):
    return send_input(resident, open_consultation, text="Naboen Ola Hansen i nr. 12 er en idiot.")


def url(submission):
    return en("staff_submission", pk=submission.consultation_id, number=submission.number)


def hide(client, submission, reason="Personopplysninger om en navngitt nabo, og sjikane."):
    return client.post(url(submission), {"action": "hide", "reason": reason})


class TestHide:
    def test_a_moderator_hides_with_a_reason_and_the_author_is_told(
        self, moderator_client, moderator, sent, mailoutbox
    ):
        response = hide(moderator_client, sent)
        assert response.status_code == 302 and response.url == url(sent)
        sent.refresh_from_db()
        assert sent.is_hidden and sent.hidden_by == moderator
        assert sent.hidden_reason == "Personopplysninger om en navngitt nabo, og sjikane."
        assert sent.text == "Naboen Ola Hansen i nr. 12 er en idiot."  # the original stays
        entry = AuditEntry.objects.get(action="consultations.submission.hidden")
        assert entry.actor_id == moderator.pk and entry.target_id == str(sent.pk)
        assert entry.data == {"reason": sent.hidden_reason}
        [mail] = mailoutbox
        assert mail.to == ["kari@example.no"]
        assert sent.hidden_reason in mail.body
        with translation.override("nb"):  # the author's language
            assert sent.get_absolute_url() in mail.body

    def test_staff_still_read_the_original_and_the_public_does_not(self, moderator_client, staff_client, sent):
        hide(moderator_client, sent)
        html = page(staff_client.get(url(sent)))
        assert "Naboen Ola Hansen i nr. 12 er en idiot." in html
        assert "Personopplysninger om en navngitt nabo" in html
        public = selectors.public_submissions(sent.consultation).get(pk=sent.pk)
        assert public.is_hidden  # the public pages show the reason instead (their selector keeps the row)
        assert not sent.consultation.submissions.public().filter(pk=sent.pk).exists()

    def test_the_responsible_unit_hides_too(self, staff_client, case_worker, sent, mailoutbox):
        assert hide(staff_client, sent).status_code == 302
        sent.refresh_from_db()
        assert sent.hidden_by == case_worker
        assert len(mailoutbox) == 1

    def test_sent_twice_the_author_is_told_once(self, moderator_client, sent, mailoutbox):
        assert hide(moderator_client, sent).status_code == 302
        hidden_at = Submission.objects.get(pk=sent.pk).hidden_at
        response = hide(moderator_client, sent, reason="Another reason.")
        assert response.status_code == 409
        assert "already hidden" in page(response)
        sent.refresh_from_db()
        assert sent.hidden_at == hidden_at and sent.hidden_reason.startswith("Personopplysninger")
        assert len(mailoutbox) == 1
        assert AuditEntry.objects.filter(action="consultations.submission.hidden").count() == 1

    @pytest.mark.parametrize(
        ("reason", "message"),
        [
            ("", "Give the reason: the author and the public see it."),
            ("   \n ", "Give the reason: the author and the public see it."),
            ("<script>alert('x')</script>", "Write plain text"),
            ("<a href='http://x'>regler</a>", "Write plain text"),
            ("x" * 2001, "Ensure this value has at most 2000 characters"),
        ],
    )
    def test_refused_with_a_message_and_the_text_kept(self, moderator_client, sent, mailoutbox, reason, message):
        response = hide(moderator_client, sent, reason=reason)
        assert response.status_code == 400
        html = page(response)
        assert message in html
        assert 'href="#hide_reason"' in html
        if reason.strip() and len(reason) < 100:
            assert reason.replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#x27;") + "</textarea>" in html
        sent.refresh_from_db()
        assert not sent.is_hidden
        assert mailoutbox == []

    def test_a_case_worker_outside_the_unit_and_residents_cannot(self, other_client, resident_client, sent, mailoutbox):
        assert hide(other_client, sent).status_code == 403
        assert hide(resident_client, sent).status_code == 403
        assert other_client.post(url(sent), {"action": "unhide"}).status_code == 403
        sent.refresh_from_db()
        assert not sent.is_hidden
        assert mailoutbox == []

    def test_hidden_input_can_still_be_considered(self, staff_client, case_worker, sent):
        hide(staff_client, sent)
        staff_client.post(url(sent), {"action": "consider", "considered": "yes", "response": "Takk for innspillet."})
        sent.refresh_from_db()
        assert sent.is_hidden and sent.considered_at is not None

    def test_hiding_after_the_conclusion(self, moderator_client, case_worker, sent):
        """Moderation does not end with the consultation: the input stays public."""
        from .conftest import pass_deadline

        consultation = pass_deadline(sent.consultation)
        services.conclude(actor=case_worker, consultation=consultation, outcome="Vedtatt.")
        assert hide(moderator_client, sent).status_code == 302
        sent.refresh_from_db()
        assert sent.is_hidden


class TestShowAgain:
    def test_shown_again_audited_and_twice_is_harmless(self, moderator_client, moderator, sent, mailoutbox):
        hide(moderator_client, sent)
        response = moderator_client.post(url(sent), {"action": "unhide"})
        assert response.status_code == 302
        sent.refresh_from_db()
        assert not sent.is_hidden and sent.hidden_reason == "" and sent.hidden_by is None
        assert AuditEntry.objects.filter(action="consultations.submission.shown", actor=moderator).count() == 1
        again = moderator_client.post(url(sent), {"action": "unhide"}, follow=True)
        assert "already shown on the site" in page(again)
        assert AuditEntry.objects.filter(action="consultations.submission.shown").count() == 1
        assert len(mailoutbox) == 1  # only the e-mail about hiding

    def test_the_page_offers_the_right_form(self, moderator_client, sent):
        html = page(moderator_client.get(url(sent)))
        assert 'value="hide"' in html and 'value="unhide"' not in html
        hide(moderator_client, sent)
        html = page(moderator_client.get(url(sent)))
        assert 'value="unhide"' in html and 'value="hide"' not in html

    def test_the_list_filters_hidden_input(self, moderator_client, sent, resident):
        other = send_input(resident, sent.consultation, text="Et saklig innspill.")
        hide(moderator_client, sent)
        html = page(moderator_client.get(en("staff_submissions", pk=sent.consultation_id), {"hidden": "yes"}))
        assert url(sent) in html and url(other) not in html
