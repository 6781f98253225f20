"""The demo initiatives: every state, one near its threshold, invented signers with a keyed hash of a valid
synthetic number, quick to load, once only, marked as demo, and consistent with what the services make."""

import json
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from tinget.accounts import oidc
from tinget.accounts.demo import load_demo_users
from tinget.accounts.models import Identity, Residency
from tinget.core.models import AuditEntry, Follow
from tinget.core.registry import registry
from tinget.initiatives import providers, rules, selectors, services
from tinget.initiatives.demo import DEMO_MARK, RESIDENT_EMAIL, load_demo, synthetic_fodselsnummer
from tinget.initiatives.models import (
    Burst,
    Initiative,
    PaperSignature,
    Signature,
    State,
    Step,
    Topic,
)


@pytest.fixture
def demo(municipality, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the demo logins file
    load_demo_users()
    started = time.monotonic()
    made = load_demo(municipality)
    return {"made": made, "seconds": time.monotonic() - started, "municipality": municipality}


def counts():
    return (
        Initiative.objects.count(),
        Signature.objects.count(),
        PaperSignature.objects.count(),
        Step.objects.count(),
        Topic.objects.count(),
        Identity.objects.count(),
        Follow.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.django_db
class TestLoad:
    def test_loads_quickly_with_every_state(self, demo):
        assert demo["made"] == Initiative.objects.count()
        assert demo["seconds"] < 10
        assert set(Initiative.objects.values_list("state", flat=True)) == set(State.values)
        assert AuditEntry.objects.filter(action="initiatives.demo.loaded").count() == 1

    def test_a_second_load_adds_nothing(self, demo):
        before = counts()
        assert load_demo(demo["municipality"]) == 0
        assert counts() == before

    def test_manage_py_load_demo_loads_it_through_the_registry(self, municipality, settings, tmp_path):
        settings.VAR_DIR = tmp_path
        assert registry.get("initiatives").demo is providers.demo
        call_command("load_demo", "--quiet-logins", stdout=StringIO())
        made = Initiative.objects.count()
        call_command("load_demo", "--quiet-logins", stdout=StringIO())
        assert Initiative.objects.count() == made >= len(State.values)

    def test_topics_in_three_languages(self, demo):
        topics = list(Topic.objects.all())
        assert len(topics) >= 5
        assert all(t.name and t.name_nn and t.name_en for t in topics)
        assert Initiative.objects.filter(topic__isnull=False).count() == Initiative.objects.count()

    def test_every_text_says_it_is_demo(self, demo):
        for initiative in Initiative.objects.all():
            for text in (initiative.title, initiative.proposal, initiative.reasons):
                assert text.endswith(DEMO_MARK), initiative.pk
            if initiative.review_note:
                assert initiative.review_note.endswith(DEMO_MARK)
            if initiative.decision_text:
                assert initiative.decision_text.endswith(DEMO_MARK)
        for step in Step.objects.exclude(text=""):
            assert step.text.endswith(DEMO_MARK)
        assert all(a.endswith(DEMO_MARK) for a in PaperSignature.objects.values_list("address", flat=True))

    def test_the_texts_fit_the_services_limits(self, demo, settings):
        for initiative in Initiative.objects.all():
            assert len(initiative.title) <= settings.TINGET_INITIATIVE_TITLE_MAX
            assert len(initiative.proposal) <= settings.TINGET_INITIATIVE_PROPOSAL_MAX
            low, high = rules.signing_days_allowed()
            assert low <= initiative.signing_days <= high


@pytest.mark.django_db
class TestPeople:
    def test_signers_are_invented_residents_with_a_keyed_hash_of_a_valid_number(self, demo):
        demo_identities = Identity.objects.filter(user__email__startswith="demo-forslag-")
        assert demo_identities.count() >= 300
        digests = set(demo_identities.values_list("pid_digest", flat=True))
        assert len(digests) == demo_identities.count()
        assert all(len(d) == 64 for d in digests)
        assert Residency.objects.filter(user__email__startswith="demo-forslag-", is_resident=True).count() == len(
            digests
        )
        user = demo_identities.first().user
        assert user.display_name.endswith(DEMO_MARK) and not user.has_usable_password()
        assert user.email.endswith(".invalid")  # never e-mailed

    def test_synthetic_numbers_pass_the_checksum_but_are_h_numbers(self):
        import random

        taken = set()
        for _n in range(200):
            number = synthetic_fodselsnummer(random.Random(_n), taken)
            assert oidc.valid_pid(number)
            assert int(number[2:4]) > 40  # the H-number month: never a real person's
            assert oidc.birth_date(number) is not None

    def test_no_demo_person_has_a_test_persons_number(self, demo):
        persons = json.loads((Path(oidc.__file__).parent.parent / "devidp" / "persons.json").read_text())
        test_digests = {oidc.pid_digest(p["pid"])[1] for p in persons["persons"]}
        assert not Signature.objects.filter(pid_digest__in=test_digests).exists()
        assert not Identity.objects.filter(pid_digest__in=test_digests).exists()

    def test_one_signature_per_person_and_the_snapshot_matches_the_identity(self, demo):
        assert not (
            Signature.objects.values("initiative", "pid_digest").annotate(n=Count("pk")).filter(n__gt=1).exists()
        )
        signature = Signature.objects.exclude(user__email=RESIDENT_EMAIL).select_related("user__identity").first()
        identity = signature.user.identity
        assert signature.pid_digest == identity.pid_digest
        assert signature.name == f"{identity.given_name} {identity.family_name}"
        assert signature.birth_date == identity.birth_date
        assert signature.match_key == rules.match_key(signature.name, signature.birth_date)


@pytest.mark.django_db
class TestStates:
    def test_one_is_just_short_of_its_threshold(self, demo):
        near = Initiative.objects.get(state=State.COLLECTING, title__startswith="Lys i gangfeltet")
        assert near.required_signatures == 300
        assert near.total_count == 291
        assert near.paper_count > 0 and near.online_count > 0

    def test_counts_are_what_a_recount_finds(self, demo):
        for initiative in Initiative.objects.filter(published_at__isnull=False, signatures_purged_at__isnull=True):
            stored = (initiative.online_count, initiative.paper_count)
            services.recount(initiative, force=True)
            initiative.refresh_from_db()
            assert (initiative.online_count, initiative.paper_count) == stored, initiative.title

    def test_those_past_the_threshold_have_enough(self, demo):
        past = Initiative.objects.filter(
            state__in=[State.THRESHOLD_REACHED, State.HANDED_OVER, State.UNDER_TREATMENT, State.DECIDED]
        )
        assert past.count() >= 5
        for initiative in past:
            assert initiative.total_count >= initiative.required_signatures, initiative.title
            assert initiative.threshold_reached_at is not None
        for initiative in Initiative.objects.filter(state__in=[State.COLLECTING, State.EXPIRED]):
            assert initiative.total_count < initiative.required_signatures, initiative.title

    def test_dates_follow_each_other_and_the_sweep_changes_nothing(self, demo):
        now = timezone.now()
        for initiative in Initiative.objects.all():
            assert initiative.created_at <= now
            if initiative.published_at:
                assert initiative.created_at < initiative.published_at < initiative.signing_ends_at
            if initiative.state in rules.SIGNABLE_STATES:
                assert initiative.signing_ends_at > now
            if initiative.handed_over_at:
                assert initiative.threshold_reached_at < initiative.handed_over_at
                assert initiative.decision_due == rules.decision_due(timezone.localdate(initiative.handed_over_at))
            last = Signature.objects.filter(initiative=initiative).order_by("-created_at").first()
            if last is not None:
                assert initiative.published_at < last.created_at <= now
                if initiative.handed_over_at:
                    assert last.created_at < initiative.handed_over_at
        states = dict(Initiative.objects.values_list("pk", "state"))
        result = services.sweep()
        assert result["handed_over"] == result["expired"] == result["signatures_deleted"] == 0
        assert dict(Initiative.objects.values_list("pk", "state")) == states

    def test_the_treatment_has_steps_with_case_numbers_meetings_and_a_decision(self, demo):
        decided = Initiative.objects.filter(state=State.DECIDED, signatures_purged_at__isnull=True).get()
        kinds = [s.kind for s in selectors.steps(decided)]
        assert kinds[:3] == [Step.Kind.PUBLISHED, Step.Kind.THRESHOLD, Step.Kind.HANDED_OVER]
        assert Step.Kind.CASE_OPENED in kinds and Step.Kind.MEETING in kinds and kinds[-1] == Step.Kind.DECIDED
        assert decided.case_number and decided.decision_text and decided.decided_on
        treated = Initiative.objects.get(state=State.UNDER_TREATMENT)
        assert Step.objects.filter(initiative=treated, kind=Step.Kind.MEETING).exclude(meeting="").exists()
        old = Initiative.objects.get(state=State.DECIDED, signatures_purged_at__isnull=False)
        assert not Signature.objects.filter(initiative=old).exists() and old.online_count >= old.required_signatures

    def test_refused_and_changes_requested_say_why(self, demo):
        for state in (State.REFUSED, State.CHANGES_REQUESTED):
            assert Initiative.objects.get(state=state).review_note

    def test_paper_batches_with_duplicates_and_a_burst_for_staff(self, demo):
        statuses = set(PaperSignature.objects.values_list("status", flat=True))
        assert {
            PaperSignature.Status.COUNTED,
            PaperSignature.Status.DUPLICATE_IN_BATCH,
            PaperSignature.Status.DUPLICATE_ONLINE,
        } <= statuses
        burst = Burst.objects.get()
        assert burst.outcome == Burst.Outcome.OPEN
        in_window = Signature.objects.filter(
            initiative=burst.initiative,
            network=burst.network,
            created_at__gte=burst.window_start,
            created_at__lte=burst.window_end,
        ).count()
        assert in_window == burst.count

    def test_the_lists_show_only_public_ones(self, demo):
        public = set(selectors.public_initiatives().values_list("state", flat=True))
        assert public == set(rules.PUBLIC_STATES)


@pytest.mark.django_db
class TestDemoResident:
    def test_min_side_shows_proposals_and_signatures(self, demo, django_user_model):
        resident = django_user_model.objects.get(email=RESIDENT_EMAIL)
        assert {i.state for i in selectors.initiatives_of(resident)} == {State.DRAFT, State.CHANGES_REQUESTED}
        signed = {s.initiative.state for s in selectors.signatures_of(resident)}
        assert signed and not signed & rules.SIGNABLE_STATES  # she cannot sign them again as someone else
        assert len(providers.min_side(resident).items) >= 4


def test_loads_where_id_porten_has_no_keys_yet(municipality, settings, tmp_path):
    """Production settings before ID-porten is set up (as the benchmarks run): the invented signers get a
    hash under a demo key, and every state is still there."""
    settings.VAR_DIR = tmp_path
    settings.IDPORTEN_PID_KEYS = {}
    settings.IDPORTEN_PID_KEY_ID = ""
    load_demo_users()
    load_demo(municipality)
    assert set(Initiative.objects.values_list("state", flat=True)) == set(State.values)
    assert Identity.objects.filter(pid_key_id="demo").exists()
