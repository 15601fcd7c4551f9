"""Resource levelling: the RCPSP solver core (integer periods, no calendars).

``solve_fast`` (heuristics, milliseconds), ``solve_optimal`` (CP-SAT, warm-started,
with a proven bound), ``check`` (an independent verifier) and the :class:`Rcpsp`
problem they share.
"""

from jalon.engine.leveling.analysis import Overallocation, overallocations
from jalon.engine.leveling.check import check
from jalon.engine.leveling.cpsat import solve_optimal
from jalon.engine.leveling.heuristic import solve_fast
from jalon.engine.leveling.plan_level import LevelingResult, MovedTask, level
from jalon.engine.leveling.rcpsp import InfeasibleError, Rcpsp, RcpspSolution, link_lag

__all__ = [
    "InfeasibleError",
    "LevelingResult",
    "MovedTask",
    "Overallocation",
    "Rcpsp",
    "RcpspSolution",
    "check",
    "level",
    "link_lag",
    "overallocations",
    "solve_fast",
    "solve_optimal",
]
