"""Signing in and out. The single sign-on URLs always exist; they answer 404 while it is off."""

from __future__ import annotations

from django.urls import path

from safeplan.web.accounts import oidc, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/sso/", oidc.sso, name="sso"),
    path("sign-in/sso/callback/", oidc.sso_callback, name="sso-callback"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("signed-out/", views.signed_out, name="signed-out"),
]
