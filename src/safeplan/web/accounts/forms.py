"""The sign-in form, and the forms of the People pages, links and two-step sign-in."""

from __future__ import annotations

from typing import Any

from django import forms


class SignInForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        strip=True,
        error_messages={"required": "Enter your username"},
    )
    password = forms.CharField(
        max_length=1024,  # Argon2 takes any length; this bounds the work per request
        strip=False,
        error_messages={"required": "Enter your password"},
    )


def errors_of(form: forms.Form) -> list[dict[str, str]]:
    """The form's problems as the GOV.UK error summary lists them, in the form's field order."""
    order = [*form.fields, "__all__"]
    found: list[dict[str, str]] = []
    for name in sorted(form.errors, key=lambda n: order.index(n) if n in order else len(order)):
        href = f"#{name}" if name in form.fields else f"#{next(iter(form.fields))}"
        found.extend({"text": str(message), "href": href} for message in form.errors[name])
    return found


class PersonForm(forms.Form):
    """A person as an administrator sets them up: who, how to reach them, agency and role."""

    username = forms.RegexField(
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        error_messages={
            "required": "Enter a username",
            "invalid": "A username can have only letters, numbers and the characters . @ + - _",
        },
    )
    first_name = forms.CharField(
        max_length=150, error_messages={"required": "Enter their first name"}
    )
    last_name = forms.CharField(
        max_length=150, error_messages={"required": "Enter their last name"}
    )
    email = forms.EmailField(
        max_length=254,
        error_messages={
            "required": "Enter their e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.org",
        },
    )
    agency: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,
        error_messages={
            "required": "Select their agency",
            "invalid_choice": "Select their agency from the list",
        },
    )
    role = forms.ChoiceField(
        choices=(),
        error_messages={"required": "Select their role", "invalid_choice": "Select their role"},
    )

    def __init__(self, *args: Any, person: Any = None, **kwargs: Any) -> None:
        from safeplan.web.accounts.models import Agency, Role

        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["agency"].queryset = Agency.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["role"].choices = Role.choices  # type: ignore[attr-defined]
        if person is not None:  # a username never changes: the audit trail names people by it
            del self.fields["username"]

    def clean_username(self) -> str:
        from safeplan.web.accounts.models import User

        name = str(self.cleaned_data["username"])
        if User.objects.filter(username__iexact=name).exists():
            raise forms.ValidationError("Someone already has that username: choose another")
        return name

    def clean_email(self) -> str:
        from safeplan.web.accounts import people

        address = str(self.cleaned_data["email"]).strip()
        if people.email_taken(address, self.person):
            raise forms.ValidationError(people.EMAIL_TAKEN)
        return address


class EmailForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        error_messages={
            "required": "Enter your e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.org",
        },
    )


class CodeForm(forms.Form):
    """A code from an authenticator app (6 digits) or a recovery code."""

    code = forms.CharField(max_length=32, strip=True, error_messages={"required": "Enter the code"})

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).replace(" ", "").replace("-", "").lower()
