"""OASys-style assessments: templates as data, scoring, completion and workflow rules.

Pure domain code: no Qt, no storage, no network. The public names are listed in
``__all__``; see docs/assessment-template.md for the template format and rules.
"""

from caseclient.domain.assessment.answers import (
    Answers,
    answer_field,
    answers_from_fields,
    check_answer,
    is_answered,
    usable,
)
from caseclient.domain.assessment.completion import (
    ProblemKind,
    QuestionRef,
    SectionProgress,
    SectionState,
    SigningProblem,
    next_unanswered,
    section_progress,
    signing_problems,
)
from caseclient.domain.assessment.conditions import (
    Visibility,
    condition_holds,
    visibility,
    visible_questions,
)
from caseclient.domain.assessment.copy_forward import CopiedAnswers, copy_forward, last_locked
from caseclient.domain.assessment.loader import TemplateError, parse_template, parse_template_text
from caseclient.domain.assessment.overview import AssessmentOverview, locked_overall_risk, overview
from caseclient.domain.assessment.registry import (
    DEFAULT_TEMPLATE_ID,
    TemplateRegistry,
    builtin_registry,
    builtin_schema_text,
    builtin_template_texts,
)
from caseclient.domain.assessment.review import REVIEW_FIELD, confirm_review, review_marks_of
from caseclient.domain.assessment.scoring import (
    AssessmentScores,
    GroupRisk,
    PredictorResult,
    SectionScore,
    risk_level,
    score_assessment,
)
from caseclient.domain.assessment.start import NewAssessment, start_assessment
from caseclient.domain.assessment.template import (
    RISK_LEVEL_VALUES,
    SCORE_VALUES,
    YES_NO_UNKNOWN_VALUES,
    AllOf,
    AnswerIn,
    AnyOf,
    Condition,
    Option,
    Predictor,
    Question,
    QuestionKind,
    RiskGroup,
    Section,
    SectionKind,
    Template,
)
from caseclient.domain.assessment.workflow import (
    WORKFLOW_FIELDS,
    Action,
    Transition,
    allowed_actions,
    check_edit,
    countersign,
    reopen,
    return_for_changes,
    sign,
    status_of,
    supersede,
    timestamp,
)

__all__ = [
    "DEFAULT_TEMPLATE_ID", "REVIEW_FIELD", "RISK_LEVEL_VALUES", "SCORE_VALUES", "WORKFLOW_FIELDS",
    "YES_NO_UNKNOWN_VALUES", "Action", "AllOf", "AnswerIn", "Answers", "AnyOf", "AssessmentOverview",
    "AssessmentScores", "Condition", "CopiedAnswers", "GroupRisk", "NewAssessment", "Option",
    "Predictor", "PredictorResult", "ProblemKind", "Question", "QuestionKind", "QuestionRef",
    "RiskGroup", "Section", "SectionKind", "SectionProgress", "SectionScore", "SectionState",
    "SigningProblem", "Template", "TemplateError", "TemplateRegistry", "Transition", "Visibility",
    "allowed_actions", "answer_field", "answers_from_fields", "builtin_registry", "builtin_schema_text",
    "builtin_template_texts", "check_answer", "check_edit", "condition_holds", "confirm_review",
    "copy_forward", "countersign", "is_answered", "last_locked", "locked_overall_risk",
    "next_unanswered", "overview", "parse_template", "parse_template_text", "reopen",
    "return_for_changes", "review_marks_of", "risk_level", "score_assessment", "section_progress",
    "sign", "signing_problems", "start_assessment", "status_of", "supersede", "timestamp", "usable",
    "visibility", "visible_questions",
]
