"""The setup feed: the store's site name and its camera list (SPEC §3, seed §6)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from stores.events import publish_store_event
from stores.models import Camera, CameraType, Store

# The seed's Turkish labels and the English API values both name a camera type.
CAMERA_TYPE_ALIASES = {
    "kişi sayım": CameraType.PEOPLE_COUNT,
    "kisi sayim": CameraType.PEOPLE_COUNT,
    "people_count": CameraType.PEOPLE_COUNT,
    "ısı haritası": CameraType.HEATMAP,
    "isı haritası": CameraType.HEATMAP,
    "isi haritasi": CameraType.HEATMAP,
    "heatmap": CameraType.HEATMAP,
    "kuyruk": CameraType.QUEUE,
    "queue": CameraType.QUEUE,
}


def camera_type_from_label(label: str) -> str | None:
    return CAMERA_TYPE_ALIASES.get(label.strip().casefold())


@dataclass(frozen=True)
class CameraSpec:
    name: str
    type: str
    rtsp: str
    snapshot: tuple[bytes, str] | None = None


@dataclass(frozen=True)
class SetupResult:
    store: Store
    cameras: list[Camera]
    created: bool


@transaction.atomic
def apply_setup(store: Store, site_name: str, specs: list[CameraSpec]) -> SetupResult:
    """Upsert cameras by name; cameras missing from the list become inactive, never deleted."""
    store.site_name = site_name
    store.save(update_fields=["site_name"])
    created_any = False
    cameras = []
    for spec in specs:
        camera, created = Camera.objects.select_for_update().get_or_create(
            store=store, name=spec.name, defaults={"type": spec.type, "rtsp_url": spec.rtsp}
        )
        created_any |= created
        camera.type, camera.rtsp_url, camera.active = spec.type, spec.rtsp, True
        if spec.snapshot is not None:
            data, ext = spec.snapshot
            stamp = timezone.now().strftime("%Y%m%d%H%M%S")
            camera.snapshot.save(f"store-{store.pk}/camera-{camera.pk}-{stamp}.{ext}", ContentFile(data), save=False)
        camera.save()
        cameras.append(camera)
    Camera.objects.filter(store=store).exclude(name__in=[spec.name for spec in specs]).update(active=False)
    publish_store_event(store.pk, "setup", {"cameras": len(cameras)})
    return SetupResult(store=store, cameras=cameras, created=created_any)
