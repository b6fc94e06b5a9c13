from enum import StrEnum


class WaveErrorCode(StrEnum):
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    SELECTION_RUNNING = "selection_running"  # another process is selecting this wave now
    BLIND_INDEX_ROTATING = "blind_index_rotating"  # PII_BLIND_INDEX_KEYS has an old key: pii_reindex under way
    QUOTAS_DO_NOT_ADD_UP = "quotas_do_not_add_up"
    WAVE_LOCKED = "wave_locked"  # results exist: its quotas and times are fixed, and it cannot be deleted
    WAVE_NOT_OPEN = "wave_not_open"
    NOT_FOR_YOUR_PROVINCE = "not_for_your_province"
    JOURNEY_INCOMPLETE = "journey_incomplete"
    ALREADY_PENDING = "already_pending"
    ALREADY_JOINED = "already_joined"
    NOT_ELIGIBLE = "not_eligible"
    AGREEMENT_OUTDATED = "agreement_outdated"
    # "Gagal 3 kali"
    COMPLAINT_TOO_EARLY = "complaint_too_early"  # fewer than three failed selections
    COMPLAINT_OPEN = "complaint_open"  # one is pending or approved
    COMPLAINT_NEEDS_NEW_FAILURE = "complaint_needs_new_failure"  # rejected: a further failed selection first
    COMPLAINT_RECIPIENT = "complaint_recipient"
    COMPLAINT_DECIDED = "complaint_decided"
    REJECTION_NEEDS_REASON = "rejection_needs_reason"
    NOT_A_REVIEWER = "not_a_reviewer"


class WaveError(Exception):
    def __init__(self, code: WaveErrorCode, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
