"""clausewatch: watch policy documents for changes to what services do with users' data for AI."""

__version__ = "0.1.0"
