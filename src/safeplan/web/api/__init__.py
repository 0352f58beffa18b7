"""The read-only JSON API: plans, the measure catalogue and measure results, for other tools.
Its OpenAPI 3 schema is served at /api/schema."""
