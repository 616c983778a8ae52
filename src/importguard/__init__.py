"""importguard: a whole-repository linter and fixer for Python imports."""
__version__ = "0.1.0"
