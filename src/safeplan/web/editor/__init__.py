"""Plan editing on the web: administrators change plans through forms, every change is kept
as a version of the plan's canonical YAML (who, when, what), and any version can be restored."""
