"""Jalon: an open-source PMO assistant.

>>> from jalon import load_plan, schedule
>>> result = schedule(load_plan("examples/website.yaml"))
"""

from jalon.engine import Plan, PlanError, Schedule, ScheduledTask, schedule
from jalon.io import load_plan, save_plan

__all__ = ["Plan", "PlanError", "Schedule", "ScheduledTask", "load_plan", "save_plan", "schedule"]
__version__ = "0.1.0"
