"""Calibrated parameters for the synthetic partnership: every rate and duration in one place.

Each constant cites the published England figure it is calibrated to. "Approximate" marks a
figure we could not confirm against the publication itself; change it here, nowhere else.

Sources (DfE, explore-education-statistics.service.gov.uk):
- CIN24: "Children in need", reporting year 2024 (year ending 31 March 2024).
- REREF24: "Children in need: a focus on re-referrals", reporting year 2024.
- CIN25-D7: "Children in need" 2025, table D7 (child protection plans ending by duration).
- CLA24: "Children looked after in England including adoptions", reporting year 2024.
- STAB24: "Stability measures for children looked after in England", reporting year 2024.
"""

from __future__ import annotations

from typing import Final

Weights = tuple[tuple[str, float], ...]

# --- Volumes -------------------------------------------------------------------------------
# REREF24: 621,880 referrals in 2023-24; with ~12.1m children aged 0-17 (ONS mid-2023,
# approximate) that is ~515 referrals per 10,000 children. The synthetic council's implied
# 0-17 population is derived from this rate and the referrals generated.
REFERRAL_RATE_PER_10K: Final = 515.0
# REREF24: 139,080 of 621,880 referrals (22%) were re-referrals within 12 months.
REREFERRAL_12M_SHARE: Final = 0.22
# Approximate: a further share of children come back more than 12 months later.
LATE_REREFERRAL_SHARE: Final = 0.12
# Share of re-referrals made exactly 12 months (to the day) after the previous one, so that
# the "within 12 months" boundary is exercised. Synthetic choice, not a published figure.
REREFERRAL_EXACT_12M_SHARE: Final = 0.03
# CIN24 (approximate): about 7% of referrals lead to no further action (ReferralNFA).
REFERRAL_NFA_SHARE: Final = 0.07
# Approximate (CIN24): about 30% of assessments end with the child not in need; of those,
# roughly a quarter are stepped down to early help (RC9), the rest close NFA (RC8).
ASSESSMENT_NOT_IN_NEED_SHARE: Final = 0.30
NOT_IN_NEED_TO_EARLY_HELP_SHARE: Final = 0.25
# CIN24 (approximate): 82-83% of assessments completed within 45 working days.
ASSESSMENT_WITHIN_45WD_SHARE: Final = 0.83
# CIN24 (approximate): ~225,000 section 47 enquiries against ~620,000 referrals, i.e. about
# 40% of referrals that are not NFA go on to a section 47 enquiry.
S47_SHARE_OF_ASSESSED: Final = 0.38
# CIN24 (approximate): ~82,000 initial child protection conferences, ~37% of S47 enquiries.
ICPC_SHARE_OF_S47: Final = 0.37
# CIN24 (approximate): ~78% of ICPCs held within 15 working days of the S47 start.
ICPC_WITHIN_15WD_SHARE: Final = 0.78
# CIN24 (approximate): ~85% of ICPCs lead to a child protection plan.
CPP_SHARE_OF_ICPC: Final = 0.85
# CIN24: 23-24% of plans starting in the year were second or subsequent plans (approximate).
CPP_SECOND_SUBSEQUENT_SHARE: Final = 0.23
# CLA24: 33,050 children started to be looked after in 2023-24 (~27 per 10,000); against
# 515 referrals per 10,000 that is ~5% of referrals; CLA at 31 March is 70 per 10,000.
CLA_RATE_PER_10K: Final = 70.0
CLA_ENTRY_SHARE_OF_ASSESSED: Final = 0.08
# Approximate: how CLA entries split between children on a CP plan and others (CIN24/CLA24).
CLA_ENTRY_FROM_CPP_SHARE: Final = 0.45
# CLA24: 7,380 UASC of 83,630 CLA at 31 March (~9%); approximate.
UASC_SHARE_OF_CLA: Final = 0.06

# --- Durations (days unless named otherwise) -------------------------------------------------
# CIN25-D7: plans ending in 2024-25 by duration: 3 months or less 15.9%, 3-6 months 11.0%,
# 6-12 months 43.5%, 1-2 years 25.2%, 2 years or more 4.4%.
CPP_DURATION_BANDS: Final[tuple[tuple[int, int, float], ...]] = (
    (14, 91, 0.159),
    (92, 182, 0.110),
    (183, 365, 0.435),
    (366, 730, 0.252),
    (731, 1100, 0.044),
)
# CIN24: "almost half of all episodes ending lasted 3 months or less" (duration of CIN
# episodes); the tail is approximate.
CIN_EPISODE_DURATION_BANDS: Final[tuple[tuple[int, int, float], ...]] = (
    (20, 91, 0.52),
    (92, 365, 0.34),
    (366, 730, 0.10),
    (731, 1460, 0.04),
)
# CLA24 (approximate): median period of care ~1.5 years; mean CLA stock/entries ~2.5 years.
CLA_DURATION_BANDS: Final[tuple[tuple[int, int, float], ...]] = (
    (7, 182, 0.28),
    (183, 730, 0.32),
    (731, 1825, 0.25),
    (1826, 4000, 0.15),
)

# --- Placements and missing (SSDA903) --------------------------------------------------------
# STAB24: ~10% of CLA at 31 March had 3 or more placements during the year (approximate);
# 23% of CLA for 2+ years had 3+ placements in the previous 2 years (confirmed, STAB24).
PLACEMENT_MOVES_PER_YEAR: Final = 0.45
# CLA24 / Coram analysis of CLA 2018: ~11% of CLA go missing in the year; ~65% of those go
# missing more than once. CLA24: 83,920 missing incidents in 2023-24 (~6-7 per child).
CLA_MISSING_SHARE_PER_YEAR: Final = 0.11
MISSING_MORE_THAN_ONCE_SHARE: Final = 0.65
MISSING_MEAN_INCIDENTS_IF_REPEAT: Final = 7.5
# Approximate: share of 903 missing rows that are "away from placement without
# authorisation" (A) rather than missing (M).
AWAY_SHARE: Final = 0.20
# Approximate: ~2% of missing episodes are still open at the year end (DfE: children still
# missing at 31 March, ~220 of ~12,000 missing children in 2022 - parliamentary answer).
MISSING_OPEN_SHARE: Final = 0.02
# Approximate: children not looked after who are reported missing, per CIN child aged 10+.
NOT_CLA_MISSING_SHARE: Final = 0.06

# --- Partner data --------------------------------------------------------------------------
# Statutory guidance on children who run away or go missing (DfE 2014): return home
# interview offered within 72 hours of return. Approximate performance: ~75% in time,
# ~70% of interviews accepted.
RHI_IN_TIME_SHARE: Final = 0.75
RHI_ACCEPTED_SHARE: Final = 0.70
# Promoting the health and well-being of looked-after children (DfE/DHSC 2015): IHA within
# 20 working days of entering care. Local reports range from 10% to 80% on time
# (Healthwatch Lambeth 2020: 37%; Thurrock 2020: 81%); we use ~55% (approximate).
IHA_IN_TIME_SHARE: Final = 0.55
IHA_NOT_DONE_SHARE: Final = 0.05
# Approximate: share of CP conferences where the child's views are shared.
VIEWS_SHARED_SHARE: Final = 0.72
# Approximate: family-plan outcomes achieved / partly achieved at review.
FAMILY_OUTCOME_ACHIEVED: Final = 0.58
FAMILY_OUTCOME_PARTLY: Final = 0.22
# Approximate: case audits finding the child's lived experience evident.
LIVED_EXPERIENCE_EVIDENT_SHARE: Final = 0.68
# Approximate: share of open cases audited in a year; professional challenges per 100 open cases.
AUDIT_SHARE_PER_YEAR: Final = 0.05
CHALLENGES_PER_100_CASES: Final = 1.5
# Approximate: children missing education episodes among children known to services.
CME_SHARE: Final = 0.02
# Synthetic volumes for the training file: completions per 1,000 children in the data.
ELEARNING_YP_PER_1000: Final = 30
PRACTITIONER_TRAINING_PER_1000: Final = 20

# --- Who the children are ------------------------------------------------------------------
# CIN24 (approximate): children in need by age band at 31 March.
AGE_AT_REFERRAL_BANDS: Final[tuple[tuple[int, int, float], ...]] = (
    (0, 0, 0.09),  # under 1
    (1, 4, 0.18),
    (5, 9, 0.24),
    (10, 15, 0.36),
    (16, 17, 0.13),
)
# ONS mid-year estimates: 51% of children are male; CIN24 has a slight male excess.
MALE_SHARE: Final = 0.52
GENDER_NOT_RECORDED_SHARE: Final = 0.004
# CIN24 (approximate): 12-13% of children in need have a disability recorded.
DISABILITY_SHARE: Final = 0.13
DISABILITY_CODES: Final = ("MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH")
DISABILITY_CODES_MORE: Final = ("CON", "AUT", "DDA")
# CIN24 (approximate): ethnicity of children in need (CIN census / SSDA903 codes).
ETHNICITY_WEIGHTS: Final[Weights] = (
    ("WBRI", 0.60),
    ("WIRI", 0.005),
    ("WIRT", 0.004),
    ("WOTH", 0.06),
    ("WROM", 0.01),
    ("MWBC", 0.025),
    ("MWBA", 0.012),
    ("MWAS", 0.012),
    ("MOTH", 0.03),
    ("AIND", 0.012),
    ("APKN", 0.035),
    ("ABAN", 0.012),
    ("AOTH", 0.015),
    ("BCRB", 0.012),
    ("BAFR", 0.04),
    ("BOTH", 0.012),
    ("CHNE", 0.003),
    ("OOTH", 0.035),
    ("REFU", 0.005),
    ("NOBT", 0.05),
)
# CIN24 (approximate): referral sources: police ~29%, schools ~21%, health ~14%,
# LA services ~12%, individuals ~8%, other ~16%. 5D is valid but left out (Annex A has no label).
REFERRAL_SOURCE_WEIGHTS: Final[Weights] = (
    ("1A", 0.04),
    ("1B", 0.01),
    ("1C", 0.02),
    ("1D", 0.01),
    ("2A", 0.19),
    ("2B", 0.02),
    ("3A", 0.03),
    ("3B", 0.02),
    ("3C", 0.01),
    ("3D", 0.03),
    ("3E", 0.03),
    ("3F", 0.02),
    ("4", 0.03),
    ("5A", 0.04),
    ("5B", 0.03),
    ("5C", 0.05),
    ("6", 0.29),
    ("7", 0.03),
    ("8", 0.05),
    ("9", 0.01),
    ("10", 0.02),
)
# CIN24 (approximate): primary need at assessment: abuse or neglect ~57%, family
# dysfunction ~14%, child's disability ~10%, family in acute stress ~7%, absent parenting ~4%.
PRIMARY_NEED_WEIGHTS: Final[Weights] = (
    ("N1", 0.57),
    ("N2", 0.10),
    ("N3", 0.04),
    ("N4", 0.07),
    ("N5", 0.14),
    ("N6", 0.03),
    ("N7", 0.005),
    ("N8", 0.04),
    ("N9", 0.0025),
    ("N0", 0.0025),
)
# CIN24 (approximate): factors identified at the end of assessment, share of assessments.
# Domestic abuse (any of 3A/3B/3C) ~31% and mental health (any) ~30% are the most common;
# neglect (16A) ~16%, emotional abuse (17A) ~16%, physical abuse ~9%, drugs ~14%, alcohol
# ~11%, CSE (11A) ~2%, CCE (24A) ~2%, gangs ~1%, missing ~3%, self-harm ~5%.
ASSESSMENT_FACTOR_PREVALENCE: Final[Weights] = (
    ("1A", 0.02),
    ("1B", 0.08),
    ("1C", 0.01),
    ("2A", 0.04),
    ("2B", 0.09),
    ("2C", 0.01),
    ("3A", 0.11),
    ("3B", 0.22),
    ("3C", 0.03),
    ("4A", 0.12),
    ("4B", 0.20),
    ("4C", 0.02),
    ("5A", 0.04),
    ("5B", 0.02),
    ("6A", 0.04),
    ("6B", 0.03),
    ("7A", 0.01),
    ("8F", 0.002),
    ("10A", 0.03),
    ("11A", 0.02),
    ("12A", 0.004),
    ("13A", 0.01),
    ("14A", 0.03),
    ("15A", 0.05),
    ("16A", 0.16),
    ("17A", 0.16),
    ("18B", 0.02),
    ("18C", 0.07),
    ("19B", 0.02),
    ("19C", 0.03),
    ("20", 0.18),
    ("22A", 0.002),
    ("23A", 0.002),
    ("24A", 0.02),
)
# CIN24 (approximate): initial category of abuse of plans starting: neglect ~50%, emotional
# ~36% ("around a third", CIN25), physical ~7%, sexual ~3% (CIN25: 3%), multiple ~4%.
CPP_CATEGORY_WEIGHTS: Final[Weights] = (
    ("NEG", 0.50),
    ("EMO", 0.36),
    ("PHY", 0.07),
    ("SAB", 0.03),
    ("MUL", 0.04),
)
# Approximate: plans whose latest category differs from the initial one.
CPP_CATEGORY_CHANGE_SHARE: Final = 0.08
# CIN24 (approximate): reasons for closure of CIN episodes that were not NFA.
CLOSURE_REASON_WEIGHTS: Final[Weights] = (
    ("RC1", 0.01),
    ("RC2", 0.001),
    ("RC3", 0.02),
    ("RC4", 0.02),
    ("RC5", 0.06),
    ("RC6", 0.03),
    ("RC7", 0.859),
)
# CLA24 (approximate): legal status at entry: interim care order ~35%, section 20 ~40%,
# police protection ~8%, emergency protection order ~5%, full care order ~7%, remand ~3%.
CLA_LEGAL_STATUS_WEIGHTS: Final[Weights] = (
    ("C1", 0.35),
    ("V2", 0.40),
    ("L1", 0.08),
    ("L2", 0.05),
    ("C2", 0.07),
    ("J1", 0.02),
    ("J2", 0.02),
    ("E1", 0.01),
)
# CLA24 (approximate): placement types of CLA at 31 March: foster ~68%, children's homes
# ~11%, semi-independent ~9%, placed with parents ~7%, placed for adoption ~2%.
PLACEMENT_WEIGHTS: Final[Weights] = (
    ("U1", 0.06),
    ("U2", 0.02),
    ("U3", 0.06),
    ("U4", 0.14),
    ("U5", 0.10),
    ("U6", 0.30),
    ("K2", 0.11),
    ("H5", 0.05),
    ("P2", 0.04),
    ("P1", 0.07),
    ("A5", 0.01),
    ("A6", 0.01),
    ("R1", 0.01),
    ("S1", 0.005),
    ("Z1", 0.005),
)
# CLA24 (approximate): reasons ceased to be looked after, for children under 16 at the end.
CLA_END_REASON_WEIGHTS: Final[Weights] = (
    ("E4A", 0.30),
    ("E11", 0.09),
    ("E12", 0.01),
    ("E13", 0.06),
    ("E41", 0.03),
    ("E45", 0.06),
    ("E46", 0.05),
    ("E47", 0.02),
    ("E48", 0.01),
    ("E3", 0.02),
    ("E15", 0.03),
    ("E16", 0.01),
    ("E8", 0.31),
)
# Ceased at 18 (or older children ceasing): staying put, independent living, adult services.
CLA_END_REASON_18_WEIGHTS: Final[Weights] = (
    ("E17", 0.30),
    ("E5", 0.35),
    ("E6", 0.20),
    ("E7", 0.10),
    ("E9", 0.05),
)
# CLA24 (approximate): reasons for placement change, "Reason for placement change" table.
PLACE_CHANGE_REASON_WEIGHTS: Final[Weights] = (
    ("CARPL", 0.31),
    ("PLACE", 0.24),
    ("STAND", 0.01),
    ("CLOSE", 0.01),
    ("ALLEG", 0.01),
    ("APPRR", 0.005),
    ("CREQO", 0.06),
    ("CREQB", 0.08),
    ("CHILD", 0.03),
    ("LAREQ", 0.015),
    ("CUSTOD", 0.005),
    ("OTHER", 0.22),
)
# Statutory review participation codes (PN0-PN7); approximate shares.
REVIEW_CODE_WEIGHTS: Final[Weights] = (
    ("PN0", 0.10),
    ("PN1", 0.50),
    ("PN2", 0.05),
    ("PN3", 0.12),
    ("PN4", 0.08),
    ("PN5", 0.05),
    ("PN6", 0.06),
    ("PN7", 0.04),
)

# --- Identifiers ---------------------------------------------------------------------------
# A fictional-but-valid 3-digit LA code: 999 is not a real English local authority.
LEA_CODE: Final = "999"
