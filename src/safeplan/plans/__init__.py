"""Plans: the partnership's priorities and measures, as YAML and in the library."""
