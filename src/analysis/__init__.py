"""Analysis library for the statistics book *Välfärd och folkhälsa i Örebro län*."""

__version__ = "0.1.0"
