"""Layer 4, ``synthetic``: seeded generators of synthetic data in exactly the input contracts.

Liv & hälsa (:mod:`.synth_survey`), Liv & hälsa ung (:mod:`.synth_ung`) and the child register
(:mod:`.synth_register`), with their shared tools (:mod:`.synthtools`) and fitted parameters
in ``calibrated/*.json``. Only :mod:`analysis.inputs` imports this layer: chapters and notebooks
never do. Imports: ``core``, ``sources``, ``contracts``, ``methods``.
"""
