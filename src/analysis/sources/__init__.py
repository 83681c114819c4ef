"""Layer 1, ``sources``: published data as the producers release them.

The data catalogue and its schemas (:mod:`.catalog`, :mod:`.schemas`), the published figures
of the seed reports (:mod:`.seeds`) and the readers of SCB's PxWeb API (:mod:`.pxweb`) and
Kolada (:mod:`.kolada`). Imports: ``core``.
"""
