"""Asker's demo consultations, so that the list, a consultation's page with its input and charts, the staff pages
and Min side look alive (issue 6, part 6).

`load_demo(municipality)` loads five topics, then five invented consultations:

- *Reguleringsplan for Holmen sentrum*: open now (Plan og bygning, Holmen), four sections, a generated PDF plan
  description, a choice and a scale question, a change after publication (version 2), and about 25 input from
  residents and two associations, comments on sections among them, some with the name shown and one hidden by a
  moderator with the reason;
- *Handlingsprogram 2027-2030 og budsjett 2027*: past its deadline and being processed (Økonomi og styring), about
  15 input, some marked as considered with the municipality's response, tagged;
- *Skolestruktur i Heggedal og Røyken*: concluded (Oppvekst), about 20 input, all considered, the summary of input,
  the outcome and the political case;
- an upcoming one (*Hovedplan for sykkel*) and a draft (*Kommunedelplan for klima og miljø*), both in Plan og
  bygning, so that the demo case worker has something to write and publish.

The people who send input are invented (`demo-horing-NNN@idporten.invalid`, the placeholder address of an
ID-porten-only login, and no password: nobody logs in as them); the demo resident (innbygger@example.no) has sent
input, has a draft and follows two consultations, so Min side and "my input" show them. The demo case worker
(saksbehandler@example.no) is put in the Plan og bygning unit; the administrator (admin@example.no) writes and
processes the other units' consultations and moderates. Every title, summary, input text, response and outcome ends
with "(demo)"; the associations and schools are made up too.

Everything is written through the services, as staff and residents would (rules, numbering, versions, audit). The
services take `now=` for what happened in the past (publishing, sending input, processing, concluding); the few
timestamps they always set to the present (created/updated, considered, hidden, a version's date) are moved into
the past afterwards with plain queryset updates — acceptable in demo data only. While the demo loads, no e-mail is
queued: the services would send the demo resident receipts and an outcome for input she never sent (see
`_without_email`).

Loading again adds nothing: nothing is made when a consultation whose title ends with "(demo)" exists. Nothing here
needs ID-porten keys, so the demo loads under production settings too (as the benchmarks run it).
"""

import datetime as dt
import io
import random
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tinget.core import audit
from tinget.core.models import Area, Unit
from tinget.core.notify import services as notify

from . import attachments, emails, services
from .models import Consultation, Question, Submission, Topic, Version

DEMO_MARK = "(demo)"
SEED = 3203
RESIDENT_EMAIL = "innbygger@example.no"
CASE_WORKER_EMAIL = "saksbehandler@example.no"
ADMIN_EMAIL = "admin@example.no"
# The placeholder domain an ID-porten-only login has (RFC 2606 .invalid): nothing is ever mailed there, and the
# demo's printed logins (core's load_demo) stay the people one can log in as with a password.
PERSON_EMAIL = "demo-horing-{n:03d}@idporten.invalid"
PEOPLE = 40

TOPICS = [
    # slug, bokmål, nynorsk, English
    ("planer-og-bygging", "Planer og bygging", "Planar og bygging", "Planning and building"),
    ("okonomi", "Økonomi", "Økonomi", "Finance"),
    ("skole-og-barnehage", "Skole og barnehage", "Skule og barnehage", "Schools and kindergartens"),
    ("miljo", "Miljø", "Miljø", "Environment"),
    ("samferdsel", "Samferdsel", "Samferdsel", "Transport"),
]

GIVEN_NAMES = [
    "Anne", "Berit", "Camilla", "Dagrun", "Eva", "Frida", "Guro", "Hilde", "Ingunn", "Janne", "Kristin", "Line",
    "Mette", "Nora", "Oline", "Randi", "Silje", "Turid", "Vilde", "Åse", "Anders", "Bjarne", "Christian", "Dag",
    "Espen", "Fredrik", "Gunnar", "Halvor", "Jostein", "Kjetil", "Leif", "Morten", "Odd", "Petter", "Rolf",
    "Stian", "Trond", "Øystein", "Yusuf", "Mariam", "Tomasz", "Ewa",
]  # fmt: skip
# Family names nobody has: the demo's people are clearly made up.
FAMILY_NAMES = [
    "Høringsrud", "Innspillsen", "Demovik", "Eksempelstad", "Prøvedal", "Fiktivsen", "Skisserud", "Utkastmo",
    "Planlien", "Tenkeby", "Modellsen", "Oppdiktrud", "Forslagsvik", "Uttalelund",
]  # fmt: skip


def _demo(text: str) -> str:
    return f"{text} {DEMO_MARK}"


# --- What the demo holds ------------------------------------------------------------------------------------------


@dataclass
class Input:
    """One input: from an invented person (`who`, an index) or an organisation, on a section (its key) or general
    with answers (the choice question's option index, the scale value)."""

    text: str
    section: str | None = None
    choice: int | None = None
    scale: int | None = None
    show_name: bool = False
    organisation: tuple[str, str] | None = None  # (name, role)
    tags: tuple[str, ...] = ()
    response: str | None = None  # considered, with this response ("" for none)
    hidden_reason: str = ""


@dataclass
class Case:
    key: str
    title: str
    summary: str
    influence: str
    next_steps: str
    unit: str
    topic: str
    areas: tuple[str, ...]
    case_number: str
    contact_email: str
    sections: list[tuple[str, str, str, str]]  # key, number, heading, body
    questions: list[dict] = field(default_factory=list)
    document: tuple[str, str] | None = None  # (title, file name)
    inputs: list[Input] = field(default_factory=list)


HOLMEN = Case(
    key="holmen",
    title=_demo("Reguleringsplan for Holmen sentrum"),
    summary=_demo(
        "Kommunen har laget et forslag til ny reguleringsplan for Holmen sentrum. Planen bestemmer hva som kan bygges "
        "rundt Holmen senter og langs Holmensvingen: hvor høyt, hvor mange boliger, hvor bilene skal kjøre og hvor "
        "det skal være parker og møteplasser."
    ),
    influence=(
        "Du kan påvirke hvor høye de nye byggene blir, hvordan trafikken, parkeringen og skoleveien løses, og hvor "
        "grøntområdene og torget skal ligge. Kollektivtilbudet og E18 er ikke en del av denne planen."
    ),
    next_steps=(
        "Etter fristen leser saksbehandlerne alle innspill og skriver et sammendrag. Planen legges så fram for "
        "hovedutvalget for miljø, plan og bygg og deretter for kommunestyret. Alle som har sendt innspill, får "
        "beskjed når saken er avgjort."
    ),
    unit="plan-og-bygning",
    topic="planer-og-bygging",
    areas=("holmen",),
    case_number="25/04512",
    contact_email="planlegging@example.no",
    sections=[
        (
            "purpose",
            "1",
            "Bakgrunn og formål",
            "Holmen sentrum er i dag preget av store parkeringsplasser, et kjøpesenter fra 1980-tallet og spredte "
            "boligblokker. Kommuneplanen peker ut Holmen som et lokalsenter der nye boliger skal komme nær butikker, "
            "skole og buss.\n\nPlanen legger til rette for om lag 450 nye boliger, lokaler for butikker og tjenester "
            "i første etasje, et nytt torg og en sammenhengende grønn forbindelse fra Holmen skole til sjøen. Målet "
            "er et levende sentrum der flere kan gå og sykle i hverdagen.",
        ),
        (
            "heights",
            "2",
            "Byggehøyder og tetthet",
            "Nye bygg langs Holmensvingen kan få inntil seks etasjer, med den øverste etasjen trukket tilbake fra "
            "fasaden. Mot eneboligene i vest trappes høyden ned til tre etasjer. Ved det nye torget tillates ett "
            "punkthus på åtte etasjer.\n\nMinst 30 prosent av boligene skal være større enn 80 kvadratmeter, slik at "
            "barnefamilier kan bo her. Alle boliger skal ha sol på uteplassen i minst fem timer ved vårjevndøgn.",
        ),
        (
            "traffic",
            "3",
            "Trafikk, parkering og skolevei",
            "Biltrafikken til senteret samles i én innkjøring fra Nesbruveien, og Holmensvingen blir en gate med "
            "fortau og sykkelfelt på begge sider. Parkeringen legges under bakken, med høyst 0,7 plasser per bolig."
            "\n\nSkoleveien fra boligfeltene i nord får en ny undergang under Holmensvingen. Bussholdeplassen flyttes "
            "80 meter nærmere senteret.",
        ),
        (
            "green",
            "4",
            "Grøntområder og møteplasser",
            "Planen sikrer et torg på om lag 2 000 kvadratmeter ved senteret, en nærpark med lekeplass og en grønn "
            "korridor langs bekken ned mot Holmenskjæret. Bekken, som i dag går i rør, skal åpnes på en strekning "
            "på 150 meter.\n\nDe store trærne langs Brusetveien skal bevares. Hver boligblokk skal ha et felles "
            "uteareal på bakkeplan.",
        ),
    ],
    questions=[
        {
            "kind": Question.Kind.CHOICE,
            "text": "Hva mener du om byggehøydene i forslaget?",
            "options": [
                "Inntil fire etasjer er nok",
                "Inntil seks etasjer, som foreslått, er riktig",
                "Det kan bygges høyere enn foreslått",
                "Vet ikke",
            ],
        },
        {
            "kind": Question.Kind.SCALE,
            "text": "Hvor godt tar planen vare på grøntområder og møteplasser?",
            "scale_max": 5,
            "scale_min_label": "Svært dårlig",
            "scale_max_label": "Svært godt",
        },
    ],
    document=("Planbeskrivelse", "planbeskrivelse-holmen-sentrum.pdf"),
    inputs=[
        Input(
            "Jeg synes planen er god. Holmen trenger flere leiligheter, slik at vi som er eldre kan flytte fra "
            "eneboligen uten å flytte fra nabolaget.",
            choice=1,
            scale=4,
            show_name=True,
        ),
        Input(
            "Seks etasjer langs Holmensvingen blir for massivt. Gata vil ligge i skygge store deler av året. Fire "
            "etasjer hadde passet bedre med resten av Holmen.",
            section="heights",
        ),
        Input(
            "Undergangen under Holmensvingen er bra, men den må være godt opplyst og ha god sikt. Barna våre går ikke "
            "gjennom mørke tunneler om vinteren.",
            section="traffic",
        ),
        Input(
            "Punkthuset på åtte etasjer ved torget passer ikke inn. Holmen er et villaområde, ikke en by.",
            choice=0,
            scale=2,
        ),
        Input(
            "Holmen velforening har drøftet planforslaget på et åpent medlemsmøte med over 60 deltakere. Vi støtter "
            "at sentrum fornyes og at bekken åpnes, men mener byggene blir for høye. Vi ber om at høyeste tillatte "
            "høyde langs Holmensvingen settes til fire etasjer, og at punkthuset tas ut av planen.\n\nVi ber også "
            "kommunen sikre at torget får sol på ettermiddagen, og at det settes av et lokale for lag og foreninger "
            "i første etasje.",
            choice=0,
            scale=3,
            organisation=(_demo("Holmen velforening"), "Styreleder"),
        ),
        Input(
            "Holmen idrettslag har over 1 200 medlemmer, de fleste barn og unge. Planen sier lite om hvor barna skal "
            "kunne være aktive. Vi ber om at det settes av plass til en ballbinge eller en liten flerbruksbane i "
            "nærparken, og at sykkelparkeringen ved senteret blir stor nok for alle som sykler til trening i "
            "Holmenhallen.",
            choice=1,
            scale=2,
            organisation=(_demo("Holmen idrettslag"), "Daglig leder"),
        ),
        Input(
            "Så flott at bekken skal åpnes! Det bør gå en sti langs hele bekken, ikke bare på en del av strekningen.",
            section="green",
            show_name=True,
        ),
        Input(
            "0,7 parkeringsplasser per bolig er altfor lite. Folk har bil likevel, og da blir det parkert i "
            "boliggatene rundt.",
            section="traffic",
        ),
        Input(
            "Det bør bygges enda tettere rundt bussen. Høyere bygg ved torget gir flere boliger og mindre press på "
            "grøntområdene andre steder.",
            choice=2,
            scale=4,
        ),
        Input("Bussholdeplassen bør få tak og benker. I dag står vi ute i regnet.", section="traffic"),
        Input(
            "Det er typisk at naboen vår Per Plassholder i Brusetveien 14 har fått det som han vil. Han sitter jo i "
            "utvalget og skal tjene millioner på tomta si. Han er en kjeltring og burde vært anmeldt.",
            section="heights",
            hidden_reason=_demo(
                "Innspillet beskylder en navngitt person for å ha opptrådt uredelig. Vi publiserer ikke beskyldninger "
                "mot enkeltpersoner. Innspillet er tatt med i saksbehandlingen, og du kan sende det på nytt uten "
                "denne delen."
            ),
        ),
        Input(
            "Endelig skjer det noe på Holmen! Mer liv i sentrum, en kafé og et torg er akkurat det vi har savnet.",
            choice=1,
            scale=5,
            show_name=True,
        ),
        Input(
            "De store eiketrærne langs Brusetveien må bevares også mens det bygges. Kommunen bør kreve sikringsgjerde "
            "rundt trærnes rotsone i hele anleggsperioden.",
            section="green",
        ),
        Input(
            "Kravet om fem timer sol er for svakt. Det bør gjelde lekeplassene og torget også, ikke bare private "
            "uteplasser.",
            section="heights",
        ),
        Input(
            "Jeg har ikke satt meg godt nok inn i høydene, men det er viktig at det blir flere rimelige boliger for "
            "unge.",
            choice=3,
            scale=3,
        ),
        Input(
            "Én innkjøring fra Nesbruveien vil gi kø i rushtiden. Har kommunen gjort en trafikkanalyse? Den bør "
            "legges ved planen.",
            section="traffic",
            show_name=True,
        ),
        Input(
            "Planen ødelegger det grønne preget på Holmen. Parkeringsplassen kan heller bli en park.", choice=0, scale=1
        ),
        Input(
            "450 boliger er mange. Har Holmen skole og barnehagene plass til alle barna som kommer?", section="purpose"
        ),
        Input(
            "Lekeplassen i nærparken må være universelt utformet, slik at også barn i rullestol kan leke der.",
            section="green",
        ),
        Input(
            "Et godt forslag. Husk sykkelparkering under tak ved butikkene og ved bussen.",
            choice=1,
            scale=4,
            show_name=True,
        ),
        Input(
            "Sykkelfelt på begge sider av Holmensvingen er bra, men de må være skilt fra bilene med kantstein, ikke "
            "bare malt.",
            section="traffic",
        ),
        Input(
            "Jeg driver en liten butikk i senteret. Det er viktig at vi kan holde åpent mens det bygges, og at det "
            "finnes korttidsparkering for kundene.",
            choice=1,
            scale=3,
        ),
        Input("Nedtrappingen mot eneboligene i vest er bra. Den bør også gjelde mot Vettre i øst.", section="heights"),
        Input(
            "Flott med høyere bygg ved torget. Da blir det plass til flere, og Holmen får et ordentlig sentrum.",
            choice=2,
            scale=5,
            show_name=True,
        ),
        Input("Torget bør ha vann: en fontene eller en vannlek for barna om sommeren.", section="green"),
    ],
)

BUDGET = Case(
    key="budget",
    title=_demo("Handlingsprogram 2027\u20132030 og budsjett 2027"),
    summary=_demo(
        "Kommunedirektørens forslag til handlingsprogram for 2027\u20132030 og budsjett for 2027 viser hva kommunen "
        "skal bruke penger på de neste fire årene: skoler, eldreomsorg, veier, kultur og hva som skal bygges."
    ),
    influence=(
        "Du kan si hva du mener kommunen bør prioritere, hvilke investeringer som er viktigst, og hva du mener om "
        "eiendomsskatten og de kommunale gebyrene."
    ),
    next_steps=(
        "Innspillene oppsummeres for formannskapet, som legger fram sin innstilling i november. Kommunestyret vedtar "
        "handlingsprogrammet og budsjettet i desember."
    ),
    unit="okonomi",
    topic="okonomi",
    areas=(),
    case_number="25/06120",
    contact_email="okonomi@example.no",
    sections=[
        (
            "frame",
            "1",
            "Økonomiske rammer",
            "Kommunens inntekter øker mindre enn utgiftene. Flere eldre og færre barn i årene som kommer gjør at "
            "penger må flyttes fra oppvekst til helse og omsorg. For å få et driftsresultat på 2 prosent av "
            "inntektene foreslår kommunedirektøren innsparinger på 120 millioner kroner innen 2030.",
        ),
        (
            "investments",
            "2",
            "Investeringer",
            "Forslaget har investeringer på 6,8 milliarder kroner i perioden, blant annet et nytt helsehus i Asker "
            "sentrum, rehabilitering av to ungdomsskoler, en ny svømmehall og bedre gang- og sykkelveier. Noen "
            "prosjekter er skjøvet ut i tid for å holde gjelden nede.",
        ),
        (
            "taxes",
            "3",
            "Eiendomsskatt og gebyrer",
            "Eiendomsskatten foreslås videreført med dagens sats. Gebyrene for vann, avløp og renovasjon øker med "
            "mellom 3 og 6 prosent, blant annet for å fornye gamle vannledninger.",
        ),
        (
            "services",
            "4",
            "Tjenestene",
            "Innsparingene fordeles på alle områder. Det foreslås færre plasser i kommunale barnehager der det står "
            "plasser ledig, at to bibliotekfilialer slås sammen, og kortere åpningstid på innbyggertorgene. "
            "Hjemmetjenesten og sykehjemmene får mer penger.",
        ),
    ],
    questions=[
        {
            "kind": Question.Kind.CHOICE,
            "text": "Hva bør kommunen prioritere høyest de neste fire årene?",
            "options": [
                "Skole og barnehage",
                "Helse og eldreomsorg",
                "Vei, sykkel og kollektivtrafikk",
                "Kultur, idrett og frivillighet",
                "Klima og miljø",
            ],
        }
    ],
    document=("Kommunedirektørens forslag, sammendrag", "handlingsprogram-2027-2030-sammendrag.pdf"),
    inputs=[
        Input(
            "Ikke legg ned biblioteket på Heggedal. Det er det eneste stedet ungdom kan være uten å måtte kjøpe noe.",
            section="services",
            tags=("Bibliotek",),
            response=_demo(
                "Takk for innspillet. Forslaget om å slå sammen bibliotekfilialer omtales i saken til formannskapet, "
                "og innspillene om Heggedal er tatt med der."
            ),
        ),
        Input(
            "Flere sykehjemsplasser må komme før nye prestisjebygg. Min mor har ventet på plass i fire måneder.",
            choice=1,
            tags=("Eldreomsorg",),
        ),
        Input(
            "Eiendomsskatten bør fjernes helt. Vi betaler nok fra før.",
            section="taxes",
            tags=("Eiendomsskatt",),
            response=_demo(
                "Kommunedirektøren foreslår å videreføre eiendomsskatten, fordi inntekten på om lag 250 millioner "
                "kroner ellers må hentes ved kutt i tjenestene. Innspillet er tatt med i oppsummeringen."
            ),
        ),
        Input(
            "Asker idrettsråd ber om at den nye svømmehallen ikke skyves ut i tid. Svømmedyktighet er et "
            "samfunnsansvar, og i dag får ikke alle skolene nok bassengtid til svømmeopplæringen. Idrettsrådet "
            "bidrar gjerne i planleggingen.",
            choice=3,
            organisation=(_demo("Asker idrettsråd"), "Leder"),
            tags=("Idrett",),
            response="",
        ),
        Input(
            "Gang- og sykkelveien langs Slemmestadveien må prioriteres. Den er farlig for barna slik den er nå.",
            section="investments",
            tags=("Sykkel", "Skolevei"),
            response=_demo("Prosjektet ligger inne i forslaget med oppstart i 2028. Innspillet er tatt med."),
        ),
        Input(
            "Det er klokt å holde gjelden nede. Renten kan stige igjen, og da blir det mindre igjen til tjenestene.",
            section="frame",
        ),
        Input(
            "Skolene våre forfaller. Rehabiliteringen av ungdomsskolene må ikke utsettes mer.",
            choice=0,
            tags=("Skole",),
            response="",
        ),
        Input(
            "Økningen i avløpsgebyret er tung for oss som har lav inntekt. Kan kommunen innføre en ordning for dem "
            "som ikke klarer å betale?",
            section="taxes",
            tags=("Gebyrer",),
        ),
        Input(
            "Kortere åpningstid på innbyggertorget rammer eldre som ikke bruker digitale tjenester.",
            section="services",
            tags=("Eldreomsorg",),
        ),
        Input(
            "FAU ved Solåsen skole ber om at lærertettheten ikke reduseres. Klassene er allerede store, og elever som "
            "trenger ekstra hjelp, merker kuttene først.",
            choice=0,
            organisation=(_demo("FAU ved Solåsen skole"), "Leder"),
            tags=("Skole",),
            response=_demo(
                "Lærernormen gjelder fortsatt, og forslaget kutter ikke i antall lærere per elev. Innspillet er tatt "
                "med i oppsummeringen."
            ),
        ),
        Input("Kommunen bør bruke mer på klimatiltak. Solceller på alle kommunale bygg lønner seg over tid.", choice=4),
        Input(
            "Helsehuset i sentrum er viktig, men det må være lett å komme dit med buss fra Røyken og Hurum.",
            section="investments",
            response="",
        ),
        Input(
            "Brøytingen av gang- og sykkelveier må bli bedre. Det koster lite sammenlignet med nye bygg.",
            choice=2,
            tags=("Sykkel",),
        ),
        Input(
            "Ikke kutt i kulturskolen. Den gir barn et tilbud som ikke handler om å prestere.",
            section="services",
            show_name=True,
        ),
        Input("Jeg savner en oversikt over hva hvert kutt betyr for tjenestene i min bydel.", choice=1),
    ],
)

SCHOOLS = Case(
    key="schools",
    title=_demo("Skolestruktur i Heggedal og Røyken"),
    summary=_demo(
        "Elevtallet i Heggedal og deler av Røyken går ned, og flere av skolebyggene må pusses opp. Kommunen har "
        "utredet tre alternativer: å beholde dagens skoler, å slå sammen to barneskoler, eller å bygge en ny, felles "
        "ungdomsskole."
    ),
    influence="Du kan si hvilket alternativ du foretrekker, og hva som er viktig for deg: skoleveien, nærskolen, "
    "byggene eller tilbudet til elevene.",
    next_steps="Innspillene oppsummeres, og saken legges fram for hovedutvalget for oppvekst og deretter "
    "kommunestyret.",
    unit="oppvekst",
    topic="skole-og-barnehage",
    areas=("heggedal", "spikkestad", "slemmestad"),
    case_number="24/11803",
    contact_email="oppvekst@example.no",
    sections=[
        (
            "background",
            "1",
            "Bakgrunn",
            "De fem skolene i området har i dag plass til 1 900 elever, men har om lag 1 450. Prognosene viser at "
            "elevtallet går ytterligere ned de neste ti årene. Solåsen og Furumo skoler har store vedlikeholdsbehov.",
        ),
        (
            "today",
            "2",
            "Alternativ 1: Dagens struktur",
            "Alle skolene beholdes og pusses opp. Det koster om lag 420 millioner kroner, og driften blir dyrere per "
            "elev etter hvert som elevtallet går ned.",
        ),
        (
            "merge",
            "3",
            "Alternativ 2: Solåsen og Furumo skoler slås sammen",
            "Elevene fra Furumo flytter til et utvidet Solåsen skole. Det gir en skole med om lag 480 elever. "
            "Skoleveien blir lengre for om lag 150 elever, og noen får skoleskyss.",
        ),
        (
            "new",
            "4",
            "Alternativ 3: Ny felles ungdomsskole",
            "Ungdomstrinnene fra to skoler samles i en ny ungdomsskole ved Spikkestad stasjon. Barneskolene blir "
            "rene barneskoler. Alternativet er det dyreste å bygge, men det billigste å drive over tid.",
        ),
        (
            "route",
            "5",
            "Skolevei og skyss",
            "Kommunen har kartlagt skoleveiene for alle alternativene. Strekningen langs Røykenveien mangler fortau "
            "på 600 meter og må bygges ut uansett alternativ.",
        ),
    ],
    questions=[
        {
            "kind": Question.Kind.CHOICE,
            "text": "Hvilket alternativ foretrekker du?",
            "options": [
                "Alternativ 1: Dagens struktur",
                "Alternativ 2: Slå sammen Solåsen og Furumo",
                "Alternativ 3: Ny felles ungdomsskole",
                "Vet ikke",
            ],
        },
        {
            "kind": Question.Kind.SCALE,
            "text": "Hvor viktig er kort skolevei for deg?",
            "scale_max": 5,
            "scale_min_label": "Ikke viktig",
            "scale_max_label": "Svært viktig",
        },
    ],
    document=("Utredning av skolestrukturen", "utredning-skolestruktur.pdf"),
    inputs=[
        Input(
            "Furumo skole er hjertet i bygda. Legger dere den ned, flytter barnefamiliene.",
            choice=0,
            scale=5,
            tags=("Nærskole",),
        ),
        Input(
            "En ny ungdomsskole ved stasjonen gir et bedre fagtilbud og flere valgfag. Det er framtidsrettet.",
            choice=2,
            scale=2,
            tags=("Ungdomsskole",),
            show_name=True,
        ),
        Input(
            "Skoleveien fra Furumo til Solåsen går langs en vei uten fortau. Ingen foreldre vil la barna gå der.",
            section="merge",
            tags=("Skolevei",),
        ),
        Input(
            "FAU ved Furumo skole har samlet innspill fra over 200 foreldre. Et klart flertall ønsker å beholde "
            "dagens skoler. Vi mener de økonomiske beregningene undervurderer kostnadene til skoleskyss, og ber om at "
            "de regnes på nytt.",
            choice=0,
            scale=5,
            organisation=(_demo("FAU ved Furumo skole"), "Leder"),
            tags=("Nærskole", "Økonomi"),
        ),
        Input(
            "Vedlikeholdet har vært forsømt i mange år. Uansett alternativ må byggene pusses opp raskt.",
            section="today",
            tags=("Bygg",),
        ),
        Input("Jeg har ikke barn i skolen, men en nærskole gjør bygda levende for alle.", choice=0, scale=4),
        Input(
            "Større skoler gir flere lærere å spille på og et bedre fagmiljø. Jeg støtter sammenslåing.",
            choice=1,
            scale=2,
            show_name=True,
        ),
        Input(
            "Fortauet langs Røykenveien må bygges først, før noen skole endres.",
            section="route",
            tags=("Skolevei",),
        ),
        Input(
            "Elevprognosene har bommet før. Hva skjer hvis det bygges mange nye boliger på Spikkestad?",
            section="background",
            tags=("Økonomi",),
        ),
        Input(
            "Ungdomsskoleelever kan godt ta bussen. For de minste er det viktigst med kort vei.",
            choice=2,
            scale=3,
            tags=("Ungdomsskole", "Skolevei"),
        ),
        Input(
            "Slemmestad ungdomsråd mener ungdom selv må bli hørt. Vi har spurt 90 elever: de fleste vil ha en større "
            "ungdomsskole med flere valgfag, men de vil ikke bruke mer enn 20 minutter på skoleveien.",
            choice=2,
            scale=4,
            organisation=(_demo("Slemmestad ungdomsråd"), "Leder"),
            tags=("Ungdomsskole",),
        ),
        Input("Behold Furumo. Det finnes ikke noe bedre sted å vokse opp.", choice=0, scale=5, tags=("Nærskole",)),
        Input(
            "Kostnadene ved alternativ 3 er for usikre. Kommunen har ikke råd til enda et stort byggeprosjekt nå.",
            section="new",
            tags=("Økonomi",),
        ),
        Input("Jeg vet ikke hva som er best, men jeg ønsker at avgjørelsen tas snart.", choice=3, scale=3),
        Input(
            "Gymsalen på Solåsen er for liten allerede. Blir skolen større, må den få ny gymsal.",
            section="merge",
            tags=("Bygg",),
        ),
        Input(
            "Mange barn på Furumo har foreldre som ikke har bil. Skoleskyss må dekke alle, også på ettermiddagen.",
            choice=0,
            scale=5,
            tags=("Skolevei",),
            show_name=True,
        ),
        Input(
            "Sammenslåing bør vente til fortauet er ferdig. Da kan barna gå trygt.",
            choice=1,
            scale=4,
            tags=("Skolevei",),
        ),
        Input(
            "Nærskolen er også et møtested for idrettslaget og korpset på kveldstid. Det må tas med i vurderingen.",
            section="today",
            tags=("Nærskole",),
        ),
        Input("Bygg ny ungdomsskole, men behold barneskolene der de er.", choice=2, scale=4, tags=("Ungdomsskole",)),
    ],
)

SCHOOLS_RESPONSES = [
    _demo("Takk for innspillet. Det er tatt med i oppsummeringen til hovedutvalget."),
    _demo("Skoleveien er kartlagt for alle alternativene, og fortauet langs Røykenveien er prioritert."),
    _demo("Kostnadene til skoleskyss er regnet på nytt i saken til kommunestyret."),
    _demo("Innspillet om bruken av skolen på kveldstid er omtalt i saken."),
]
SCHOOLS_REPORT = _demo(
    "Kommunen fikk 21 innspill, fra foreldre, elever, et ungdomsråd og et FAU. Et flertall ønsker å beholde dagens "
    "skoler (alternativ 1), først og fremst av hensyn til skoleveien og nærmiljøet. Ungdom og noen foreldre ønsker en "
    "større ungdomsskole med flere valgfag, men ikke lang reisevei. Mange peker på at fortauet langs Røykenveien må "
    "bygges uansett, og FAU ved Furumo skole ba om at kostnadene til skoleskyss ble regnet på nytt. Det er gjort."
)
SCHOOLS_OUTCOME = _demo(
    "Kommunestyret vedtok å beholde dagens skoler (alternativ 1), med felles ledelse for Solåsen og Furumo skoler "
    "fra neste skoleår. Skolebyggene pusses opp i perioden 2027\u20132029, og fortauet langs Røykenveien er lagt inn i "
    "handlingsprogrammet. Innspillene fra høringen var viktige for vedtaket: et klart flertall ønsket å beholde "
    "nærskolene."
)

UPCOMING = Case(
    key="upcoming",
    title=_demo("Hovedplan for sykkel 2027\u20132038"),
    summary=_demo(
        "Planen viser hvor kommunen vil bygge sykkelveier og sykkelparkering de neste tolv årene, og hvordan flere "
        "kan sykle trygt til skole, jobb og stasjon."
    ),
    influence="Du kan si hvilke strekninger som bør bygges først, og hvor det mangler sykkelparkering.",
    next_steps="Høringen åpner snart. Etter fristen behandles planen i hovedutvalget for miljø, plan og bygg.",
    unit="plan-og-bygning",
    topic="samferdsel",
    areas=(),
    case_number="25/07788",
    contact_email="planlegging@example.no",
    sections=[
        (
            "goals",
            "1",
            "Mål for sykkeltrafikken",
            "Andelen reiser som gjøres på sykkel skal dobles innen 2038. Alle skoler skal ha en trygg sykkelvei fra "
            "boligområdene rundt.",
        ),
        (
            "network",
            "2",
            "Hovednettet for sykkel",
            "Planen beskriver 60 kilometer hovednett, der 35 kilometer mangler eller må bygges om. Strekningene er "
            "prioritert etter hvor mange som kan ta dem i bruk.",
        ),
    ],
)

DRAFT = Case(
    key="draft",
    title=_demo("Kommunedelplan for klima og miljø 2027\u20132035"),
    summary=_demo(
        "Planen setter mål for hvor mye kommunens klimagassutslipp skal ned, og hva kommunen selv skal gjøre for å "
        "nå dem."
    ),
    influence="Du kan si hvilke tiltak som er viktigst, og hva du selv kan bidra med.",
    next_steps="Utkastet skrives ferdig før det legges ut på høring.",
    unit="plan-og-bygning",
    topic="miljo",
    areas=(),
    case_number="25/08102",
    contact_email="planlegging@example.no",
    sections=[
        (
            "goals",
            "1",
            "Mål",
            "Utslippene fra Asker skal ned med 70 prosent innen 2030, sammenlignet med 2009.",
        ),
        (
            "measures",
            "2",
            "Tiltak",
            "Utslippsfrie bygge- og anleggsplasser, mer kollektivtrafikk, og at kommunens egne bygg skal bruke mindre "
            "energi.",
        ),
    ],
    questions=[
        {
            "kind": Question.Kind.CHOICE,
            "text": "Hvilket tiltak er viktigst for deg?",
            "options": ["Kollektivtrafikk", "Sykkel og gange", "Energi i bygg", "Natur og skog"],
        }
    ],
)

RESIDENT_HOLMEN = Input(
    "Det må bli trygt å gå til Holmen skole mens det bygges. Anleggstrafikken må ikke kjøre forbi skolen når barna "
    "kommer og går.",
    section="traffic",
)
RESIDENT_DRAFT = (
    "Jeg lurer på om det blir plass til en dagligvarebutikk til i senteret. I dag er det lang kø ved kassene på "
    "lørdager, og"
)
RESIDENT_SCHOOLS = Input(
    "Barna mine går på Furumo. Kort skolevei er det viktigste for oss, og vi håper skolen får bestå.",
    choice=0,
    scale=5,
    tags=("Nærskole",),
)


# --- Helpers ------------------------------------------------------------------------------------------------------


@contextmanager
def _without_email():
    """The services e-mail each sender a receipt, the word that a moderator hid their input, and the outcome, all
    after the commit. The invented senders' addresses take no mail, but the demo resident's does, and she did not
    really send anything: nothing may be queued while the demo loads. The one function those e-mails go through is
    swapped for a no-op until the load has committed; `load_demo` is run outside a transaction (manage.py
    load_demo), so its commit, and the e-mails' turn, come inside this block."""
    original = emails.queue_email
    emails.queue_email = lambda **kwargs: None
    try:
        yield
    finally:
        emails.queue_email = original


def _end_of_day(day: dt.date) -> dt.datetime:
    """23:59 local time: a deadline as the municipality sets it."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _pdf(title: str, case: Case) -> ContentFile:
    """A small PDF made on the spot (nothing is added to the repository): the case's text, marked as demo."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=f"{title} {DEMO_MARK}", author="Asker kommune (demo)")
    story = [
        Paragraph(f"{title} {DEMO_MARK}", styles["Title"]),
        Paragraph(case.title, styles["Heading2"]),
        Paragraph(
            "Demodokument: innholdet er oppdiktet og laget for å vise hvordan en høring ser ut i Tinget.",
            styles["Italic"],
        ),
        Spacer(1, 12),
        Paragraph(f"Saksnummer {case.case_number}", styles["Normal"]),
        Spacer(1, 12),
        Paragraph(case.summary, styles["Normal"]),
    ]
    for _key, number, heading, body in case.sections:
        story.append(Paragraph(f"{number} {heading}", styles["Heading3"]))
        story.extend(Paragraph(part, styles["Normal"]) for part in body.split("\n\n"))
    document.build(story)
    return ContentFile(buffer.getvalue(), name="document.pdf")


def load_topics() -> dict[str, Topic]:
    """The demo's topics; an editor's later changes to one are kept."""
    topics = {}
    for order, (slug, name, name_nn, name_en) in enumerate(TOPICS):
        topic, _created = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_nn": name_nn, "name_en": name_en, "order": order * 10}
        )
        topics[slug] = topic
    return topics


def _staff():
    """The demo's case worker (now also in Plan og bygning) and administrator, made by accounts.demo if missing."""
    from tinget.accounts.demo import load_demo_users

    User = get_user_model()
    if User.objects.filter(email__in=[CASE_WORKER_EMAIL, ADMIN_EMAIL]).count() != 2:
        load_demo_users()
    case_worker = User.objects.get(email=CASE_WORKER_EMAIL)
    admin = User.objects.get(email=ADMIN_EMAIL)
    return case_worker, admin


def _people(rng: random.Random, now) -> list:
    """PEOPLE invented residents without a password and with the placeholder address of an ID-porten-only login (no
    identity: nobody logs in as them); made once, found again on a second load."""
    User = get_user_model()
    wanted = {
        PERSON_EMAIL.format(n=n): f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}" for n in range(1, PEOPLE + 1)
    }
    existing = {u.email: u for u in User.objects.filter(email__in=list(wanted))}
    missing = [email for email in wanted if email not in existing]
    if missing:
        password = make_password(None)
        User.objects.bulk_create(
            [
                User(
                    email=email,
                    password=password,
                    display_name=_demo(wanted[email]),
                    preferred_language="nb",
                    date_joined=now - dt.timedelta(days=400),
                )
                for email in missing
            ]
        )
        existing = {u.email: u for u in User.objects.filter(email__in=list(wanted))}
    people = [existing[email] for email in wanted]
    for person in people:
        person.demo_name = wanted[person.email]
    return people


@dataclass
class _Made:
    consultation: Consultation
    sections: dict
    questions: list
    submissions: list = field(default_factory=list)


class _Loader:
    def __init__(self, municipality, now):
        self.municipality = municipality
        self.now = now
        self.today = timezone.localdate(now)
        self.rng = random.Random(SEED)  # noqa: S311 (invented demo data, not secrets)
        self.case_worker, self.admin = _staff()
        self.resident = get_user_model().objects.filter(email=RESIDENT_EMAIL).first()
        self.units = {u.slug: u for u in Unit.objects.filter(municipality=municipality)}
        self.areas = {a.slug: a for a in Area.objects.filter(municipality=municipality)}
        self.topics = load_topics()
        self.people = _people(self.rng, now)
        self.next_person = 0
        if "plan-og-bygning" in self.units:
            self.case_worker.units.add(self.units["plan-og-bygning"])

    def day(self, offset: int) -> dt.date:
        return self.today + dt.timedelta(days=offset)

    def author_for(self, case: Case):
        return self.case_worker if case.unit == "plan-og-bygning" else self.admin

    def create(self, case: Case, *, opens_at, deadline, created_at) -> _Made:
        actor = self.author_for(case)
        consultation = services.consultation_create(
            actor=actor,
            municipality=self.municipality,
            data={
                "title": case.title,
                "summary": case.summary,
                "influence": case.influence,
                "next_steps": case.next_steps,
                "case_number": case.case_number,
                "unit": self.units[case.unit],
                "contact_name": "Sander Saksbehandler (demo)"
                if actor == self.case_worker
                else "Ada Administrator (demo)",
                "contact_email": case.contact_email,
                "topic": self.topics[case.topic],
                "opens_at": opens_at,
                "deadline": deadline,
            },
            areas=[self.areas[slug] for slug in case.areas if slug in self.areas],
        )
        sections = {}
        for order, (key, number, heading, body) in enumerate(case.sections, start=1):
            sections[key] = services.section_save(
                actor=actor,
                consultation=consultation,
                data={"number": number, "heading": heading, "body": body, "order": order},
            )
        questions = []
        for spec in case.questions:
            data = {k: v for k, v in spec.items() if k != "options"}
            questions.append(
                services.question_save(
                    actor=actor, consultation=consultation, data=data, options=spec.get("options", ())
                )
            )
        if case.document:
            title, filename = case.document
            upload = _pdf(title, case)
            upload.name = filename
            checked = attachments.check_file(upload, max_bytes=settings.TINGET_CONSULTATION_DOCUMENT_MAX_BYTES)
            services.document_add(actor=actor, consultation=consultation, checked=checked, title=_demo(title))
        # Demo history: the row was "written" before it was published (the services stamp the present).
        Consultation.objects.filter(pk=consultation.pk).update(created_at=created_at, updated_at=created_at)
        return _Made(consultation, sections, questions)

    def publish(self, made: _Made, when) -> None:
        services.consultation_publish(
            actor=self.author_for_consultation(made), consultation=made.consultation, now=when
        )
        # The first version's date is `when` already; the row's updated_at follows.
        Consultation.objects.filter(pk=made.consultation.pk).update(updated_at=when)

    def author_for_consultation(self, made: _Made):
        return self.case_worker if made.consultation.unit.slug == "plan-og-bygning" else self.admin

    def person(self):
        person = self.people[self.next_person % len(self.people)]
        self.next_person += 1
        return person

    def send(self, made: _Made, spec: Input, when, *, actor=None, name=None) -> Submission:
        actor = actor or self.person()
        name = name or actor.demo_name
        data = {"author_name": name, "text": _demo(spec.text), "show_name": spec.show_name}
        if spec.organisation:
            organisation, role = spec.organisation
            data.update(
                sender_kind=Submission.SenderKind.ORGANISATION, organisation_name=organisation, organisation_role=role
            )
        answers = {}
        if spec.section is None:
            for question in made.questions:
                if question.kind == Question.Kind.CHOICE and spec.choice is not None:
                    answers[question.pk] = list(question.options.all())[spec.choice]
                elif question.kind == Question.Kind.SCALE and spec.scale is not None:
                    answers[question.pk] = spec.scale
        submission = services.submission_save(
            actor=actor,
            consultation=made.consultation,
            key=uuid.uuid4(),
            data=data,
            section=made.sections[spec.section] if spec.section else None,
            answers=answers,
            send=True,
            now=when,
        )
        # Demo history: created a little before it was sent (the service stamps the present).
        Submission.objects.filter(pk=submission.pk).update(
            created_at=when - dt.timedelta(minutes=self.rng.randrange(5, 90)), updated_at=when
        )
        submission.spec = spec
        made.submissions.append(submission)
        return submission

    def times(self, start, end, count: int) -> list:
        span = (end - start).total_seconds()
        return sorted(start + dt.timedelta(seconds=span * self.rng.random()) for _ in range(count))

    def process(self, made: _Made, *, considered_from, considered_until, all_considered: bool) -> None:
        """Tags and "considered" with the responses, as the case worker does; dated between the two moments."""
        actor = self.author_for_consultation(made)
        for index, submission in enumerate(made.submissions):
            spec = submission.spec
            if spec.tags:
                services.submission_set_tags(actor=actor, submission=submission, names=spec.tags)
            response = spec.response
            if all_considered and response is None:
                response = SCHOOLS_RESPONSES[index % len(SCHOOLS_RESPONSES)] if index % 3 == 0 else ""
            if response is None:
                continue
            services.submission_consider(actor=actor, submission=submission, response=response)
            when = min(self.times(considered_from, considered_until, 1)[0], self.now)
            # Demo history: considered on a day during processing (the service stamps the present).
            Submission.objects.filter(pk=submission.pk).update(considered_at=when, updated_at=when)

    # --- The five consultations ---------------------------------------------------------------------------------

    def holmen(self) -> _Made:
        opens_at = _at(self.day(-20), 9)
        made = self.create(
            HOLMEN, opens_at=opens_at, deadline=_end_of_day(self.day(25)), created_at=opens_at - dt.timedelta(days=12)
        )
        self.publish(made, opens_at)
        changed_at = _at(self.day(-8), 14, 30)
        # (spec, sender, name): the invented people, and the demo resident's comment a few days ago.
        senders = [(spec, None, None) for spec in HOLMEN.inputs]
        if self.resident is not None:
            senders.insert(len(senders) - 3, (RESIDENT_HOLMEN, self.resident, "Ingrid Innbygger"))
        times = self.times(opens_at + dt.timedelta(hours=2), self.now - dt.timedelta(hours=3), len(senders))
        early = len([t for t in times if t < changed_at])
        for (spec, actor, name), when in zip(senders[:early], times[:early], strict=True):
            self.send(made, spec, when, actor=actor, name=name)
        # A change after publication: version 2, with what changed.
        services.section_save(
            actor=self.case_worker,
            consultation=made.consultation,
            section=made.sections["traffic"],
            data={
                "body": HOLMEN.sections[2][3].replace("80 meter", "60 meter")
                + "\n\nEn trafikkanalyse for Nesbruveien er lagt ved planbeskrivelsen."
            },
            note=_demo(
                "Rettet avstanden til den nye bussholdeplassen (60, ikke 80 meter) og la til en setning om "
                "trafikkanalysen."
            ),
        )
        # Demo history: the version was made eight days ago (the service stamps the present).
        Version.objects.filter(consultation=made.consultation, number=2).update(created_at=changed_at)
        for (spec, actor, name), when in zip(senders[early:], times[early:], strict=True):
            self.send(made, spec, when, actor=actor, name=name)
        for submission in made.submissions:
            if submission.spec.hidden_reason:
                services.submission_hide(actor=self.admin, submission=submission, reason=submission.spec.hidden_reason)
                hidden_at = min(submission.sent_at + dt.timedelta(hours=20), self.now)
                # Demo history: hidden the day after it came in (the service stamps the present).
                Submission.objects.filter(pk=submission.pk).update(hidden_at=hidden_at, updated_at=hidden_at)
        if self.resident is not None:
            draft = services.submission_save(
                actor=self.resident,
                consultation=made.consultation,
                key=uuid.uuid4(),
                data={"author_name": "Ingrid Innbygger", "text": _demo(RESIDENT_DRAFT)},
                send=False,
            )
            saved = self.now - dt.timedelta(days=1, hours=5)
            Submission.objects.filter(pk=draft.pk).update(created_at=saved, updated_at=saved)
        Consultation.objects.filter(pk=made.consultation.pk).update(updated_at=changed_at)
        return made

    def budget(self) -> _Made:
        opens_at = _at(self.day(-45), 9)
        deadline = _end_of_day(self.day(-10))
        made = self.create(BUDGET, opens_at=opens_at, deadline=deadline, created_at=opens_at - dt.timedelta(days=7))
        self.publish(made, opens_at)
        times = self.times(opens_at + dt.timedelta(hours=5), deadline - dt.timedelta(minutes=30), len(BUDGET.inputs))
        for spec, when in zip(BUDGET.inputs, times, strict=True):
            self.send(made, spec, when)
        started = _at(self.day(-8), 10)
        services.start_processing(actor=self.admin, consultation=made.consultation, now=started)
        self.process(made, considered_from=started, considered_until=self.now, all_considered=False)
        Consultation.objects.filter(pk=made.consultation.pk).update(updated_at=started)
        return made

    def schools(self) -> _Made:
        opens_at = _at(self.day(-150), 9)
        deadline = _end_of_day(self.day(-105))
        made = self.create(SCHOOLS, opens_at=opens_at, deadline=deadline, created_at=opens_at - dt.timedelta(days=20))
        self.publish(made, opens_at)
        inputs = list(SCHOOLS.inputs)
        times = self.times(opens_at + dt.timedelta(hours=3), deadline - dt.timedelta(hours=1), len(inputs) + 1)
        resident_at = times.pop(len(times) // 2)
        for spec, when in zip(inputs, times, strict=True):
            self.send(made, spec, when)
        if self.resident is not None:
            self.send(made, RESIDENT_SCHOOLS, resident_at, actor=self.resident, name="Ingrid Innbygger")
        started = _at(self.day(-102), 9)
        concluded = _at(self.day(-40), 16)
        services.start_processing(actor=self.admin, consultation=made.consultation, now=started)
        self.process(
            made, considered_from=started, considered_until=started + dt.timedelta(days=30), all_considered=True
        )
        services.input_report_save(actor=self.admin, consultation=made.consultation, text=SCHOOLS_REPORT)
        services.conclude(
            actor=self.admin,
            consultation=made.consultation,
            outcome=SCHOOLS_OUTCOME,
            political_case_number="25/01872",
            political_case_url="https://politikk.example.no/sak/25-01872",
            now=concluded,
        )
        Consultation.objects.filter(pk=made.consultation.pk).update(updated_at=concluded)
        return made

    def upcoming(self) -> _Made:
        opens_at = _at(self.day(12), 9)
        made = self.create(
            UPCOMING,
            opens_at=opens_at,
            deadline=_end_of_day(self.day(55)),
            created_at=self.now - dt.timedelta(days=6),
        )
        published = self.now - dt.timedelta(days=2)
        self.publish(made, published)
        return made

    def draft(self) -> _Made:
        created = self.now - dt.timedelta(days=3)
        return self.create(DRAFT, opens_at=_at(self.day(30), 9), deadline=_end_of_day(self.day(75)), created_at=created)


def load_demo(municipality) -> int:
    """Load the topics and, unless demo consultations exist already, the five demo consultations with their input.
    Returns how many consultations were made (0 the second time)."""
    with _without_email():
        return _load(municipality)


@transaction.atomic
def _load(municipality) -> int:
    load_topics()
    if Consultation.objects.filter(municipality=municipality, title__endswith=DEMO_MARK).exists():
        return 0
    loader = _Loader(municipality, timezone.now())
    made = [loader.holmen(), loader.budget(), loader.schools(), loader.upcoming(), loader.draft()]
    if loader.resident is not None:
        for consultation in Consultation.objects.filter(pk__in=[made[0].consultation.pk, made[2].consultation.pk]):
            notify.follow(actor=loader.resident, target=consultation)
    audit.log(
        "load_demo",
        "consultations.demo.loaded",
        municipality,
        {"consultations": len(made), "input": sum(len(m.submissions) for m in made)},
    )
    return len(made)
