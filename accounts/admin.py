from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("-date_joined",)
    list_display = ("email", "email_verified_at", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", ("email_verified_at", admin.EmptyFieldListFilter))
    search_fields = ("email",)
    readonly_fields = ("date_joined", "last_login", "email_verified_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Status"), {"fields": ("is_active", "email_verified_at", "date_joined", "last_login")}),
        (_("Hak akses"), {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
