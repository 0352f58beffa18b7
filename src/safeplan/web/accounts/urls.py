"""Signing in and out, the second step, e-mailed password links, and the People pages. The
single sign-on URLs always exist; they answer 404 while it is off."""

from __future__ import annotations

from django.urls import path

from safeplan.web.accounts import oidc, password_views, people_views, twostep_views, views

app_name = "accounts"
LINK = "<str:uidb64>/<str:token>/"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/two-step/", twostep_views.two_step, name="two-step"),
    path("sign-in/two-step/set-up/", twostep_views.set_up, name="two-step-set-up"),
    path("sign-in/sso/", oidc.sso, name="sso"),
    path("sign-in/sso/callback/", oidc.sso_callback, name="sso-callback"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("signed-out/", views.signed_out, name="signed-out"),
    path("password-reset/", password_views.reset, name="password-reset"),
    path("password-reset/sent/", password_views.reset_sent, name="password-reset-sent"),
    path(f"password-reset/{LINK}", password_views.reset_link, name="password-reset-link"),
    path(f"invitation/{LINK}", password_views.invitation, name="invitation"),
    path("password-set/", password_views.password_done, name="password-done"),
    path("people/", people_views.people_list, name="people"),
    path("people/add/", people_views.person_add, name="person-add"),
    path("people/<int:pk>/", people_views.person, name="person"),
    path("people/<int:pk>/invite/", people_views.person_invite, name="person-invite"),
    path("people/<int:pk>/deactivate/", people_views.person_deactivate, name="person-deactivate"),
]
