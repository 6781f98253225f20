"""The mail journal's public pages for one case, one entry and one document: what they show, what they never show
(a withdrawn entry, a screened name), the way to ask for the entries, and the files served from protected storage."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse as django_reverse
from django.utils import timezone, translation

from tinget.core.tests.html import parse
from tinget.journal.models import CaseFile, Document, EntryType, JournalEntry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def reverse(name, args=None, **kwargs):
    """The English page's address: the tests read the pages' English text, which translations do not change."""
    with translation.override("en"):
        return django_reverse(name, args=args, **kwargs)


def case_url(case):
    return reverse("journal:case", kwargs={"year": case.year, "sequence": case.sequence})


def entry_url(entry):
    return reverse("journal:entry", kwargs={"pk": entry.pk})


def document_url(document):
    return reverse("journal:document", kwargs={"pk": document.pk})


def with_file(entry, *, title="Søknad", name="soknad.pdf", content=PDF, is_main=True, order=0):
    document = Document(entry=entry, title=title, is_main=is_main, order=order)
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    return document


@pytest.fixture
def case_with_entries(unit, other_unit, entry_factory):
    """A case with three public entries (one from another unit, one screened) and one withdrawn."""
    first = entry_factory(
        unit,
        title="Søknad om skoleplass",
        case_title="Skoleplass for elev",
        journal_date=dt.date(2025, 3, 1),
        correspondents=(("sender", "", True),),
        restriction_code="13",
        legal_basis="Offl. § 13 jf. fvl. § 13",
    )
    case = first.case
    CaseFile.objects.filter(pk=case.pk).update(classification="B21 - Skolegang", case_date=dt.date(2025, 2, 27))
    case.refresh_from_db()
    second = entry_factory(
        unit,
        case=case,
        title="Svar på søknad om skoleplass",
        journal_date=dt.date(2025, 3, 5),
        type=EntryType.OUTGOING,
        correspondents=(("recipient", "", True), ("copy", "Heggedal skole", False)),
    )
    withdrawn = entry_factory(unit, case=case, title="Feilført brev", journal_date=dt.date(2025, 3, 6))
    JournalEntry.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    third = entry_factory(
        other_unit,
        case=case,
        title="Uttalelse om skolevei",
        journal_date=dt.date(2025, 3, 10),
        type=EntryType.INTERNAL_FOLLOW_UP,
        correspondents=(("internal_sender", "Plan og bygning", False),),
    )
    return case, [first, second, third], withdrawn


# --- The case ---------------------------------------------------------------------------------------------------


def test_the_case_page_lists_its_public_entries_in_order(client, case_with_entries):
    case, entries, withdrawn = case_with_entries
    response = client.get(case_url(case))
    assert response.status_code == 200
    document = parse(response.content)
    assert document.find("h1").text == "Skoleplass for elev"
    headings = [h.text for h in document.find_all("h3", class_="journal-result__title")]
    assert headings == [f"{e.entry_number} {e.public_title}" for e in entries]
    assert withdrawn.public_title not in response.content.decode()
    facts = document.find("dl", class_="journal-facts").text
    assert case.case_number in facts and "B21 - Skolegang" in facts and case.unit.name in facts
    assert "02/27/2025" in facts or "Feb. 27, 2025" in facts


def test_the_case_page_shows_screening_correspondents_and_the_other_unit(client, case_with_entries, other_unit):
    case, entries, _withdrawn = case_with_entries
    document = parse(client.get(case_url(case)).content)
    first = document.by_id(f"entry-{entries[0].pk}").text
    assert "Screened: Offl. § 13 jf. fvl. § 13" in first and "Screened (Sender)" in first
    second = document.by_id(f"entry-{entries[1].pk}").text
    assert "Screened (Recipient)" in second and "Heggedal skole (Copy recipient)" in second
    third = document.by_id(f"entry-{entries[2].pk}").text
    assert other_unit.name in third


def test_the_case_page_asks_for_all_its_entries_in_one_post(client, case_with_entries):
    case, entries, withdrawn = case_with_entries
    document = parse(client.get(case_url(case)).content)
    form = document.find("section", class_="journal-ask-all").find("form")
    assert form.attrs["action"] == reverse("journal:basket_add")
    posted = [i.attrs["value"] for i in form.find_all("input") if i.attrs.get("name") == "entry"]
    assert posted == [str(e.pk) for e in entries]
    assert str(withdrawn.pk) not in posted
    assert "Add all 3 entries in this case to the basket" in form.text
    # Each entry has its own button too.
    for entry in entries:
        assert document.by_id(f"entry-{entry.pk}").find("form") is not None


def test_ask_all_adds_them_to_the_basket(client, case_with_entries):
    """Through the requesting views' own basket_add, the way a browser posts the case page's form."""
    case, entries, _withdrawn = case_with_entries
    response = client.post(reverse("journal:basket_add"), {"entry": [e.pk for e in entries], "next": case_url(case)})
    assert response.status_code in (302, 303)
    assert response["Location"] == case_url(case)
    document = parse(client.get(case_url(case)).content)
    section = document.find("section", class_="journal-ask-all")
    assert "Every entry in this case is in your basket." in section.text
    assert section.find("form") is None
    assert all("In your basket" in document.by_id(f"entry-{e.pk}").text for e in entries)


def test_ask_all_only_offers_what_is_not_in_the_basket(client, case_with_entries):
    case, entries, _withdrawn = case_with_entries
    session = client.session
    session["journal_basket"] = [entries[0].pk]
    session.save()
    form = parse(client.get(case_url(case)).content).find("section", class_="journal-ask-all").find("form")
    posted = [i.attrs["value"] for i in form.find_all("input") if i.attrs.get("name") == "entry"]
    assert posted == [str(entries[1].pk), str(entries[2].pk)]


def test_a_case_larger_than_the_basket_is_asked_for_entry_by_entry(client, case_with_entries, settings):
    settings.TINGET_JOURNAL_BASKET_MAX = 2
    case, _entries, _withdrawn = case_with_entries
    section = parse(client.get(case_url(case)).content).find("section", class_="journal-ask-all")
    assert section.find("form") is None
    assert "more entries than a basket holds (2)" in section.text


def test_the_case_page_has_breadcrumbs(client, case_with_entries):
    case, _entries, _withdrawn = case_with_entries
    crumbs = parse(client.get(case_url(case)).content).find("nav", class_="ds-breadcrumbs")
    links = [(a.text, a.attrs.get("href")) for a in crumbs.find_all("a")]
    assert links[1] == ("Mail journal", reverse("journal:index"))
    assert links[-1][0] == f"Case {case.case_number}"


def test_unknown_cases_and_cases_with_nothing_public_are_404(client, case_with_entries, unit, entry_factory):
    case, _entries, _withdrawn = case_with_entries
    assert client.get(reverse("journal:case", kwargs={"year": case.year, "sequence": 999_999})).status_code == 404
    hidden = entry_factory(unit, title="Trukket tilbake", case_title="Tom sak")
    JournalEntry.objects.filter(pk=hidden.pk).update(withdrawn_at=timezone.now())
    assert client.get(case_url(hidden.case)).status_code == 404
    assert client.get(f"/en/mail-journal/case/{case.year}-99999999999999999999/").status_code == 404
    assert client.get(f"/en/mail-journal/case/{case.year}/{case.sequence}/").status_code == 404


# --- The entry --------------------------------------------------------------------------------------------------


def test_the_entry_page_shows_every_public_field(client, case_with_entries):
    _case, entries, _withdrawn = case_with_entries
    entry = entries[1]
    response = client.get(entry_url(entry))
    assert response.status_code == 200
    document = parse(response.content)
    assert document.find("h1").text == "Svar på søknad om skoleplass"
    assert len(document.find_all("h1")) == 1
    facts = {div.find("dt").text: div.find("dd").text for div in document.find("dl", class_="journal-facts").children}
    assert facts["Entry number"] == entry.entry_number
    assert facts["Journal number"] == f"{entry.year}/{entry.sequence}"
    assert facts["Type of document"] == "Outgoing document (U)"
    assert facts["Case"] == f"{entry.case.case_number} {entry.case.public_title}"
    assert facts["Responsible unit"] == entry.unit.name
    assert facts["Case worker"] == "Siri Saksbehandler"
    assert facts["Correspondents"] == "Recipient: Screened Copy recipient: Heggedal skole"
    assert "Screening" not in facts
    hrefs = [a.attrs.get("href") for a in document.find_all("a")]
    assert entry.case.get_absolute_url() in hrefs


def test_the_entry_page_shows_the_screening(client, case_with_entries):
    _case, entries, _withdrawn = case_with_entries
    document = parse(client.get(entry_url(entries[0])).content)
    facts = {div.find("dt").text: div.find("dd").text for div in document.find("dl", class_="journal-facts").children}
    assert facts["Screening"] == "Access restriction: 13 Legal basis: Offl. § 13 jf. fvl. § 13"
    assert facts["Correspondents"] == "Sender: Screened"
    assert document.find("span", class_="journal-screened").text == "Screened: Offl. § 13 jf. fvl. § 13"


def test_the_entry_page_lists_documents_with_files_links_and_neither(client, case_with_entries):
    _case, entries, _withdrawn = case_with_entries
    entry = entries[2]
    stored = with_file(entry, title="Uttalelse", order=0)
    Document.objects.create(entry=entry, title="Kart", is_main=False, url="https://kart.example.no/skolevei", order=1)
    Document.objects.create(entry=entry, title="Notat", is_main=False, order=2)
    document = parse(client.get(entry_url(entry)).content)
    items = document.find("ul", class_="journal-documents").find_all("li")
    assert [li.text for li in items] == [
        "Uttalelse",
        "Kart (attachment)",
        "Notat (attachment) (not published: ask to see it)",
    ]
    assert items[0].find("a").attrs["href"] == document_url(stored)
    assert items[1].find("a").attrs["href"] == "https://kart.example.no/skolevei"
    assert "noopener" in items[1].find("a").attrs["rel"]
    assert items[2].find("a") is None


def test_the_entry_page_says_when_nothing_is_published(client, case_with_entries):
    _case, entries, _withdrawn = case_with_entries
    assert "No documents are published with this entry." in client.get(entry_url(entries[0])).content.decode()


def test_the_entry_page_has_the_basket_button_and_breadcrumbs(client, case_with_entries):
    _case, entries, _withdrawn = case_with_entries
    entry = entries[0]
    document = parse(client.get(entry_url(entry)).content)
    form = document.find("form", class_="journal-basket-form")
    values = {i.attrs["name"]: i.attrs["value"] for i in form.find_all("input")}
    assert values["entry"] == str(entry.pk) and values["next"] == entry_url(entry)
    crumbs = [a.text for a in document.find("nav", class_="ds-breadcrumbs").find_all("a")]
    assert crumbs[-2:] == [f"Case {entry.case.case_number}", f"Entry {entry.entry_number}"]


def test_withdrawn_and_unknown_entries_are_404(client, case_with_entries):
    _case, _entries, withdrawn = case_with_entries
    assert client.get(entry_url(withdrawn)).status_code == 404
    assert client.get(reverse("journal:entry", kwargs={"pk": 999_999})).status_code == 404
    assert client.get("/en/mail-journal/entry/99999999999999999999/").status_code == 404
    assert client.get("/en/mail-journal/entry/abc/").status_code == 404


def test_a_screened_name_is_on_no_page(client, case_with_entries):
    """The name is never stored, so no page can show it; the pages say "Screened" and nothing about who."""
    case, entries, _withdrawn = case_with_entries
    for url in (case_url(case), entry_url(entries[0]), entry_url(entries[1])):
        html = client.get(url).content.decode()
        assert "Screened" in html
        assert "Kari Nordmann" not in html


# --- Documents --------------------------------------------------------------------------------------------------


def test_a_public_document_is_served_with_safe_headers(client, case_with_entries):
    _case, entries, _withdrawn = case_with_entries
    stored = with_file(entries[2], title="Uttalelse om skolevei")
    response = client.get(document_url(stored))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" not in response.get("Content-Security-Policy", "")
    assert response["Content-Disposition"] == 'inline; filename="uttalelse-om-skolevei.pdf"'


def test_other_files_are_downloaded_not_shown(client, case_with_entries):
    _case, entries, _withdrawn = case_with_entries
    stored = with_file(entries[2], title="Regneark", name="tall.html", content=b"<script>alert(1)</script>")
    response = client.get(document_url(stored))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"


def test_documents_without_a_file_or_of_withdrawn_entries_are_404(client, case_with_entries):
    _case, entries, withdrawn = case_with_entries
    link_only = Document.objects.create(entry=entries[0], title="Lenke", url="https://example.no/a.pdf")
    assert client.get(document_url(link_only)).status_code == 404
    hidden = with_file(withdrawn, title="Feilført")
    assert client.get(document_url(hidden)).status_code == 404
    assert client.get(reverse("journal:document", kwargs={"pk": 999_999})).status_code == 404


def test_a_document_whose_file_is_gone_is_404(client, case_with_entries):
    _case, entries, _withdrawn = case_with_entries
    stored = with_file(entries[0])
    stored.file.storage.delete(stored.file.name)
    assert client.get(document_url(stored)).status_code == 404


def test_pages_take_only_get(client, case_with_entries):
    case, entries, _withdrawn = case_with_entries
    stored = with_file(entries[0])
    for url in (case_url(case), entry_url(entries[0]), document_url(stored), reverse("journal:statistics")):
        assert client.post(url).status_code == 405, url


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_case_and_entry_pages_in_each_language(client, case_with_entries, language):
    case, entries, _withdrawn = case_with_entries
    with translation.override(language):
        urls = [
            django_reverse("journal:case", kwargs={"year": case.year, "sequence": case.sequence}),
            django_reverse("journal:entry", kwargs={"pk": entries[0].pk}),
        ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.content.decode()


def test_the_case_and_entry_pages_need_few_queries(client, case_with_entries, django_assert_max_num_queries):
    case, entries, _withdrawn = case_with_entries
    for entry in entries:
        with_file(entry)
    client.get(case_url(case))
    with django_assert_max_num_queries(6):
        assert client.get(case_url(case)).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(entry_url(entries[0])).status_code == 200


def test_staff_find_their_queue_and_imports_from_the_search_page(client, staff_client, case_worker):
    from django.urls import reverse

    from tinget.accounts.staff import ADMINISTRATOR
    from tinget.accounts.tests.people import fast_staff_client, new_staff

    queue, imports = reverse("journal:queue"), reverse("journal:imports")
    html = client.get(reverse("journal:index")).content.decode()
    assert queue not in html and imports not in html
    html = staff_client.get(reverse("journal:index")).content.decode()
    assert queue in html and imports not in html
    admin = fast_staff_client(new_staff("admin.journal@example.no", ADMINISTRATOR))
    html = admin.get(reverse("journal:index")).content.decode()
    assert queue in html and imports in html
