"""adminapi stage."""
