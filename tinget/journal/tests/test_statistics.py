"""The statistics page: access requests per month, and how many were answered within 1, 3 and 5 working days, per
unit and in all, as charts with tables; counts only."""

import datetime as dt

import pytest
from django.urls import reverse as django_reverse
from django.utils import timezone, translation

from tinget.core.tests.html import parse
from tinget.journal.models import AccessRequest, AccessRequestPart, RequestStatus

from .test_public import reverse

pytestmark = pytest.mark.django_db


def sent_request(units_and_days, *, sent_at=None, email="journalist@example.no"):
    """One sent request with a part per (unit, working days to answer or None for no answer yet)."""
    sent_at = sent_at or timezone.now()
    access_request = AccessRequest.objects.create(email=email, sent_at=sent_at)
    for unit, days in units_and_days:
        AccessRequestPart.objects.create(
            request=access_request,
            unit=unit,
            sent_at=sent_at,
            deadline=timezone.localdate(sent_at) + dt.timedelta(days=7),
            status=RequestStatus.SENT if days is None else RequestStatus.GRANTED,
            answered_at=None if days is None else sent_at + dt.timedelta(days=days),
            working_days_to_answer=days,
        )
    return access_request


@pytest.fixture
def answered(unit, other_unit):
    """Unit: four parts answered after 0, 1, 3 and 6 working days. Other unit: one waiting, one after 2 days."""
    sent_request([(unit, 0), (other_unit, None)])
    sent_request([(unit, 1)])
    sent_request([(unit, 3), (other_unit, 2)])
    sent_request([(unit, 6)])
    # Not sent yet (a basket waiting for its e-mail to be verified): not counted.
    AccessRequest.objects.create(email="venter@example.no")


def statistics(client):
    response = client.get(reverse("journal:statistics"))
    assert response.status_code == 200
    return parse(response.content)


def table_rows(document):
    table = document.find("table", class_="journal-stats-table")
    rows = {}
    for row in table.find_all("tr")[1:]:
        cells = [cell.text for cell in row.children]
        rows[cells[0]] = cells[1:]
    return rows


def test_shares_answered_in_time_per_unit_and_in_all(client, answered, unit, other_unit):
    rows = table_rows(statistics(client))
    assert rows[unit.name] == ["4", "50 % (2)", "75 % (3)", "75 % (3)"]
    assert rows[other_unit.name] == ["2", "0 % (0)", "50 % (1)", "50 % (1)"]
    assert rows["All units"] == ["6", "33 % (2)", "67 % (4)", "67 % (4)"]


def test_the_overall_chart_has_the_same_numbers(client, answered):
    document = statistics(client)
    speed = next(f for f in document.find_all("figure") if "Answered within 1, 3 and 5" in f.text)
    values = [row.text for row in speed.find_all("li", class_="chart__row")]
    assert values == [
        "Within 1 working day 2 (33 %)",
        "Within 3 working days 4 (67 %)",
        "Within 5 working days 4 (67 %)",
    ]
    assert "6 requests to a unit" in speed.text
    # Every chart has its table (the shared component), and every bar its numbers as text.
    assert speed.find("table") is not None


def test_requests_per_month(client, answered):
    document = statistics(client)
    months = next(f for f in document.find_all("figure") if "Requests for access per month" in f.text)
    rows = months.find_all("li", class_="chart__row")
    assert len(rows) == 12
    with translation.override("en"):
        from django.utils.formats import date_format

        this_month = date_format(timezone.localdate(), "YEAR_MONTH_FORMAT")
    assert rows[-1].text == f"{this_month} 4 (100 %)"
    assert all(row.text.endswith("0 (0 %)") for row in rows[:-1])
    assert "4 requests" in months.text


def test_a_request_from_last_month_counts_there(client, unit):
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=15)
    sent_request([(unit, 1)], sent_at=timezone.make_aware(dt.datetime.combine(last_month, dt.time(12))))
    sent_request([(unit, 2)])
    document = statistics(client)
    months = next(f for f in document.find_all("figure") if "Requests for access per month" in f.text)
    rows = [row.text for row in months.find_all("li", class_="chart__row")]
    assert rows[-1].endswith("1 (50 %)") and rows[-2].endswith("1 (50 %)")


def test_the_page_explains_the_law(client, municipality):
    text = statistics(client).find("main").text
    assert "offentleglova § 29" in text and "(§ 32)" in text
    assert "five working days" in text


def test_without_requests_the_page_says_so(client, municipality):
    document = statistics(client)
    assert document.find("table", class_="journal-stats-table") is None
    assert "No requests yet" in document.find("main").text


def test_nothing_about_who_asked(client, answered):
    html = client.get(reverse("journal:statistics")).content.decode()
    assert "journalist@example.no" not in html and "venter@example.no" not in html


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_page_in_each_language(client, answered, language):
    with translation.override(language):
        url = django_reverse("journal:statistics")
    response = client.get(url)
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()


def test_the_search_page_links_here(client, municipality):
    document = parse(client.get(reverse("journal:index")).content)
    assert reverse("journal:statistics") in [a.attrs.get("href") for a in document.find_all("a")]


def test_statistics_need_few_queries(client, answered, django_assert_max_num_queries):
    client.get(reverse("journal:statistics"))
    with django_assert_max_num_queries(3):
        statistics(client)


def test_the_totals_agree_with_their_nouns(client, unit):
    sent_request([(unit, 1)])
    document = statistics(client)
    totals = [span.text for span in document.find_all("span", class_="chart__total")]
    assert totals[:2] == ["1 request", "1 request to a unit"]
