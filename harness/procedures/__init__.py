"""procedures stage."""
