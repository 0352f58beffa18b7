"""What the survey asks: the default questions (the four from the issue, until an
administrator changes a plan's), the answer scale, and the age question.

Why ages in three bands: the survey keeps only what the measures break down by, and those
are the engine's age bands (``measures.data.AGE_BANDS``), so a child is asked no more than
is kept.
"""

from __future__ import annotations

from safeplan.measures.data import AGE_BANDS

ANSWERS = (("yes", "Yes"), ("not_sure", "Not sure"), ("no", "No"))
ANSWER_NAMES = dict(ANSWERS)
MEASURE_QUESTION = "confident_to_contact_adult"  # read by children_confident_to_report
DEFAULT_QUESTIONS = (
    ("feel_safe", "Do you feel safe here?"),
    ("know_who_to_tell", "If something worried you, would you know who to tell?"),
    (
        MEASURE_QUESTION,
        "If you were worried about being safe, would you feel OK talking to an adult you trust?",
    ),
    ("feel_listened_to", "When you talk to adults here, do you feel they listen to you?"),
)
NOT_KNOWN = "Not known"  # as the engine names an unknown age band
# (form value, what the child sees, the age band kept in the store)
AGES = (
    ("9_or_under", "9 or younger", AGE_BANDS[3]),
    ("10_to_15", "10 to 15", AGE_BANDS[4]),
    ("16_or_over", "16 or older", AGE_BANDS[5]),
    ("not_say", "I would rather not say", NOT_KNOWN),
)
AGE_BAND_OF = {value: band for value, _, band in AGES}
MAX_TEXT = 200
