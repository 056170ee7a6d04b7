import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max, Min
from django.utils import timezone

from kewaspadaan.choices import RegionLevel
from kewaspadaan.models import Election, Region, RiskScore, Signal
from kewaspadaan.services import regions_rescore


def history_days(*, start: dt.date, end: dt.date, every: int,
                 daily_from: dt.date | None, daily_to: dt.date | None) -> list[dt.date]:
    """Every ``every`` days from ``start`` to ``end`` (both kept), and every day of the
    dense window (around voting, where officials want a daily picture)."""
    days = set()
    day = start
    while day <= end:
        days.add(day)
        day += dt.timedelta(days=every)
    days.add(end)
    if daily_from and daily_to:
        day = max(daily_from, start)
        while day <= min(daily_to, end):
            days.add(day)
            day += dt.timedelta(days=1)
    return sorted(days)


class Command(BaseCommand):
    help = (
        "Store score snapshots for past days of an election (weekly, daily from the quiet "
        "period to a week after voting), so the dashboards' trends have a history after an "
        "import or a demo load. Runs the same engine as the live rescoring, in date order; "
        "days already scored are skipped unless --redo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--election", help="election code (default: every active one)")
        parser.add_argument("--every", type=int, default=7, help="days between snapshots")
        parser.add_argument("--redo", action="store_true",
                            help="recompute days that already have a national snapshot")

    def handle(self, *args, election=None, every=7, redo=False, **options):
        if every < 1:
            raise CommandError("--every must be at least 1.")
        elections = Election.objects.filter(is_active=True)
        if election:
            if not Election.objects.filter(slug=election).exists():
                raise CommandError(f"Unknown election {election!r}.")
            elections = elections.filter(slug=election)
            if not elections.exists():
                raise CommandError(f"Election {election!r} is not active: the engine "
                                   "scores active elections only.")
        codes = set(Signal.objects.filter(withdrawn_at__isnull=True)
                    .values_list("region_id", flat=True).distinct())
        regions = list(Region.objects.filter(code__in=codes, level=RegionLevel.KABKOTA)
                       .defer("boundary").order_by("code"))
        if not regions:
            self.stdout.write("Score history: no signals, nothing to do.")
            return
        today = timezone.localdate()
        # The engine scores every active election on each day it is given, so each day is
        # run once however many of the elections want it.
        wanted: dict = {}
        for item in elections:
            days = self._days(item, every=every, redo=redo, today=today)
            if not days:
                self.stdout.write(f"Score history of {item.slug}: already there.")
                continue
            wanted[item] = days
        for day in sorted({d for days in wanted.values() for d in days}):
            regions_rescore(regions=regions, day=day)
        for item, days in wanted.items():
            self.stdout.write(self.style.SUCCESS(
                f"Score history of {item.slug}: {len(days)} days x {len(regions)} kab/kota "
                f"({days[0]} to {days[-1]})."))

    @staticmethod
    def _days(item: Election, *, every: int, redo: bool, today: dt.date) -> list[dt.date]:
        """The days of ``item``'s history still to score."""
        bounds = item.stages.aggregate(start=Min("start_date"), end=Max("end_date"))
        if bounds["start"] is None:
            return []
        end = min(bounds["end"] or today, today)
        quiet = item.stages.filter(slug="masa-tenang").values_list("start_date",
                                                                   flat=True).first()
        days = history_days(
            start=bounds["start"], end=end, every=every,
            daily_from=quiet or item.voting_day - dt.timedelta(days=3),
            daily_to=item.voting_day + dt.timedelta(days=7),
        )
        if not redo:
            done = set(RiskScore.objects.filter(election=item, region__isnull=True,
                                                stage="").values_list("day", flat=True))
            days = [d for d in days if d not in done]
        return days
