"""The SafePlan web app: a Django project with Jinja2 templates and GOV.UK Frontend.

Apps: ``public`` (the plan on a page, no sign-in). Accounts, the partner dashboard and the
audit trail are added as apps beside it, sharing ``templates/base.html``.
"""
