from enum import StrEnum


class WaveErrorCode(StrEnum):
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    QUOTAS_DO_NOT_ADD_UP = "quotas_do_not_add_up"
    WAVE_NOT_OPEN = "wave_not_open"
    NOT_FOR_YOUR_PROVINCE = "not_for_your_province"
    JOURNEY_INCOMPLETE = "journey_incomplete"
    ALREADY_PENDING = "already_pending"
    ALREADY_JOINED = "already_joined"
    NOT_ELIGIBLE = "not_eligible"
    AGREEMENT_OUTDATED = "agreement_outdated"


class WaveError(Exception):
    def __init__(self, code: WaveErrorCode, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
