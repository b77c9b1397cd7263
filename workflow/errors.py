"""The one error every service raises when it refuses a change.

Pages show `message` (and each of `field_errors` beside its input); the admin turns it into a
ValidationError; an API answers with the same texts. Subclasses only name where it came from.
"""


class Refused(Exception):
    def __init__(self, message, field_errors=None):
        super().__init__(message)
        self.message = str(message)
        self.field_errors = {name: str(text) for name, text in (field_errors or {}).items()}

    def __str__(self):
        return self.message
