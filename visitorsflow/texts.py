"""Alert texts in a site's language (Traditional Chinese is VisitorsFlow's default, per seed 002)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from visitorsflow.models import Language, Site

TEXTS: dict[str, dict[str, str]] = {
    "silence": {
        # The seed's own message: "已經一分鐘沒有資料了，快去查看一下吧 [ recorded time ]".
        Language.ZH_HANT: "{ssid}: 已經{minutes_zh}分鐘沒有資料了，快去查看一下吧 [{last}]",
        Language.TR: "{ssid}: {minutes} dakikadır veri gelmedi, lütfen kontrol edin [{last}]",
        Language.EN: "{ssid}: no data for {minutes} minute(s), please check [{last}]",
    },
    "recovery": {
        Language.ZH_HANT: "{ssid}: 資料已恢復 [{last}]",
        Language.TR: "{ssid}: veri akışı yeniden başladı [{last}]",
        Language.EN: "{ssid}: data is arriving again [{last}]",
    },
    "ingest_error": {
        Language.ZH_HANT: "{ssid}: 檔案 {name} 無法處理：{reason}",
        Language.TR: "{ssid}: {name} dosyası işlenemedi: {reason}",
        Language.EN: "{ssid}: file {name} could not be processed: {reason}",
    },
    "ingest_partial": {
        Language.ZH_HANT: "{ssid}: 檔案 {name} 有 {bad} 筆資料無法處理（已儲存 {good} 筆）：{reason}",
        Language.TR: "{ssid}: {name} dosyasında {bad} kayıt işlenemedi ({good} kayıt kaydedildi): {reason}",
        Language.EN: "{ssid}: file {name}: {bad} record(s) could not be processed ({good} stored): {reason}",
    },
    "export_failure": {
        Language.ZH_HANT: "{ssid}: 資料上傳至官方 API 連續失敗 {failures} 次：{reason}",
        Language.TR: "{ssid}: resmi API'ye gönderim art arda {failures} kez başarısız oldu: {reason}",
        Language.EN: "{ssid}: export to the official API failed {failures} times in a row: {reason}",
    },
}

ZH_DIGITS = "零一二三四五六七八九十"


def minutes_in_chinese(minutes: int) -> str:
    """一 … 十 as the seed writes them; larger numbers stay in digits."""
    return ZH_DIGITS[minutes] if 0 < minutes <= 10 else str(minutes)


def local_stamp(site: Site, moment: datetime | None) -> str:
    """A moment in the site's own time, as the people reading the alert think of it."""
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(site.store.timezone)).strftime("%Y-%m-%d %H:%M:%S")


def render(kind: str, site: Site, **values: object) -> str:
    template = TEXTS[kind].get(site.language) or TEXTS[kind][Language.ZH_HANT]
    minutes = values.get("minutes")
    if isinstance(minutes, int):
        values["minutes_zh"] = minutes_in_chinese(minutes)
    return template.format(ssid=site.ssid, **values)
