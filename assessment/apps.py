from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Pernyataan dan tes")

    def ready(self) -> None:
        checks.register(draw_matches_question_count, checks.Tags.compatibility)

        from assessment.models import DeclarationText
        from prakerja.shared_cache import shared_invalidate_on

        shared_invalidate_on("texts", (DeclarationText,))


def draw_matches_question_count(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The draw per kind (assessment.rules) and settings.TEST_QUESTION_COUNT must describe the same test."""
    from django.conf import settings

    from assessment.rules import DRAW_PER_KIND

    drawn = sum(DRAW_PER_KIND.values())
    if drawn != settings.TEST_QUESTION_COUNT:
        return [
            checks.Error(
                f"assessment.rules.DRAW_PER_KIND draws {drawn} questions but TEST_QUESTION_COUNT is "
                f"{settings.TEST_QUESTION_COUNT}",
                id="assessment.E001",
            )
        ]
    return []
