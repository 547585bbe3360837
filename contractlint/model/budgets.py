"""How much work one file's analysis and one name's resolution may do, whatever the code: counts of
work, never times, so that a result does not depend on the machine or on how busy it is.

Work past a bound is not done; it is reported (CL901 for a file, CL902 for a call) and the run goes
on. The configuration sets each bound (``analysis-budget``, ``resolution-budget``,
``resolution-targets``); docs/propagation.md ("Bounded work") says what each counts.
"""

from __future__ import annotations

from typing import NamedTuple

#: The most syntax nodes the analysis of one file walks (``analysis-budget``): a module of 2 MB
#: walks 190,000 to 340,000 (bench/generated.py); one past it is reported (CL901), not checked.
ANALYSIS_BUDGET = 1_000_000


class Limits(NamedTuple):
    """The bounds of one resolution of a name through the project (``propagation.names``)."""

    #: The most names one resolution looks at, counting each name as often as it is reached
    #: (``resolution-budget``).
    names: int = 4096
    #: The most things one name may resolve to, a base-class method with many overrides
    #: (``resolution-targets``).
    targets: int = 64
    #: The longest chain of names one resolution follows: the name, then 12 steps.
    depth: int = 13


#: What one resolution may do when the configuration says nothing.
LIMITS = Limits()


#: More nodes than any file holds: the budget of a walk that has none.
UNBOUNDED = 1 << 62


class AnalysisCut(Exception):
    """The walk of a file went past its budget of nodes: where it stopped."""

    def __init__(self, budget: int, line: int, where: str):
        super().__init__(f"more than {budget} syntax nodes; stopped at line {line} in {where}")
        self.budget = budget
        self.line = line
        #: The function being walked (``pkg.mod.Class.method``), or "" for module-level code.
        self.where = where
