"""Layer 3, ``methods``: statistics that do not care where their data came from.

Design-based survey estimation (:mod:`.survey`), direct age standardisation
(:mod:`.standardisation`), survey chapter tables (:mod:`.surveytables`), disclosure control
(:mod:`.disclosure`), poverty measures (:mod:`.poverty`), population series and projections
(:mod:`.population`, :mod:`.working_age`) and population frames (:mod:`.frames`).
Imports: ``core``, ``sources``, ``contracts``.
"""
