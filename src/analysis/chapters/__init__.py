"""Layer 6, ``chapters``: one module per book chapter (and the profiles): the tables, texts
and key indicators a notebook shows, computed from :mod:`analysis.inputs` with
:mod:`analysis.methods`. Never imports :mod:`analysis.synthetic`. Imports: every layer below.
"""
