"""The brand comparison read from the day rollup (sales.ConversionDay) equals the direct
computation from hourly rows (sales.selectors: visitors hour by hour with the staff rule, tills,
matched hours), on synthetic stores with DST days, a +05:30 zone, cameras with staff counted
and subtracted (or not), hours with one side only; and the rollup stays equal to a rebuild
whatever path wrote the hours."""

from __future__ import annotations

import io
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from analytics import storedays
from analytics.comparison import HEAT_INPUTS, Totals, brand_figures, period_days
from analytics.models import HourlyCustomers
from analytics.services import apply_feed
from devices.models import Device, HourlyDemographics, HourlyFootfall
from sales import rollup
from sales.models import ConversionDay, HourlySales
from sales.selectors import Figures, combine, sales_by_hour, visitors_by_hour
from sales.services import apply_sales
from tests.factories import StoreFactory

HOUR = timedelta(hours=1)
# New York: daylight time starts 8 March 2026 (02:00 → 03:00), ends 2 November 2025 (01:00 twice).
SPRING = (date(2026, 3, 6), date(2026, 3, 10))
FALL = (date(2025, 10, 31), date(2025, 11, 3))


def hours_of_days(tz: ZoneInfo, first: date, last: date) -> list[datetime]:
    start = datetime.combine(first, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return [start + n * HOUR for n in range(int((end - start) / HOUR))]


def fill(stores: list, first: date, last: date, seed: int) -> None:
    """Random hours over the three periods' days (and a day around each, so cut days matter):
    sender counts (some hours demographics-only), camera counts of two devices (object type 1
    as noise), staff work cards (some above the enters: the rule clamps at 0), tills of two
    tills; each side skips hours on its own, so many hours have one side only."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data
    customers, footfall, demographics, sales = [], [], [], []
    for store in stores:
        tz = ZoneInfo(store.timezone)
        devices = list(Device.objects.filter(store=store))
        hours = {
            hour
            for lo, hi in period_days(first, last).values()
            for hour in hours_of_days(tz, lo - timedelta(days=1), hi + timedelta(days=1))
        }
        for hour in sorted(hours):
            if rng.random() < 0.7:
                entered = None if rng.random() < 0.15 else rng.randint(0, 60)
                customers.append(
                    HourlyCustomers(store=store, camera_id="kapi", hour=hour, entered=entered, exited=0, male_count=3)
                )
            for device in devices:
                if rng.random() < 0.7:
                    footfall.append(
                        HourlyFootfall(store=store, device=device, object_type=0, hour=hour, enters=rng.randint(0, 40))
                    )
                    footfall.append(HourlyFootfall(store=store, device=device, object_type=1, hour=hour, enters=99))
                if rng.random() < 0.3:
                    demographics.append(
                        HourlyDemographics(store=store, device=device, hour=hour, work_card=rng.randint(1, 50))
                    )
            for till in ("K1", "K2"):
                if rng.random() < 0.55:
                    transactions = rng.randint(0, 15)
                    sales.append(
                        HourlySales(
                            store=store,
                            till=till,
                            hour=hour,
                            transactions=transactions,
                            revenue=Decimal(rng.randint(0, 90000)) / 100,
                            items=rng.choice([None, transactions * 2]),
                            currency=store.currency,
                        )
                    )
    HourlyCustomers.objects.bulk_create(customers)
    HourlyFootfall.objects.bulk_create(footfall)
    HourlyDemographics.objects.bulk_create(demographics)
    HourlySales.objects.bulk_create(sales)
    storedays.rebuild([store.pk for store in stores])  # bulk writes send no signals


@pytest.fixture
def stores(tenant_a):
    made = [
        StoreFactory(tenant=tenant_a, code="ny", timezone="America/New_York"),
        StoreFactory(tenant=tenant_a, code="ny-cam", timezone="America/New_York", subtract_staff=True),
        StoreFactory(tenant=tenant_a, code="ist-cam", timezone="Europe/Istanbul", subtract_staff=False),
        StoreFactory(tenant=tenant_a, code="kolkata", timezone="Asia/Kolkata"),
        StoreFactory(tenant=tenant_a, code="empty", timezone="Europe/Istanbul"),
    ]
    now = datetime(2025, 1, 1, tzinfo=UTC)
    for store in made[1:3]:
        for name in ("d1", "d2"):
            Device.objects.create(store=store, device_id=f"{store.code}-{name}", first_seen=now, last_seen=now)
    return made


def as_totals(figures: Figures) -> Totals:
    return Totals(
        figures.visitors,
        figures.transactions,
        figures.revenue,
        figures.matched_visitors,
        figures.matched_transactions,
        figures.matched_revenue,
        figures.hours_matched,
    )


def key(totals: Totals, revenue: bool = True) -> tuple:
    """Comparable numbers (Decimal scale aside); ``revenue`` False for heatmap cells, which keep
    no revenue per hour."""
    values = (totals.visitors, totals.transactions, totals.matched_visitors, totals.matched_transactions)
    money = (totals.revenue, totals.matched_revenue) if revenue else ()
    return (*values, totals.hours_matched, *money)


def expected(stores: list, first: date, last: date, now: datetime, focus: int) -> dict:
    """The comparison recomputed store by store from the hourly rows through sales.selectors."""
    totals: dict = {}
    daily: dict = {"brand": {}, "store": {}}
    heat: dict = {"brand": {}, "store": {}}
    for store in stores:
        tz = ZoneInfo(store.timezone)
        for name, (lo_day, hi_day) in period_days(first, last).items():
            lo = datetime.combine(lo_day, time.min, tzinfo=tz).astimezone(UTC)
            hi = min(datetime.combine(hi_day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC), now)
            visitors = visitors_by_hour(store, lo, hi) if lo < hi else {}
            sales = sales_by_hour(store, lo, hi) if lo < hi else {}
            whole = combine(visitors, sales, lambda hour: None).get(None)
            if whole is not None:
                totals[(store.pk, name)] = key(as_totals(whole))
            if name != "current":
                continue
            targets = ("brand", "store") if store.pk == focus else ("brand",)
            by_day = combine(visitors, sales, lambda hour, tz=tz: hour.astimezone(tz).date())
            by_cell = combine(
                visitors, sales, lambda hour, tz=tz: (hour.astimezone(tz).isoweekday(), hour.astimezone(tz).hour)
            )
            for target in targets:
                for day, figures in by_day.items():
                    daily[target].setdefault(day, Totals()).add(as_totals(figures))
                for cell, figures in by_cell.items():
                    heat[target].setdefault(cell, Totals()).add(as_totals(figures))
    return {
        "totals": totals,
        "daily": {t: {d: key(v) for d, v in days.items()} for t, days in daily.items()},
        "heatmap": {t: {c: key(v, revenue=False) for c, v in cells.items()} for t, cells in heat.items()},
    }


def observed(figures) -> dict:
    return {
        "totals": {
            (store_id, name): key(t)
            for store_id, periods in figures.totals.items()
            for name, t in periods.items()
            if t != Totals()  # a period with no hour at all (the hourly statement's empty sum)
        },
        "daily": {t: {d: key(v) for d, v in days.items()} for t, days in figures.daily.items()},
        "heatmap": {t: {c: key(v, revenue=False) for c, v in cells.items()} for t, cells in figures.heatmap.items()},
    }


def cuts(first: date, last: date) -> list[datetime]:
    """``now`` after every period, and inside the period's last day and DST day (a cut day)."""
    ny = ZoneInfo("America/New_York")
    return [
        datetime.combine(last + timedelta(days=3), time.min, tzinfo=UTC),
        datetime.combine(last, time(15, 30), tzinfo=ny).astimezone(UTC),
        datetime.combine(first + timedelta(days=2), time(4, 0), tzinfo=ny).astimezone(UTC),
    ]


@pytest.mark.parametrize(("first", "last", "seed"), [(*SPRING, 1), (*FALL, 2)])
def test_rollup_equals_the_hour_by_hour_computation(stores, first, last, seed):
    fill(stores, first, last, seed)
    assert ConversionDay.objects.exists()
    focus = stores[1].pk
    for now in cuts(first, last):
        figures = brand_figures(stores, first, last, now, focus)
        assert observed(figures) == expected(stores, first, last, now, focus), now
        # Every matched hour counted: the check is not vacuous.
        assert all(figures.totals[store.pk]["current"].hours_matched for store in stores[:4])


@pytest.mark.parametrize(("first", "last"), [SPRING, FALL])
def test_rollup_equals_the_hourly_statement(stores, first, last):
    """The rollup path and the all-hours path of brand_figures give the same BrandFigures
    (heatmap cells but for revenue, which the rollup does not keep per hour)."""
    fill(stores, first, last, seed=3)
    for now in cuts(first, last):
        for focus in (None, stores[3].pk):
            rolled = observed(brand_figures(stores, first, last, now, focus))
            direct = observed(brand_figures(stores, first, last, now, focus, from_rollup=False))
            assert rolled == direct


@pytest.mark.parametrize(("first", "last"), [SPRING, FALL])
def test_a_heatmap_of_one_metric_shows_what_every_sum_gives(stores, first, last):
    """The page sums only the arrays of the heatmap it shows (HEAT_INPUTS): the same cells, the
    same values of that metric, the same totals and daily series as with every sum."""
    fill(stores, first, last, seed=4)
    for now in cuts(first, last):
        for focus in (None, stores[3].pk):
            every = brand_figures(stores, first, last, now, focus)
            for metric, inputs in HEAT_INPUTS.items():
                some = brand_figures(stores, first, last, now, focus, heat_metrics=inputs)
                assert observed(some)["totals"] == observed(every)["totals"]
                assert observed(some)["daily"] == observed(every)["daily"]
                for target in ("brand", "store"):
                    shown = {cell: getattr(t, metric) for cell, t in some.heatmap[target].items()}
                    assert shown == {cell: getattr(t, metric) for cell, t in every.heatmap[target].items()}
                    assert any(value is not None for value in shown.values()) or target == "store" and not focus


def test_a_day_with_one_side_only_and_a_store_without_anything(stores):
    a, cam, _, _, empty = stores
    day = date(2026, 3, 3)
    moment = datetime.combine(day, time(11), tzinfo=ZoneInfo(a.timezone)).astimezone(UTC)
    HourlySales.objects.create(store=a, hour=moment, transactions=4, revenue=Decimal("10.00"), currency="TRY")
    HourlyCustomers.objects.create(store=cam, camera_id="k", hour=moment, entered=30)  # a camera store: ignored
    figures = brand_figures([a, cam, empty], day, day, datetime(2026, 3, 20, tzinfo=UTC))
    current = figures.totals[a.pk]["current"]
    assert (current.visitors, current.transactions, current.conversion, current.hours_matched) == (None, 4, None, 0)
    assert figures.totals[cam.pk].get("current", Totals()) == Totals()
    assert figures.totals[empty.pk].get("current", Totals()) == Totals()
    assert figures.heatmap["brand"][(2, 11)].transactions == 4


def snapshot(store_ids: list[int]) -> dict:
    fields = ("visitors", "transactions", "revenue", "items", "matched_visitors", "matched_transactions")
    more = ("matched_revenue", "hours_matched", "hour_visitors", "hour_transactions", "hour_matched_visitors")
    more += ("hour_matched_transactions", "hour_matched")
    return {
        (row["store_id"], row["source"], row["day"]): tuple(row[name] for name in (*fields, *more))
        for row in ConversionDay.objects.filter(store_id__in=store_ids).values()
    }


def assert_as_rebuilt(stores: list) -> None:
    ids = [store.pk for store in stores]
    kept = snapshot(ids)
    rollup.rebuild(ids)
    assert kept == snapshot(ids)


def test_every_feed_keeps_the_rollup_as_a_rebuild_would(stores):
    a, cam, ist, kolkata, _ = stores
    rng = random.Random(7)  # noqa: S311
    ny = ZoneInfo("America/New_York")
    # Hours around the spring-forward night, New York and Kolkata.
    moments = [datetime(2026, 3, 7, 20, tzinfo=ny).astimezone(UTC) + n * HOUR for n in range(12)]
    apply_feed("customers", [(a, {"timestamp": m, "entered": rng.randint(0, 30), "exited": 1}) for m in moments])
    apply_feed("customers", [(kolkata, {"timestamp": m, "entered": 5}) for m in moments[::2]])
    apply_sales(
        [
            (store, {"timestamp": m, "transactions": 3, "revenue": Decimal("7.50"), "till": "K1"})
            for store in (a, kolkata)
            for m in moments[1::3]
        ]
    )
    assert_as_rebuilt(stores)
    # A till push overwrites; an hour that had only visitors gets its till side.
    apply_sales([(a, {"timestamp": moments[0], "transactions": 9, "revenue": Decimal("1.00")})])
    apply_sales([(a, {"timestamp": moments[1], "transactions": 1, "revenue": Decimal("2.00"), "till": "K1"})])
    assert_as_rebuilt(stores)
    # Camera counts and staff saved one by one (the receivers), then the staff rule switched.
    device = Device.objects.get(device_id="ny-cam-d1")
    for m in moments[:6]:
        HourlyFootfall.objects.create(store=cam, device=device, object_type=0, hour=m, enters=10)
    HourlyDemographics.objects.create(store=cam, device=device, hour=moments[2], work_card=4)
    HourlyDemographics.objects.create(store=cam, device=device, hour=moments[3], work_card=40)
    apply_sales([(cam, {"timestamp": m, "transactions": 2, "revenue": Decimal("3.00")}) for m in moments[:4]])
    assert_as_rebuilt(stores)
    row = ConversionDay.objects.get(store=cam, source="camera", day=moments[2].astimezone(ny).date())
    assert row.hour_visitors[moments[2].astimezone(ny).hour] == 6  # 10 enters less 4 staff
    assert row.hour_visitors[moments[3].astimezone(ny).hour] == 0  # never below 0
    cam.subtract_staff = False
    cam.save()
    row.refresh_from_db()
    assert row.hour_visitors[moments[2].astimezone(ny).hour] == 10
    assert_as_rebuilt(stores)
    # A time zone change re-keys every day (analytics' receiver rebuilds both rollups).
    a.timezone = "Europe/Istanbul"
    a.save()
    assert_as_rebuilt(stores)
    assert {row.day for row in ConversionDay.objects.filter(store=a)} == {
        m.astimezone(ZoneInfo("Europe/Istanbul")).date() for m in moments
    }


def test_rebuild_command_rebuilds_the_conversion_days(stores):
    a = stores[0]
    moment = datetime(2026, 3, 2, 9, tzinfo=UTC)
    HourlySales.objects.bulk_create(
        [HourlySales(store=a, hour=moment, transactions=5, revenue=Decimal("9.99"), currency="TRY")]
    )
    assert not ConversionDay.objects.filter(store=a).exists()  # a bulk write: no signal
    call_command("rebuild_store_days", stdout=io.StringIO())
    assert set(ConversionDay.objects.filter(store=a).values_list("source", "transactions")) == {
        ("sender", 5),
        ("camera", 5),
    }


def test_a_camera_batch_across_stores_keeps_the_rollup_as_a_rebuild_would(stores, settings):
    """The applier refreshes every store of a batch at once (``rollup.refresh_many``)."""
    from devices import applier
    from devices.services import ingest_document
    from tests.devices.conftest import count_xml, document, object_xml, report_xml

    settings.DEVICES_APPLY_INLINE = False
    ny_cam, ist_cam = stores[1], stores[2]
    # 04:40 UTC is 23:40 in New York and 07:40 in Istanbul: the batch spans two New York days.
    start = datetime(2026, 3, 3, 4, 40, tzinfo=UTC)
    apply_sales([(ny_cam, {"timestamp": start, "transactions": 2, "revenue": Decimal("3.00")})])
    minutes = [start + n * timedelta(minutes=10) for n in range(4)]  # 04:40 … 05:10
    for store in (ny_cam, ist_cam):
        for n, minute in enumerate(minutes):
            unix = int(minute.timestamp())
            report = report_xml(objects=[object_xml("0", [count_xml(unix=unix, enters=str(n + 3), exits="1")])])
            body = document(device_id=f"{store.code}-d1", transmit=unix + 60, reports=[report])
            assert ingest_document(store, body).accepted
    assert applier.apply_batch(100) == 8
    ny = {row.day: row.visitors for row in ConversionDay.objects.filter(store=ny_cam, source="camera")}
    assert ny == {date(2026, 3, 2): 3 + 4, date(2026, 3, 3): 5 + 6}
    ist = {row.day: row.visitors for row in ConversionDay.objects.filter(store=ist_cam, source="camera")}
    assert ist == {date(2026, 3, 3): 3 + 4 + 5 + 6}
    assert_as_rebuilt(stores)
