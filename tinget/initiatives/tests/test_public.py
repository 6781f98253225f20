"""The public pages of citizen initiatives: the list with its filters, an initiative's page for each kind of
viewer, the page cache for visitors who are not logged in, and the printable paper form."""

import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch
from django.urls import reverse as django_reverse
from django.utils import timezone, translation

from tinget.core.tests.html import parse
from tinget.initiatives import rules, services
from tinget.initiatives.models import Attachment, CoPromoter, Initiative, State, Step, Topic
from tinget.initiatives.views import public

from .conftest import BJORN, DRAFT, EVA, idporten_client

pytestmark = pytest.mark.django_db


# --- Helpers (also used by test_signing and test_feed) ---------------------------------------------------


def reverse(name, args=None, **kwargs):
    """The English page's address: the tests read the pages' English text, which translations do not change."""
    with translation.override("en"):
        return django_reverse(name, args=args, **kwargs)


def publish(promoter, case_worker, municipality, **data) -> Initiative:
    """An initiative through the real steps: a draft, sent for review, approved."""
    initiative = services.draft_create(actor=promoter, municipality=municipality, data={**DRAFT, **data})
    services.submit_for_review(actor=promoter, initiative=initiative)
    return services.approve(actor=case_worker, initiative=initiative)


def hand_over_now(initiative, signer, promoter) -> Initiative:
    """Enough signatures (the goal lowered to one) and handed over by the promoter."""
    Initiative.objects.filter(pk=initiative.pk).update(required_signatures=1)
    services.sign(actor=signer, initiative_id=initiative.pk)
    initiative.refresh_from_db()
    services.recount(initiative, force=True)
    return services.hand_over(actor=promoter, initiative=initiative)


def card_titles(response):
    document = parse(response.content)
    return [h.text for h in document.find_all("h3", class_="initiative-card__title")]


def index(client, **params):
    return client.get(reverse("initiatives:index"), params)


@pytest.fixture
def topic(db):
    return Topic.objects.create(name="Friluftsliv", name_en="Outdoor life", slug="friluftsliv")


@pytest.fixture
def area(municipality):
    return municipality.areas.order_by("name").first()


# --- The list ---------------------------------------------------------------------------------------------


def test_the_list_shows_public_initiatives_only(client, collecting, promoter, municipality):
    services.draft_create(actor=promoter, municipality=municipality, data={**DRAFT, "title": "Bare et utkast"})
    withdrawn = services.draft_create(actor=promoter, municipality=municipality, data={**DRAFT, "title": "Trukket"})
    services.withdraw(actor=promoter, initiative=withdrawn)
    response = index(client)
    assert response.status_code == 200
    assert card_titles(response) == [collecting.title]
    content = response.content.decode()
    assert "Bare et utkast" not in content and "Trukket" not in content


def test_a_card_has_state_count_progress_and_days_left(client, collecting):
    document = parse(index(client).content)
    card = document.find("li", class_="initiative-card")
    assert card.find("span", class_="ds-tag").text == "Collecting signatures"
    progress = card.find("progress")
    assert progress.attrs["max"] == "300" and progress.attrs["value"] == "0"
    label = document.by_id(progress.attrs["aria-labelledby"])
    assert label is not None and "300" in label.text
    assert "90" in card.text or "91" in card.text  # days left to sign


def test_the_list_explains_the_law_and_links_to_proposing_and_the_feed(client, municipality):
    response = index(client)
    document = parse(response.content)
    content = response.content.decode()
    assert "300" in content and "six months" in content
    feed = [
        link for link in document.find_all("link", rel="alternate") if link.attrs.get("type") == "application/rss+xml"
    ]
    assert feed and feed[0].attrs["href"] == reverse("initiatives:feed")
    try:
        new_url = reverse("initiatives:new")
    except NoReverseMatch:
        new_url = None
    if new_url:
        assert document.find("a", href=new_url) is not None


def test_the_list_without_initiatives_says_so(client, municipality):
    response = index(client)
    assert response.status_code == 200
    assert "There are no initiatives yet" in response.content.decode()


def test_filters_by_state_area_topic_and_words(client, promoter, case_worker, municipality, topic, area):
    ski = publish(promoter, case_worker, municipality, title="Lys i lysløypa", topic=topic, area=area)
    bench = publish(promoter, case_worker, municipality, title="Benker langs fjorden")
    Initiative.objects.filter(pk=bench.pk).update(state=State.EXPIRED)
    assert card_titles(index(client, topic=topic.slug)) == [ski.title]
    assert card_titles(index(client, area=area.slug)) == [ski.title]
    assert card_titles(index(client, state="expired")) == [bench.title]
    assert card_titles(index(client, q="fjorden")) == [bench.title]
    assert card_titles(index(client, q="ingenting slikt")) == []
    assert "No initiatives match the filters" in index(client, q="ingenting slikt").content.decode()


def test_sorting_by_activity_new_and_ending(client, promoter, case_worker, municipality):
    first = publish(promoter, case_worker, municipality, title="Først", signing_days=120)
    second = publish(promoter, case_worker, municipality, title="Nummer to", signing_days=40)
    now = timezone.now()
    Initiative.objects.filter(pk=first.pk).update(signatures_last_week=10, counted_at=now)
    Initiative.objects.filter(pk=second.pk).update(signatures_last_week=2, counted_at=now)
    assert card_titles(index(client)) == ["Først", "Nummer to"]
    assert card_titles(index(client, sort="new")) == ["Nummer to", "Først"]
    assert card_titles(index(client, sort="ending")) == ["Nummer to", "Først"]


def test_pagination_keeps_the_filters(client, promoter, case_worker, municipality, monkeypatch):
    monkeypatch.setattr(public, "PAGE_SIZE", 2)
    for number in range(3):
        publish(promoter, case_worker, municipality, title=f"Forslag {number}")
    first = index(client, q="Forslag")
    assert len(card_titles(first)) == 2
    nav = parse(first.content).find("nav", class_="ds-pagination")
    assert nav is not None
    next_link = nav.find("a", rel="next")
    assert "q=Forslag" in next_link.attrs["href"] and "side=2" in next_link.attrs["href"]
    assert len(card_titles(index(client, q="Forslag", side=2))) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"side": "abc"},
        {"side": "0"},
        {"side": "-1"},
        {"side": "99999"},
        {"side": "9" * 5000},
        {"state": "draft"},
        {"state": "nonsense"},
        {"area": "no-such-area"},
        {"topic": "no-such-topic"},
        {"sort": "random"},
        {"q": "x" * 1000},
        {"q": "nul\x00byte"},
        {"state": ["expired", "collecting"], "area": ["a", "b"]},
        {"unknown": "value"},
    ],
)
def test_malformed_query_parameters_never_fail(client, collecting, params):
    response = index(client, **params)
    assert response.status_code == 200
    # The list still shows what it can: an invalid filter is left out (and told about).
    assert collecting.title in response.content.decode()


def test_an_unknown_filter_value_is_told_about(client, collecting):
    response = index(client, topic="no-such-topic")
    document = parse(response.content)
    assert document.find("div", class_="ds-error-summary") is not None


def test_the_list_query_count_is_bounded(client, promoter, case_worker, municipality, django_assert_max_num_queries):
    for number in range(5):
        publish(promoter, case_worker, municipality, title=f"Forslag {number}")
    # Municipality, areas, topics, count, the page (counts fresh: no recount).
    with django_assert_max_num_queries(5):
        assert index(client).status_code == 200


def test_the_list_recounts_stale_counts(client, collecting, signer):
    services.sign(actor=signer, initiative_id=collecting.pk)
    Initiative.objects.filter(pk=collecting.pk).update(counted_at=timezone.now() - timedelta(minutes=1))
    progress = parse(index(client).content).find("progress")
    assert progress.attrs["value"] == "1"


# --- One initiative ---------------------------------------------------------------------------------------


def detail(client, initiative):
    return client.get(reverse("initiatives:detail", args=[initiative.pk]))


def test_a_public_initiative_page(client, collecting, promoter):
    response = detail(client, collecting)
    assert response.status_code == 200
    content = response.content.decode()
    document = parse(content)
    assert document.find("h1").text == collecting.title
    assert collecting.proposal in content and collecting.reasons in content
    assert collecting.promoter_name in content
    progress = document.find("progress")
    assert progress.attrs["max"] == "300"
    assert "Collecting signatures" in content
    assert "days left to sign" in content
    assert document.by_id(f"step-{collecting.steps.get().pk}") is not None
    share = document.find("input", readonly="")
    assert share.attrs["value"] == f"http://testserver{collecting.get_absolute_url()}"
    assert document.find("a", href=reverse("initiatives:paper_form", args=[collecting.pk])) is not None
    assert document.find("a", href=reverse("initiatives:sign", args=[collecting.pk])) is not None
    # The follow button for a visitor who is not logged in is a link to log in.
    assert "Log in to follow" in content


@pytest.mark.parametrize("state", sorted(State.values))
def test_every_state_is_public_or_only_for_the_promoter(client, promoter_client, collecting, state):
    Initiative.objects.filter(pk=collecting.pk).update(state=state, review_note="Skriv kortere.")
    public_state = state in rules.PUBLIC_STATES
    assert detail(client, collecting).status_code == (200 if public_state else 404)
    response = detail(promoter_client, collecting)
    assert response.status_code == 200
    content = response.content.decode()
    assert ("It is not public" in content) is not public_state
    assert ("Skriv kortere." in content) is (state in (State.CHANGES_REQUESTED, State.REFUSED))
    # A sign button only where signatures are taken.
    assert (f'href="{reverse("initiatives:sign", args=[collecting.pk])}"' in content) is (
        state in rules.SIGNABLE_STATES
    )


def test_a_missing_initiative_is_not_found(client, municipality):
    assert client.get(reverse("initiatives:detail", args=[987654])).status_code == 404


@pytest.mark.parametrize("viewer", ["anonymous", "outsider", "unconfirmed_co_promoter"])
def test_a_draft_is_hidden_from_others(client, draft, person, viewer):
    if viewer == "outsider":
        client = idporten_client(person(*EVA, resident=False))
    elif viewer == "unconfirmed_co_promoter":
        other = person(*BJORN, email="bjorn@example.no")
        services.invite_co_promoter(actor=draft.promoter, initiative=draft, email="bjorn@example.no")
        client = idporten_client(other)
    assert detail(client, draft).status_code == 404


def test_a_draft_is_shown_to_its_promoter_with_a_notice(promoter_client, draft):
    response = detail(promoter_client, draft)
    assert response.status_code == 200
    assert "It is not public" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]


def test_a_draft_is_shown_to_a_confirmed_co_promoter(draft, person):
    other = person(*BJORN, email="bjorn@example.no")
    # As services.confirm_co_promoter leaves it (that service cannot be used here while its follow of a
    # draft is refused by Initiative.is_followable_by: see the report).
    CoPromoter.objects.create(
        initiative=draft, email="bjorn@example.no", user=other, name="Bjørn Prøvestad", confirmed_at=timezone.now()
    )
    response = detail(idporten_client(other), draft)
    assert response.status_code == 200
    assert "Bjørn Prøvestad" in response.content.decode()


def test_a_draft_is_shown_to_staff(staff_client, draft):
    assert detail(staff_client, draft).status_code == 200


def test_a_withdrawn_initiative_is_no_longer_public(client, promoter_client, collecting, promoter):
    services.withdraw(actor=promoter, initiative=collecting)
    assert detail(client, collecting).status_code == 404
    assert detail(promoter_client, collecting).status_code == 200


def test_only_signers_who_chose_it_are_named(client, collecting, signer, person):
    services.sign(actor=signer, initiative_id=collecting.pk, show_name=True)
    hidden = person(pid=EVA[0], given="Skjult", family="Signatar", postcode="1384")
    services.sign(actor=hidden, initiative_id=collecting.pk, show_name=False)
    content = detail(client, collecting).content.decode()
    assert "Bjørn Prøvestad" in content
    assert "Skjult Signatar" not in content


def test_the_page_recounts_a_stale_count(client, collecting, signer):
    services.sign(actor=signer, initiative_id=collecting.pk)
    Initiative.objects.filter(pk=collecting.pk).update(counted_at=timezone.now() - timedelta(minutes=1))
    assert parse(detail(client, collecting).content).find("progress").attrs["value"] == "1"


def test_a_signer_sees_their_signature_and_can_withdraw(signer_client, collecting, signer):
    services.sign(actor=signer, initiative_id=collecting.pk)
    response = detail(signer_client, collecting)
    content = response.content.decode()
    assert "You signed on" in content
    assert reverse("initiatives:withdraw_signature", args=[collecting.pk]) in content


def test_the_timeline_shows_the_treatment_and_the_decision(client, collecting, signer, promoter, case_worker):
    initiative = hand_over_now(collecting, signer, promoter)
    today = timezone.localdate()
    services.record_step(
        actor=case_worker, initiative=initiative, kind=Step.Kind.CASE_OPENED, happened_on=today, case_number="25/1234"
    )
    services.record_step(
        actor=case_worker, initiative=initiative, kind=Step.Kind.MEETING, happened_on=today, meeting="Kommunestyret"
    )
    services.record_step(
        actor=case_worker,
        initiative=initiative,
        kind=Step.Kind.DECIDED,
        happened_on=today,
        text="Kommunestyret vedtok å sette opp lys.",
    )
    content = detail(client, initiative).content.decode()
    for text in (
        "Handed over to the municipality",
        "25/1234",
        "Kommunestyret",
        "Kommunestyret vedtok å sette opp lys.",
    ):
        assert text in content
    assert "The council&#x27;s decision" in content or "The council's decision" in content
    assert "Sign the initiative</a>" not in content


def test_attachments_are_listed(client, collecting):
    Attachment.objects.create(
        initiative=collecting,
        kind=Attachment.Kind.DOCUMENT,
        file=ContentFile(b"%PDF-1.4\n", name="kart.pdf"),
        title="Kart over løypa",
        size=9,
    )
    content = detail(client, collecting).content.decode()
    assert "Kart over løypa" in content


def test_detail_query_count_is_bounded(client, collecting, django_assert_max_num_queries):
    # Initiative, co-promoters, steps, public signers, attachments, municipality.
    with django_assert_max_num_queries(6):
        assert detail(client, collecting).status_code == 200


# --- The page cache for visitors who are not logged in ---------------------------------------------------


@pytest.fixture
def page_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "layout": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "initiatives-test"},
    }
    settings.TINGET_INITIATIVE_PAGE_CACHE_SECONDS = 30
    from django.core.cache import caches

    caches["layout"].clear()
    yield caches["layout"]
    caches["layout"].clear()


def test_the_anonymous_page_is_served_from_the_cache(client, collecting, page_cache, django_assert_num_queries):
    first = detail(client, collecting)
    with django_assert_num_queries(0):
        second = detail(client, collecting)
    assert second.status_code == 200
    assert second.content == first.content


def test_a_logged_in_view_never_reaches_the_anonymous(client, signer_client, collecting, signer, page_cache):
    services.sign(actor=signer, initiative_id=collecting.pk)
    mine = detail(signer_client, collecting).content.decode()
    logout = reverse("account_logout")
    assert "You signed on" in mine and logout in mine
    theirs = detail(client, collecting).content.decode()
    assert "You signed on" not in theirs and logout not in theirs
    # And the other way round: a cached anonymous page is not what a logged-in person gets.
    assert "You signed on" in detail(signer_client, collecting).content.decode()


def test_a_message_or_query_string_skips_the_cache(client, collecting, page_cache):
    detail(client, collecting)
    Initiative.objects.filter(pk=collecting.pk).update(title="Endret tittel")
    assert "Endret tittel" not in detail(client, collecting).content.decode()
    url = reverse("initiatives:detail", args=[collecting.pk])
    assert "Endret tittel" in client.get(url, {"utm_source": "x"}).content.decode()


def test_the_number_shown_is_at_most_the_two_periods_behind(client, collecting, signer, page_cache, settings):
    settings.TINGET_INITIATIVE_PAGE_CACHE_SECONDS = 0.2
    settings.TINGET_INITIATIVE_COUNT_SECONDS = 0.2
    assert parse(detail(client, collecting).content).find("progress").attrs["value"] == "0"
    services.sign(actor=signer, initiative_id=collecting.pk)
    time.sleep(0.45)
    assert parse(detail(client, collecting).content).find("progress").attrs["value"] == "1"


def test_a_hidden_initiative_is_never_cached(client, promoter_client, draft, page_cache):
    assert detail(promoter_client, draft).status_code == 200
    assert detail(client, draft).status_code == 404


# --- The paper form ---------------------------------------------------------------------------------------


def test_the_paper_form_has_the_text_the_table_and_a_qr_code(client, collecting):
    response = client.get(reverse("initiatives:paper_form", args=[collecting.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    document = parse(content)
    svg = document.find("svg")
    assert svg is not None and svg.attrs["role"] == "img"
    title = document.by_id(svg.attrs["aria-labelledby"])
    absolute = f"http://testserver{collecting.get_absolute_url()}"
    assert title.tag == "title" and absolute in title.text
    assert svg.find("path") is not None
    headers = [th.text for th in document.find("table").find_all("th")]
    assert "Date of birth" in headers and "Signature" in headers and "Home address" in headers
    assert len(document.find("tbody").find_all("tr")) == public.PAPER_FORM_LINES
    assert collecting.proposal in content and "300" in content
    assert "paper.css" in content
    assert "Where to send the form" in content


def test_no_paper_form_for_a_draft_and_a_gone_one_for_an_expired(client, collecting, promoter, municipality):
    draft = services.draft_create(actor=promoter, municipality=municipality, data=dict(DRAFT))
    assert client.get(reverse("initiatives:paper_form", args=[draft.pk])).status_code == 404
    Initiative.objects.filter(pk=collecting.pk).update(state=State.EXPIRED, closed_at=timezone.now())
    response = client.get(reverse("initiatives:paper_form", args=[collecting.pk]))
    assert response.status_code == 410
    assert "<svg" not in response.content.decode()


def test_the_qr_code_escapes_its_label():
    svg = public.qr_svg("http://example.no/1/", 'A "label" <with> & signs')
    assert "<with>" not in svg and "&lt;with&gt;" in svg
    assert svg.startswith("<svg ")  # no XML declaration inside the page
