"""A generated mail journal for Asker, for the demo and the benchmarks: `generate(count=..., start=...)` yields
`records.EntryRecord`s that the importer stores like any parsed file, and `write_csv` writes them in the
importer's CSV format (formats.py).

INVENTED DATA. Every person, company, association, case worker, restaurant and kindergarten named here is made up,
and so are the house numbers, the land numbers (gnr./bnr.) and every case: any likeness to a real one is chance.
The places, the street names and the public agencies (Statens vegvesen, Statsforvalteren, ...) are real, because a
journal of Asker without them would not look like one; nothing real is said about them.

What makes it look like a municipality's journal:

- cases (saksmapper) over municipal topics (building cases, zoning plans, schools, kindergartens, roads, water and
  sewage, waste, health, culture, sport, grants, property tax, politics, access requests, ...), each handled by one
  unit of the Asker profile (tinget/core/profiles/asker.json) and holding 1 to 15 entries that follow the case's
  course (an application, a letter asking for more, the decision, a complaint ...) over the following weeks;
- entry types in the proportions of a municipal journal (about 45 % incoming, 40 % outgoing, the rest internal
  notes and case presentations), correspondents that are organisations, companies or private persons;
- about one entry in ten screened: restriction code "13", legal basis "Offl. § 13 jf. fvl. § 13", a word of the
  title replaced by "*****" and the person's name not given (health, special needs education, kindergarten places,
  and some private persons' letters in other cases);
- journal dates on working days only (Norwegian public holidays from tinget.core.workdays), more on Mondays than on
  Fridays, few in July and at Christmas; journal sequence numbers per year in date order, case numbers per year;
- titles from templates with places, streets and wording drawn from Zipf-like distributions: some words (skole,
  byggesak, Asker sentrum) are very common, most are rare, as in real text.

The same arguments always give the same records (a seeded `random.Random`; `end` defaults to today, so pass it for
data that must not change from day to day). Memory stays flat whatever the count: cases are kept only while they
still have entries to come.
"""

import bisect
import functools
import heapq
import itertools
import json
import random
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tinget.core.workdays import is_working_day

from .records import CorrespondentRecord, DocumentRecord, EntryRecord

SEED = 3203
OSLO = ZoneInfo("Europe/Oslo")
PROFILE = Path(__file__).resolve().parents[1] / "core" / "profiles" / "asker.json"
SCREEN_CODE = "13"
SCREEN_BASIS = "Offl. § 13 jf. fvl. § 13"
SCREENED_WORD = "*****"
# Share of the entries of an ordinary case with a private person as correspondent that are screened; with the
# topics that are always screened this makes about one entry in ten.
PERSON_SCREEN_RATE = 0.03


class Zipf:
    """Items drawn with weight 1 / rank**s: the first few are common, the tail is rare."""

    def __init__(self, items, s: float = 1.0):
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(1.0 / (rank**s) for rank in range(1, len(self.items) + 1)))

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


class Weighted:
    """Items drawn with given weights."""

    def __init__(self, pairs):
        self.items = [item for item, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


# --- Words ------------------------------------------------------------------------------------------------------

PLACES = Zipf(
    [
        "Asker sentrum", "Heggedal", "Holmen", "Slemmestad", "Spikkestad", "Sætre", "Borgen", "Vollen", "Tofte",
        "Blakstad", "Billingstad", "Nesbru", "Røyken", "Hvalstad", "Vettre", "Nærsnes", "Hyggen", "Bødalen",
        "Filtvet", "Holmsbu", "Nesøya", "Dikemark", "Gullhella", "Landøya", "Båtstø", "Klokkarstua", "Åros", "Kana",
        "Gjellum", "Bondivann", "Semsvannet", "Vardåsen", "Storsand", "Midtbygda", "Hallenskog", "Solberg",
    ],
    s=0.9,
)  # fmt: skip
STREETS = Zipf(
    [
        "Slemmestadveien", "Røykenveien", "Drammensveien", "Kirkeveien", "Bleikerveien", "Nesbruveien",
        "Hurumveien", "Spikkestadveien", "Tofteveien", "Borgenveien", "Lensmannslia", "Torvveien", "Knud Askers vei",
        "Gamle Drammensvei", "Billingstadsletta", "Katrineåsveien", "Solbergveien", "Bakkeveien", "Granveien",
        "Bjørkeveien", "Skogveien", "Fjordveien", "Åsveien", "Lyngveien", "Bekkeveien", "Kleiveien", "Fjellveien",
        "Lindeveien", "Eikeveien", "Furuveien", "Strandveien", "Båtstøveien", "Tangen", "Utsikten", "Sollia",
        "Brattåsen", "Grønlia", "Kløverveien", "Rugveien", "Havreveien", "Prestegårdsveien", "Stasjonsveien",
    ],
    s=0.7,
)  # fmt: skip
GIVEN = Zipf(
    [
        "Kari", "Ola", "Ingrid", "Lars", "Sofie", "Jonas", "Nora", "Emil", "Astrid", "Magnus", "Sigrid", "Henrik",
        "Maja", "Ahmed", "Fatima", "Piotr", "Anna", "Eirik", "Hanne", "Tor", "Liv", "Mohammed", "Solveig",
        "Kristian", "Ida", "Mathias", "Thea", "Sander", "Eva", "Knut", "Marit", "Jan", "Bente", "Oddvar", "Yusuf",
        "Agnieszka", "Linh", "Reidun", "Tobias", "Aud", "Sindre", "Vilde", "Gunnar", "Ragnhild", "Amir", "Selma",
    ],
    s=0.6,
)  # fmt: skip
FAMILY = Zipf(
    [
        "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen",
        "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Ali", "Nowak", "Dahl", "Lie",
        "Bakke", "Strand", "Moen", "Solheim", "Aas", "Holm", "Myhre", "Sæther", "Nguyen", "Khan", "Lund",
        "Ruud", "Tangen", "Fossum", "Borge", "Vik", "Ødegaard", "Kvam", "Bråten", "Grønvold", "Skaug", "Hovland",
    ],
    s=0.7,
)  # fmt: skip
# Invented firms: "<stem> <trade> AS".
COMPANY_STEMS = [
    "Nordvik", "Fjordlys", "Bakkane", "Askeland", "Solstad", "Vestby", "Lindberg", "Granly", "Heia", "Tangvall",
    "Brekke", "Skogly", "Myrvold", "Kleven", "Hoff", "Sandvold", "Åsly", "Bråtebakken", "Nesset", "Østby",
]  # fmt: skip
COMPANY_TRADES = Zipf(
    ["Arkitekter", "Bygg", "Entreprenør", "Eiendom", "Rørlegger", "Elektro", "Anlegg", "Prosjekt", "Maskin",
     "Landskapsarkitekter", "Takst", "Graving", "Tømrer", "Rådgivning", "Transport"],
    s=0.8,
)  # fmt: skip
AGENCIES = Zipf(
    [
        "Statens vegvesen", "Statsforvalteren i Oslo og Viken", "Akershus fylkeskommune", "Bane NOR",
        "Norges vassdrags- og energidirektorat", "Mattilsynet", "Riksantikvaren", "Kartverket", "Politiet",
        "Arbeidstilsynet", "Direktoratet for byggkvalitet", "Helsedirektoratet", "Utdanningsdirektoratet",
        "Fiskeridirektoratet", "Kystverket", "Miljødirektoratet", "Skatteetaten", "NAV Asker", "Viken fylkeskommune",
    ],
    s=0.9,
)  # fmt: skip
# Invented associations: "<place> <kind>".
ASSOCIATION_KINDS = Zipf(
    ["Vel", "Idrettslag", "Skolekorps", "Historielag", "Huseierforening", "Seilforening", "Pensjonistforening",
     "Sanitetsforening", "Næringsforening", "Musikkorps", "Turlag", "Båtforening", "FAU", "Menighetsråd"],
    s=0.8,
)  # fmt: skip
PARTIES = [
    "Høyre", "Arbeiderpartiet", "Fremskrittspartiet", "Venstre", "Miljøpartiet De Grønne", "Sosialistisk Venstreparti",
    "Kristelig Folkeparti", "Senterpartiet", "Rødt", "Pensjonistpartiet",
]  # fmt: skip
COUNCILS = Zipf(
    ["Kommunestyret", "Formannskapet", "Hovedutvalg for miljø, idrett og kultur", "Hovedutvalg for oppvekst",
     "Hovedutvalg for helse og omsorg", "Hovedutvalg for teknikk", "Kontrollutvalget", "Eldrerådet",
     "Ungdomsrådet", "Råd for personer med funksjonsnedsettelse", "Områdeutvalg Heggedal", "Lokalutvalg Hurum"],
    s=0.9,
)  # fmt: skip
BUILDING_WORKS = Zipf(
    [
        "oppføring av enebolig", "tilbygg til bolig", "garasje", "carport", "terrasse", "bruksendring til boenhet",
        "riving av bolig", "fasadeendring", "oppføring av tomannsbolig", "påbygg", "støttemur", "bod",
        "innglassing av veranda", "brygge", "anneks", "takoppløft", "levegg", "basseng", "solcelleanlegg",
        "dispensasjon fra byggegrense", "oppføring av rekkehus", "kledning og vinduer", "pipe og ildsted",
        "balkong", "trapp og rampe", "hagestue", "kjellerinnredning", "varmepumpe", "naust", "flaggstang",
        "forstøtningsmur mot sjø", "badstue", "pergola", "drivhus", "lekestue", "mikrohus", "vinterhage",
    ],
    s=1.1,
)  # fmt: skip
PERMITS = Weighted(
    [
        ("søknad om tillatelse i ett trinn", 5),
        ("søknad om rammetillatelse", 2),
        ("søknad om dispensasjon", 2),
        ("søknad om tiltak uten ansvarsrett", 3),
        ("søknad om endring av tillatelse", 1),
    ]
)
SCHOOL_PLACES = Zipf(
    ["Heggedal", "Holmen", "Slemmestad", "Spikkestad", "Borgen", "Vollen", "Blakstad", "Sætre", "Tofte",
     "Hvalstad", "Billingstad", "Nesbru", "Bondi", "Vettre", "Nærsnes", "Hallenskog", "Kirkerud", "Drengsrud",
     "Bødalen", "Røyken", "Midtbygda", "Lysaker"],
    s=0.7,
)  # fmt: skip
SCHOOL_KINDS = Weighted([("skole", 6), ("ungdomsskole", 2), ("barneskole", 1), ("videregående skole", 0.3)])
SCHOOL_THEMES = Zipf(
    ["skolemiljø", "skolerute", "elevundersøkelsen", "trafikksikkerhet ved skolen", "skolebruksplan",
     "uteområde", "SFO", "leksehjelp", "skolebibliotek", "inneklima", "utvidelse av skolen", "skolefrukt",
     "gymsal", "skolekorps", "ventilasjon", "tilsyn med opplæringen", "mobbeombud", "skolegårdsprosjekt"],
    s=1.0,
)  # fmt: skip
KINDERGARTEN_STEMS = Zipf(
    ["Solsikken", "Tyrihans", "Trollskogen", "Blåbærtoppen", "Fjordglimt", "Eventyrhagen", "Maurtua", "Regnbuen",
     "Kastanjen", "Bjørnehiet", "Fuglereiret", "Sjøstjerna", "Tusenfryd", "Lunden", "Kråkeslottet"],
    s=0.7,
)  # fmt: skip
RESTAURANTS = Zipf(
    ["Brygga kro", "Torget kafé", "Fjordstua", "Stasjonen pub", "Pizzahjørnet", "Kaffebrenneriet på torget",
     "Sushi og sånt", "Vertshuset", "Kiosken på kaia", "Båthuset restaurant", "Grillbaren", "Bakeriet i bakken"],
    s=0.8,
)  # fmt: skip
SPORTS_FACILITIES = Zipf(
    ["Føyka stadion", "Askerhallen", "Risenga idrettspark", "Spikkestad kunstgressbane", "Slemmestad idrettsplass",
     "Holmen svømmehall", "Heggedal idrettspark", "Sætrehallen", "Tofte ballbinge", "Vollen friidrettsbane",
     "Borgen skøytebane", "Nesbru tennisbaner", "Gullhella skianlegg", "Vardåsen lysløype"],
    s=0.8,
)  # fmt: skip
PROCUREMENTS = Zipf(
    ["brøyting og strøing", "renhold av kommunale bygg", "skoleskyss", "IT-utstyr til skolene", "kontorrekvisita",
     "vaktmestertjenester", "asfaltering", "lekeplassutstyr", "byggeledelse", "konsulenttjenester",
     "matleveranser til sykehjem", "varebiler", "vannmålere", "gatelys", "rådgivende ingeniør VA"],
    s=0.9,
)  # fmt: skip
HEALTH_SERVICES = Zipf(
    ["helse- og omsorgstjenester", "hjemmesykepleie", "praktisk bistand", "omsorgsstønad", "avlastning",
     "brukerstyrt personlig assistanse", "korttidsopphold", "langtidsopphold på sykehjem", "trygghetsalarm",
     "støttekontakt", "parkeringstillatelse for forflytningshemmede", "TT-kort"],
    s=0.9,
)  # fmt: skip
CULTURE_THEMES = Zipf(
    ["kulturmidler", "arrangementsstøtte", "leie av Asker kulturhus", "kulturpris", "festival",
     "utstilling i biblioteket", "kulturskolen", "Asker museum", "konsert i parken", "nasjonaldagen 17. mai",
     "bygdedag", "kunst i offentlige rom", "frivillighetens dag"],
    s=0.9,
)  # fmt: skip
NATURE_THEMES = Zipf(
    ["felling av vilt", "motorferdsel i utmark", "forurenset grunn", "tiltak i strandsonen", "fremmede arter",
     "vannområde Indre Oslofjord vest", "produksjonstilskudd i jordbruket", "skogsvei", "hogst i friluftsområde",
     "bekkeåpning", "badevannsprøver", "viltpåkjørsel", "miljøtilsyn"],
    s=0.9,
)  # fmt: skip


def person(rng: random.Random) -> str:
    return f"{GIVEN(rng)} {FAMILY(rng)}"


def company(rng: random.Random) -> str:
    return f"{rng.choice(COMPANY_STEMS)} {COMPANY_TRADES(rng)} AS"


def association(rng: random.Random) -> str:
    kind = ASSOCIATION_KINDS(rng)
    place = PLACES(rng)
    return f"FAU {place} skole" if kind == "FAU" else f"{place} {kind}"


def house_number(rng: random.Random) -> int:
    """Low numbers are more common than high ones (most streets are short)."""
    return rng.randint(1, rng.choice((12, 25, 25, 50, 90, 150)))


def address(rng: random.Random) -> str:
    number = house_number(rng)
    letter = rng.choice("ABC") if rng.random() < 0.08 else ""
    return f"{STREETS(rng)} {number}{letter}"


def land_numbers(rng: random.Random) -> str:
    return f"gnr. {rng.randint(1, 320)} bnr. {rng.randint(1, 950)}"


def school(rng: random.Random) -> str:
    return f"{SCHOOL_PLACES(rng)} {SCHOOL_KINDS(rng)}"


def kindergarten(rng: random.Random) -> str:
    return f"{KINDERGARTEN_STEMS(rng)} barnehage"


# --- Topics -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One kind of entry in a case: its type, its title (a template over the case's slots) and who it is from or
    to: "party" (the case's outside party), "agency", "company", "association", "person" (someone else), "internal"
    or "" (none)."""

    type: str
    title: str
    who: str = "party"


@dataclass(frozen=True)
class Topic:
    name: str
    units: tuple[str, ...]  # preferred units, in order; the first one in the chosen units handles the case
    weight: float
    case_title: str
    first: tuple[Step, ...]  # how a case opens (one of these)
    then: tuple[Step, ...]  # what may follow, in a typical order
    classification: str = ""
    party: str = "person"  # who the outside party is: person, company, association, agency
    screened: bool = False  # every entry screened (health, pupils, children)
    max_entries: int = 15
    # Slot whose words are replaced by SCREENED_WORD in a screened entry's title.
    screen_slot: str = "who"


# Journal entry types (EntryType): incoming, outgoing, internal for follow-up, internal, case presentation.
INC, OUT, NOTE, MEMO, PRES = "I", "U", "N", "X", "S"

TOPICS = (
    Topic(
        "byggesak",
        ("plan-og-bygning",),
        22,
        "{address} - {land} - {works}",
        first=(
            Step(INC, "{permit_cap} - {works} - {address}", "company"),
            Step(INC, "{permit_cap} - {address} - {land}", "party"),
        ),
        then=(
            Step(OUT, "Foreløpig svar - {address}"),
            Step(OUT, "Mangelbrev - {address}", "company"),
            Step(INC, "Tilleggsdokumentasjon - {address}", "company"),
            Step(INC, "Nabomerknad - {address}", "person"),
            Step(NOTE, "Uttalelse fra vei og park - {address}", "internal"),
            Step(OUT, "Vedtak - {works} - {address}", "company"),
            Step(OUT, "Gebyrfaktura for byggesak - {address}"),
            Step(INC, "Søknad om igangsettingstillatelse - {address}", "company"),
            Step(OUT, "Igangsettingstillatelse - {address}", "company"),
            Step(MEMO, "Befaringsrapport - {address}", ""),
            Step(INC, "Klage på vedtak - {address}", "person"),
            Step(PRES, "Klage på vedtak - {works} - {address}", ""),
            Step(INC, "Søknad om ferdigattest - {address}", "company"),
            Step(OUT, "Ferdigattest - {address}", "company"),
        ),
        classification="GBNR-{land_code}",
        screen_slot="address",
    ),
    Topic(
        "reguleringsplan",
        ("plan-og-bygning",),
        3,
        "Detaljregulering for {place}, {plan_object}",
        first=(Step(INC, "Planinitiativ - detaljregulering for {place}, {plan_object}", "company"),),
        then=(
            Step(MEMO, "Referat fra oppstartsmøte - {plan_object} i {place}", "internal"),
            Step(OUT, "Varsel om oppstart av planarbeid - {place}, {plan_object}", "agency"),
            Step(INC, "Innspill til varsel om oppstart - {place}", "agency"),
            Step(INC, "Innspill til varsel om oppstart - {place}", "association"),
            Step(INC, "Innspill til varsel om oppstart - {place}", "person"),
            Step(PRES, "Detaljregulering for {place}, {plan_object} - 1. gangs behandling", ""),
            Step(OUT, "Offentlig ettersyn - reguleringsplan for {place}", "agency"),
            Step(INC, "Merknad til offentlig ettersyn - {place}", "person"),
            Step(INC, "Uttalelse til offentlig ettersyn - {place}", "agency"),
            Step(PRES, "Detaljregulering for {place}, {plan_object} - 2. gangs behandling", ""),
            Step(OUT, "Kunngjøring av vedtatt reguleringsplan - {place}", "agency"),
        ),
        classification="PLANID-{plan_id}",
        party="company",
        screen_slot="",
    ),
    Topic(
        "deling",
        ("plan-og-bygning",),
        3,
        "Fradeling av tomt - {land} - {address}",
        first=(Step(INC, "Søknad om fradeling av tomt - {land} - {address}", "party"),),
        then=(
            Step(OUT, "Vedtak om fradeling - {land}"),
            Step(OUT, "Varsel om oppmålingsforretning - {land}", "person"),
            Step(MEMO, "Protokoll fra oppmålingsforretning - {land}", ""),
            Step(OUT, "Matrikkelbrev - {land}"),
            Step(INC, "Søknad om seksjonering - {address}", "party"),
            Step(OUT, "Seksjoneringsvedtak - {address}"),
        ),
        classification="GBNR-{land_code}",
        max_entries=6,
        screen_slot="address",
    ),
    Topic(
        "skole",
        ("oppvekst",),
        8,
        "{school} - {school_theme}",
        first=(
            Step(INC, "{school_theme_cap} ved {school}", "association"),
            Step(MEMO, "{school_theme_cap} - {school}", "internal"),
        ),
        then=(
            Step(OUT, "Svar - {school_theme} ved {school}", "association"),
            Step(NOTE, "Notat - {school_theme}", "internal"),
            Step(INC, "Henvendelse om {school_theme} - {school}", "person"),
            Step(OUT, "Orientering til foresatte - {school}", "association"),
            Step(PRES, "{school_theme_cap} - {school} - orienteringssak", ""),
            Step(INC, "Tilsynsrapport - {school}", "agency"),
        ),
        classification="A20",
        party="association",
        screen_slot="",
    ),
    Topic(
        "elev",
        ("oppvekst",),
        4,
        "{pupil_case} - {who}",
        first=(Step(INC, "{pupil_case} - {who} - {school}"),),
        then=(
            Step(OUT, "Vedtak om {pupil_case_lower} - {who}"),
            Step(INC, "Sakkyndig vurdering - {who}", "agency"),
            Step(MEMO, "Notat fra PPT - {who}", "internal"),
            Step(INC, "Klage på vedtak - {who}"),
            Step(OUT, "Svar på klage - {who}"),
        ),
        classification="B31",
        screened=True,
        max_entries=6,
    ),
    Topic(
        "skoleskyss",
        ("oppvekst",),
        3,
        "Skoleskyss {school_year} - {school}",
        first=(Step(INC, "Søknad om skoleskyss - farlig skolevei - {school}"),),
        then=(
            Step(OUT, "Vedtak om skoleskyss - {school}"),
            Step(INC, "Klage på vedtak om skoleskyss - {school}"),
            Step(OUT, "Svar på klage om skoleskyss - {school}"),
        ),
        classification="A26",
        max_entries=4,
        screen_slot="who",
    ),
    Topic(
        "barnehage",
        ("oppvekst",),
        4,
        "Barnehageplass {school_year} - {who}",
        first=(
            Step(INC, "Søknad om barnehageplass - {who}"),
            Step(INC, "Søknad om redusert foreldrebetaling - {who}"),
            Step(INC, "Søknad om bytte av barnehage - {who}"),
        ),
        then=(
            Step(OUT, "Tilbud om barnehageplass - {who}"),
            Step(OUT, "Vedtak om redusert foreldrebetaling - {who}"),
            Step(INC, "Klage på opptak - {who}"),
            Step(OUT, "Svar på klage - {who}"),
        ),
        classification="A10",
        screened=True,
        max_entries=4,
    ),
    Topic(
        "barnehagetilsyn",
        ("oppvekst",),
        2,
        "Tilsyn med {kindergarten}",
        first=(Step(OUT, "Varsel om tilsyn - {kindergarten}", "company"),),
        then=(
            Step(INC, "Egenvurdering - {kindergarten}", "company"),
            Step(MEMO, "Tilsynsrapport - {kindergarten}", ""),
            Step(OUT, "Foreløpig tilsynsrapport - {kindergarten}", "company"),
            Step(INC, "Tilbakemelding på foreløpig rapport - {kindergarten}", "company"),
            Step(OUT, "Endelig tilsynsrapport - {kindergarten}", "company"),
            Step(OUT, "Tilskudd til private barnehager - {kindergarten}", "company"),
        ),
        classification="A10",
        party="company",
        screen_slot="",
    ),
    Topic(
        "vei",
        ("vei-og-park",),
        8,
        "{road_case} - {street}",
        first=(
            Step(INC, "Søknad om {road_case_lower} - {street}", "company"),
            Step(INC, "Henvendelse om {road_case_lower} - {street}", "person"),
        ),
        then=(
            Step(OUT, "Svar - {road_case_lower} - {street}"),
            Step(MEMO, "Befaring - {street}", ""),
            Step(OUT, "Tillatelse - {road_case_lower} - {street}", "company"),
            Step(INC, "Uttalelse fra Statens vegvesen - {street}", "agency:Statens vegvesen"),
            Step(INC, "Klage - {road_case_lower} - {street}", "person"),
            Step(NOTE, "Oppfølging - {street}", "internal"),
        ),
        classification="Q10",
        screen_slot="street",
    ),
    Topic(
        "parkering",
        ("vei-og-park",),
        3,
        "Parkering {year} - {place}",
        first=(
            Step(INC, "Klage på parkeringsgebyr - {place}"),
            Step(INC, "Søknad om beboerparkering - {street}"),
        ),
        then=(
            Step(OUT, "Svar på klage på parkeringsgebyr - {place}"),
            Step(OUT, "Vedtak om beboerparkering - {street}"),
        ),
        classification="Q13",
        max_entries=3,
        screen_slot="street",
    ),
    Topic(
        "vann-og-avlop",
        ("vann-og-avlop",),
        7,
        "{water_case} - {address}",
        first=(
            Step(INC, "Søknad om {water_case_lower} - {address} - {land}", "company"),
            Step(INC, "Melding om {water_case_lower} - {address}", "party"),
        ),
        then=(
            Step(OUT, "Tillatelse - {water_case_lower} - {address}", "company"),
            Step(OUT, "Gebyr for vann og avløp - {address}"),
            Step(MEMO, "Kontroll av stikkledning - {address}", ""),
            Step(INC, "Ferdigmelding - {address}", "company"),
            Step(OUT, "Pålegg om utbedring - {address}"),
            Step(INC, "Klage på gebyr for vann og avløp - {address}"),
        ),
        classification="M10",
        screen_slot="address",
    ),
    Topic(
        "vannprosjekt",
        ("vann-og-avlop",),
        2,
        "{water_project} - {place}",
        first=(Step(MEMO, "Prosjektplan - {water_project} - {place}", "internal"),),
        then=(
            Step(OUT, "Varsel til beboere - {water_project} i {place}", "association"),
            Step(INC, "Tilbud - {water_project} - {place}", "company"),
            Step(OUT, "Kontrakt - {water_project} - {place}", "company"),
            Step(INC, "Henvendelse om {water_project} - {place}", "person"),
            Step(PRES, "{water_project} i {place} - orientering", ""),
        ),
        classification="M00",
        party="company",
        screen_slot="",
    ),
    Topic(
        "renovasjon",
        ("renovasjon",),
        5,
        "{waste_case} - {address}",
        first=(Step(INC, "{waste_case} - {address}"), Step(INC, "Søknad om fritak fra renovasjonsgebyr - {address}")),
        then=(
            Step(OUT, "Svar - {waste_case_lower} - {address}"),
            Step(OUT, "Vedtak om renovasjonsgebyr - {address}"),
            Step(MEMO, "Kontroll av avfallsløsning - {address}", ""),
        ),
        classification="M50",
        max_entries=4,
        screen_slot="address",
    ),
    Topic(
        "helse",
        ("innbyggertorg",),
        4,
        "{health_service} - {who}",
        first=(Step(INC, "Søknad om {health_service} - {who}"),),
        then=(
            Step(OUT, "Vedtak om {health_service} - {who}"),
            Step(MEMO, "Kartlegging - {who}", "internal"),
            Step(INC, "Legeerklæring - {who}", "company"),
            Step(INC, "Klage på vedtak - {who}"),
            Step(OUT, "Oversendelse av klage til Statsforvalteren - {who}", "agency:Statsforvalteren i Oslo og Viken"),
        ),
        classification="G21",
        screened=True,
        max_entries=8,
    ),
    Topic(
        "bevilling",
        ("innbyggertorg",),
        3,
        "Serverings- og skjenkebevilling - {restaurant}",
        first=(
            Step(INC, "Søknad om serverings- og skjenkebevilling - {restaurant}", "company"),
            Step(INC, "Søknad om ambulerende skjenkebevilling - {restaurant}", "company"),
        ),
        then=(
            Step(OUT, "Høring - skjenkebevilling - {restaurant}", "agency"),
            Step(INC, "Uttalelse fra politiet - {restaurant}", "agency:Politiet"),
            Step(OUT, "Vedtak - skjenkebevilling - {restaurant}", "company"),
            Step(MEMO, "Skjenkekontroll - {restaurant}", ""),
            Step(OUT, "Advarsel - {restaurant}", "company"),
        ),
        classification="U63",
        party="company",
        screen_slot="",
    ),
    Topic(
        "kultur",
        ("innbyggertorg", "eiendom"),
        4,
        "{culture_theme} {year} - {org}",
        first=(Step(INC, "Søknad om {culture_theme} - {org}", "party"),),
        then=(
            Step(OUT, "Tilsagn om {culture_theme} - {org}"),
            Step(OUT, "Avslag - {culture_theme} - {org}"),
            Step(INC, "Rapport for bruk av midler - {org}"),
            Step(PRES, "{culture_theme_cap} {year} - fordeling", ""),
        ),
        classification="C00",
        party="association",
        max_entries=4,
        screen_slot="",
    ),
    Topic(
        "idrett",
        ("eiendom",),
        3,
        "{facility} - {sport_case}",
        first=(Step(INC, "Søknad om {sport_case} - {facility}", "association"),),
        then=(
            Step(OUT, "Svar - {sport_case} - {facility}", "association"),
            Step(INC, "Tilbud - vedlikehold av {facility}", "company"),
            Step(OUT, "Søknad om spillemidler - {facility}", "agency"),
            Step(PRES, "{facility} - {sport_case}", ""),
            Step(MEMO, "Tilstandsvurdering - {facility}", ""),
        ),
        classification="C50",
        party="association",
        screen_slot="",
    ),
    Topic(
        "eiendomsforvaltning",
        ("eiendom",),
        3,
        "{building} - {property_case}",
        first=(Step(MEMO, "{property_case_cap} - {building}", "internal"),),
        then=(
            Step(OUT, "Bestilling - {property_case} - {building}", "company"),
            Step(INC, "Faktura - {property_case} - {building}", "company"),
            Step(INC, "Tilstandsrapport - {building}", "company"),
            Step(OUT, "Leieavtale - {building}", "association"),
            Step(INC, "Søknad om leie av lokaler - {building}", "association"),
        ),
        classification="614",
        party="company",
        screen_slot="",
    ),
    Topic(
        "tilskudd",
        ("okonomi",),
        4,
        "Tilskudd til frivillige lag og foreninger {year} - {org}",
        first=(Step(INC, "Søknad om tilskudd - {org}", "party"),),
        then=(
            Step(OUT, "Tilsagn om tilskudd - {org}"),
            Step(OUT, "Avslag på søknad om tilskudd - {org}"),
            Step(INC, "Rapport og regnskap for tilskudd - {org}"),
            Step(INC, "Klage på avslag - {org}"),
        ),
        classification="223",
        party="association",
        max_entries=4,
        screen_slot="",
    ),
    Topic(
        "eiendomsskatt",
        ("okonomi",),
        4,
        "Eiendomsskatt - {land} - {address}",
        first=(
            Step(INC, "Klage på eiendomsskatt - {land} - {address}"),
            Step(INC, "Søknad om fritak for eiendomsskatt - {address}"),
        ),
        then=(
            Step(MEMO, "Befaring og ny takst - {address}", ""),
            Step(OUT, "Vedtak i sak om eiendomsskatt - {address}"),
            Step(PRES, "Klage på eiendomsskatt - {land} - sakkyndig klagenemnd", ""),
            Step(OUT, "Melding om vedtak i klagenemnda - {address}"),
        ),
        classification="232",
        max_entries=5,
        screen_slot="address",
    ),
    Topic(
        "anskaffelse",
        ("okonomi",),
        2,
        "Anskaffelse - {procurement}",
        first=(Step(MEMO, "Konkurransegrunnlag - {procurement}", "internal"),),
        then=(
            Step(OUT, "Kunngjøring av konkurranse - {procurement}", "agency"),
            Step(INC, "Tilbud - {procurement}", "company"),
            Step(INC, "Spørsmål til konkurransen - {procurement}", "company"),
            Step(OUT, "Meddelelse om tildeling - {procurement}", "company"),
            Step(OUT, "Kontrakt - {procurement}", "company"),
        ),
        classification="055",
        party="company",
        screen_slot="",
    ),
    Topic(
        "natur",
        ("natur-og-miljo",),
        4,
        "{nature_theme} - {place}",
        first=(
            Step(INC, "Søknad om {nature_theme} - {place}", "party"),
            Step(INC, "Melding om {nature_theme} - {place}"),
        ),
        then=(
            Step(OUT, "Vedtak - {nature_theme} - {place}"),
            Step(INC, "Uttalelse - {nature_theme}", "agency"),
            Step(MEMO, "Befaring - {place}", ""),
            Step(OUT, "Pålegg - {nature_theme} - {place}"),
        ),
        classification="K20",
        screen_slot="place",
    ),
    Topic(
        "politikk",
        ("politisk-sekretariat",),
        4,
        "{council} - møter {year}",
        first=(Step(MEMO, "Møteinnkalling - {council} {meeting}", "internal"),),
        then=(
            Step(MEMO, "Protokoll - {council} {meeting}", "internal"),
            Step(INC, "Spørsmål til ordføreren fra {party_name}", "person"),
            Step(OUT, "Svar på spørsmål fra {party_name}", "person"),
            Step(INC, "Interpellasjon fra {party_name}", "person"),
            Step(PRES, "Referatsaker - {council} {meeting}", ""),
            Step(INC, "Søknad om fritak fra verv - {who}"),
        ),
        classification="033",
        max_entries=15,
        screen_slot="",
    ),
    Topic(
        "innsyn",
        ("dokumentsenteret",),
        6,
        "Innsynskrav {year}",
        first=(Step(INC, "Innsynskrav - sak {other_case}"), Step(INC, "Innsynskrav - postliste uke {week}")),
        then=(
            Step(OUT, "Svar på innsynskrav - sak {other_case}"),
            Step(OUT, "Avslag på innsynskrav - sak {other_case}"),
        ),
        classification="070",
        max_entries=3,
        screen_slot="",
    ),
    Topic(
        "henvendelse",
        ("innbyggertorg", "dokumentsenteret"),
        3,
        "Henvendelse fra innbygger - {concern}",
        first=(
            Step(INC, "Henvendelse om {concern} i {place}"),
            Step(INC, "Henvendelse om {concern} i {place}"),
            Step(INC, "Klage på saksbehandling - {place}"),
            Step(INC, "Tips om ulovlig bygging - {address}"),
        ),
        then=(Step(OUT, "Svar på henvendelse - {place}"), Step(NOTE, "Oversendelse til rett enhet", "internal")),
        classification="000",
        max_entries=3,
        screen_slot="place",
    ),
)

ROAD_CASES = Zipf(
    ["Gravetillatelse", "Avkjøringstillatelse", "Trafikksikkerhetstiltak", "Fartsdemper", "Gatelys", "Skilting",
     "Brøyting", "Trefelling langs vei", "Midlertidig stenging", "Fortau", "Busslomme", "Sykkelvei",
     "Gangfelt", "Rekkverk", "Stikkrenne"],
    s=0.9,
)  # fmt: skip
WATER_CASES = Zipf(
    ["Tilknytning til offentlig vann og avløp", "Utslippstillatelse", "Separering av avløp", "Vannlekkasje",
     "Omlegging av stikkledning", "Tilbakeslagssikring", "Fettutskiller", "Vannmåler", "Sprinkleranlegg",
     "Påslipp av overvann"],
    s=0.9,
)  # fmt: skip
WATER_PROJECTS = Zipf(
    ["Rehabilitering av vannledning", "Ny pumpestasjon", "Separering av avløpsnett", "Overvannstiltak",
     "Nytt høydebasseng", "Utskifting av hovedledning"],
    s=0.8,
)  # fmt: skip
WASTE_CASES = Zipf(
    ["Klage på renovasjon", "Søknad om delt renovasjonsabonnement", "Nedgravde avfallsbeholdere",
     "Hytterenovasjon", "Forsøpling", "Slamtømming", "Avfallsplan for riving", "Glass- og metallinnsamling"],
    s=0.9,
)  # fmt: skip
PUPIL_CASES = Zipf(
    ["Spesialundervisning", "Skolebytte", "Permisjon fra undervisning", "Særskilt språkopplæring",
     "Fritak fra vurdering med karakter", "Utsatt skolestart", "Tilrettelagt skoleskyss"],
    s=0.9,
)  # fmt: skip
SPORT_CASES = Zipf(
    ["treningstid", "leie av hall", "nytt kunstgress", "garderober", "lysanlegg", "klubbhus", "arrangement",
     "flomlys", "tribune"],
    s=0.9,
)  # fmt: skip
BUILDINGS = Zipf(
    ["Asker rådhus", "Røyken rådhus", "Hurum rådhus", "Asker kulturhus", "Heggedal skole", "Holmen sykehjem",
     "Slemmestad helsehus", "Tofte bo- og servicesenter", "Spikkestad barnehage", "Borgen omsorgsboliger",
     "Vollen brannstasjon", "Sætre bibliotek"],
    s=0.8,
)  # fmt: skip
PROPERTY_CASES = Zipf(
    ["vedlikehold", "utskifting av tak", "ventilasjon", "brannsikring", "universell utforming", "energitiltak",
     "utleie", "salg", "rivning", "uteområde"],
    s=0.9,
)  # fmt: skip
PLAN_OBJECTS = Zipf(
    ["boliger", "sentrumsutvikling", "næringsområde", "skole og idrett", "småbåthavn", "gang- og sykkelvei",
     "barnehage", "omsorgsboliger", "grøntområde", "kollektivknutepunkt", "hotell"],
    s=0.9,
)  # fmt: skip

# What residents write about: a long tail (s > 1), so that most of these words are rare in the journal; the last
# ones come a few dozen times in a million entries.
CONCERNS = Zipf(
    [
        "støy", "hull i veien", "gatelys", "parkering", "brøyting", "forsøpling", "hundebæsj", "trafikk", "strøing",
        "rotter", "måker", "trær som skygger", "ulovlig bygging", "vannlekkasje", "lukt fra kloakk", "graffiti",
        "løse hunder", "busstopp", "skolevei", "fartsdump", "snøskred fra tak", "villsvin", "hjort i hagen",
        "overvann", "bålbrenning", "vindmølle", "lekeplass", "benker i parken", "badebrygge", "båtopplag",
        "ladestasjon", "sykkelparkering", "fyrverkeri", "droner", "byduer", "kråkereir", "bjørnekjeks",
        "parkslirekne", "flått", "brunsnegler", "bever", "rådyr", "grevling", "mink", "oter", "ørn", "hoggorm",
        "maneter", "isødeleggelser", "jordskred", "taubane", "lysforurensning", "kirkeklokker", "sandstrand",
        "gapahuk", "geocaching", "heliport", "ridesti", "hundeluftegård", "kajakkstativ",
    ],
    s=1.3,
)  # fmt: skip


def _school_year(day: date) -> str:
    return f"{day.year}/{day.year + 1}" if day.month >= 3 else f"{day.year - 1}/{day.year}"


# How each slot of a template is drawn: (rng, the case's first day) -> text. "who" (the case's party), "land" and
# the per-entry slots ("meeting", "other_case", "week") are filled elsewhere; "<slot>_cap" and "<slot>_lower" are
# the slot with its first letter changed.
SLOTS = {
    "place": lambda rng, day: PLACES(rng),
    "street": lambda rng, day: STREETS(rng),
    "address": lambda rng, day: address(rng),
    "works": lambda rng, day: BUILDING_WORKS(rng),
    "permit": lambda rng, day: PERMITS(rng),
    "school": lambda rng, day: school(rng),
    "school_theme": lambda rng, day: SCHOOL_THEMES(rng),
    "school_year": lambda rng, day: _school_year(day),
    "kindergarten": lambda rng, day: kindergarten(rng),
    "road_case": lambda rng, day: ROAD_CASES(rng),
    "water_case": lambda rng, day: WATER_CASES(rng),
    "water_project": lambda rng, day: WATER_PROJECTS(rng),
    "waste_case": lambda rng, day: WASTE_CASES(rng),
    "pupil_case": lambda rng, day: PUPIL_CASES(rng),
    "health_service": lambda rng, day: HEALTH_SERVICES(rng),
    "restaurant": lambda rng, day: RESTAURANTS(rng),
    "culture_theme": lambda rng, day: CULTURE_THEMES(rng),
    "facility": lambda rng, day: SPORTS_FACILITIES(rng),
    "sport_case": lambda rng, day: SPORT_CASES(rng),
    "building": lambda rng, day: BUILDINGS(rng),
    "property_case": lambda rng, day: PROPERTY_CASES(rng),
    "procurement": lambda rng, day: PROCUREMENTS(rng),
    "nature_theme": lambda rng, day: NATURE_THEMES(rng),
    "plan_object": lambda rng, day: PLAN_OBJECTS(rng),
    "plan_id": lambda rng, day: f"{day.year}{rng.randint(1, 60):03d}",
    "council": lambda rng, day: COUNCILS(rng),
    "party_name": lambda rng, day: rng.choice(PARTIES),
    "year": lambda rng, day: str(day.year),
    "org": lambda rng, day: association(rng),
    "concern": lambda rng, day: CONCERNS(rng),
}
ENTRY_SLOTS = frozenset({"meeting", "other_case", "week"})


def _template_slots(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


@functools.cache
def _topic_slots(topic: "Topic") -> tuple[str, ...]:
    """Every slot the topic's titles and classification use; a "<slot>_cap" or "<slot>_lower" brings its slot."""
    templates = [topic.case_title, topic.classification, *(step.title for step in (*topic.first, *topic.then))]
    names = []
    for template in templates:
        for name in _template_slots(template):
            base = name.removesuffix("_cap").removesuffix("_lower")
            for wanted in (base, name):
                if wanted not in names:
                    names.append(wanted)
    return tuple(names)


@functools.cache
def _screen_slot(template: str, preferred: str) -> str:
    """The slot of a title whose words a screened entry hides: the topic's own when the title has it, else the
    person ("who"), else the first slot of the title."""
    names = _template_slots(template)
    for slot in (preferred, "who"):
        if slot and slot in names:
            return slot
    return names[0] if names else ""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- Units and case workers -------------------------------------------------------------------------------------


def profile_units(path: Path = PROFILE) -> list[str]:
    """The unit slugs of the Asker profile (read from its JSON file: no database needed)."""
    return [unit["slug"] for unit in json.loads(path.read_text(encoding="utf-8"))["units"]]


def _workers(rng: random.Random, units: list[str]) -> dict[str, list[str]]:
    """A few invented case workers per unit."""
    return {unit: [person(rng) for _ in range(rng.randint(4, 9))] for unit in units}


# --- The generator ----------------------------------------------------------------------------------------------

# Entries in a case: 1 to 15, most cases short.
CASE_SIZES = Zipf(range(1, 16), s=1.05)
# Working days between one entry of a case and the next.
MEAN_GAP_DAYS = 7


@dataclass
class _Case:
    topic: Topic
    year: int
    sequence: int
    unit: str
    worker: str
    title: str
    case_date: date
    slots: dict
    party: tuple[str, bool]  # (name, is a private person)
    company: str  # the firm acting in the case (the applicant's architect, the supplier ...)
    association: str
    classification: str
    planned: int
    steps: list[Step] = field(default_factory=list)
    number: int = 0
    screened_title: str = ""


def _working_days(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _day_weight(day: date, first: date, rng: random.Random) -> float:
    weekday = (1.15, 1.1, 1.05, 1.0, 0.8)[day.weekday()]
    season = {7: 0.45, 8: 0.9, 12: 0.85 if day.day < 20 else 0.45, 1: 0.9}.get(day.month, 1.0)
    growth = 1 + 0.03 * (day - first).days / 365
    return weekday * season * growth * rng.uniform(0.8, 1.2)


def _quotas(days: list[date], count: int, rng: random.Random) -> list[int]:
    """How many entries each working day gets: `count` in all, by weekday, season and a little noise."""
    weights = [_day_weight(day, days[0], rng) for day in days]
    total = sum(weights)
    quotas, running, given = [], 0.0, 0
    for weight in weights:
        running += weight
        upto = round(count * running / total)
        quotas.append(upto - given)
        given = upto
    return quotas


class _Generator:
    def __init__(self, *, count: int, start: date, end: date, seed: int, units: list[str]):
        self.rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
        self.count = count
        self.units = units
        self.days = _working_days(start, end)
        if not self.days:
            raise ValueError(f"No working day between {start} and {end}")
        self.workers = _workers(random.Random(seed + 1), units)  # noqa: S311
        topics = []
        for topic in TOPICS:
            unit = next((u for u in topic.units if u in units), None)
            if unit is not None:
                topics.append((topic, unit))
        if not topics:
            # Units the topics do not know (another municipality's profile): every topic, spread over them.
            topics = [(topic, units[index % len(units)]) for index, topic in enumerate(TOPICS)]
        self.topics = Weighted([((topic, unit), topic.weight) for topic, unit in topics])
        self.case_sequences: dict[int, int] = {}
        self.entry_sequences: dict[int, int] = {}
        self.recent_cases: list[str] = []

    def _slots(self, topic: Topic, day: date) -> dict:
        """The words this case's titles are made of: only the slots its templates use are drawn."""
        rng = self.rng
        slots = {}
        for name in _topic_slots(topic):
            make = SLOTS.get(name)
            if make is not None and name not in slots:
                slots[name] = make(rng, day)
        if "land" in _topic_slots(topic) or "land_code" in _topic_slots(topic):
            land_a, land_b = rng.randint(1, 320), rng.randint(1, 950)
            slots["land"], slots["land_code"] = f"gnr. {land_a} bnr. {land_b}", f"{land_a}/{land_b}"
        for name in _topic_slots(topic):
            base = name.removesuffix("_cap").removesuffix("_lower")
            if base != name and base in slots:
                slots[name] = _cap(slots[base]) if name.endswith("_cap") else _lower_first(slots[base])
        slots["org"] = slots.get("org") or association(rng)
        return slots

    def _party(self, topic: Topic, slots: dict) -> tuple[str, bool]:
        rng = self.rng
        if topic.party == "company":
            return company(rng), False
        if topic.party == "association":
            return slots["org"], False
        if topic.party == "agency":
            return AGENCIES(rng), False
        # A person; for some topics a company or association applies as often.
        if topic.name in ("byggesak", "vann-og-avlop", "deling") and rng.random() < 0.35:
            return company(rng), False
        if topic.name in ("natur",) and rng.random() < 0.3:
            return slots["org"], False
        return person(rng), True

    def _open_case(self, day: date) -> _Case:
        rng = self.rng
        topic, unit = self.topics(rng)
        slots = self._slots(topic, day)
        party = self._party(topic, slots)
        slots["who"] = party[0]
        year = day.year
        self.case_sequences[year] = sequence = self.case_sequences.get(year, 0) + 1
        case_date = day - timedelta(days=rng.choice((0, 0, 0, 1, 2, 5))) if rng.random() < 0.3 else day
        planned = min(CASE_SIZES(rng), topic.max_entries)
        case = _Case(
            topic=topic,
            year=year,
            sequence=sequence,
            unit=unit,
            worker=rng.choice(self.workers[unit]),
            title="",
            case_date=case_date,
            slots=slots,
            party=party,
            company=party[0]
            if topic.party == "company" or (not party[1] and party[0].endswith(" AS"))
            else company(rng),
            association=slots["org"],
            classification=topic.classification.format(**slots),
            planned=planned,
        )
        # A case's title hides the person only (the rest of it says what kind of case it is).
        case.title = self._title(topic.case_title, case, screened=topic.screened and "{who}" in topic.case_title)
        case.steps = self._plan(topic, planned)
        self.recent_cases.append(f"{year}/{sequence}")
        if len(self.recent_cases) > 500:
            del self.recent_cases[:250]
        return case

    def _plan(self, topic: Topic, planned: int) -> list[Step]:
        """The steps of a case: one opening, then steps in their usual order (some skipped, some repeated; past the
        end of the course, any step again)."""
        rng = self.rng
        steps = [rng.choice(topic.first)]
        index = -1
        while len(steps) < planned:
            if index < 0 or rng.random() < 0.8:
                index += 1 if rng.random() < 0.75 else 2
            steps.append(topic.then[index] if index < len(topic.then) else rng.choice(topic.then))
        return steps

    def _title(self, template: str, case: _Case, *, screened: bool, extra: dict | None = None) -> str:
        slots = case.slots
        if extra:
            slots = {**slots, **extra}
        if screened:
            slot = _screen_slot(template, case.topic.screen_slot)
            if slot:
                slots = {**slots, slot: SCREENED_WORD}
        return _cap(template.format(**slots))

    def _correspondents(self, step: Step, case: _Case, screened: bool) -> tuple[CorrespondentRecord, ...]:
        rng = self.rng
        if step.who == "":
            return ()
        if step.type in (NOTE, MEMO) or step.who == "internal":
            sender = case.worker
            colleagues = [name for name in self.workers[case.unit] if name != sender] or [sender]
            recipient = rng.choice(colleagues)
            return (
                CorrespondentRecord("internal_sender", sender),
                CorrespondentRecord("internal_recipient", recipient),
            )
        kind = "sender" if step.type == INC else "recipient"
        if step.who == "party":
            name, is_person = case.party
        elif step.who == "person":
            name, is_person = person(rng), True
        elif step.who == "company":
            name, is_person = (case.company if rng.random() < 0.85 else company(rng)), False
        elif step.who == "association":
            name, is_person = (case.association if rng.random() < 0.85 else association(rng)), False
        elif step.who.startswith("agency:"):
            name, is_person = step.who.removeprefix("agency:"), False
        else:
            name, is_person = AGENCIES(rng), False
        first = (
            CorrespondentRecord(kind, "", is_person=True, screened=True)
            if screened and is_person
            else CorrespondentRecord(kind, name, is_person=is_person)
        )
        found = [first]
        if step.type == OUT and rng.random() < 0.12:
            found.append(CorrespondentRecord("copy", AGENCIES(rng) if rng.random() < 0.5 else company(rng)))
        if step.type == INC and is_person and rng.random() < 0.08:
            # Two people writing together (a couple, neighbours).
            other = person(rng)
            found.append(
                CorrespondentRecord(kind, "", is_person=True, screened=True)
                if screened
                else CorrespondentRecord(kind, other, is_person=True)
            )
        return tuple(found)

    def _entry(self, case: _Case, day: date, line: int, end: date) -> EntryRecord:
        rng = self.rng
        step = case.steps[case.number]
        case.number += 1
        topic = case.topic
        # Who the entry is with, to know whether it names a private person.
        with_person = (step.who == "party" and case.party[1]) or step.who == "person"
        screened = topic.screened or (
            bool(topic.screen_slot) and with_person and step.type in (INC, OUT) and rng.random() < PERSON_SCREEN_RATE
        )
        extra = None
        if "{meeting}" in step.title or "{other_case}" in step.title or "{week}" in step.title:
            extra = {
                "meeting": f"{day.day}.{day.month}.{day.year}",
                "other_case": rng.choice(self.recent_cases) if self.recent_cases else f"{day.year}/1",
                "week": str(max(1, day.isocalendar().week - 1)),
            }
        title = self._title(step.title, case, screened=screened, extra=extra)
        year = day.year
        self.entry_sequences[year] = sequence = self.entry_sequences.get(year, 0) + 1
        if step.type == INC:
            document_date = day - timedelta(days=rng.choice((0, 1, 1, 2, 3, 4, 7, 14)))
        elif step.type == OUT:
            document_date = day - timedelta(days=rng.choice((0, 0, 0, 1)))
        else:
            document_date = day
        if rng.random() < 0.03:
            document_date = None
        delay = rng.choice((0, 1, 1, 1, 2, 3))
        published = day + timedelta(days=delay)
        while not is_working_day(published) and published < end:
            published += timedelta(days=1)
        published = min(published, end)
        published_at = datetime.combine(published, time(rng.randint(7, 15), rng.randrange(0, 60, 5)), OSLO)
        documents = [DocumentRecord(title)]
        if step.type in (INC, OUT) and rng.random() < 0.35:
            for attachment in rng.sample(
                (
                    "Situasjonsplan",
                    "Tegninger",
                    "Kart",
                    "Vedlegg",
                    "Bilder",
                    "Nabovarsel",
                    "Kvittering",
                    "Sakkyndig rapport",
                ),
                rng.randint(1, 3),
            ):
                documents.append(DocumentRecord(attachment, is_main=False))
        unit, case_unit = case.unit, ""
        if step.type == NOTE and len(self.units) > 1 and rng.random() < 0.5:
            # A note from another unit (vei og park answering plan og bygning ...).
            unit, case_unit = rng.choice([u for u in self.units if u != case.unit]), case.unit
        return EntryRecord(
            line=line,
            case_year=case.year,
            case_sequence=case.sequence,
            case_title=case.title,
            case_date=case.case_date,
            year=year,
            sequence=sequence,
            number=case.number,
            journal_date=day,
            document_date=document_date,
            type=step.type,
            title=title,
            unit=unit,
            case_unit=case_unit,
            case_worker=case.worker,
            restriction_code=SCREEN_CODE if screened else "",
            legal_basis=SCREEN_BASIS if screened else "",
            classification=case.classification,
            external_id=f"JP-{year}-{sequence:07d}",
            case_external_id=f"SM-{case.year}-{case.sequence:06d}",
            published_at=published_at,
            correspondents=self._correspondents(step, case, screened),
            documents=tuple(documents),
        )

    def __iter__(self) -> Iterator[EntryRecord]:
        rng = self.rng
        quotas = _quotas(self.days, self.count, rng)
        end = self.days[-1]
        # Cases waiting for their next entry: (day index, order, case).
        waiting: list[tuple[int, int, _Case]] = []
        order = itertools.count()
        line = 0
        for index, (day, quota) in enumerate(zip(self.days, quotas, strict=True)):
            today: list[_Case] = []
            while waiting and waiting[0][0] <= index and len(today) < quota:
                today.append(heapq.heappop(waiting)[2])
            # Too many due today: the rest wait for tomorrow (their place in the queue is kept).
            if waiting and waiting[0][0] <= index:
                late = []
                while waiting and waiting[0][0] <= index:
                    late.append(heapq.heappop(waiting))
                for _, seq, case in late:
                    heapq.heappush(waiting, (index + 1, seq, case))
            while len(today) < quota:
                today.append(self._open_case(day))
            rng.shuffle(today)
            for case in today:
                line += 1
                yield self._entry(case, day, line, end)
                if case.number < case.planned:
                    gap = max(1, round(rng.expovariate(1 / MEAN_GAP_DAYS)))
                    heapq.heappush(waiting, (index + gap, next(order), case))


def generate(
    *,
    count: int,
    start: date | None = None,
    end: date | None = None,
    seed: int = SEED,
    units: Iterable[str] | None = None,
) -> Iterator[EntryRecord]:
    """`count` journal entries with journal dates on the working days from `start` (default: a year before `end`)
    to `end` (default: today), in date order, for `units` (slugs; default: the Asker profile's units). The same
    arguments give the same entries. Yields `records.EntryRecord`s, numbered by `line` from 1."""
    end = end or date.today()
    start = start or end - timedelta(days=365)
    if start > end:
        raise ValueError("start is after end")
    if count < 0:
        raise ValueError("count must not be negative")
    units = list(units) if units is not None else profile_units()
    if not units:
        raise ValueError("No units to give the entries to")
    if count == 0:
        return iter(())
    return iter(_Generator(count=count, start=start, end=end, seed=seed, units=units))


def write_csv(records: Iterable[EntryRecord], text_file) -> int:
    """Write records in the importer's documented CSV (formats.write_csv) to a text file opened with newline="";
    returns how many were written."""
    from .formats import write_csv as write

    return write(records, text_file)
