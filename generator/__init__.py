"""actionplan: Plans of Action for Amazon sellers, kept as code."""

__version__ = "0.1.0"
