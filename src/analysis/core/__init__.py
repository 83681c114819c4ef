"""Layer 0, ``core``: what every other layer may use and that knows nothing of them.

Errors that name a file, column and row (:mod:`.errors`), the project's paths (:mod:`.paths`),
the län's geography (:mod:`.geo`), Swedish number text (:mod:`.text`), the one code hash of the
package (:mod:`.codehash`) and the on-disk cache built on it (:mod:`.diskcache`).
Imports: the standard library and third-party packages only.
"""
