"""Layer 4, ``present``: figures and published tables (:mod:`.plots`, :mod:`.health_plots`,
:mod:`.youth_plots`, :mod:`.publish`). Independent of ``synthetic``.
Imports: ``core``, ``sources``, ``contracts``, ``methods``.
"""
