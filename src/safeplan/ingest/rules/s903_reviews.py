"""SSDA903 rules whose findings are on the Reviews file (beyond 166 and 167, which are with
the first 903 rules in ``ssda903``). See ``s903_cohorts`` for the sources."""

from __future__ import annotations

from safeplan.ingest.rules.base import Rule
from safeplan.ingest.rules.s903_cohorts import EPISODES, any_given, code, rule

RULES: tuple[Rule, ...] = (
    rule(
        "399",
        "s903_reviews",
        "REVIEW",
        "Mother field, review field or participation field are completed but child is looked "
        "after under legal status V3 or V4.",
        "SELECT r._seq FROM s903_reviews AS r WHERE "
        + any_given("r.review", "r.review_code")
        + " AND r.child IN (SELECT child FROM s903_episodes WHERE child IS NOT NULL "
        f"GROUP BY child HAVING bool_and(coalesce({code('ls')} IN ('V3', 'V4'), false)))",
        requires=(EPISODES,),
        note="the Reviews part of the rule (MOTHER on the Header is a Header rule); as in "
        "the validator, only a child all of whose episodes are short breaks",
    ),
    rule(
        "440",
        "s903_reviews",
        "REVIEW_CODE",
        "Participation method indicates child was under 4 years old at the time of the review, "
        "but date of birth and review date indicates the child was 4 years old or over.",
        f"SELECT _seq FROM s903_reviews WHERE {code('review_code')} = 'PN0' "
        "AND review >= dob + INTERVAL 4 YEAR",
        note="a review on the 4th birthday is at 4 years old (the validator's test is 'after' "
        "the birthday, so it passes one on the day)",
    ),
    rule(
        "441",
        "s903_reviews",
        "REVIEW_CODE",
        "Participation method indicates child was 4 years old or over at the time of the "
        "review, but the date of birth and review date indicates the child was under 4 years "
        "old.",
        f"SELECT _seq FROM s903_reviews WHERE {code('review_code')} IN "
        "('PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6', 'PN7') AND review < dob + INTERVAL 4 YEAR",
    ),
)
