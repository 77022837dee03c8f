"""Who may write data: sender accounts and brand admins of the store's tenant, operators."""

from rest_framework.permissions import BasePermission

from stores.models import Role

WRITER_ROLES = {Role.SENDER, Role.BRAND_ADMIN}


class CanSendData(BasePermission):
    message = "This account may read data but not send it."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        membership = getattr(user, "membership", None)
        return membership is not None and membership.role in WRITER_ROLES
