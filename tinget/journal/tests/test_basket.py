"""The basket: the session helpers (ids that can and cannot name an entry, the maximum, order, an altered session),
adding and removing over HTTP without JavaScript (one or several entries, a safe `next`, entries that do not exist,
are not public or were withdrawn, a full basket, CSRF), and the basket page grouped by unit."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tinget.core.tests.html import parse
from tinget.journal import basket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.deactivate()


class FakeRequest:
    def __init__(self, session=None):
        self.session = session if session is not None else {}


def messages_of(response) -> str:
    found = parse(response.content).find("div", class_="messages")
    return found.text if found else ""


def stored(client) -> list:
    return client.session.get(basket.SESSION_KEY, [])


def add(client, *entries, next_url=None, follow=True):
    data = {"entry": [str(getattr(e, "pk", e)) for e in entries]}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("journal:basket_add"), data, follow=follow)


@pytest.fixture
def entries(unit, other_unit, entry_factory):
    return [
        entry_factory(unit, title="Søknad om skoleskyss"),
        entry_factory(other_unit, title="Byggesak Kirkeveien 3"),
        entry_factory(unit, title="Klage på skoleplass"),
    ]


# --- The session helpers -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12", 12),
        (" 12 ", 12),
        (7, 7),
        ("", None),
        (None, None),
        ("abc", None),
        ("-1", None),
        ("0", None),
        ("+3", None),
        ("1e3", None),
        ("1.0", None),
        ("١٢", None),  # digits, but not ASCII ones
        ("12\x00", None),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("9" * 400, None),
    ],
)
def test_parse_id(raw, expected):
    assert basket.parse_id(raw) == expected


def test_add_keeps_order_and_skips_what_is_there(settings):
    request = FakeRequest()
    assert basket.add(request, [3, 1, 3]) == [3, 1]
    assert basket.add(request, [1, 2]) == [2]
    assert basket.ids(request) == [3, 1, 2] and basket.count(request) == 3 and basket.contains(request, 2)


def test_a_full_basket_takes_nothing_more(settings):
    settings.TINGET_JOURNAL_BASKET_MAX = 3
    request = FakeRequest()
    basket.add(request, [1, 2])
    with pytest.raises(basket.BasketFull):
        basket.add(request, [3, 4])
    assert basket.ids(request) == [1, 2]
    assert basket.add(request, [2, 3]) == [3]


def test_remove_and_clear():
    request = FakeRequest()
    basket.add(request, [1, 2, 3])
    assert basket.remove(request, [2, 9]) == [2]
    assert basket.ids(request) == [1, 3]
    basket.remove(request, [1, 3])
    assert basket.SESSION_KEY not in request.session
    basket.add(request, [5])
    basket.clear(request)
    assert basket.ids(request) == []


@pytest.mark.parametrize("value", ["1,2", {"1": 2}, 5, ["x", None, 2.5, 4]])
def test_an_altered_session_gives_only_ids(value):
    request = FakeRequest({basket.SESSION_KEY: value})
    assert basket.ids(request) == ([4] if isinstance(value, list) else [])


def test_remembered_requests_newest_first_and_capped():
    request = FakeRequest()
    for number in range(basket.REQUESTS_REMEMBERED + 5):
        basket.remember_request(request, f"key-{number}")
    basket.remember_request(request, "key-10")
    keys = basket.request_keys(request)
    assert keys[0] == "key-10" and len(keys) == basket.REQUESTS_REMEMBERED and keys.count("key-10") == 1
    assert basket.request_keys(FakeRequest({basket.REQUESTS_KEY: "garbage"})) == []


# --- Adding over HTTP ----------------------------------------------------------------------------------------
def test_add_one_entry_and_go_back(client, entries):
    entry_url = "/en/mail-journal/entry/1/?q=skole#result"
    response = add(client, entries[0], next_url=entry_url, follow=False)
    assert response.status_code == 303 and response["Location"] == entry_url
    assert stored(client) == [entries[0].pk]
    response = client.get(reverse("journal:basket"))
    assert "Added to your basket." in messages_of(response)
    # Read out by screen readers without moving the focus.
    assert parse(response.content).find("div", class_="messages").attrs["role"] == "status"


def test_add_several_at_once(client, entries):
    response = add(client, *entries)
    assert stored(client) == [e.pk for e in entries]
    assert "3 entries added to your basket." in messages_of(response)


def test_adding_again_says_it_is_there(client, entries):
    add(client, entries[0])
    response = add(client, entries[0])
    assert stored(client) == [entries[0].pk]
    assert "already in your basket" in messages_of(response)


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "http:///evil.example", ""]
)
def test_an_unsafe_next_goes_to_the_basket(client, entries, next_url):
    response = add(client, entries[0], next_url=next_url, follow=False)
    assert response.status_code == 303 and response["Location"] == reverse("journal:basket")


@pytest.mark.parametrize("bad", ["abc", "-5", "0", str(2**63), "9" * 400, "10000000", "1; DROP TABLE"])
def test_an_id_that_names_no_entry_adds_nothing(client, entries, bad):
    response = add(client, entries[0], bad)
    assert stored(client) == []
    assert "does not exist or is not public" in messages_of(response)


def test_a_withdrawn_entry_adds_nothing(client, entries):
    entries[1].withdrawn_at = timezone.now()
    entries[1].save(update_fields=["withdrawn_at"])
    response = add(client, entries[0], entries[1])
    assert stored(client) == []
    assert "does not exist or is not public" in messages_of(response)


def test_nothing_chosen(client, entries):
    response = client.post(reverse("journal:basket_add"), {}, follow=True)
    assert "Choose the entries" in messages_of(response)
    assert stored(client) == []


def test_a_full_basket_says_so(client, entries, settings):
    settings.TINGET_JOURNAL_BASKET_MAX = 2
    add(client, entries[0], entries[1])
    response = add(client, entries[2])
    assert stored(client) == [entries[0].pk, entries[1].pk]
    assert "Your basket is full" in messages_of(response)


def test_more_values_than_the_basket_holds_are_refused_before_the_database(
    client, entries, settings, django_assert_max_num_queries
):
    settings.TINGET_JOURNAL_BASKET_MAX = 2
    with django_assert_max_num_queries(8):
        response = client.post(reverse("journal:basket_add"), {"entry": [str(n) for n in range(1, 900)]}, follow=True)
    assert stored(client) == [] and "at most 2 entries" in messages_of(response)


def test_more_fields_than_django_reads_is_a_bad_request(entries):
    from tinget.core.tests.clients import CommittingClient

    client = CommittingClient(raise_request_exception=False)
    response = client.post(reverse("journal:basket_add"), {"entry": [str(n) for n in range(1, 5000)]})
    assert response.status_code == 400 and stored(client) == []


def test_add_and_remove_are_post_only(client, entries):
    assert client.get(reverse("journal:basket_add") + f"?entry={entries[0].pk}").status_code == 405
    assert client.get(reverse("journal:basket_remove")).status_code == 405
    assert stored(client) == []


def test_add_and_remove_need_the_csrf_token(csrf_client, entries):
    assert add(csrf_client, entries[0], follow=False).status_code == 403
    assert stored(csrf_client) == []
    response = csrf_client.post(reverse("journal:basket_remove"), {"entry": entries[0].pk})
    assert response.status_code == 403


def test_add_with_the_token_from_the_page(csrf_client, entries):
    page = csrf_client.get(reverse("journal:period_request"))
    token = parse(page.content).find("input", name="csrfmiddlewaretoken").attrs["value"]
    response = csrf_client.post(reverse("journal:basket_add"), {"entry": entries[0].pk, "csrfmiddlewaretoken": token})
    assert response.status_code == 303 and stored(csrf_client) == [entries[0].pk]


# --- Removing ------------------------------------------------------------------------------------------------
def test_remove(client, entries):
    add(client, *entries)
    response = client.post(
        reverse("journal:basket_remove"), {"entry": [entries[1].pk], "next": reverse("journal:basket")}, follow=True
    )
    assert stored(client) == [entries[0].pk, entries[2].pk]
    assert "Removed from your basket." in messages_of(response)
    response = client.post(reverse("journal:basket_remove"), {"entry": ["abc", entries[1].pk]}, follow=True)
    assert "was not in your basket" in messages_of(response)


def test_the_basket_page_adds_and_removes_by_action(client, entries):
    client.post(reverse("journal:basket"), {"action": "add", "entry": [entries[0].pk, entries[1].pk]})
    client.post(reverse("journal:basket"), {"action": "remove", "entry": entries[0].pk})
    assert stored(client) == [entries[1].pk]


# --- The basket page -----------------------------------------------------------------------------------------
def test_the_page_groups_by_unit(client, entries, unit, other_unit, django_assert_max_num_queries):
    add(client, *entries)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("journal:basket"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    document = parse(response.content)
    assert "Your request will go to 2 units." in document.by_id("basket-summary").text
    headings = [h.text for h in document.find_all("h2")]
    assert headings[:2] == [unit.name, other_unit.name]
    unit_list = document.by_id(f"basket-unit-{unit.pk}").parent.find("ul")
    assert [li.find("a").text for li in unit_list.find_all("li")] == [
        f"{entries[0].entry_number} {entries[0].public_title}",
        f"{entries[2].entry_number} {entries[2].public_title}",
    ]
    # Every remove button names its entry for a screen reader.
    buttons = [b.text for b in document.find_all("button") if b.text.startswith("Remove")]
    assert f"Remove : {entries[1].entry_number} {entries[1].public_title}" in buttons
    assert len(document.find_all("h1")) == 1


def test_one_unit_says_one_unit(client, entries):
    add(client, entries[0], entries[2])
    response = client.get(reverse("journal:basket"))
    assert "Your request will go to 1 unit." in parse(response.content).by_id("basket-summary").text


def test_an_entry_withdrawn_after_adding_leaves_the_basket(client, entries):
    add(client, *entries)
    entries[2].withdrawn_at = timezone.now()
    entries[2].save(update_fields=["withdrawn_at"])
    response = client.get(reverse("journal:basket"))
    assert "no longer public" in messages_of(response)
    assert stored(client) == [entries[0].pk, entries[1].pk]


def test_the_empty_basket(client, db):
    response = client.get(reverse("journal:basket"))
    assert response.status_code == 200
    document = parse(response.content)
    assert "Your basket is empty." in document.find(class_="empty-state").text
    assert document.find("form", action=reverse("journal:basket")) is None


def test_the_page_in_norwegian(client, entries):
    add(client, entries[0])
    with translation.override("nb"):
        url = reverse("journal:basket")
    assert not url.startswith("/en/")
    response = client.get(url)
    assert response.status_code == 200 and 'lang="nb"' in response.content.decode()
