"""SafePlan: a children's safeguarding partnership's plan on a page, made live."""

__version__ = "0.1.0"
