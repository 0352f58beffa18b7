"""Accounts: agencies, users with one role each, sign-in and sign-out, login rate limiting,
and the one access-control mechanism every page declares itself through (``access.py``)."""
