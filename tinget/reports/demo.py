"""Asker's demo fault reports, so that the map, the lists and the statistics look alive (issue 4, part 9).

`load_demo(municipality)` loads the categories (categories/asker.json), then about 300 invented reports over
the last twelve months: placed around the areas' centres inside the municipality's outline, with more
potholes, street lights and snow in winter and more bins, playgrounds and invasive plants in summer, mostly
fixed or closed when old and open or being looked at when recent, with the units' public answers, a few
reporters who show their (invented) name, a few reports hidden by a moderator, and a few by the demo resident
(innbygger@example.no) so that Min side has something to show. Every title and description says "(demo)".

The rows are made with bulk_create (this is seed data, and `make run` should not wait for it), but they look
like what the services make: a "reported" line and a line per state change in the history, confirmed_at,
due_at from the category's response time, fixed_at/closed_at, the area from geo.nearest_area, the demo
resident following their own reports, and "is it fixed?" already asked for reports fixed over four weeks ago
(so that the first `reports_sweep` does not e-mail a few hundred invented people).

Loading again adds nothing: the reports carry submission keys "demo-0001" …, and nothing is made when any
demo report exists.
"""

import math
import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tinget.core import audit, geo
from tinget.core.models import Area
from tinget.core.notify import services as notify

from .categories import load_report_categories
from .models import CLOSED_UNFIXED_STATES, Category, Channel, Moderation, Question, Report, State, Update

DEMO_COUNT = 300
KEY_PREFIX = "demo-"
DEMO_MARK = "(demo)"
SEED = 3203
RESIDENT_EMAIL = "innbygger@example.no"
CASE_WORKER_EMAIL = "saksbehandler@example.no"
MODERATOR_EMAIL = "admin@example.no"

# How many reports each area gets (roughly its share of the inhabitants) and how far they spread (metres).
AREA_WEIGHTS = {
    "asker-sentrum": (20, 1200),
    "borgen": (12, 900),
    "heggedal": (11, 1000),
    "holmen": (13, 1000),
    "slemmestad": (11, 900),
    "spikkestad": (11, 1000),
    "saetre": (11, 1100),
    "tofte": (10, 1200),
}
# Invented addresses near each area's centre (the demo areas are named after the innbyggertorg).
PLACES = {
    "asker-sentrum": [
        "Askerveien",
        "Kirkeveien",
        "Lensmannsløkka",
        "Bondistranda",
        "Torvveien",
        "Jørgen Moes vei",
        "Føyka",
        "Asker stasjon",
        "Rådhusparken",
    ],
    "borgen": ["Borgenveien", "Solbergveien", "Vardåsveien", "Leikvollveien", "Borgen skole", "Borgenbanen"],
    "heggedal": [
        "Heggedalsveien",
        "Gamle Heggedalsvei",
        "Åroseveien",
        "Bødalsveien",
        "Heggedal torg",
        "Heggedal stasjon",
    ],
    "holmen": ["Holmensvingen", "Nesbruveien", "Brusetveien", "Vettre", "Holmen svømmehall", "Holmenskjæret"],
    "slemmestad": ["Ødegårdsveien", "Sementveien", "Bjerkåsholmen", "Slemmestad brygge", "Bøkeskogen", "Tranby"],
    "spikkestad": ["Spikkestadveien", "Gullhellaveien", "Solstadlia", "Kjellstadveien", "Spikkestad stasjon"],
    "saetre": ["Sætrebakken", "Storsand", "Klokkarstua", "Sætre sentrum", "Kana", "Sætre skole"],
    "tofte": ["Tofteveien", "Filtvet", "Sandspollen", "Verpen", "Tofte sentrum", "Tofte skole"],
}
BUILDINGS = ["Heggedal skole", "Borgen skole", "Sætre skole", "Tofte skole", "Holmen barnehage", "Asker kulturhus"]

# category slug: (weight, months in season (1-12), how much more often then)
CATEGORY_WEIGHTS = {
    "gatelys": (10, {10, 11, 12, 1, 2}, 2.5),
    "hull-i-veien": (12, {2, 3, 4, 5}, 3.0),
    "vinterdrift": (6, {12, 1, 2, 3}, 6.0),
    "tett-sluk": (6, {9, 10, 11}, 2.0),
    "veltet-tre": (4, {10, 11, 12, 1}, 2.5),
    "avfall-ikke-hentet": (9, set(), 1.0),
    "full-soppelkasse": (6, {5, 6, 7, 8}, 2.5),
    "skadet-beholder": (4, set(), 1.0),
    "graffiti": (5, set(), 1.0),
    "lekeplass": (4, {4, 5, 6, 7, 8, 9}, 2.0),
    "benk": (3, {5, 6, 7, 8}, 1.5),
    "skilt": (4, set(), 1.0),
    "fortau-gangvei": (4, {3, 4}, 1.5),
    "vannlekkasje": (4, {1, 2}, 1.5),
    "ikke-vann": (2, set(), 1.0),
    "misfarget-vann": (2, set(), 1.0),
    "brannhydrant": (1, set(), 1.0),
    "kloakklukt": (3, {6, 7, 8}, 1.5),
    "kumlokk": (2, set(), 1.0),
    "ulovlig-dumping": (5, {4, 5, 9, 10}, 1.5),
    "fremmede-arter": (4, {6, 7, 8}, 5.0),
    "dodt-dyr": (3, set(), 1.0),
    "forurensning-vann": (1, set(), 1.0),
    "skade-bygg": (3, set(), 1.0),
    "idrettsanlegg": (3, {11, 12, 1, 2}, 1.5),
    "offentlig-toalett": (2, {5, 6, 7, 8}, 2.0),
}
# What residents write: (title, description) per category; "{place}" is filled in.
TEXTS = {
    "gatelys": [
        (
            "Gatelys ute i {place}",
            "Lyset i stolpen ved nummer {number} har vært slukket i flere dager. Det er helt mørkt der.",
        ),
        ("Flere lys slukket", "Tre lyktestolper på rad er mørke. Skoleveien blir veldig mørk om morgenen."),
        ("Gatelyset blinker", "Lyset blinker hele kvelden og slukker innimellom."),
    ],
    "hull-i-veien": [
        ("Dypt hull i veien", "Stort hull i asfalten ved nummer {number}. Bilene svinger ut i motgående kjørefelt."),
        ("Hull i gang- og sykkelveien", "Flere hull etter vinteren. Farlig for syklister i mørket."),
        ("Telehiv og sprekker", "Asfalten har sprukket opp over hele bredden."),
    ],
    "vinterdrift": [
        ("Fortauet er ikke brøytet", "Fortauet har ikke vært brøytet siden snøfallet i helgen. Barna må gå i veien."),
        ("Veldig glatt", "Blank is i bakken. Trenger strøing, flere har falt i dag."),
        ("Brøytekant sperrer innkjørselen", "Brøytebilen har lagt en høy kant foran gangveien."),
    ],
    "tett-sluk": [
        ("Tett sluk", "Sluket er tett av løv, og det står en stor dam i veien når det regner."),
        ("Overvann i veien", "Risten ved krysset tar ikke unna vannet."),
    ],
    "veltet-tre": [
        ("Tre over turveien", "Et tre har blåst ned over turveien etter stormen i natt."),
        ("Store greiner på gangveien", "Flere store greiner ligger over gangveien."),
    ],
    "avfall-ikke-hentet": [
        ("Papir ikke hentet", "Papirdunken ble ikke tømt på hentedagen. Resten av gata fikk tømt."),
        ("Restavfall ikke tømt", "Restavfallet er ikke hentet, og det begynner å lukte."),
        ("Matavfall ikke hentet to ganger", "Matavfallet er ikke hentet de to siste hentedagene."),
    ],
    "full-soppelkasse": [
        ("Full søppelkasse ved badeplassen", "Søppelkassen er full og det flyter søppel rundt den."),
        ("Glassiglo full", "Containeren for glass og metall er full, folk setter posene ved siden av."),
    ],
    "skadet-beholder": [
        ("Knekt lokk på dunken", "Lokket på restavfallsdunken knakk ved tømming."),
        ("Hjul falt av beholderen", "Det ene hjulet på papirdunken har falt av."),
    ],
    "graffiti": [
        ("Tagging i undergangen", "Nye tags på begge veggene i undergangen."),
        ("Tagging på skolen", "Noen har tagget på veggen ved inngangen."),
    ],
    "lekeplass": [
        ("Ødelagt huske", "Den ene husken har revnet kjetting."),
        ("Glasskår i sandkassen", "Det ligger knust glass i sandkassen på lekeplassen."),
        ("Løs planke på klatrestativet", "En planke på klatrestativet sitter løst."),
    ],
    "benk": [
        ("Ødelagt benk", "Benken ved stien har knekt ryggplanke."),
        ("Bordet er veltet", "Bordet ved bålplassen er ødelagt."),
    ],
    "skilt": [
        ("Skilt har falt ned", "Vikepliktskiltet i krysset har falt ned."),
        ("Gatenavnskilt mangler", "Skiltet med gatenavnet er borte."),
    ],
    "fortau-gangvei": [
        ("Løse heller på fortauet", "Flere heller ligger løst, lett å snuble."),
        ("Rekkverk ødelagt", "Rekkverket langs trappen er løst."),
    ],
    "vannlekkasje": [
        ("Vann siver opp i veien", "Det siver vann opp av asfalten ved nummer {number}, og det er blitt en dam."),
        ("Lekkasje fra kum", "Det renner vann fra kummen i veikanten."),
    ],
    "ikke-vann": [
        ("Ikke vann i huset", "Vi har ikke hatt vann siden i morges."),
        ("Lavt vanntrykk", "Trykket er veldig lavt i hele nabolaget."),
    ],
    "misfarget-vann": [("Brunt vann fra springen", "Vannet er brunt når vi tapper det, særlig om morgenen.")],
    "brannhydrant": [("Påkjørt hydrant", "Brannhydranten ved innkjørselen er påkjørt og står skjevt.")],
    "kloakklukt": [
        ("Kloakklukt fra kum", "Det lukter sterkt kloakk fra kummen ved lekeplassen."),
        ("Overløp i bekken", "Det ser ut som kloakk renner ut i bekken."),
    ],
    "kumlokk": [("Kumlokket skrangler", "Kumlokket midt i veien skrangler hver gang en bil kjører over.")],
    "ulovlig-dumping": [
        ("Hageavfall dumpet i skogen", "Noen har tømt hageavfall i skogkanten."),
        ("Møbler satt ved veien", "En sofa og en madrass er satt igjen ved veien."),
        ("Bildekk i grøfta", "Seks bildekk ligger i grøfta."),
    ],
    "fremmede-arter": [
        ("Parkslirekne langs bekken", "Et stort felt med parkslirekne langs bekken."),
        ("Kjempebjørnekjeks ved stien", "Det står flere store planter som ser ut som kjempebjørnekjeks ved stien."),
    ],
    "dodt-dyr": [
        ("Død grevling i veien", "Det ligger en død grevling i veikanten."),
        ("Død måke på stranda", "Flere døde måker på stranda."),
    ],
    "forurensning-vann": [("Oljeflak i bekken", "Det er et regnbuefarget flak på vannet i bekken.")],
    "skade-bygg": [
        ("Knust vindu", "Et vindu i første etasje er knust."),
        ("Døren lukker seg ikke", "Inngangsdøren går ikke i lås."),
        ("Lekkasje fra taket", "Det drypper fra taket i gangen når det regner."),
    ],
    "idrettsanlegg": [
        ("Lysløypa er mørk", "Lyset i lysløypa har ikke virket på flere kvelder."),
        ("Hull i nettet i ballbingen", "Nettet i ballbingen er revet opp i det ene hjørnet."),
    ],
    "offentlig-toalett": [("Toalettet er låst", "Toalettet ved badeplassen har vært låst hele helgen.")],
}
ENGLISH_TEXTS = [
    ("Street light not working", "The street light outside has been out for a week."),
    ("Bin not emptied", "Our bin was not emptied on collection day."),
    ("Broken swing", "One of the swings at the playground is broken."),
]
FIXED_ANSWERS = {
    "gatelys": "Lyset er reparert og virker igjen.",
    "hull-i-veien": "Hullet er lappet med asfalt. Permanent reparasjon gjøres ved neste asfaltering.",
    "vinterdrift": "Det er brøytet og strødd.",
    "tett-sluk": "Sluket er renset.",
    "veltet-tre": "Treet er kuttet opp og fjernet.",
    "avfall-ikke-hentet": "Beholderen er tømt. Beklager at den ble glemt.",
    "full-soppelkasse": "Søppelkassen er tømt, og vi tømmer den oftere i sommer.",
    "skadet-beholder": "Ny beholder er levert.",
    "graffiti": "Taggingen er fjernet.",
    "lekeplass": "Lekeapparatet er reparert.",
    "vannlekkasje": "Lekkasjen er tettet.",
    "fremmede-arter": "Plantene er fjernet og levert som restavfall. Vi følger med på stedet neste sesong.",
    "ulovlig-dumping": "Avfallet er ryddet bort.",
}
STEP_ANSWERS = {
    State.INVESTIGATING: ["Takk for meldingen. Vi ser på saken.", "Vi har registrert meldingen og undersøker saken."],
    State.ACTION_SCHEDULED: [
        "Utbedring er bestilt og blir gjort i løpet av de nærmeste ukene.",
        "Vi har bestilt arbeidet hos entreprenøren vår.",
    ],
    State.IN_PROGRESS: ["Arbeidet er i gang.", "Mannskapet vårt er på stedet."],
}
CLOSED_ANSWERS = {
    State.CLOSED: "Saken er avsluttet. Ta kontakt igjen om problemet kommer tilbake.",
    State.NOT_RESPONSIBLE: "Dette er på privat grunn eller en fylkesvei, og kommunen har ikke ansvaret. Vi har sendt "
    "meldingen videre til den som har det.",
    State.NO_FURTHER_ACTION: "Vi har vurdert saken og gjør ikke noe med dette nå. Stedet er med i planen for neste år.",
}
FIRST_NAMES = ["Kari", "Ola", "Ingrid", "Lars", "Nora", "Emil", "Sofie", "Jonas", "Maja", "Henrik", "Aisha", "Mateusz"]
LAST_NAMES = [
    "Nordby",
    "Berg",
    "Haugen",
    "Lie",
    "Solberg",
    "Vik",
    "Dahl",
    "Strand",
    "Hansen",
    "Bakken",
    "Khan",
    "Nowak",
]
# By age in days: [(upper bound, {state: weight})]
STATE_BY_AGE = [
    (3, {State.OPEN: 60, State.INVESTIGATING: 25, State.ACTION_SCHEDULED: 10, State.FIXED: 5}),
    (
        14,
        {
            State.OPEN: 18,
            State.INVESTIGATING: 25,
            State.ACTION_SCHEDULED: 20,
            State.IN_PROGRESS: 15,
            State.FIXED: 17,
            State.NO_FURTHER_ACTION: 5,
        },
    ),
    (
        60,
        {
            State.OPEN: 6,
            State.INVESTIGATING: 6,
            State.ACTION_SCHEDULED: 10,
            State.IN_PROGRESS: 8,
            State.FIXED: 56,
            State.CLOSED: 4,
            State.NOT_RESPONSIBLE: 4,
            State.NO_FURTHER_ACTION: 3,
            State.DUPLICATE: 3,
        },
    ),
    (
        10_000,
        {
            State.OPEN: 2,
            State.IN_PROGRESS: 2,
            State.FIXED: 77,
            State.CLOSED: 7,
            State.NOT_RESPONSIBLE: 4,
            State.NO_FURTHER_ACTION: 5,
            State.DUPLICATE: 3,
        },
    ),
]
# The way a report usually goes to each state.
PATHS = {
    State.OPEN: [],
    State.INVESTIGATING: [State.INVESTIGATING],
    State.ACTION_SCHEDULED: [State.INVESTIGATING, State.ACTION_SCHEDULED],
    State.IN_PROGRESS: [State.ACTION_SCHEDULED, State.IN_PROGRESS],
    State.FIXED: [State.INVESTIGATING, State.FIXED],
    State.CLOSED: [State.INVESTIGATING, State.CLOSED],
    State.NOT_RESPONSIBLE: [State.NOT_RESPONSIBLE],
    State.NO_FURTHER_ACTION: [State.INVESTIGATING, State.NO_FURTHER_ACTION],
    State.DUPLICATE: [State.DUPLICATE],
}


def _weighted(rng, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _point(rng, municipality, area):
    """A point around the area's centre (normally distributed), inside the municipality's outline."""
    spread = AREA_WEIGHTS[area.slug][1]
    for _attempt in range(50):
        dy, dx = rng.gauss(0, spread), rng.gauss(0, spread)
        latitude = area.center_latitude + math.degrees(dy / geo.EARTH_RADIUS_M)
        longitude = area.center_longitude + math.degrees(
            dx / (geo.EARTH_RADIUS_M * math.cos(math.radians(area.center_latitude)))
        )
        if geo.in_municipality(municipality, latitude, longitude):
            return round(latitude, 6), round(longitude, 6)
    return area.center_latitude, area.center_longitude


def _answers(rng, questions, created_at):
    """Answers to the category's extra questions as the form would clean them: every required one, some others."""
    answers = {}
    for question in questions:
        if not question.required and rng.random() < 0.5:
            continue
        keys = [v["key"] for v in question.values]
        if question.datatype == Question.Datatype.SINGLE:
            answers[question.code] = rng.choice(keys)
        elif question.datatype == Question.Datatype.MULTI:
            answers[question.code] = rng.sample(keys, rng.choice([1, 1, 2]))
        elif question.datatype == Question.Datatype.NUMBER:
            answers[question.code] = rng.randint(2, 200)
        elif question.datatype == Question.Datatype.DATETIME:
            answers[question.code] = (
                timezone.localtime(created_at - timedelta(days=rng.randint(0, 3))).date().isoformat()
            )
        elif question.code == "bygg":
            answers[question.code] = rng.choice(BUILDINGS)
        elif question.datatype == Question.Datatype.STRING:
            answers[question.code] = str(rng.randint(1000, 99999))
    return answers


def _delay(rng, days_typical: float, at_most: timedelta) -> timedelta:
    """A plausible time until the next step: about `days_typical`, never more than `at_most`."""
    delay = timedelta(days=days_typical * rng.lognormvariate(0, 0.6))
    return max(timedelta(minutes=20), min(delay, at_most))


class _Demo:
    def __init__(self, municipality, rng, now):
        self.municipality = municipality
        self.rng = rng
        self.now = now
        self.areas = [a for a in Area.objects.filter(municipality=municipality) if a.center_latitude is not None]
        self.area_weights = {a: AREA_WEIGHTS.get(a.slug, (5, 1000))[0] for a in self.areas}
        self.categories = {
            c.slug: c
            for c in Category.objects.reportable().select_related("unit").prefetch_related("questions")
            if c.slug in CATEGORY_WEIGHTS
        }
        users = {
            u.email: u
            for u in get_user_model().objects.filter(email__in=[RESIDENT_EMAIL, CASE_WORKER_EMAIL, MODERATOR_EMAIL])
        }
        self.resident = users.get(RESIDENT_EMAIL)
        self.case_worker = users.get(CASE_WORKER_EMAIL)
        self.moderator = users.get(MODERATOR_EMAIL)

    def category_for(self, when):
        month = timezone.localtime(when).month
        weights = {
            slug: weight * (boost if month in season else 1.0)
            for slug, (weight, season, boost) in CATEGORY_WEIGHTS.items()
            if slug in self.categories
        }
        return self.categories[_weighted(self.rng, weights)]

    def created_at(self):
        rng = self.rng
        # A few more recent reports than old ones (more people use the service as it becomes known).
        age = timedelta(days=365 * (rng.random() ** 1.15))
        day = timezone.localtime(self.now - age)
        hour = _weighted(
            rng, {h: (1 if h < 7 or h > 22 else 4 if 7 <= h <= 9 or 15 <= h <= 21 else 3) for h in range(24)}
        )
        when = day.replace(hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59), microsecond=0)
        return min(when, self.now - timedelta(minutes=rng.randint(5, 120)))

    def state_for(self, age_days):
        for bound, weights in STATE_BY_AGE:
            if age_days < bound:
                return _weighted(self.rng, weights)
        return State.FIXED

    def reporter(self, index):
        """(reporter user or None, name, e-mail, show name, channel, language)."""
        rng = self.rng
        if self.resident is not None and index % 37 == 5:
            return self.resident, self.resident.display_name, self.resident.email, False, Channel.WEB, "nb"
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = f"{first} {last}"
        email = f"{first.lower()}.{last.lower()}.{index}@example.no"
        channel = _weighted(rng, {Channel.WEB: 85, Channel.PHONE: 10, Channel.EMAIL: 5})
        language = _weighted(rng, {"nb": 90, "nn": 6, "en": 4}) if channel == Channel.WEB else "nb"
        show_name = channel == Channel.WEB and rng.random() < 0.15
        if channel == Channel.PHONE and rng.random() < 0.4:
            email = ""
        return None, name, email, show_name, channel, language

    def build(self, index):
        rng = self.rng
        created_at = self.created_at()
        category = self.category_for(created_at)
        area = _weighted(rng, self.area_weights)
        latitude, longitude = _point(rng, self.municipality, area)
        area = geo.nearest_area(self.areas, latitude, longitude) or area
        place = rng.choice(PLACES.get(area.slug, [area.name]))
        number = rng.randint(1, 80)
        user, name, email, show_name, channel, language = self.reporter(index)
        if language == "en" and rng.random() < 0.7:
            title, description = rng.choice(ENGLISH_TEXTS)
        else:
            title, description = rng.choice(TEXTS.get(category.slug, [(category.name, "")]))
        title = title.format(place=place, number=number)
        if place not in title:
            title = f"{title}, {place}"
        description = description.format(place=place, number=number)
        address = (
            f"{place} {number}" if place.endswith(("veien", "vei", "svingen", "lia", "bakken", "løkka")) else place
        )
        confirmed_at = created_at
        if user is None and channel == Channel.WEB:
            confirmed_at = created_at + timedelta(minutes=rng.randint(1, 90))
        age_days = (self.now - created_at).total_seconds() / 86400
        state = self.state_for(age_days)
        report = Report(
            category=category,
            unit=category.unit,
            area=area,
            title=f"{title} {DEMO_MARK}"[:120],
            description=f"{description} {DEMO_MARK}".strip(),
            latitude=latitude,
            longitude=longitude,
            address=address[:200],
            answers=_answers(rng, list(category.questions.all()), created_at),
            state=State.OPEN,
            reporter=user,
            reporter_name=name,
            reporter_email=email,
            show_name=show_name,
            channel=channel,
            language=language,
            registered_by=self.case_worker if channel in (Channel.PHONE, Channel.EMAIL) else None,
            submission_key=f"{KEY_PREFIX}{index:04d}",
            created_at=created_at,
            confirmed_at=confirmed_at,
            updated_at=confirmed_at,
            due_at=confirmed_at + timedelta(days=category.response_days),
        )
        return report, state

    def history(self, report, target_state):
        """The public (and a few internal) lines of a report's history up to `target_state`, setting the
        report's state and times the way report_change_state does."""
        rng = self.rng
        label = report.public_name if report.show_name else ""
        lines = [
            Update(
                report=report,
                kind=Update.Kind.CREATED,
                new_state=State.OPEN,
                author=report.reporter,
                author_label=label,
                created_at=report.confirmed_at,
                data={"channel": report.channel},
            )
        ]
        at = report.confirmed_at
        state = State.OPEN
        typical = max(1, report.category.response_days)
        author = self.case_worker if report.unit.slug == "vei-og-park" else None
        for step in PATHS[target_state]:
            left = self.now - at
            if left < timedelta(minutes=30):
                break
            at = at + _delay(rng, typical / (2 if step != State.FIXED else 1), left * 0.8)
            if step == State.FIXED:
                text = FIXED_ANSWERS.get(report.category.slug, "Feilen er rettet. Takk for at du meldte fra!")
            elif step in STEP_ANSWERS:
                text = rng.choice(STEP_ANSWERS[step]) if rng.random() < 0.8 else ""
            else:
                text = CLOSED_ANSWERS.get(step, "")
            lines.append(
                Update(
                    report=report,
                    kind=Update.Kind.STATE,
                    author=author,
                    author_label=report.unit.name,
                    old_state=state,
                    new_state=step,
                    text=text,
                    created_at=at,
                )
            )
            state = step
        report.state = state
        report.updated_at = at
        if state == State.FIXED:
            report.fixed_at = report.closed_at = at
            if report.reporter_email and self.now - at > timedelta(days=settings.TINGET_REPORT_QUESTIONNAIRE_DAYS):
                report.questionnaire_sent_at = at + timedelta(days=settings.TINGET_REPORT_QUESTIONNAIRE_DAYS)
                if rng.random() < 0.3:
                    lines.append(
                        Update(
                            report=report,
                            kind=Update.Kind.QUESTIONNAIRE,
                            author=report.reporter,
                            author_label=label,
                            new_state=State.FIXED,
                            text=rng.choice(["", "Ja, takk!", "Fint, nå er det i orden."]),
                            data={"fixed": True},
                            created_at=report.questionnaire_sent_at + timedelta(hours=rng.randint(1, 72)),
                        )
                    )
        elif state in CLOSED_UNFIXED_STATES:
            report.closed_at = at
        if rng.random() < 0.08:
            lines.append(
                Update(
                    report=report,
                    kind=Update.Kind.NOTE,
                    is_public=False,
                    author=author,
                    author_label=str(author or report.unit.name),
                    text="Sjekket på stedet. (demo)",
                    created_at=report.confirmed_at + (report.updated_at - report.confirmed_at) / 2,
                )
            )
        return lines


def _make_duplicates(reports, rng):
    """Point each report meant to be a duplicate at an earlier public report of the same category (and move it
    close to that one); with none to point at it is closed instead."""
    earlier = {}
    for report, state in reports:
        if state == State.DUPLICATE:
            original = rng.choice(earlier[report.category_id]) if earlier.get(report.category_id) else None
            if original is None:
                yield report, State.CLOSED
                continue
            report.duplicate_of = original
            report.latitude = round(original.latitude + rng.uniform(-0.0003, 0.0003), 6)
            report.longitude = round(original.longitude + rng.uniform(-0.0005, 0.0005), 6)
            report.area = original.area
        else:
            earlier.setdefault(report.category_id, []).append(report)
        yield report, state


@transaction.atomic
def load_demo(municipality, *, count: int = DEMO_COUNT) -> int:
    """Load the categories and, unless demo reports exist already, `count` invented reports. Returns how many
    reports were made (0 the second time)."""
    load_report_categories("asker", municipality=municipality, actor="load_demo")
    if Report.objects.filter(submission_key__startswith=KEY_PREFIX).exists():
        return 0
    rng = random.Random(SEED)  # noqa: S311 (invented demo data, not secrets)
    demo = _Demo(municipality, rng, timezone.now())
    if not demo.categories or not demo.areas:
        return 0
    planned = sorted((demo.build(index) for index in range(1, count + 1)), key=lambda pair: pair[0].created_at)
    planned = list(_make_duplicates(planned, rng))
    reports = [report for report, _state in planned]
    originals = {report.submission_key: report.duplicate_of for report in reports if report.duplicate_of}
    for report in reports:
        report.duplicate_of = None  # set once every report has its number
    Report.objects.bulk_create(reports, batch_size=500)
    by_key = dict(Report.objects.filter(submission_key__startswith=KEY_PREFIX).values_list("submission_key", "pk"))
    for report in reports:
        report.pk = by_key[report.submission_key]
        report._state.adding = False

    updates = []
    for report, state in planned:
        original = originals.get(report.submission_key)
        if original is not None:
            report.duplicate_of = original
        lines = demo.history(report, state)
        if report.state == State.DUPLICATE:
            line = next(u for u in lines if u.new_state == State.DUPLICATE and u.kind == Update.Kind.STATE)
            line.text = f"Dette er allerede meldt, se melding #{original.pk}."
            line.data = {"duplicate_of": original.pk}
        elif original is not None:
            report.duplicate_of = None  # too recent to have got that far
        updates.extend(lines)
    hidden = rng.sample([r for r in reports if r.reporter_id is None], 4)
    for report in hidden:
        report.is_hidden = True
    Report.objects.bulk_update(
        reports,
        ["state", "updated_at", "fixed_at", "closed_at", "questionnaire_sent_at", "duplicate_of", "is_hidden"],
        batch_size=500,
    )
    Update.objects.bulk_create(updates, batch_size=500)
    Moderation.objects.bulk_create(
        Moderation(
            report=report,
            action=Moderation.Action.HIDE_REPORT,
            moderator=demo.moderator,
            reason="Teksten inneholdt personopplysninger om en nabo. (demo)",
        )
        for report in hidden
    )
    if demo.resident is not None:
        for report in reports:
            if report.reporter_id == demo.resident.pk:
                notify.follow(actor=demo.resident, target=report)
    audit.log("load_demo", "reports.demo.loaded", municipality, {"reports": len(reports)})
    return len(reports)
