"""The categories as data: Asker's file loads, loading twice changes nothing, and a broken file changes nothing
and says what is wrong."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tinget.core.models import AuditEntry, Unit
from tinget.reports import services
from tinget.reports.categories import CATEGORY_DIR, CategoryFileError, load_report_categories
from tinget.reports.models import Category, CategoryGroup, Question
from tinget.reports.tests.factories import CategoryFactory

ASKER_FILE = CATEGORY_DIR / "asker.json"
SEED_GROUPS = {
    "vann": "Water",
    "avlop": "Sewage",
    "renovasjon": "Waste collection",
    "natur-og-miljo": "Nature and environment",
    "bygg-og-idrettsanlegg": "Municipal buildings and sports facilities",
    "veier-og-friomrader": "Roads and open spaces",
}


def asker_data():
    return json.loads(ASKER_FILE.read_text(encoding="utf-8"))


def write(tmp_path, data, name="kategorier.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else data, encoding="utf-8")
    return str(path)


def minimal(**category):
    return {
        "groups": [
            {
                "slug": "testgruppe",
                "name": "Testgruppe",
                "categories": [{"slug": "testkategori", "name": "Test", "unit": "vei-og-park", **category}],
            }
        ]
    }


@pytest.mark.django_db
class TestAskerFile:
    def test_loads_the_six_groups_of_the_seed_in_three_languages(self, municipality):
        changes = load_report_categories("asker", municipality=municipality)

        assert changes > 50
        groups = list(CategoryGroup.objects.order_by("order"))
        assert {g.slug: g.name_en for g in groups} == SEED_GROUPS
        assert all(g.name and g.name_nn for g in groups)

    def test_categories_are_complete_and_routed_to_the_profiles_units(self, municipality):
        load_report_categories("asker", municipality=municipality)

        categories = list(Category.objects.select_related("unit", "group"))
        assert len(categories) >= 25
        units = set(Unit.objects.filter(municipality=municipality).values_list("slug", flat=True))
        for category in categories:
            assert category.unit.slug in units
            assert category.name and category.name_nn and category.name_en, category.slug
            assert category.description and category.description_nn and category.description_en, category.slug
            assert category.keywords and category.response_days >= 1, category.slug
        assert {c.unit.slug for c in categories} >= {
            "vann-og-avlop",
            "renovasjon",
            "vei-og-park",
            "eiendom",
            "natur-og-miljo",
        }
        assert {c.group.slug for c in categories} == set(SEED_GROUPS)
        for slug in (
            "gatelys",
            "hull-i-veien",
            "tett-sluk",
            "vannlekkasje",
            "avfall-ikke-hentet",
            "graffiti",
            "lekeplass",
        ):
            assert Category.objects.reportable().filter(slug=slug).exists(), slug

    def test_urgent_categories_show_the_on_call_number_from_the_profile(self, municipality):
        load_report_categories("asker", municipality=municipality)

        on_call = municipality.emergency_contacts.get(kind="on_call", name__startswith="Vann, avløp og vei")
        urgent = Category.objects.filter(is_urgent=True)
        assert urgent.filter(slug__in=["vannlekkasje-akutt", "kloakk-i-kjeller"]).count() == 2
        assert {c.urgent_phone for c in urgent} == {on_call.phone}
        assert not Question.objects.filter(category__in=urgent).exists()
        with pytest.raises(services.CategoryUnavailable):
            services.check_category(urgent.first())

    def test_not_ours_categories_say_whom_to_contact(self, municipality):
        load_report_categories("asker", municipality=municipality)

        not_ours = {c.slug: c for c in Category.objects.filter(not_ours=True)}
        assert set(not_ours) >= {"fylkesvei", "riksvei"}
        assert "175" in not_ours["riksvei"].contact_text and "vegvesen.no" in not_ours["riksvei"].contact_url
        assert "Akershus fylkeskommune" in not_ours["fylkesvei"].contact_text
        for category in not_ours.values():
            assert category.contact_text_nn and category.contact_text_en and category.contact_url.startswith("https://")
            assert not category.is_urgent

    def test_extra_questions_use_open311_datatypes_and_work_with_the_service(self, municipality):
        load_report_categories("asker", municipality=municipality)

        bins = Question.objects.get(category__slug="avfall-ikke-hentet", code="beholder")
        assert bins.datatype == Question.Datatype.MULTI and bins.required
        assert {v["key"] for v in bins.values} == {"restavfall", "papir", "plast", "glass-metall", "mat"}
        lamp = {q.code: q for q in Question.objects.filter(category__slug="gatelys")}
        assert lamp["stolpenummer"].datatype == Question.Datatype.STRING
        assert lamp["feil"].datatype == Question.Datatype.SINGLE
        assert lamp["feil"].value_name("blinker", "en") == "Flickering"
        assert set(Question.objects.values_list("datatype", flat=True)) <= set(Question.Datatype.values)

        leak = Category.objects.get(slug="vannlekkasje")
        with pytest.raises(services.InvalidAnswer):
            services.clean_answers(leak, {})
        assert services.clean_answers(leak, {"renner-i-gaten": "ja-litt"}) == {"renner-i-gaten": "ja-litt"}
        collection = Category.objects.get(slug="avfall-ikke-hentet")
        assert services.clean_answers(collection, {"beholder": ["papir", "mat"]}) == {"beholder": ["papir", "mat"]}
        with pytest.raises(services.InvalidAnswer):
            services.clean_answers(collection, {"beholder": ["hageavfall"]})


@pytest.mark.django_db
class TestIdempotent:
    def test_loading_twice_changes_nothing_and_is_audited_once(self, municipality):
        first = load_report_categories("asker", municipality=municipality)
        counts = (CategoryGroup.objects.count(), Category.objects.count(), Question.objects.count())

        second = load_report_categories("asker", municipality=municipality)

        assert first > 0 and second == 0
        assert (CategoryGroup.objects.count(), Category.objects.count(), Question.objects.count()) == counts
        entry = AuditEntry.objects.get(action="reports.categories.loaded")
        assert entry.data == {"file": "asker.json", "changes": first}

    def test_uses_the_current_municipality_by_default(self, municipality):
        assert load_report_categories() > 0
        assert load_report_categories() == 0

    def test_loading_again_restores_the_files_wording_and_keeps_what_staff_added(self, municipality):
        load_report_categories("asker", municipality=municipality)
        Category.objects.filter(slug="gatelys").update(name="Endret av en saksbehandler", response_days=30)
        Question.objects.filter(category__slug="gatelys", code="feil").delete()
        own = CategoryFactory(slug="egen-kategori", name="Lagt til i admin")

        changes = load_report_categories("asker", municipality=municipality)

        assert changes == 2  # the category row and the recreated question
        street_light = Category.objects.get(slug="gatelys")
        assert (street_light.name, street_light.response_days) == ("Gatelys ute", 14)
        assert street_light.questions.filter(code="feil").exists()
        assert Category.objects.filter(pk=own.pk).exists()

    def test_the_command_loads_and_reports_the_changes(self, municipality):
        first, second = StringIO(), StringIO()
        call_command("load_report_categories", stdout=first)
        call_command("load_report_categories", "asker", stdout=second)
        assert "0 rows" not in first.getvalue()
        assert "0 rows created or changed" in second.getvalue()


@pytest.mark.django_db
class TestBrokenFiles:
    def assert_nothing_loaded(self):
        assert not CategoryGroup.objects.exists() and not Category.objects.exists() and not Question.objects.exists()
        assert not AuditEntry.objects.filter(action="reports.categories.loaded").exists()

    @pytest.mark.parametrize(
        "broken, message",
        [
            ("{not json", "not valid JSON"),
            ({"groups": []}, 'non-empty list "groups"'),
            (minimal(unit="gatekontoret"), "no unit 'gatekontoret'"),
            (minimal(response_days=0), "response_days"),
            (minimal(response_days="fem"), "response_days"),
            (minimal(keywords="hull, asfalt"), "keywords"),
            (minimal(respons_days=5), "unknown keys respons_days"),
            (minimal(urgent_contact="Ghostbusters"), "no emergency contact named 'Ghostbusters'"),
            (minimal(not_ours=True), "whom to contact"),
            (minimal(not_ours=True, contact_text="Ring 175", urgent_phone="175"), "both urgent and not"),
            (minimal(questions=[{"code": "q", "question": "Hvor?", "datatype": "checkbox"}]), "datatype 'checkbox'"),
            (
                minimal(questions=[{"code": "q", "question": "Hvilken?", "datatype": "singlevaluelist", "values": []}]),
                "at least two values",
            ),
            (
                minimal(
                    questions=[
                        {
                            "code": "q",
                            "question": "Hvilken?",
                            "datatype": "singlevaluelist",
                            "values": [{"key": "a", "name": "A"}, {"key": "a", "name": "B"}],
                        }
                    ]
                ),
                "value key is used twice",
            ),
            (
                minimal(questions=[{"code": "q", "question": "A?"}, {"code": "q", "question": "B?"}]),
                "code is used twice",
            ),
            (minimal(name=""), "name is missing"),
            (minimal(slug="Ikke en slug!"), "slug"),
            (minimal(name="x" * 101), "name"),
            (minimal(contact_url="ikke en adresse", not_ours=True, contact_text="Ring 175"), "contact_url"),
        ],
    )
    def test_a_broken_file_changes_nothing_and_says_what_is_wrong(self, municipality, tmp_path, broken, message):
        path = write(tmp_path, broken)

        with pytest.raises(CategoryFileError) as error:
            load_report_categories(path, municipality=municipality)

        assert message in str(error.value)
        self.assert_nothing_loaded()

    def test_a_duplicate_service_code_across_groups_is_refused(self, municipality, tmp_path):
        data = minimal()
        data["groups"].append({"slug": "annen", "name": "Annen", "categories": data["groups"][0]["categories"]})

        with pytest.raises(CategoryFileError, match="used twice"):
            load_report_categories(write(tmp_path, data), municipality=municipality)
        self.assert_nothing_loaded()

    def test_a_row_that_fails_validation_late_rolls_back_the_rows_before_it(self, municipality, tmp_path):
        data = asker_data()
        # Everything before the last category is valid; the last one's description is too long for its field.
        data["groups"][-1]["categories"][-1]["description"] = "x" * 301

        with pytest.raises(CategoryFileError, match="category 'riksvei': description"):
            load_report_categories(write(tmp_path, data), municipality=municipality)
        self.assert_nothing_loaded()

    def test_every_problem_is_listed_at_once(self, municipality, tmp_path):
        data = minimal(unit="finnes-ikke", response_days=-1)

        with pytest.raises(CategoryFileError) as error:
            load_report_categories(write(tmp_path, data), municipality=municipality)
        assert len(error.value.problems) == 2

    def test_a_missing_file_or_profile(self, municipality, db):
        with pytest.raises(FileNotFoundError):
            load_report_categories("oslo", municipality=municipality)

    def test_without_a_municipality_profile(self, db):
        with pytest.raises(CategoryFileError, match="load_profile"):
            load_report_categories("asker")

    def test_the_command_fails_with_the_problems(self, municipality, tmp_path):
        with pytest.raises(CommandError, match="no unit 'finnes-ikke'"):
            call_command("load_report_categories", write(tmp_path, minimal(unit="finnes-ikke")))
        with pytest.raises(CommandError, match="No category file"):
            call_command("load_report_categories", "finnes-ikke")
        self.assert_nothing_loaded()
