"""Following a service error through the project: helpers, wrappers and declared propagation.

The analysis of one file says which service errors leave each of its functions (``Escape``) and
which calls it makes of the project's own functions (``Link``). Here the facts of every checked
file are joined:

- the project's own names are resolved across modules (``names``): re-exports, relative imports
  (done by the analysis), methods through ``self`` and the project's classes and their bases,
  instances held in attributes, and factories (a function or property that returns a client, by
  its annotation or by every ``return``), so a call such as ``get_session().get(url)`` is found to
  be a service call;
- a function that lets an error of a call group escape is a *carrier* of that group; a call of a
  carrier is judged like a service call (guards and handlers, ``guards``), and if the error
  escapes there too, the calling function is a carrier in turn (``fixpoint``);
- an error may leave a function through a declared channel: a ``Raises:`` docstring that names it
  (or a base), or the ``propagate`` globs of the configuration;
- an error that escapes is reported where it leaves the project: in a function that no checked
  code calls (an entry point, a route handler, a public function, module-level code), at the call
  that lets it out, with the path it took (``findings``, ``messages``). The calls inside carriers
  are not reported: whoever calls them decides;
- the prefilter's rounds parse the files that may call a carrier, found by the names they hold
  (``rounds``).

Only plain data is handled here (``contractlint.model.project``): no parsing.
"""

from __future__ import annotations

from contractlint.propagation.calls import is_test_module
from contractlint.propagation.findings import propagate
from contractlint.propagation.fixpoint import Follow
from contractlint.propagation.names import ITEM, MAX_TARGETS, Project
from contractlint.propagation.rounds import interesting_names

__all__ = [
    "ITEM",
    "MAX_TARGETS",
    "Follow",
    "Project",
    "interesting_names",
    "is_test_module",
    "propagate",
]
