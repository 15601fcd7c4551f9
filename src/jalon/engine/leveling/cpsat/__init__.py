"""CP-SAT for the RCPSP: :mod:`.model` builds the model, :mod:`.solve` runs it."""

from jalon.engine.leveling.cpsat.solve import solve_optimal

__all__ = ["solve_optimal"]
