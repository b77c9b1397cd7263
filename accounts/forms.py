"""The login form: Django's, with the username's length checked at the field."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    """Django's AuthenticationForm sets max_length on the username after the field is built, so no
    validator enforces it: a username of thousands of characters reached authenticate(), and
    django-axes then failed to store it in its 255-character column (a 500). Now it is refused at
    the field with the usual "最多 150 个字符" message."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
