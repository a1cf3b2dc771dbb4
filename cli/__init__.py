"""facts: a command-line lookup of the bilingual, source-anchored claims of an Arabic news article."""

__version__ = "0.1.0"
