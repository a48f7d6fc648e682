"""Caseclient: offline-first case recording for probation officers.

The version lives here and only here; packaging, ``doctor`` and Help → About read it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
