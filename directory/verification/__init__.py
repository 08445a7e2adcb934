"""Verification: may this clinician serve a client in state S, in person or virtually? Verdicts with evidence.

Public: ``verify_all(engine, due_only=False, now=None)``, ``verdicts_for_clinician(session, clinician_id)``,
``directory.verification.summary.practice_summary(session, practice_id)``,
``directory.verification.commands.verify_command(due, db, as_json)``.
"""

from directory.verification.engine import verify_all
from directory.verification.queries import verdicts_for_clinician

__all__ = ["verify_all", "verdicts_for_clinician"]
