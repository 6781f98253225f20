"""Asker's demo mail journal and access requests, so that the search page, case and entry pages, the statistics, the
case workers' queue and Min side look alive (issue 7, part 6).

`load_demo(municipality)` loads:

- a year of the journal: DEMO_ENTRIES entries over the last 12 months, made by `generator.generate` (invented cases,
  people and firms over the municipality's units; about one entry in ten screened, with the legal basis and the
  person's name left out) and stored by the importer (`importing.store`), as an archive's export would be;
- access requests, all sent through the services as requesters and case workers would:
  * the demo resident (innbygger@example.no) has one request sent and waiting (Plan og bygning and Oppvekst), and one
    refused by Plan og bygning and appealed, so Min side shows both and the demo case worker (saksbehandler@example.no,
    put in Plan og bygning) has both in the queue;
  * an invented journalist has one granted (with a generated PDF and a link), one overdue (no answer after five
    working days: the unit was reminded and the journalist told of offentleglova § 32), and a granted request for a
    week of the journal (§ 28);
  * BACKGROUND_REQUESTS more from invented requesters over the year, answered after 0 to 8 working days (a few
    refused or partly granted), so that the statistics have something to count.

Everything is invented, and the requesters' addresses are at example.no (DEMO_EMAILS): the messages and answers end
with "(demo)", the units are the profile's demo units. While the demo loads no e-mail is queued (the receipts, the
units' notices, the reminders and the answers would go to invented people); see `_without_email`. The services take
`now=` for what happened in the past; the creation times they always set to the present are moved back afterwards
with plain queryset updates, acceptable in demo data only.

Loading again adds nothing: the journal is loaded only while it is empty (an installation with a real journal never
gets demo entries), and the requests only with it, and only while none from a demo address exists.
"""

import datetime as dt
import io
import random
from contextlib import contextmanager
from dataclasses import replace

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tinget.core import audit
from tinget.core.models import Unit
from tinget.core.workdays import NORWAY, add_working_days, is_working_day

from . import emails, services
from .models import AccessRequest, AccessRequestPart, AnswerFile, JournalEntry

DEMO_MARK = "(demo)"
SEED = 3203
DEMO_ENTRIES = 3000
BACKGROUND_REQUESTS = 40
RESIDENT_EMAIL = "innbygger@example.no"
CASE_WORKER_EMAIL = "saksbehandler@example.no"
ADMIN_EMAIL = "admin@example.no"
JOURNALIST_EMAIL = "journalist.demo@example.no"
REQUESTER_EMAIL = "innsyn.demo{n:02d}@example.no"
DEMO_EMAILS = [RESIDENT_EMAIL, JOURNALIST_EMAIL, *(REQUESTER_EMAIL.format(n=n) for n in range(1, 13))]
LINK = "https://www.example.no/innsyn/demo"
LEGAL_BASIS = "Offl. § 13 jf. fvl. § 13"
APPEAL_TEXT = (
    "Du kan klage på avslaget innen tre uker. Send klagen til kommunen, som vurderer saken på nytt. Holder kommunen "
    "fast ved avslaget, sendes klagen til Statsforvalteren i Oslo og Viken. (demo)"
)


def _demo(text: str) -> str:
    return f"{text} {DEMO_MARK}"


@contextmanager
def _without_email():
    """The services e-mail receipts, the units' notices, reminders and answers after the commit, to invented people:
    the one function those e-mails go through is swapped for a no-op until the load has committed (`load_demo` runs
    outside a transaction under manage.py load_demo, so its commit, and the e-mails' turn, come inside this
    block)."""
    original = emails.queue_email
    emails.queue_email = lambda **kwargs: None
    try:
        yield
    finally:
        emails.queue_email = original


def load_demo(municipality) -> dict[str, int]:
    """Load the demo journal and requests (each only when missing). Returns what was made."""
    with _without_email(), transaction.atomic():
        made = {"entries": load_entries(municipality), "requests": 0}
        # Requests only for the demo journal: they ask for its entries.
        if made["entries"]:
            made["requests"] = load_requests(municipality)
        if made["entries"] or made["requests"]:
            audit.log("load_demo", "journal.demo.loaded", None, made)
    return made


# --- The journal --------------------------------------------------------------------------------------------------


def load_entries(municipality, *, count: int = DEMO_ENTRIES, today: dt.date | None = None) -> int:
    """A year of generated entries up to today, stored by the importer; nothing when the journal has any entry."""
    from .generator import generate
    from .importing import store

    if JournalEntry.objects.exists():
        return 0
    now = timezone.now()
    end = today or timezone.localdate(now, NORWAY)
    units = list(Unit.objects.filter(municipality=municipality).order_by("pk").values_list("slug", flat=True))
    records = generate(count=count, start=end - dt.timedelta(days=365), end=end, seed=SEED, units=units)
    # An entry of today is published at a time of day that may still be to come.
    report = store(
        replace(record, published_at=min(record.published_at, now)) if record.published_at else record
        for record in records
    )
    if report.rejected:
        raise RuntimeError(f"The demo journal was rejected: {report.errors[:3]}")
    return report.created


# --- Access requests ----------------------------------------------------------------------------------------------


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), NORWAY)


def _working_days_back(today: dt.date, days: int) -> dt.date:
    day = today
    while days:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def _pdf(title: str) -> ContentFile:
    """A small PDF made on the spot, marked as demo."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=_demo(title), author="Asker kommune (demo)")
    document.build(
        [
            Paragraph(_demo(title), styles["Title"]),
            Spacer(1, 12),
            Paragraph(
                "Demodokument: innholdet er oppdiktet og laget for å vise hvordan et svar på et innsynskrav ser ut "
                "i Tinget.",
                styles["Normal"],
            ),
        ]
    )
    upload = ContentFile(buffer.getvalue(), name="dokument-demo.pdf")
    upload.content_type = "application/pdf"
    return upload


class _Requests:
    def __init__(self, municipality, now: dt.datetime):
        self.municipality = municipality
        self.now = now
        self.today = timezone.localdate(now, NORWAY)
        self.rng = random.Random(SEED)  # noqa: S311  (repeatable demo data, not security)
        self.units = {u.slug: u for u in Unit.objects.filter(municipality=municipality)}
        User = get_user_model()
        self.admin = User.objects.get(email=ADMIN_EMAIL)
        self.case_worker = User.objects.get(email=CASE_WORKER_EMAIL)
        self.resident = User.objects.get(email=RESIDENT_EMAIL)
        if "plan-og-bygning" in self.units:
            self.case_worker.units.add(self.units["plan-og-bygning"])
        self.used: set[int] = set()

    def entries(self, unit: str, before: dt.date, count: int = 1, *, screened: bool = False) -> list[JournalEntry]:
        """Public entries of a unit journaled before a day, newest first, none used twice."""
        qs = JournalEntry.objects.public().filter(journal_date__lt=before).exclude(pk__in=self.used)
        if unit in self.units:
            qs = qs.filter(unit=self.units[unit])
        qs = qs.exclude(restriction_code="") if screened else qs.filter(restriction_code="")
        found = list(qs.order_by("-journal_date", "pk")[: count * 5])
        chosen = self.rng.sample(found, min(count, len(found)))
        self.used.update(e.pk for e in chosen)
        return chosen

    def send(self, entries, *, email, when, message="", user=None, period=None):
        period_from, period_to = period or (None, None)
        access_request = services.request_create(
            user=user,
            email=email,
            entry_ids=[e.pk for e in entries],
            message=_demo(message) if message else "",
            period_from=period_from,
            period_to=period_to,
            period_unit=self.units.get("dokumentsenteret"),
            now=when,
        )
        if access_request.sent_at is None:
            access_request = services.request_verify(token=services.verification_token(access_request), now=when)
        return access_request

    def answer(self, access_request, decision, when, *, unit=None, actor=None, with_file=False, text=""):
        parts = access_request.parts.select_related("unit", "request")
        part = parts.get(unit__slug=unit) if unit else parts.get()
        item_decisions = None
        if decision == "partly_granted":
            items = list(part.items.all())
            item_decisions = {item.pk: "granted" if n % 2 == 0 else "refused" for n, item in enumerate(items)}
        refusing = decision != "granted"
        return services.part_answer(
            actor=actor or self.admin,
            part=part,
            decision=decision,
            answer=_demo(text or ("Her er dokumentene du ba om." if not refusing else "Dokumentet er unntatt.")),
            legal_basis=LEGAL_BASIS if refusing else "",
            appeal_information=APPEAL_TEXT if refusing else "",
            link="" if with_file or access_request.is_period else LINK,
            files=[_pdf(f"Svar på innsynskrav {access_request.pk}")] if with_file else [],
            item_decisions=item_decisions,
            now=when,
        )

    # The named requests -------------------------------------------------------------------------------------------

    def resident_waiting(self):
        when = self.now - dt.timedelta(hours=1)
        entries = self.entries("plan-og-bygning", self.today, 2) + self.entries("oppvekst", self.today, 1)
        return self.send(
            entries,
            email=RESIDENT_EMAIL,
            user=self.resident,
            when=when,
            message="Jeg vil gjerne se søknaden og tegningene for naboeiendommen.",
        )

    def resident_appealed(self):
        sent = _working_days_back(self.today, 6)
        entries = self.entries("plan-og-bygning", sent, 1, screened=True) or self.entries("plan-og-bygning", sent, 1)
        access_request = self.send(entries, email=RESIDENT_EMAIL, user=self.resident, when=_at(sent, 9, 12))
        refused_on = add_working_days(sent, 2)
        self.answer(access_request, "refused", _at(refused_on, 13, 40), actor=self.case_worker)
        part = access_request.parts.get()
        services.part_appeal(
            access_request=access_request,
            part=part,
            message=_demo("Jeg mener dokumentet kan gis ut med personopplysningene sladdet (offentleglova § 12)."),
            now=_at(add_working_days(refused_on, 1), 20, 5),
        )
        return access_request

    def journalist_granted(self):
        sent = _working_days_back(self.today, 12)
        entries = self.entries("okonomi", sent, 2)
        access_request = self.send(
            entries, email=JOURNALIST_EMAIL, when=_at(sent, 8, 30), message="Til en sak om budsjettet."
        )
        self.answer(access_request, "granted", _at(add_working_days(sent, 1), 11, 15), with_file=True)
        return access_request

    def journalist_overdue(self):
        sent = _working_days_back(self.today, 8)
        entries = self.entries("vei-og-park", sent, 1)
        access_request = self.send(entries, email=JOURNALIST_EMAIL, when=_at(sent, 10), message="Haster litt.")
        # The hourly sweep at the time: the unit reminded after 1 and 3 working days, the journalist told of § 32.
        part = access_request.parts.get()
        for when in (
            _at(add_working_days(sent, 1), 10, 17),
            _at(add_working_days(sent, 3), 10, 17),
            _at(part.deadline + dt.timedelta(days=1), 0, 17),
        ):
            services.sweep(now=when)
        return access_request

    def journalist_period(self):
        sent = _working_days_back(self.today, 20)
        monday = sent - dt.timedelta(days=sent.weekday() + 7)
        access_request = self.send(
            [],
            email=JOURNALIST_EMAIL,
            when=_at(sent, 14),
            period=(monday, monday + dt.timedelta(days=4)),
            message="Postlisten for hele uka.",
        )
        self.answer(
            access_request,
            "granted",
            _at(add_working_days(sent, 2), 9, 30),
            text="Postlisten for uka er lagt ved som lenke.",
        )
        return access_request

    # The year's background, for the statistics ----------------------------------------------------------------------

    def background(self, count: int) -> int:
        rng = self.rng
        days_to_answer = [0] * 25 + [1] * 30 + [2] * 15 + [3] * 12 + [4] * 8 + [5] * 5 + [6, 7, 8] * 2
        units = [
            slug for slug in ("plan-og-bygning", "oppvekst", "okonomi", "vei-og-park", "eiendom") if slug in self.units
        ]
        made = 0
        for n in range(count):
            sent = _working_days_back(self.today, 15 + (n * 230) // max(count, 1) + rng.randint(0, 4))
            first, second = rng.sample(units, 2) if len(units) > 1 else (units[0], None)
            entries = self.entries(first, sent, rng.choice((1, 1, 2)))
            if second and rng.random() < 0.3:
                entries += self.entries(second, sent, 1)
            if not entries:
                continue
            email = REQUESTER_EMAIL.format(n=1 + n % 12)
            access_request = self.send(entries, email=email, when=_at(sent, rng.randint(7, 21), rng.randrange(0, 60)))
            for part in access_request.parts.select_related("unit").prefetch_related("items"):
                roll = rng.random()
                decision = "granted"
                if len(part.items.all()) > 1 and roll < 0.3:
                    decision = "partly_granted"
                elif roll < 0.12:
                    decision = "refused"
                when = _at(add_working_days(sent, rng.choice(days_to_answer)), rng.randint(8, 15), rng.randrange(60))
                self.answer(access_request, decision, max(when, access_request.sent_at), unit=part.unit.slug)
            made += 1
        return made


def load_requests(municipality) -> int:
    """The named requests and the year's background; nothing when a demo address has a request already."""
    if AccessRequest.objects.filter(email__in=DEMO_EMAILS).exists() or not JournalEntry.objects.exists():
        return 0
    from tinget.accounts.demo import load_demo_users

    User = get_user_model()
    if User.objects.filter(email__in=[RESIDENT_EMAIL, CASE_WORKER_EMAIL, ADMIN_EMAIL]).count() != 3:
        load_demo_users()
    loader = _Requests(municipality, timezone.now())
    made = [
        loader.journalist_period(),
        loader.journalist_granted(),
        loader.journalist_overdue(),
        loader.resident_appealed(),
        loader.resident_waiting(),
    ]
    count = len(made) + loader.background(BACKGROUND_REQUESTS)
    # Made now, but sent in the past: the request was created when it was sent; an answer's files when it was given.
    for access_request in AccessRequest.objects.filter(email__in=DEMO_EMAILS, sent_at__isnull=False):
        AccessRequest.objects.filter(pk=access_request.pk).update(created_at=access_request.sent_at)
    for part in AccessRequestPart.objects.filter(request__email__in=DEMO_EMAILS, answered_at__isnull=False):
        AnswerFile.objects.filter(part=part).update(created_at=part.answered_at)
    return count
