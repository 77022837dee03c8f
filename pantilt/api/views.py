"""process-request (SPEC §5) and the session status endpoint; thin over services/selectors."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from pantilt.api import docs
from pantilt.models import CaptureSession, Rig
from pantilt.rigs import rig_as_dict
from pantilt.selectors import session_as_dict
from pantilt.services import submit_capture
from pantilt.validation import PlanError
from stores.api.permissions import CanSendData


@extend_schema(**docs.PROCESS_REQUEST_SCHEMA)
class ProcessRequestView(APIView):
    """Validate the seed's ``{"requests": [...]}`` and queue a capture session (202)."""

    permission_classes = [IsAuthenticated, CanSendData]

    def post(self, request):
        try:
            session = submit_capture(request.user, request.data)
        except PlanError as exc:
            raise ValidationError(exc.errors) from exc
        return Response({"session_id": session.pk, "status": session.status}, status=status.HTTP_202_ACCEPTED)


@extend_schema(**docs.SESSION_SCHEMA)
class SessionDetailView(APIView):
    """A session of the caller's tenant; another tenant's is 404."""

    def get(self, request, session_id: int):
        session = CaptureSession.objects.visible_to(request.user).select_related("rig").filter(pk=session_id).first()
        if session is None:
            raise Http404
        return Response(session_as_dict(session))


@extend_schema(**docs.SESSION_SCHEMA)
class RigDetailView(APIView):
    """A rig of the caller's tenant with its cameras and limits; another tenant's is 404."""

    def get(self, request, rig_id: int):
        rig = Rig.objects.visible_to(request.user).select_related("tenant").filter(pk=rig_id).first()
        if rig is None:
            raise Http404
        return Response(rig_as_dict(rig))
