"""gherkin stage."""
