"""The shared template components: accessible form fields, error summary, pagination and small parts."""

import pytest
from django import forms
from django.core.paginator import Paginator
from django.template import Context, Template
from django.test import RequestFactory

from tinget.core.tests.html import parse


class ExampleForm(forms.Form):
    name = forms.CharField(label="Navn", max_length=10, help_text="Slik det står i folkeregisteret.")
    email = forms.EmailField(label="E-post", required=False)
    topic = forms.ChoiceField(
        label="Tema",
        choices=[("vann", "Vann"), ("vei", "Vei")],
        widget=forms.RadioSelect,
        help_text="Velg det som passer best.",
    )
    areas = forms.MultipleChoiceField(
        label="Områder", choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )
    consent = forms.BooleanField(label="Jeg samtykker", help_text="Du kan trekke samtykket.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name") == "feil":
            raise forms.ValidationError("Skjemaet som helhet er feil.")
        return cleaned


def render(template, **context):
    return Template(template).render(Context(context))


FORM_TEMPLATE = (
    "{% error_summary form %}<form>{% field form.name %}{% field form.email %}{% field form.topic %}"
    "{% field form.areas %}{% field form.consent %}</form>"
)


def described_by_ids(element):
    return element.attrs.get("aria-describedby", "").split()


class TestFieldAndErrorSummary:
    def test_unbound_form_has_no_errors(self):
        page = parse(render(FORM_TEMPLATE, form=ExampleForm()))

        assert page.by_id("error-summary") is None
        assert [el for el in page.iter() if "aria-invalid" in el.attrs] == []
        name = page.by_id("id_name")
        assert described_by_ids(name) == ["id_name_hint"]
        assert page.by_id("id_name_hint").text == "Slik det står i folkeregisteret."
        assert "aria-describedby" not in page.by_id("id_email").attrs

    def test_labels_point_at_their_inputs(self):
        page = parse(render(FORM_TEMPLATE, form=ExampleForm()))

        ids = set(page.ids())
        labels = page.find_all("label")
        assert labels
        for label in labels:
            assert label.attrs["for"] in ids, label.attrs
        assert page.find("label", for_="id_name").text == "Navn"
        assert page.find("label", for_="id_topic_1").text == "Vei"
        assert page.find("label", for_="id_consent").text == "Jeg samtykker"

    def test_optional_fields_say_so_and_required_ones_are_required(self):
        page = parse(render(FORM_TEMPLATE, form=ExampleForm()))
        assert page.find("label", for_="id_email").find("span", class_="optional") is not None
        assert page.find("label", for_="id_name").find("span", class_="optional") is None
        assert "required" in page.by_id("id_name").attrs
        assert "required" not in page.by_id("id_email").attrs

    def test_errors_are_wired_to_their_fields(self):
        form = ExampleForm(data={"name": "altfor langt navn", "email": "ikke-epost"})
        assert not form.is_valid()

        page = parse(render(FORM_TEMPLATE, form=form))

        ids = set(page.ids())
        assert len(ids) == len(page.ids()), "ids must be unique"
        for element in page.iter():
            for target in described_by_ids(element):
                assert target in ids, f"{element.tag} points at missing id {target}"
        name = page.by_id("id_name")
        assert name.attrs["aria-invalid"] == "true"
        assert described_by_ids(name) == ["id_name_hint", "id_name_error"]
        assert "10" in page.by_id("id_name_error").text
        email = page.by_id("id_email")
        assert email.attrs["aria-invalid"] == "true"
        assert described_by_ids(email) == ["id_email_error"]
        consent = page.by_id("id_consent")
        assert consent.attrs["aria-invalid"] == "true"
        assert described_by_ids(consent) == ["id_consent_hint", "id_consent_error"]

    def test_radio_group_errors(self):
        form = ExampleForm(data={"name": "Kari"})
        form.is_valid()

        page = parse(render(FORM_TEMPLATE, form=form))

        fieldset = page.by_id("id_topic_error").parent
        assert fieldset.tag == "fieldset"
        assert fieldset.find("legend").text.startswith("Tema")
        assert described_by_ids(fieldset) == ["id_topic_hint", "id_topic_error"]
        radios = fieldset.find_all("input", type="radio")
        assert [r.attrs["id"] for r in radios] == ["id_topic_0", "id_topic_1"]
        assert all(r.attrs["aria-invalid"] == "true" for r in radios)
        checkboxes = page.find_all("input", name="areas")
        assert [c.attrs["type"] for c in checkboxes] == ["checkbox", "checkbox"]

    def test_the_summary_links_target_existing_ids(self):
        form = ExampleForm(data={"name": "feil", "email": "ikke-epost"})
        form.is_valid()

        page = parse(render(FORM_TEMPLATE, form=form))

        summary = page.by_id("error-summary")
        assert summary.attrs["role"] == "alert"
        assert page.by_id(summary.attrs["aria-labelledby"]) is not None
        links = summary.find_all("a")
        targets = [a.attrs["href"] for a in links]
        assert targets == ["#id_email", "#id_topic_0", "#id_areas_0", "#id_consent"]
        for href in targets:
            assert page.by_id(href[1:]) is not None and page.by_id(href[1:]).tag == "input"
        # An error that belongs to no field is listed, without a link.
        assert "Skjemaet som helhet er feil." in [li.text for li in summary.find_all("li")]

    def test_summary_over_several_forms_skips_unbound_and_valid_ones(self):
        bad = ExampleForm(data={})
        good = ExampleForm(data={"name": "Kari", "topic": "vann", "areas": ["a"], "consent": "on"})
        assert good.is_valid()

        page = parse(render("{% error_summary bad good unbound missing %}", bad=bad, good=good, unbound=ExampleForm()))

        assert len(page.by_id("error-summary").find_all("li")) == 4

    def test_a_hint_given_in_the_template_wins(self):
        page = parse(render('{% field form.email hint="Vi svarer hit." %}', form=ExampleForm()))
        assert page.by_id("id_email_hint").text == "Vi svarer hit."
        assert described_by_ids(page.by_id("id_email")) == ["id_email_hint"]

    def test_the_typed_value_is_kept(self):
        form = ExampleForm(data={"name": "Kari<b>", "email": "x"})
        form.is_valid()
        page = parse(render("{% field form.name %}", form=form))
        assert page.by_id("id_name").attrs["value"] == "Kari<b>"

    def test_a_prefixed_form_keeps_its_ids_unique(self):
        form = ExampleForm(data={}, prefix="second")
        form.is_valid()
        page = parse(render(FORM_TEMPLATE, form=form))
        assert page.by_id("id_second-name").attrs["aria-invalid"] == "true"
        for href in [a.attrs["href"] for a in page.by_id("error-summary").find_all("a")]:
            assert page.by_id(href[1:]) is not None


def paginate(path, number, count=200, per_page=10):
    request = RequestFactory().get(path)
    page_obj = Paginator(list(range(count)), per_page).get_page(number)
    return parse(render("{% pagination page_obj %}", request=request, page_obj=page_obj))


class TestPagination:
    def test_keeps_other_query_parameters_and_marks_the_current_page(self):
        nav = paginate("/sok/?q=vann&kategori=vei&side=5", 5).find("nav")

        assert nav.attrs["aria-label"]
        current = nav.find_all("a", aria_current="page")
        assert [a.text.split()[-1] for a in current] == ["5"]
        for link in nav.find_all("a"):
            href = link.attrs["href"]
            assert "q=vann" in href and "kategori=vei" in href
            assert href.count("side=") == 1
        assert "side=4" in nav.find("a", rel="prev").attrs["href"]
        assert "side=6" in nav.find("a", rel="next").attrs["href"]

    def test_first_and_last_pages(self):
        first = paginate("/", 1)
        assert first.find("a", rel="prev") is None
        assert first.find("a", rel="next") is not None
        last = paginate("/", 20)
        assert last.find("a", rel="next") is None
        assert [a.text.split()[-1] for a in last.find_all("a", aria_current="page")] == ["20"]

    def test_long_ranges_are_elided(self):
        nav = paginate("/", 10).find("nav")
        numbers = [a.text.split()[-1] for a in nav.find_all("a") if "rel" not in a.attrs]
        assert numbers == ["1", "9", "10", "11", "20"]
        assert len(nav.find_all("span", aria_hidden="true")) == 2

    def test_one_page_needs_no_navigation(self):
        assert paginate("/", 1, count=5).find("nav") is None

    def test_page_numbers_have_text_for_screen_readers(self):
        link = paginate("/", 2).find("a", aria_current="page")
        assert link.find("span", class_="ds-sr-only") is not None

    def test_query_values_are_encoded(self):
        nav = paginate("/?q=%C3%A6%26%3D", 2).find("nav")
        assert "q=%C3%A6%26%3D" in nav.find("a", rel="next").attrs["href"]


class TestSmallComponents:
    def test_status_tag(self):
        tag = parse(render('{% status_tag "Åpen" "success" %}')).find("span")
        assert tag.attrs == {"class": "ds-tag", "data-color": "success"}
        assert tag.text == "Åpen"

    def test_status_tag_defaults_to_neutral_and_escapes(self):
        tag = parse(render("{% status_tag label %}", label="<b>Ny</b>")).find("span")
        assert tag.attrs["data-color"] == "neutral"
        assert tag.text == "<b>Ny</b>"
        assert tag.find("b") is None

    def test_breadcrumbs(self):
        nav = parse(render("{% breadcrumbs crumbs %}", crumbs=[("Forsiden", "/"), ("Søk", "/sok/"), ("Treff", None)]))
        links = nav.find("nav").find_all("a")
        assert [(a.text, a.attrs.get("href")) for a in links] == [("Forsiden", "/"), ("Søk", "/sok/"), ("Treff", None)]
        assert links[-1].attrs["aria-current"] == "page"
        assert nav.find("nav").attrs["aria-label"]
        assert nav.find("ol") is not None

    def test_no_breadcrumbs(self):
        assert render("{% breadcrumbs crumbs %}", crumbs=[]).strip() == ""

    def test_empty_state(self):
        div = parse(render('{% empty_state "Ingen saker" "Prøv igjen senere." %}')).find(class_="empty-state")
        assert [p.text for p in div.find_all("p")] == ["Ingen saker", "Prøv igjen senere."]

    def test_empty_state_without_text(self):
        div = parse(render('{% empty_state "Ingen saker" %}')).find(class_="empty-state")
        assert len(div.find_all("p")) == 1


@pytest.mark.django_db
def test_language_links_mark_the_current_language(client):
    from django.urls import reverse
    from django.utils import translation

    with translation.override("nn"):
        url = reverse("core:about")
    links = parse(client.get(url).content).find(class_="language-links").find_all("a")
    current = [a for a in links if "aria-current" in a.attrs]
    assert [a.attrs["lang"] for a in current] == ["nn"]
    assert all(a.attrs["lang"] == a.attrs["hreflang"] for a in links)
