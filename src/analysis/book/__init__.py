"""Layer 7, ``book``: edition parameters, the build (papermill + Jupyter Book), generated pages,
"what changed" between editions and the command line. Imports: every layer below.
"""
