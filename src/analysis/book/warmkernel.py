"""The build's kernel zygote with the library preloaded: ``python -m analysis.book.warmkernel``.

:mod:`analysis.book.kernelpool` forks every notebook's kernel from a zygote. This module is that
zygote's program: it imports the library's chapter, input and presentation modules (and with them
the methods, sources and core modules they use) and then serves as
:func:`analysis.book.kernelpool.serve`, which preloads the third-party libraries. Besides kernels
it forks, on a worker's request, the build's preparation of the profiles' shared data
(:mod:`analysis.book.prepare`, :data:`CALLS`). A notebook's own
``from analysis… import …`` then finds its modules already imported in the fork.

Nothing here runs notebook code or reads the job's environment: importing these modules only
defines them, so each fork starts from the same clean state
(``tests/unit/test_kernelpool.py``). A module a notebook imports that is not preloaded here is
imported by the kernel itself, as before (``test_kernelpool`` lists any such module).
"""

# ruff: noqa: E402 - the zygote asks to die with its worker before the long imports below
from __future__ import annotations

import sys

from analysis.book import kernelpool

if __name__ == "__main__":  # a worker that dies while this imports takes the zygote with it
    kernelpool.die_with_parent()

from analysis.book import prepare
from analysis.chapters import (  # noqa: F401 - preloaded for the kernels
    befolkning,
    child_poverty,
    finsam,
    health,
    livsvillkor,
    profiles,
    riket,
    youth,
)
from analysis.inputs import (  # noqa: F401
    barnfattigdom,
    liv_och_halsa,
    liv_och_halsa_ung,
    rounds,
)
from analysis.inputs import livsvillkor as livsvillkor_input  # noqa: F401
from analysis.methods import (  # noqa: F401
    disclosure,
    frames,
    population,
    poverty,
    standardisation,
    working_age,
)
from analysis.present import (  # noqa: F401
    health_plots,
    kommunkarta,
    plots,
    projection_plots,
    publish,
    spine,
    youth_plots,
)
from analysis.sources import catalog, documents, seeds  # noqa: F401

#: What a worker may ask this zygote to run in a fork besides kernels (:meth:`Zygote.call`).
CALLS = {**kernelpool.CALLS, "prepare": prepare.run}

if __name__ == "__main__":
    kernelpool.serve(sys.stdin.buffer, sys.stdout.buffer, CALLS)
