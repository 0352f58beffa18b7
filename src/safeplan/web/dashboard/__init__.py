"""The partners' dashboard: a plan's scorecard, each measure in depth, and the agencies'
commentary on their figures."""
