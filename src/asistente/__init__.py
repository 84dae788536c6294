"""asistente: live assistance for debt-collection agents."""

__version__ = "0.1.0"
