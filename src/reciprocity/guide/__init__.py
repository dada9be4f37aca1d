"""Guide: the seeds' steps as features, after the metrics stage (DESIGN "insights").

- :mod:`.coach`: the "I" statement coach; :mod:`.records`: conversation records;
- :mod:`.expectations`: the user's needs, each with a rule checked against the exchanges;
- :mod:`.protect`: after a conversation and enough time, did anything change;
- :mod:`.rank`: ties ranked by how mutual the support is and how the user feels
  after, one suggestion each, thin ties apart;
- :mod:`.parent`: parent mode; :mod:`.assess` and :mod:`.questionnaire`: check-ins, with
  questionnaires as data files.

Each function takes frames or the database and returns frames or small records; the CLI
and the web only show them.
"""

from reciprocity.guide.assess import Comparison, assessments_frame, compare, save_assessment
from reciprocity.guide.coach import Coaching, DraftError, Flag, coach, imbalance_phrases
from reciprocity.guide.expectations import (
    RULES,
    add_expectation,
    check_expectations,
    delete_expectation,
    list_expectations,
    restore_expectation,
)
from reciprocity.guide.parent import Section, parent_mode
from reciprocity.guide.protect import Advice, protect_energy
from reciprocity.guide.questionnaire import Questionnaire, available, load_questionnaire
from reciprocity.guide.rank import SUGGESTIONS, THIN, rank
from reciprocity.guide.records import (
    conversation_records,
    delete_record,
    record_conversation,
    restore_record,
)

__all__ = [
    "RULES",
    "SUGGESTIONS",
    "THIN",
    "Advice",
    "Coaching",
    "Comparison",
    "DraftError",
    "Flag",
    "Questionnaire",
    "Section",
    "add_expectation",
    "assessments_frame",
    "available",
    "check_expectations",
    "coach",
    "compare",
    "conversation_records",
    "delete_expectation",
    "delete_record",
    "imbalance_phrases",
    "list_expectations",
    "load_questionnaire",
    "parent_mode",
    "protect_energy",
    "rank",
    "record_conversation",
    "restore_expectation",
    "restore_record",
    "save_assessment",
]
