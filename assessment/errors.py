from enum import StrEnum


class AssessmentErrorCode(StrEnum):
    # The declaration
    DECLARATION_DONE = "declaration_done"
    DECLARATION_TEXT_MISSING = "declaration_text_missing"
    DECLARATION_TEXT_OUTDATED = "declaration_text_outdated"
    NOT_TRUTHFUL = "not_truthful"
    # Starting the test
    DECLARATION_MISSING = "declaration_missing"
    EXCLUDED = "excluded"
    ATTEMPT_RUNNING = "attempt_running"
    ALREADY_PASSED = "already_passed"
    RETAKE_NOT_ALLOWED = "retake_not_allowed"
    QUESTION_BANK_TOO_SMALL = "question_bank_too_small"
    # Answering
    NO_RUNNING_ATTEMPT = "no_running_attempt"
    DEADLINE_PASSED = "deadline_passed"
    INVALID_POSITION = "invalid_position"
    INVALID_CHOICE = "invalid_choice"


class AssessmentError(Exception):
    """A rule refused the action; views turn ``code`` into a translated message."""

    def __init__(self, code: AssessmentErrorCode, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class QuestionBankError(ValueError):
    """The question file is not valid; ``problems`` lists every entry at fault (for whoever edits it)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid question bank:\n" + "\n".join(problems))
        self.problems = problems
