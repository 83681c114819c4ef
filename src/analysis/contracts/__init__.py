"""Layer 2, ``contracts``: the documented input contracts of confidential microdata.

One contract machinery (:mod:`.microdata`) and one module per survey or register
(:mod:`.lh_contract`, :mod:`.ung_contract`, :mod:`.register`): variables, codes, readers of
coded files (CSV, Parquet, SPSS, SAS) and the checks that name file, column and row.
Imports: ``core``, ``sources``.
"""
