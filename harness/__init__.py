"""docharness: documentation-driven tests for procedures written in snooty-flavoured rST."""

__version__ = "0.1.0"
