"""contractlint: make a backend service's error-handling contract executable."""

__version__ = "0.1.0"
