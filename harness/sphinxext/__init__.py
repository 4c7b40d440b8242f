"""sphinxext stage."""
