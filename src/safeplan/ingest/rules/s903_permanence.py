"""SSDA903 rules whose findings are on the PrevPerm file (previous permanence option). See
``s903_cohorts`` for the sources."""

from __future__ import annotations

from safeplan.ingest.rules.base import Rule
from safeplan.ingest.rules.s903_cohorts import (
    EPISODES,
    W,
    any_given,
    code,
    code_rule,
    rule,
)

PREV_PERM = "s903_prev_perm"

# The DfE's local authority codes (the 152 English LAs, 999 'not known') and the codes for
# an order made outside England, as the 903 guide lists them for LA_PERM.
_LA_CODES = (
    "800 889 822 301 304 303 330 825 837 302 846 370 350 890 867 380 305 801 351 873 823 895 "
    "896 381 909 202 908 331 306 841 830 831 878 371 835 332 840 307 308 811 881 845 390 916 "
    "203 876 850 311 204 884 312 205 313 805 919 310 309 420 921 206 207 886 810 382 314 340 "
    "888 208 856 383 855 209 925 341 201 821 352 806 887 826 315 929 812 391 926 892 813 802 "
    "928 891 392 316 815 353 931 879 836 851 874 807 354 317 870 318 372 857 333 935 343 803 "
    "373 342 893 356 355 871 394 334 933 882 936 861 852 319 860 808 393 866 210 357 894 883 "
    "880 358 211 937 869 320 359 865 384 335 336 212 868 872 885 344 877 213 938 816 999"
)
LA_CODES = (*_LA_CODES.split(), "WAL", "SCO", "NUK", "NIR")

_FIRST_DECOM = (
    "SELECT child, min(decom) AS first_decom FROM s903_episodes "
    "WHERE child IS NOT NULL AND decom IS NOT NULL GROUP BY child"
)

RULES: tuple[Rule, ...] = (
    code_rule(
        "631",
        PREV_PERM,
        "PREV_PERM",
        "Previous permanence option not a valid value.",
        blank_ok=True,
        note="blank is left to the reader's required-field check, as the validator passes it",
    ),
    rule(
        "632",
        PREV_PERM,
        "DATE_PERM",
        "Date of previous permanence order not a valid value. NOTE: This rule may result in "
        "false negatives where the period of care started before the current collection year",
        f"WITH first AS ({_FIRST_DECOM}) SELECT p._seq FROM s903_prev_perm AS p "
        "JOIN first AS f ON f.child = p.child WHERE p.date_perm >= f.first_decom",
        severity=W,
        requires=(EPISODES,),
        note="the order must be before the child's first episode of the return; a DATE_PERM "
        "with ZZ for an unknown day or month is read as the latest date it can be, as the "
        "validator reads it, and one that is not a date is reported by the reader",
    ),
    code_rule(
        "633",
        PREV_PERM,
        "LA_PERM",
        "Local authority code where previous permanence option was arranged is not a valid value.",
        blank_ok=True,
        allowed=LA_CODES,
    ),
    rule(
        "634",
        PREV_PERM,
        "PREV_PERM",
        "There are entries for previous permanence options, but child has not started to be "
        "looked after from 1 April 2016 onwards.",
        "SELECT p._seq FROM s903_prev_perm AS p WHERE "
        + any_given("p.prev_perm", "p.la_perm", "p.date_perm")
        + " AND p.child IN (SELECT child FROM s903_episodes WHERE child IS NOT NULL "
        "GROUP BY child HAVING max(decom) < DATE '2016-04-01')",
        requires=(EPISODES,),
        note="the DfE rule's date, 1 April 2016; the validator compares with the start of "
        "the collection year, so it flags every child whose last episode began before this "
        "year",
    ),
    rule(
        "635",
        PREV_PERM,
        "PREV_PERM",
        "There are entries for date of order and local authority code where previous "
        "permanence option was arranged but previous permanence code is Z1",
        "SELECT _seq FROM s903_prev_perm WHERE "
        + any_given("la_perm", "date_perm")
        + f" AND coalesce({code('prev_perm')}, 'Z1') = 'Z1'",
        note="the DfE's rule (Z1) and the validator's (PREV_PERM blank) both",
    ),
)
