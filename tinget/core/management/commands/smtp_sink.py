import logging
import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Run a local SMTP server that prints every e-mail it receives instead of sending it (development). "
        "Point Tinget at it with EMAIL_URL=smtp://127.0.0.1:1025."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=1025)

    def handle(self, *args, host, port, **options):
        try:
            from tinget.core.smtp_sink import SmtpSink
        except ImportError as exc:
            raise CommandError("aiosmtpd is not installed: pip install -e '.[dev]'") from exc

        def show(received):
            message = received.message
            self.stdout.write(
                self.style.MIGRATE_HEADING(f"--- {message['Subject']} → {', '.join(received.recipients)}")
            )
            body = message.get_body(preferencelist=("plain",))
            self.stdout.write(body.get_content() if body is not None else received.data.decode(errors="replace"))

        # aiosmtpd logs every SMTP command at INFO; the messages themselves are what matters here.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        sink = SmtpSink(host=host, port=port, on_message=show).start()
        self.stdout.write(f"SMTP sink listening on {host}:{port}; Ctrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            sink.stop()
