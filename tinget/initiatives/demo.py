"""Asker's demo citizen initiatives, so that the list, the pages, staff's overview and Min side look alive
(issue 5, part 7).

`load_demo(municipality)` loads a handful of topics, then one or more invented initiatives in every state
(draft, in review, changes requested, refused, collecting, threshold reached, handed over, under treatment,
decided, expired, withdrawn), one of them a few signatures short of its threshold (291 of 300 in Asker).
Their promoters and signers are invented people who "logged in with ID-porten": an account, an Identity
whose pid_digest is the keyed hash (accounts.oidc.pid_digest) of a generated fødselsnummer that passes the
checksum but uses the H-number month (+40), which the population register never gives a real person, and a
Residency in the municipality. Paper batches (with a duplicate in the batch and one already signed online),
a flagged burst for staff to look at, and the political treatment's steps (case number, meetings, the
decision) are there too. Every title and text ends with "(demo)"; every name is made up.

The demo resident (innbygger@example.no, from accounts.demo) has a draft and a proposal staff asked to change,
and has signed initiatives that no longer take signatures, so Min side shows both lists. She has no ID-porten
identity: signing more means logging in with ID-porten, as anybody would.

The rows are made with bulk_create (this is seed data, and `make run` should not wait for it), but they look
like what the services make: steps, audit of the load, follows, and counts from services.recount.

Loading again adds nothing: nothing is made when an initiative whose title ends with "(demo)" exists.
"""

import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from stdnum.no import fodselsnummer

from tinget.accounts import oidc
from tinget.accounts.models import Identity, Residency
from tinget.core import audit
from tinget.core.models import Area, Follow, Postcode

from . import rules, services
from .models import (
    Burst,
    CoPromoter,
    Initiative,
    PaperBatch,
    PaperSignature,
    Signature,
    State,
    Step,
    Topic,
)

DEMO_MARK = "(demo)"
SEED = 3203
RESIDENT_EMAIL = "innbygger@example.no"
CASE_WORKER_EMAIL = "saksbehandler@example.no"
PERSON_EMAIL = "demo-forslag-{n:04d}@idporten.invalid"
DEMO_ISSUER = "https://demo.invalid/idporten"
# Extra people beyond the signatures required, so an initiative can pass its threshold with room to spare.
EXTRA_PEOPLE = 60

TOPICS = [
    # slug, bokmål, nynorsk, English
    ("vei-og-trafikk", "Vei og trafikk", "Veg og trafikk", "Roads and traffic"),
    ("kollektivtransport", "Kollektivtransport", "Kollektivtransport", "Public transport"),
    ("skole-og-barnehage", "Skole og barnehage", "Skule og barnehage", "Schools and kindergartens"),
    ("natur-og-friluftsliv", "Natur og friluftsliv", "Natur og friluftsliv", "Nature and outdoor life"),
    ("kultur-og-idrett", "Kultur og idrett", "Kultur og idrett", "Culture and sport"),
    ("helse-og-omsorg", "Helse og omsorg", "Helse og omsorg", "Health and care"),
]

GIVEN_NAMES = [
    "Anne", "Bjørg", "Cecilie", "Dagny", "Elin", "Frøydis", "Gunn", "Hanne", "Ida", "Jorunn", "Kari", "Liv",
    "Marit", "Nina", "Oda", "Ragnhild", "Sigrid", "Tone", "Unni", "Vigdis", "Aksel", "Bård", "Daniel", "Eirik",
    "Finn", "Geir", "Håkon", "Ivar", "Jon", "Knut", "Lars", "Magnus", "Nils", "Ola", "Per", "Rune", "Sindre",
    "Tor", "Vegard", "Amir", "Fatima", "Piotr", "Agnieszka", "Mohammed", "Linh",
]  # fmt: skip
# Family names nobody has: the demo's people are clearly made up.
FAMILY_NAMES = [
    "Demostad", "Eksempelsen", "Prøvesen", "Testrud", "Oppdiktetsen", "Fiktivholm", "Modellbakken", "Utkastvik",
    "Skissestad", "Plassholder", "Mønsterud", "Tenktsen", "Prøvelien", "Innbyggersen", "Forsøksdal",
]  # fmt: skip
PAPER_POSTCODES = ["1384", "1388", "1390", "1395"]
STREETS = ["Eksempelveien", "Prøvegata", "Demostien", "Testbakken", "Oppdiktet allé", "Skisseveien"]


def _pid_digest(pid: str) -> tuple[str, str]:
    """The keyed hash a login would store. An installation without ID-porten keys (production settings
    before ID-porten is set up, as the benchmarks run) gets one under a demo key: nobody logs in as these
    invented people, so no login has to find them."""
    try:
        return oidc.pid_digest(pid)
    except ImproperlyConfigured:
        return "demo", salted_hmac("tinget.initiatives.demo-pid", pid, algorithm="sha256").hexdigest()


def _demo(text: str) -> str:
    return f"{text} {DEMO_MARK}"


# --- What the demo holds ----------------------------------------------------------------------------------


@dataclass
class Plan:
    """One demo initiative: its text, state and timeline (days before today), and how many signatures."""

    key: str
    state: str
    title: str
    proposal: str
    reasons: str
    topic: str
    area: str | None = None
    signing_days: int = 120
    published: int | None = None  # days ago
    threshold: int | None = None
    handed_over: int | None = None
    closed: int | None = None
    submitted: int | None = None
    created: int = 0
    online: int = 0
    paper: int = 0  # counted paper signatures
    review_note: str = ""
    steps: list = field(default_factory=list)  # (kind, days ago, fields)
    by_resident: bool = False
    co_promoters: int = 0
    purged: bool = False
    resident_signs: bool = False


def plans(required: int) -> list[Plan]:
    """The initiatives, with signature counts scaled to what this municipality requires (300 in Asker)."""

    def scaled(n):
        return max(1, round(n * required / 300))

    near_paper = min(scaled(15), required // 3)
    near_total = required - max(1, round(required * 0.03))
    return [
        Plan(
            key="near",
            state=State.COLLECTING,
            title=_demo("Lys i gangfeltet ved Holmen skole"),
            proposal=_demo(
                "Kommunen skal sette opp blinkende lys og en lysende skiltstolpe ved gangfeltet over Holmensvingen "
                "ved Holmen skole, og gjøre gangfeltet opphøyd."
            ),
            reasons=_demo(
                "Om vinteren går hundrevis av barn over her i mørket. Bilene holder høy fart ned bakken, og flere "
                "har nesten blitt påkjørt. Foreldrene har meldt fra i mange år uten at noe har skjedd."
            ),
            topic="vei-og-trafikk",
            area="holmen",
            published=70,
            signing_days=120,
            online=near_total - near_paper,
            paper=near_paper,
            co_promoters=2,
            steps=[(Step.Kind.NOTE, 20, {"text": _demo("Forslagsstillerne samler også underskrifter på papir.")})],
        ),
        Plan(
            key="fresh",
            state=State.COLLECTING,
            title=_demo("Inngjerdet hundepark i Asker sentrum"),
            proposal=_demo("Kommunen skal lage en inngjerdet hundepark på grøntområdet ved Føyka."),
            reasons=_demo(
                "Det er mange hunder i sentrum, men ingen steder de kan løpe fritt. En hundepark gir færre løse "
                "hunder i parkene der barn leker."
            ),
            topic="natur-og-friluftsliv",
            area="asker-sentrum",
            published=10,
            signing_days=90,
            online=scaled(48),
        ),
        Plan(
            key="middle",
            state=State.COLLECTING,
            title=_demo("Ny badebrygge på Sætre"),
            proposal=_demo("Kommunen skal bygge en ny badebrygge med badetrapp for rullestolbrukere ved Sætre."),
            reasons=_demo(
                "Den gamle brygga er stengt etter stormen. Det finnes ingen tilgjengelig badeplass i nærheten."
            ),
            topic="kultur-og-idrett",
            area="saetre",
            published=35,
            signing_days=150,
            online=scaled(132),
        ),
        Plan(
            key="reached",
            state=State.THRESHOLD_REACHED,
            title=_demo("Nattbuss fra Asker stasjon til Tofte i helgene"),
            proposal=_demo(
                "Kommunen skal be fylkeskommunen og Ruter om en nattbuss fra Asker stasjon til Tofte fredag og "
                "lørdag, og dekke kommunens del av kostnaden."
            ),
            reasons=_demo(
                "Ungdom og nattarbeidere i søndre Asker har ingen vei hjem etter midnatt uten bil eller dyr taxi."
            ),
            topic="kollektivtransport",
            area="tofte",
            published=80,
            threshold=5,
            signing_days=120,
            online=required + 10 - scaled(12),
            paper=scaled(12),
            co_promoters=1,
        ),
        Plan(
            key="handed",
            state=State.HANDED_OVER,
            title=_demo("Behold biblioteket på Heggedal"),
            proposal=_demo("Kommunen skal beholde bibliotekfilialen på Heggedal torg med dagens åpningstider."),
            reasons=_demo(
                "Biblioteket er det eneste møtestedet i Heggedal som er åpent for alle uten å betale. Skolene bruker "
                "det hver uke."
            ),
            topic="kultur-og-idrett",
            area="heggedal",
            published=110,
            threshold=40,
            handed_over=20,
            online=required + 20 - scaled(20),
            paper=scaled(20),
            resident_signs=True,
        ),
        Plan(
            key="treatment",
            state=State.UNDER_TREATMENT,
            title=_demo("Trygg skolevei langs Slemmestadveien"),
            proposal=_demo(
                "Kommunen skal bygge fortau langs Slemmestadveien fra Bøkeskogen til Slemmestad ungdomsskole."
            ),
            reasons=_demo("Elevene må gå i veikanten på en strekning med tungtrafikk og 60-sone."),
            topic="skole-og-barnehage",
            area="slemmestad",
            published=170,
            threshold=100,
            handed_over=60,
            online=required + 35 - scaled(25),
            paper=scaled(25),
            co_promoters=1,
            resident_signs=True,
            steps=[
                (
                    Step.Kind.CASE_OPENED,
                    50,
                    {"case_number": "25/01234", "text": _demo("Saken er registrert og fordelt til Samfunnsutvikling.")},
                ),
                (
                    Step.Kind.MEETING,
                    10,
                    {
                        "meeting": _demo("Hovedutvalg for miljø og tekniske saker"),
                        "text": _demo(
                            "Utvalget ba kommunedirektøren utrede kostnadene før saken går til kommunestyret."
                        ),
                    },
                ),
            ],
        ),
        Plan(
            key="decided",
            state=State.DECIDED,
            title=_demo("Flere benker langs turveien rundt Semsvannet"),
            proposal=_demo(
                "Kommunen skal sette ut benker med ryggstø for hver 300 meter langs turveien rundt Semsvannet."
            ),
            reasons=_demo("Mange eldre og folk med nedsatt gangevne vil gå turen, men trenger et sted å hvile."),
            topic="helse-og-omsorg",
            area="asker-sentrum",
            published=290,
            threshold=230,
            handed_over=180,
            closed=40,
            online=required + 50 - scaled(30),
            paper=scaled(30),
            resident_signs=True,
            steps=[
                (
                    Step.Kind.CASE_OPENED,
                    170,
                    {"case_number": "24/09876", "text": _demo("Saken er registrert og fordelt til Natur og idrett.")},
                ),
                (Step.Kind.MEETING, 75, {"meeting": _demo("Eldrerådet"), "text": _demo("Rådet støttet forslaget.")}),
                (
                    Step.Kind.MEETING,
                    40,
                    {"meeting": _demo("Kommunestyret"), "text": _demo("Saken ble behandlet som sak 45/25.")},
                ),
                (
                    Step.Kind.DECIDED,
                    40,
                    {
                        "text": _demo(
                            "Kommunestyret vedtok enstemmig å sette ut 20 benker rundt Semsvannet innen utgangen av "
                            "neste år, innenfor rammen til friluftsliv."
                        )
                    },
                ),
            ],
        ),
        Plan(
            key="decided-old",
            state=State.DECIDED,
            title=_demo("Lengre åpningstid i Holmen svømmehall"),
            proposal=_demo("Kommunen skal holde Holmen svømmehall åpen til klokka 21 på hverdager."),
            reasons=_demo("Mange som jobber rekker ikke å svømme før hallen stenger."),
            topic="kultur-og-idrett",
            area="holmen",
            published=520,
            threshold=470,
            handed_over=440,
            closed=280,
            online=required + 15,
            purged=True,
            steps=[
                (
                    Step.Kind.CASE_OPENED,
                    430,
                    {"case_number": "24/03456", "text": _demo("Saken er registrert og fordelt til Kultur.")},
                ),
                (
                    Step.Kind.DECIDED,
                    280,
                    {
                        "text": _demo(
                            "Kommunestyret vedtok å prøve åpent til klokka 21 tirsdag og torsdag i ett år, og "
                            "deretter vurdere ordningen."
                        )
                    },
                ),
            ],
        ),
        Plan(
            key="expired",
            state=State.EXPIRED,
            title=_demo("Kunstisbane på Borgen"),
            proposal=_demo("Kommunen skal legge kunstis på ballbanen ved Borgen skole om vinteren."),
            reasons=_demo("Vintrene er for milde for naturis, og barna har ingen skøytebane i nærheten."),
            topic="kultur-og-idrett",
            area="borgen",
            published=105,
            signing_days=90,
            closed=15,
            online=scaled(87),
            resident_signs=True,
        ),
        Plan(
            key="withdrawn",
            state=State.WITHDRAWN,
            title=_demo("Parkeringshus ved Spikkestad stasjon"),
            proposal=_demo("Kommunen skal bygge et parkeringshus for pendlere ved Spikkestad stasjon."),
            reasons=_demo("Parkeringsplassen er full før klokka sju."),
            topic="kollektivtransport",
            area="spikkestad",
            published=50,
            closed=25,
            online=scaled(40),
        ),
        Plan(
            key="draft",
            state=State.DRAFT,
            title=_demo("Drikkevannsfontene i Føykaparken"),
            proposal=_demo("Kommunen skal sette opp en drikkevannsfontene i Føykaparken."),
            reasons=_demo("Om sommeren er parken full av folk, og det finnes ikke vann å få."),
            topic="natur-og-friluftsliv",
            area="asker-sentrum",
            created=3,
            by_resident=True,
        ),
        Plan(
            key="review",
            state=State.IN_REVIEW,
            title=_demo("Gatelys langs gang- og sykkelveien til Vollen"),
            proposal=_demo("Kommunen skal sette opp gatelys langs gang- og sykkelveien fra Nesbru til Vollen."),
            reasons=_demo("Veien er helt mørk om kvelden, og mange sykler til jobb og trening her."),
            topic="vei-og-trafikk",
            area="holmen",
            created=6,
            submitted=1,
        ),
        Plan(
            key="changes",
            state=State.CHANGES_REQUESTED,
            title=_demo("Stopp støyen fra lastebilene i Sætrebakken"),
            proposal=_demo(
                "Kommunen skal forby gjennomkjøring for lastebiler i Sætrebakken om natta. Naboen i nummer 12 "
                "kjører hver natt."
            ),
            reasons=_demo("Støyen vekker hele gata flere ganger hver natt."),
            topic="vei-og-trafikk",
            area="saetre",
            created=12,
            submitted=8,
            by_resident=True,
            review_note=_demo(
                "Forslaget peker ut en bestemt nabo. Vi publiserer ikke opplysninger om andre personer: ta bort "
                "setningen om naboen i nummer 12, så ser vi på forslaget igjen."
            ),
        ),
        Plan(
            key="refused",
            state=State.REFUSED,
            title=_demo("Kast ut de ansatte på teknisk"),
            proposal=_demo("Alle som jobber på teknisk må sparkes, de er udugelige idioter."),
            reasons=_demo("Se overskriften."),
            topic="vei-og-trafikk",
            created=30,
            submitted=25,
            closed=22,
            review_note=_demo(
                "Forslaget er nedsettende om navngitte grupper av ansatte og ber ikke kommunen om noe som kan "
                "behandles. Du er velkommen til å sende et nytt forslag om hva du mener bør gjøres annerledes."
            ),
        ),
    ]


# --- Invented people ---------------------------------------------------------------------------------------


def _known_numbers() -> set[str]:
    """The local ID-porten's test persons: a demo person must never have one of their numbers."""
    path = Path(__file__).resolve().parent.parent / "devidp" / "persons.json"
    try:
        return {person["pid"] for person in json.loads(path.read_text(encoding="utf-8"))["persons"]}
    except (OSError, ValueError, KeyError):
        return set()


def synthetic_fodselsnummer(rng: random.Random, taken: set[str]) -> str:
    """A number with correct check digits and the H-number month (+40): valid, never a real person's."""
    while True:
        born = date(1935, 1, 1) + timedelta(days=rng.randrange(0, 74 * 365))
        # The individual number gives the century: 000-499 for 1900-1999, 500-999 for 2000-2039.
        individual = rng.randrange(0, 500) if born.year < 2000 else rng.randrange(500, 1000)
        base = f"{born.day:02d}{born.month + 40:02d}{born.year % 100:02d}{individual:03d}"
        first = fodselsnummer.calc_check_digit1(base)
        second = fodselsnummer.calc_check_digit2(base + first)
        number = base + first + second
        if len(number) == 11 and number not in taken and fodselsnummer.is_valid(number):
            taken.add(number)
            return number


@dataclass
class Person:
    user: object
    given: str
    family: str
    birth_date: date
    postcode: str
    pid_digest: str
    match_key: str

    @property
    def name(self):
        return f"{self.given} {self.family}"


def _people(municipality, count: int, rng: random.Random, now: datetime, taken: set[str]) -> list[Person]:
    """`count` invented residents who logged in with ID-porten; made once, found again on a second load."""
    User = get_user_model()
    postcodes = list(Postcode.objects.filter(municipality=municipality).values_list("code", flat=True)) or ["0000"]
    wanted = []
    for n in range(1, count + 1):
        number = synthetic_fodselsnummer(rng, taken)
        wanted.append(
            {
                "email": PERSON_EMAIL.format(n=n),
                "given": rng.choice(GIVEN_NAMES),
                "family": rng.choice(FAMILY_NAMES),
                "pid": number,
                "postcode": rng.choice(postcodes),
            }
        )
    existing = {u.email: u for u in User.objects.filter(email__in=[w["email"] for w in wanted])}
    missing = [w for w in wanted if w["email"] not in existing]
    if missing:
        password = make_password(None)  # no password: they "log in" with ID-porten only
        made = User.objects.bulk_create(
            [
                User(
                    email=w["email"],
                    password=password,
                    display_name=_demo(f"{w['given']} {w['family']}"),
                    preferred_language="nb",
                    date_joined=now - timedelta(days=600),
                )
                for w in missing
            ],
            batch_size=500,
        )
        if any(u.pk is None for u in made):  # a database that does not return keys from bulk inserts
            made = list(User.objects.filter(email__in=[w["email"] for w in missing]))
        existing.update({u.email: u for u in made})
        key_id = None
        identities, residencies = [], []
        for w in missing:
            user = existing[w["email"]]
            key_id, digest = _pid_digest(w["pid"])
            identities.append(
                Identity(
                    user=user,
                    issuer=DEMO_ISSUER,
                    subject=f"demo-{w['email'].split('@')[0]}",
                    pid_digest=digest,
                    pid_key_id=key_id,
                    acr=oidc.SUBSTANTIAL,
                    given_name=w["given"],
                    family_name=w["family"],
                    birth_date=oidc.birth_date(w["pid"]),
                    verified_at=now - timedelta(days=rng.randrange(1, 400)),
                )
            )
            residencies.append(
                Residency(
                    user=user,
                    municipality=municipality,
                    is_resident=True,
                    source=Residency.Source.REGISTRY,
                    postcode=w["postcode"],
                    checked_at=now - timedelta(days=rng.randrange(1, 400)),
                )
            )
        Identity.objects.bulk_create(identities, batch_size=500)
        Residency.objects.bulk_create(residencies, batch_size=500)
    identities = {
        i.user_id: i for i in Identity.objects.filter(user__in=[u.pk for u in existing.values()]).select_related("user")
    }
    residencies = dict(Residency.objects.filter(user__in=list(identities)).values_list("user_id", "postcode"))
    people = []
    for w in wanted:
        identity = identities[existing[w["email"]].pk]
        name = f"{identity.given_name} {identity.family_name}"
        people.append(
            Person(
                user=identity.user,
                given=identity.given_name,
                family=identity.family_name,
                birth_date=identity.birth_date,
                postcode=residencies.get(identity.user_id, ""),
                pid_digest=identity.pid_digest,
                match_key=rules.match_key(name, identity.birth_date),
            )
        )
    return people


# --- Loading -----------------------------------------------------------------------------------------------


def load_topics() -> dict[str, Topic]:
    """The demo's topics; an editor's later changes to one are kept."""
    topics = {}
    for order, (slug, name, name_nn, name_en) in enumerate(TOPICS):
        topic, _created = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_nn": name_nn, "name_en": name_en, "order": order * 10}
        )
        topics[slug] = topic
    return topics


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.max.time().replace(microsecond=0)))


def _times(rng, start: datetime, end: datetime, count: int) -> list[datetime]:
    """`count` moments between start and end, most of them early (a collection starts fast and tails off)."""
    span = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=span * (rng.random() ** 1.6)) for _ in range(count))


class _Loader:
    def __init__(self, municipality, rng, now):
        self.municipality = municipality
        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.required = rules.required_signatures(municipality.population)
        User = get_user_model()
        self.resident = User.objects.filter(email=RESIDENT_EMAIL).first()
        self.case_worker = User.objects.filter(email=CASE_WORKER_EMAIL).first()
        self.areas = {a.slug: a for a in Area.objects.filter(municipality=municipality)}
        self.topics = load_topics()
        self.content_type = ContentType.objects.get_for_model(Initiative)
        self.signatures, self.paper, self.steps, self.follows, self.co_promoters, self.bursts = [], [], [], [], [], []
        # Numbers already given: the local ID-porten's test persons, then every demo person's.
        self.taken = _known_numbers()
        self.resident_digest = _pid_digest(synthetic_fodselsnummer(rng, self.taken))[1]

    def at(self, days_ago: int | None, hour: int = 12) -> datetime | None:
        if days_ago is None:
            return None
        day = self.today - timedelta(days=days_ago)
        return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(
            hours=hour, minutes=self.rng.randrange(0, 60)
        )

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def initiative(self, plan: Plan, promoter: Person) -> Initiative:
        by_resident = plan.by_resident and self.resident is not None
        published = self.at(plan.published, 9)
        initiative = Initiative(
            municipality=self.municipality,
            title=plan.title,
            proposal=plan.proposal,
            reasons=plan.reasons,
            area=self.areas.get(plan.area) if plan.area else None,
            topic=self.topics.get(plan.topic),
            promoter=self.resident if by_resident else promoter.user,
            promoter_name="Ingrid Innbygger" if by_resident else promoter.name,
            language="nb",
            state=plan.state,
            signing_days=plan.signing_days,
            required_signatures=self.required if published else 0,
            review_note=plan.review_note,
            submitted_at=self.at(plan.submitted, 10) or (published - timedelta(days=3) if published else None),
            published_at=published,
            signing_ends_at=(
                _end_of_day(timezone.localdate(published) + timedelta(days=plan.signing_days)) if published else None
            ),
            threshold_reached_at=self.at(plan.threshold, 15),
            handed_over_at=self.at(plan.handed_over, 11),
            closed_at=self.at(plan.closed, 16),
            counted_at=self.now,
        )
        if initiative.handed_over_at:
            initiative.decision_due = rules.decision_due(timezone.localdate(initiative.handed_over_at))
        if plan.state == State.EXPIRED:
            initiative.closed_at = initiative.signing_ends_at
        created = self.at(plan.created, 20) if plan.created else None
        initiative.created_at = created or (initiative.submitted_at or self.now) - timedelta(days=4)
        latest = [initiative.created_at] + [
            t
            for t in (initiative.submitted_at, published, initiative.handed_over_at, initiative.closed_at)
            if t is not None
        ]
        initiative.updated_at = min(max(latest), self.now)
        if plan.purged:
            initiative.online_count = plan.online
            initiative.signatures_purged_at = initiative.closed_at + timedelta(days=91)
        for kind, days_ago, fields in plan.steps:
            if kind == Step.Kind.CASE_OPENED:
                initiative.case_number = fields["case_number"]
            if kind == Step.Kind.DECIDED:
                initiative.decision_text = fields["text"]
                initiative.decided_on = self.day(days_ago)
        return initiative

    def plan_steps(self, initiative: Initiative, plan: Plan):
        def step(kind, when, **fields):
            if when is not None:
                self.steps.append(
                    Step(
                        initiative=initiative,
                        kind=kind,
                        happened_on=timezone.localdate(when) if isinstance(when, datetime) else when,
                        created_by=self.case_worker if kind not in (Step.Kind.THRESHOLD, Step.Kind.EXPIRED) else None,
                        **fields,
                    )
                )

        step(Step.Kind.PUBLISHED, initiative.published_at)
        step(Step.Kind.THRESHOLD, initiative.threshold_reached_at)
        step(Step.Kind.HANDED_OVER, initiative.handed_over_at)
        if plan.state == State.EXPIRED:
            step(Step.Kind.EXPIRED, initiative.closed_at)
        if plan.state == State.WITHDRAWN and initiative.published_at:
            step(Step.Kind.WITHDRAWN, initiative.closed_at)
        for kind, days_ago, fields in plan.steps:
            step(kind, self.day(days_ago), **fields)

    def sign(self, initiative: Initiative, plan: Plan, people: list[Person], promoter: Person):
        """Online signatures from invented residents, and the paper batches."""
        if plan.purged or not initiative.published_at:
            return
        end = min(
            t for t in (initiative.handed_over_at, initiative.closed_at, initiative.signing_ends_at, self.now) if t
        )
        start = initiative.published_at + timedelta(minutes=5)
        signers = self.rng.sample(people, min(plan.online, len(people)))
        times = _times(self.rng, start, end - timedelta(minutes=1), len(signers))
        made = []
        for person, when in zip(signers, times, strict=True):
            signature = Signature(
                initiative=initiative,
                user=person.user,
                pid_digest=person.pid_digest,
                name=person.name,
                birth_date=person.birth_date,
                postcode=person.postcode,
                match_key=person.match_key,
                show_name=self.rng.random() < 0.4,
                network=f"{self.rng.getrandbits(64):016x}",
                created_at=when,
            )
            made.append(signature)
            if self.rng.random() < 0.3 or person is promoter:
                self.follows.append(
                    Follow(user=person.user, content_type=self.content_type, object_id=str(initiative.pk))
                )
        if plan.key == "near":
            self.burst(initiative, made)
        self.threshold_time(initiative, plan, made)
        if plan.resident_signs and self.resident is not None:
            made.append(self.resident_signature(initiative, start, end))
        self.signatures.extend(made)
        if plan.paper:
            self.paper_batches(initiative, plan, made, end)

    def threshold_time(self, initiative, plan, made):
        """When the count passed the threshold, from the signatures' times (paper counted from the start)."""
        if initiative.threshold_reached_at is None:
            return
        needed = initiative.required_signatures - plan.paper
        times = sorted(s.created_at for s in made)
        if 0 < needed <= len(times):
            initiative.threshold_reached_at = times[needed - 1] + timedelta(seconds=2)

    def resident_signature(self, initiative, start, end) -> Signature:
        born = date(1984, 5, 17)
        self.follows.append(Follow(user=self.resident, content_type=self.content_type, object_id=str(initiative.pk)))
        return Signature(
            initiative=initiative,
            user=self.resident,
            pid_digest=self.resident_digest,
            name="Ingrid Innbygger",
            birth_date=born,
            postcode="1384",
            match_key=rules.match_key("Ingrid Innbygger", born),
            show_name=False,
            created_at=start + (end - start) / 3,
        )

    def burst(self, initiative, signatures):
        """More signatures than TINGET_INITIATIVE_BURST_COUNT from one network in a few minutes, three days ago:
        flagged for staff, not yet looked at."""
        from django.conf import settings

        count = settings.TINGET_INITIATIVE_BURST_COUNT + 6
        if len(signatures) < count * 2:
            return
        network = f"{self.rng.getrandbits(64):016x}"
        window_start = (self.now - timedelta(days=3)).replace(second=0, microsecond=0)
        for offset, signature in enumerate(self.rng.sample(signatures, count)):
            signature.network = network
            signature.created_at = window_start + timedelta(seconds=8 * offset)
        window_end = window_start + timedelta(seconds=8 * count)
        self.bursts.append(
            Burst(initiative=initiative, network=network, window_start=window_start, window_end=window_end, count=count)
        )

    def paper_batches(self, initiative, plan, online, end):
        """Two batches typed in by staff: the counted signatures, one person twice in a batch, and one who had
        already signed online."""
        counted = []
        keys = {s.match_key for s in online}
        while len(counted) < plan.paper:
            name = f"{self.rng.choice(GIVEN_NAMES)} {self.rng.choice(FAMILY_NAMES)}"
            born = date(1940, 1, 1) + timedelta(days=self.rng.randrange(0, 65 * 365))
            key = rules.match_key(name, born)
            if key in keys:  # the same invented name and date as someone else: draw again
                continue
            keys.add(key)
            street, number = self.rng.choice(STREETS), self.rng.randrange(1, 120)
            counted.append((name, born, _demo(f"{street} {number}, {self.rng.choice(PAPER_POSTCODES)}"), key))
        halves = [counted[: len(counted) // 2], counted[len(counted) // 2 :]]
        received = [timezone.localdate(end) - timedelta(days=d) for d in (20, 3)]
        for index, (rows, received_on) in enumerate(zip(halves, received, strict=True)):
            if not rows:
                continue
            batch = PaperBatch.objects.create(
                initiative=initiative,
                received_on=min(received_on, self.today),
                note=_demo(f"Lister fra stand, bunke {index + 1}"),
                registered_by=self.case_worker,
            )
            for name, born, address, key in rows:
                self.paper.append(
                    self._paper(batch, initiative, name, born, address, key, PaperSignature.Status.COUNTED)
                )
            if index == 0:
                name, born, address, key = rows[0]
                self.paper.append(
                    self._paper(batch, initiative, name, born, address, key, PaperSignature.Status.DUPLICATE_IN_BATCH)
                )
                twin = online[0]
                self.paper.append(
                    self._paper(
                        batch,
                        initiative,
                        twin.name,
                        twin.birth_date,
                        _demo(f"{self.rng.choice(STREETS)} 7, {twin.postcode}"),
                        twin.match_key,
                        PaperSignature.Status.DUPLICATE_ONLINE,
                    )
                )

    @staticmethod
    def _paper(batch, initiative, name, born, address, key, status):
        return PaperSignature(
            batch=batch,
            initiative=initiative,
            name=name,
            birth_date=born,
            address=address,
            match_key=key,
            status=status,
        )


@transaction.atomic
def load_demo(municipality) -> int:
    """Load the topics and, unless demo initiatives exist already, the demo initiatives with their promoters,
    signers, paper batches and steps. Returns how many initiatives were made (0 the second time)."""
    load_topics()
    if Initiative.objects.filter(municipality=municipality, title__endswith=DEMO_MARK).exists():
        return 0
    rng = random.Random(SEED)  # noqa: S311 (invented demo data, not secrets)
    now = timezone.now()
    loader = _Loader(municipality, rng, now)
    people = _people(municipality, loader.required + EXTRA_PEOPLE, rng, now, loader.taken)
    the_plans = plans(loader.required)
    promoters = people[: len(the_plans)]
    initiatives = [loader.initiative(plan, promoter) for plan, promoter in zip(the_plans, promoters, strict=True)]
    # bulk_create stamps created_at and updated_at with now; the demo's history goes back in time.
    stamps = [(i.created_at, i.updated_at) for i in initiatives]
    Initiative.objects.bulk_create(initiatives)
    for initiative, (created_at, updated_at) in zip(initiatives, stamps, strict=True):
        initiative.created_at, initiative.updated_at = created_at, updated_at
    if any(i.pk is None for i in initiatives):
        by_title = dict(Initiative.objects.filter(title__endswith=DEMO_MARK).values_list("title", "pk"))
        for initiative in initiatives:
            initiative.pk = by_title[initiative.title]
            initiative._state.adding = False

    signers = people[len(the_plans) :] + promoters
    for plan, promoter, initiative in zip(the_plans, promoters, initiatives, strict=True):
        loader.sign(initiative, plan, signers, promoter)
        loader.plan_steps(initiative, plan)
        if initiative.promoter_id:
            loader.follows.append(
                Follow(user_id=initiative.promoter_id, content_type=loader.content_type, object_id=str(initiative.pk))
            )
        if plan.co_promoters:
            for person in rng.sample(signers, plan.co_promoters):
                loader.co_promoters.append(
                    CoPromoter(
                        initiative=initiative,
                        email=person.user.email,
                        user=person.user,
                        name=person.name,
                        confirmed_at=initiative.published_at - timedelta(days=5),
                    )
                )
    Initiative.objects.bulk_update(initiatives, ["created_at", "updated_at", "threshold_reached_at"])
    Signature.objects.bulk_create(loader.signatures, batch_size=1000)
    PaperSignature.objects.bulk_create(loader.paper, batch_size=1000)
    Step.objects.bulk_create(loader.steps)
    Burst.objects.bulk_create(loader.bursts)
    CoPromoter.objects.bulk_create(loader.co_promoters)
    Follow.objects.bulk_create(loader.follows, ignore_conflicts=True, batch_size=1000)
    for initiative in initiatives:
        if initiative.published_at and not initiative.signatures_purged_at:
            services.recount(initiative, force=True)
    audit.log(
        "load_demo",
        "initiatives.demo.loaded",
        municipality,
        {"initiatives": len(initiatives), "signatures": len(loader.signatures), "paper": len(loader.paper)},
    )
    return len(initiatives)
