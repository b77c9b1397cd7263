"""Mail in development: each message is written to a file under EMAIL_FILE_PATH (var/mail/) and
announced in one line on stderr, instead of the console backend's full MIME text (the demo seed
alone sends about forty messages)."""

import sys

from django.core.mail.backends.filebased import EmailBackend


class DevelopmentEmailBackend(EmailBackend):
    def write_message(self, message):
        super().write_message(message)
        recipients = ", ".join(message.recipients())
        sys.stderr.write(f"mail → {recipients}: {message.subject} (saved in {self._fname})\n")
