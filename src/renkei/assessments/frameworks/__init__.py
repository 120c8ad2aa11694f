"""The framework library: questionnaires (built-in YAML, uploaded YAML, Excel check sheets)."""
