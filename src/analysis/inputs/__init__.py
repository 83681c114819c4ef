"""Layer 5, ``inputs``: the only place that chooses real or synthetic data.

Each chapter's data come from one function here that returns an object of one shape: its
``synthetic`` flag, a ``source`` text for the reader, and the tables. Real confidential files
are used when they are present (``data/private/`` or an ``ANALYSIS_*`` setting); otherwise the
seeded generator of :mod:`analysis.synthetic` makes data in the same contract.
Imports: every layer below.
"""
