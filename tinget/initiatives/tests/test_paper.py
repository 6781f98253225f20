"""Paper signatures: the parser for typed-in lines and CSV files, and the page that checks a batch, shows the
duplicates and registers it."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from tinget.accounts import oidc
from tinget.accounts.tests.pagecheck import assert_page_is_sound
from tinget.core.models import AuditEntry
from tinget.initiatives import services
from tinget.initiatives.models import Initiative, PaperBatch, PaperSignature, State
from tinget.initiatives.staff_forms import MAX_LINES, parse_birth_date, parse_signature_lines, split_lines

from .conftest import BJORN, idporten_client
from .test_handling import en, page

TODAY = date(2025, 6, 1)
BJORN_BORN = oidc.birth_date(BJORN[0])


# --- The parser ------------------------------------------------------------------------------------------------
class TestParser:
    def test_lines_are_read(self):
        lines, errors = parse_signature_lines(
            "Kari Nordmann; 17.05.1980; Storgata 1, 1384 Asker\n\n  Ola Nordmann ;1.2.1975; Vollen 3\n", today=TODAY
        )
        assert errors == []
        assert [(line.number, line.name, line.birth_date, line.address) for line in lines] == [
            (1, "Kari Nordmann", date(1980, 5, 17), "Storgata 1, 1384 Asker"),
            (3, "Ola Nordmann", date(1975, 2, 1), "Vollen 3"),
        ]

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            ("Kari; 31.02.1990; Storgata 1", "does not exist"),
            ("Kari; 29.02.2023; Storgata 1", "does not exist"),
            ("Kari; 01.01.2030; Storgata 1", "in the future"),
            ("Kari; 01.01.1850; Storgata 1", "not possible"),
            ("Kari; 1990-01-01; Storgata 1", "dd.mm.yyyy"),
            ("Kari; 01.01.90; Storgata 1", "four digits"),
            ("Kari; ; Storgata 1", "missing"),
            ("; 01.01.1990; Storgata 1", "name is missing"),
            ("Kari; 01.01.1990;  ", "address is missing"),
            ("Kari; 01.01.1990", "separated by semicolons"),
            ("Kari Nordmann 01.01.1990 Storgata 1", "separated by semicolons"),
            ("x" * 301 + "; 01.01.1990; Storgata 1", "longer than 300"),
            ("Kari; 01.01.1990; " + "x" * 301, "longer than 300"),
            ("Kari\x00; 01.01.1990; Storgata 1", "not text"),
        ],
    )
    def test_a_bad_line_is_named_with_what_is_wrong(self, line, message):
        with translation.override("en"):  # the messages are read in English; nb is the default language
            lines, errors = parse_signature_lines(f"Ola; 01.01.1980; Vollen 3\n{line}", today=TODAY)
        assert len(lines) == 1
        assert len(errors) == 1 and errors[0][0] == 2 and message in errors[0][1], errors

    def test_a_heading_line_is_skipped_and_an_address_may_hold_the_separator(self):
        lines, errors = parse_signature_lines(
            "Navn;Fødselsdato;Adresse\nKari; 17.05.1980; Storgata 1; 2. etasje", today=TODAY
        )
        assert errors == []
        assert lines[0].address == "Storgata 1; 2. etasje" and lines[0].number == 2

    def test_a_comma_separated_file_with_quotes(self):
        lines, errors = parse_signature_lines(
            'name,born,address\n"Nordmann, Kari",17.05.1980,"Storgata 1, 1384 Asker"', today=TODAY
        )
        assert errors == []
        assert (lines[0].name, lines[0].address) == ("Nordmann, Kari", "Storgata 1, 1384 Asker")

    def test_a_birth_date_parses_only_real_dates(self):
        assert parse_birth_date("9.1.2001", TODAY) == date(2001, 1, 9)
        assert parse_birth_date("09/01/2001", TODAY) == date(2001, 1, 9)
        with pytest.raises(ValueError):
            parse_birth_date("00.01.2001", TODAY)
        with pytest.raises(ValueError):
            parse_birth_date("01.13.2001", TODAY)

    @settings(max_examples=200, deadline=None)
    @given(st.text(max_size=400))
    def test_whatever_is_typed_comes_back_as_lines_or_errors(self, text):
        lines, errors = parse_signature_lines(text, today=TODAY)
        numbers = [line.number for line in lines] + [number for number, _message in errors]
        assert len(numbers) == len(set(numbers))
        assert all(line.name and line.address and line.birth_date <= TODAY for line in lines)
        assert len(numbers) <= len(split_lines(text))

    @settings(max_examples=100, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.text(
                    alphabet=st.characters(blacklist_characters=';\r\n\x00"', min_codepoint=32),
                    min_size=1,
                    max_size=100,
                )
                .map(str.strip)
                .filter(bool),
                st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
                st.text(
                    alphabet=st.characters(blacklist_characters=';\r\n\x00"', min_codepoint=32),
                    min_size=1,
                    max_size=100,
                )
                .map(str.strip)
                .filter(bool),
            ),
            min_size=1,
            max_size=20,
        )
    )
    def test_well_formed_lines_round_trip(self, rows):
        text = "\n".join(f"{name}; {born:%d.%m.%Y}; {address}" for name, born, address in rows)
        lines, errors = parse_signature_lines("Kari; 01.01.1980; Vollen\n" + text, today=TODAY)
        assert errors == []
        assert [(line.name, line.birth_date, line.address) for line in lines[1:]] == rows


# --- The page --------------------------------------------------------------------------------------------------
@pytest.fixture
def open_initiative(collecting):
    Initiative.objects.filter(pk=collecting.pk).update(required_signatures=300)
    collecting.refresh_from_db()
    return collecting


def batch_data(text, **changes):
    return {"received_on": timezone.localdate().isoformat(), "note": "Stand på torget", "text": text, **changes}


def confirm_data(response):
    """The confirmation form of a preview, as the browser would send it."""
    preview = response.context["preview"]
    return {
        "received_on": preview["received_on"].isoformat(),
        "note": preview["note"],
        "token": preview["token"],
        "confirm": "1",
        "text": preview["text"],
    }


class TestPaperPage:
    def test_the_form_opens(self, handler, open_initiative):
        response = handler.get(en("paper", pk=open_initiative.pk))
        assert "One signature a line" in page(response)
        assert_page_is_sound(response, "en")

    def test_check_shows_duplicates_then_confirm_registers(self, handler, open_initiative, signer, case_worker):
        services.sign(actor=signer, initiative_id=open_initiative.pk)
        services.register_paper_batch(
            actor=case_worker,
            initiative=open_initiative,
            received_on=timezone.localdate(),
            rows=[("Per Papir", date(1970, 3, 3), "Vollen 1")],
        )
        name = f"{BJORN[1]} {BJORN[2]}"
        text = "\n".join(
            [
                "Kari Nordmann; 17.05.1980; Storgata 1",
                "kari  nordmann; 17.05.1980; Storgata 1",  # the same person again in this batch
                "Per Papir; 03.03.1970; Vollen 1",  # already on paper
                f"{name}; {BJORN_BORN:%d.%m.%Y}; Borgen 2",  # already online
                "Ola Nordmann; 01.02.1975; Vollen 3",
            ]
        )

        response = handler.post(en("paper", pk=open_initiative.pk), batch_data(text))

        assert response.status_code == 200
        html = page(response)
        assert "Same person twice in the batch" in html
        assert "Already signed on paper" in html
        assert "Already signed online" in html
        assert "2 will be counted" in html
        assert PaperBatch.objects.filter(initiative=open_initiative).count() == 1  # nothing saved yet
        assert_page_is_sound(response, "en")

        response = handler.post(en("paper", pk=open_initiative.pk), confirm_data(response))

        assert response.status_code == 302 and response.url == en("paper", pk=open_initiative.pk)
        batch = PaperBatch.objects.filter(initiative=open_initiative).latest("pk")
        assert batch.signatures.count() == 5
        assert batch.signatures.filter(status=PaperSignature.Status.COUNTED).count() == 2
        initiative = Initiative.objects.get(pk=open_initiative.pk)
        assert (initiative.online_count, initiative.paper_count) == (1, 3)
        html = page(handler.get(response.url))
        assert "is registered: 5 signatures, 2 counted" in html
        assert AuditEntry.objects.filter(action="initiatives.paper_batch.registered").count() == 2

    def test_a_confirmation_sent_twice_registers_once(self, handler, open_initiative):
        response = handler.post(en("paper", pk=open_initiative.pk), batch_data("Kari; 17.05.1980; Storgata 1"))
        data = confirm_data(response)
        assert handler.post(en("paper", pk=open_initiative.pk), data).status_code == 302

        response = handler.post(en("paper", pk=open_initiative.pk), data)

        assert response.status_code == 409
        assert "Nothing was saved" in page(response)
        assert "Already signed on paper" in page(response)  # checked again against the batch just made
        assert PaperBatch.objects.filter(initiative=open_initiative).count() == 1

    def test_a_forged_or_altered_confirmation_is_checked_again(self, handler, open_initiative):
        response = handler.post(en("paper", pk=open_initiative.pk), batch_data("Kari; 17.05.1980; Storgata 1"))
        for changes in ({"token": "forged"}, {"text": "Mallory; 01.01.1990; Et sted"}, {"received_on": "2020-01-01"}):
            data = {**confirm_data(response), **changes}
            assert handler.post(en("paper", pk=open_initiative.pk), data).status_code == 409
        assert not PaperBatch.objects.filter(initiative=open_initiative).exists()

    def test_an_impossible_birth_date_names_the_line_and_saves_nothing(self, handler, open_initiative):
        text = "Kari; 17.05.1980; Storgata 1\nOla; 31.02.1990; Vollen 3\nPer; 01.01.2999; Vollen 4"
        response = handler.post(en("paper", pk=open_initiative.pk), batch_data(text))
        assert response.status_code == 400
        html = page(response)
        assert "Line 2: the date 31.02.1990 does not exist" in html
        assert "Line 3: the date of birth 01.01.2999 is in the future" in html
        assert "2 of the lines could not be read" in html
        assert "Ola; 31.02.1990; Vollen 3" in html  # what was typed is kept
        assert not PaperBatch.objects.exists()

    def test_many_bad_lines_are_summed_up(self, handler, open_initiative):
        text = "\n".join(f"Person {n}; 31.02.1990; Vei {n}" for n in range(80))
        response = handler.post(en("paper", pk=open_initiative.pk), batch_data(text))
        assert response.status_code == 400
        assert "and 30 more lines with errors" in page(response)

    def test_too_many_lines_are_refused(self, handler, open_initiative):
        text = "\n".join(f"Person {n}; 01.01.1980; Vei {n}" for n in range(MAX_LINES + 2))
        response = handler.post(en("paper", pk=open_initiative.pk), batch_data(text))
        assert response.status_code == 400
        assert f"at most {MAX_LINES}" in page(response)
        assert not PaperBatch.objects.exists()

    def test_empty_and_oversized_input(self, handler, open_initiative):
        for data in (
            batch_data("   \n  "),
            batch_data("Kari; 17.05.1980; Storgata 1", received_on=""),
            batch_data("Kari; 17.05.1980; Storgata 1", received_on="31.02.2025"),
            batch_data("Kari; 17.05.1980; Storgata 1", received_on=(timezone.localdate() + timedelta(days=2))),
            batch_data("Kari; 17.05.1980; Storgata 1", note="x" * 301),
            batch_data("x" * 900_000),
        ):
            assert handler.post(en("paper", pk=open_initiative.pk), data).status_code == 400
        assert not PaperBatch.objects.exists()

    def test_a_csv_file_in_utf8_with_a_heading(self, handler, open_initiative):
        content = "\ufeffNavn;Fødselsdato;Adresse\nÅse Ødegård;17.05.1980;Storgata 1\n".encode()
        upload = SimpleUploadedFile("liste.csv", content, content_type="text/csv")
        response = handler.post(en("paper", pk=open_initiative.pk), batch_data("", file=upload))
        assert response.status_code == 200
        assert "Åse Ødegård" in page(response) and "1 will be counted" in page(response)
        assert handler.post(en("paper", pk=open_initiative.pk), confirm_data(response)).status_code == 302
        assert PaperSignature.objects.get().name == "Åse Ødegård"

    def test_a_csv_file_in_the_wrong_encoding_is_refused(self, handler, open_initiative):
        content = "Åse Ødegård;17.05.1980;Storgata 1\n".encode("latin-1")
        upload = SimpleUploadedFile("liste.csv", content, content_type="text/csv")
        response = handler.post(en("paper", pk=open_initiative.pk), batch_data("", file=upload))
        assert response.status_code == 400
        assert "not in UTF-8" in page(response)
        assert not PaperBatch.objects.exists()

    def test_a_binary_or_huge_file_is_refused(self, handler, open_initiative):
        for content in (b"\x89PNG\r\n\x1a\n\x00\x00", b"a;01.01.1980;b\n" * 80_000):
            upload = SimpleUploadedFile("liste.csv", content, content_type="text/csv")
            response = handler.post(en("paper", pk=open_initiative.pk), batch_data("", file=upload))
            assert response.status_code == 400
        assert not PaperBatch.objects.exists()

    def test_a_file_with_too_many_lines_is_refused(self, handler, open_initiative):
        content = "".join(f"P{n};01.01.1980;Vei {n}\n" for n in range(MAX_LINES + 2)).encode()
        upload = SimpleUploadedFile("liste.csv", content, content_type="text/csv")
        response = handler.post(en("paper", pk=open_initiative.pk), batch_data("", file=upload))
        assert response.status_code == 400 and f"at most {MAX_LINES}" in page(response)

    def test_text_and_file_together_are_refused(self, handler, open_initiative):
        upload = SimpleUploadedFile("liste.csv", b"Kari;17.05.1980;Storgata 1\n", content_type="text/csv")
        response = handler.post(en("paper", pk=open_initiative.pk), batch_data("Ola; 01.01.1980; Vei", file=upload))
        assert response.status_code == 400 and "not both" in page(response)

    def test_not_after_the_hand_over(self, handler, open_initiative, case_worker):
        Initiative.objects.filter(pk=open_initiative.pk).update(state=State.HANDED_OVER)
        response = handler.get(en("paper", pk=open_initiative.pk))
        assert "until the hand-over" in page(response)
        response = handler.post(en("paper", pk=open_initiative.pk), batch_data("Kari; 17.05.1980; Storgata 1"))
        assert response.status_code == 409
        assert not PaperBatch.objects.exists()

    def test_residents_and_reviewers_cannot_register(self, open_initiative, promoter, moderator_client):
        data = batch_data("Kari; 17.05.1980; Storgata 1")
        assert idporten_client(promoter).post(en("paper", pk=open_initiative.pk), data).status_code == 403
        assert moderator_client.post(en("paper", pk=open_initiative.pk), data).status_code == 403
        assert not PaperBatch.objects.exists()

    def test_batches_are_listed_with_their_numbers(self, handler, open_initiative, case_worker):
        services.register_paper_batch(
            actor=case_worker,
            initiative=open_initiative,
            received_on=timezone.localdate(),
            rows=[
                ("Kari", date(1980, 1, 1), "Vei 1"),
                ("kari", date(1980, 1, 1), "Vei 1"),
                ("Ola", date(1981, 1, 1), "V"),
            ],
            note="Fra biblioteket",
        )
        html = page(handler.get(en("paper", pk=open_initiative.pk)))
        assert "Fra biblioteket" in html
        assert "<td>3</td>" in html and "<td>2</td>" in html and "<td>1</td>" in html
        html = page(handler.get(en("staff_detail", pk=open_initiative.pk)))
        assert "Fra biblioteket" in html
