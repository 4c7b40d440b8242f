"""rst stage."""
