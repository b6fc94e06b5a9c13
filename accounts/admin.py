from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import PrivacyPolicyText, TermsText, User
from prakerja.admin import VersionedTextAdmin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("-date_joined",)
    list_display = ("email", "email_verified_at", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", ("email_verified_at", admin.EmptyFieldListFilter))
    search_fields = ("email",)
    readonly_fields = ("date_joined", "last_login", "email_verified_at", "privacy_policy_text", "terms_text")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Status"), {"fields": ("is_active", "email_verified_at", "date_joined", "last_login")}),
        (_("Persetujuan saat mendaftar"), {"fields": ("privacy_policy_text", "terms_text")}),
        (_("Hak akses"), {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(PrivacyPolicyText)
class PrivacyPolicyTextAdmin(VersionedTextAdmin):
    text_fields = ("title", "body")

    def publish(self, request, obj: PrivacyPolicyText) -> PrivacyPolicyText:
        return services.privacy_policy_text_publish(title=obj.title, body=obj.body, acting_user=request.user)


@admin.register(TermsText)
class TermsTextAdmin(VersionedTextAdmin):
    text_fields = ("title", "body")

    def publish(self, request, obj: TermsText) -> TermsText:
        return services.terms_text_publish(title=obj.title, body=obj.body, acting_user=request.user)
