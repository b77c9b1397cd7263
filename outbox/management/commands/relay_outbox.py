"""Publish pending outbox intents from the database, independent of Celery beat: once, or in a loop
(docker-compose runs it as the `relay` service)."""

import time

from django.core.management.base import BaseCommand

from outbox import relay


class Command(BaseCommand):
    help = "Publish pending outbox intents (and re-queue stuck documents) once, or every --interval seconds."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running")
        parser.add_argument("--interval", type=float, default=10.0)

    def handle(self, *args, loop=False, interval=10.0, **options):
        while True:
            result = relay.sweep()
            if result["due"] or result["repaired"] or not loop:
                self.stdout.write(f"due {result['due']}, published {result['published']}, "
                                  f"repaired {result['repaired']}")
            if not loop:
                return
            time.sleep(interval)
