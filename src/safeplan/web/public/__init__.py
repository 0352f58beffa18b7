"""The public plan on a page: no sign-in, only suppressed aggregate figures."""
