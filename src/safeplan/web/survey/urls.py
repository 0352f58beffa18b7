"""The children's survey: partners' pages under /survey/, and each setting's public link
/survey/s/<token>/."""

from __future__ import annotations

from django.urls import path

from safeplan.web.survey import views

app_name = "survey"
urlpatterns = [
    path("survey/settings/", views.settings_list, name="settings"),
    path("survey/settings/<int:pk>/", views.setting_detail, name="setting"),
    path("survey/questions/<slug:plan_id>/", views.questions, name="questions"),
    path("survey/results/", views.results, name="results"),
    path("survey/s/<slug:token>/", views.take, name="take"),
    path("survey/s/<slug:token>/thanks/", views.thanks, name="thanks"),
]
