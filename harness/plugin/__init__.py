"""plugin stage."""
