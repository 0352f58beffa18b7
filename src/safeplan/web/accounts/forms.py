"""The sign-in form."""

from __future__ import annotations

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
