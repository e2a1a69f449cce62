"""The residents' voice: votes and their history, consultation rounds, contacts, holdouts, meetings,
the public notice and its objections."""

from collections import Counter
from datetime import date, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from retrofit import uploads
from retrofit.documents import DocumentVersion, current_version, owner_key, versions_meta
from retrofit.fields import YuanField, by_user, choice_checks, protected_key, unique_in, when_set
from units.models import Community
from units.roster_words import AgeBand, Occupancy

from . import campaign, rules


class VoteValue(models.TextChoices):
    AGREE = rules.AGREE, _("Agree")
    OPPOSE = rules.OPPOSE, _("Oppose")
    ABSTAIN = rules.ABSTAIN, _("Abstain")
    UNDECIDED = rules.UNDECIDED, _("Undecided")
    UNREACHABLE = rules.UNREACHABLE, _("Unreachable")


class VoteSource(models.TextChoices):
    PAGE = "page", _("Recorded by staff")
    IMPORT = "import", _("Ledger import")
    ADMIN = "admin", _("Admin")
    RESIDENT = "resident", _("Resident page")
    TRANSFER = "transfer", _("Change of owner")  # 过户: the old owner's vote closes


class Vote(models.Model):
    """A household's current vote. Missing means undecided (未表态)."""

    household = models.OneToOneField(
        "units.Household", on_delete=models.CASCADE, primary_key=True, related_name="vote", verbose_name=_("household")
    )
    value = models.CharField(_("vote"), max_length=12, choices=VoteValue.choices, default=VoteValue.UNDECIDED)
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    # Bumped on every change: a form that carries an old version was stale and is refused.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.CheckConstraint(condition=Q(value__in=rules.VOTES), name="vote_value_valid"),
        ]

    def __str__(self):
        return self.get_value_display()


class VoteChange(models.Model):
    """The history of a household's vote: who changed it, when, from what to what, and why."""

    household = models.ForeignKey("units.Household", on_delete=models.CASCADE, related_name="vote_changes")
    before = models.CharField(_("before"), max_length=12, choices=VoteValue.choices, blank=True)
    after = models.CharField(_("after"), max_length=12, choices=VoteValue.choices)
    reason = models.TextField(_("reason"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=VoteSource.choices, default=VoteSource.PAGE)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"))
    # The visit, call or meeting in which the household gave this vote, when staff cite one.
    contact = models.ForeignKey(
        "Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="vote_changes",
        verbose_name=_("given in contact"),
    )

    class Meta:
        verbose_name = _("vote change")
        verbose_name_plural = _("vote changes")
        ordering = ["-changed_at", "-id"]
        indexes = [
            # The household's history on the unit page.
            models.Index(fields=["household", "-changed_at"], name="votechange_household_time"),
            # Consent trend week by week on the dashboard.
            models.Index(fields=["changed_at"], name="votechange_time"),
        ]

    def __str__(self):
        return f"{self.household} {self.before or '—'} → {self.after}"


def agree_step(before: str, after: str) -> int:
    """What a change of vote adds to the households agreeing: 1 into agree, -1 out of it, else 0 (a new
    reason with the same vote)."""
    return (after == rules.AGREE) - (before == rules.AGREE)


def week_of(moment) -> date:
    """The Monday (Asia/Shanghai) of the week of ``moment``: the consent trend's weeks."""
    day = timezone.localtime(moment).date()
    return day - timedelta(days=day.weekday())


class VoteWeek(models.Model):
    """One unit's vote history in one week: its changes into agree less those out of it (``agree_step``)
    and when its last change was, kept as the history is written (signals.py for every saved change,
    ``add`` after a bulk write, ``store`` after one that re-dated it). The consent trend sums the weeks it
    shows from these rows, and the attention list finds the units whose votes have not moved from them:
    a few rows per unit, not every change of every household (reports/dashboard.py, _trend;
    consultations/attention.py, _stalled). The history is only ever added to; a unit's rows go with it."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    week = models.DateField()  # its Monday
    net = models.IntegerField(default=0)
    last_at = models.DateTimeField()

    CHUNK = 500

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "week"], name="voteweek_unit_week")]

    def __str__(self):
        return f"{self.unit_id} {self.week}: {self.net:+d}"

    @classmethod
    def add(cls, changes) -> None:
        """Count these new changes, each ``(unit_id, changed_at, before, after)``, in their units' weeks:
        a read of the weeks already stored, then an update of those and an insert of the others, per
        ``CHUNK`` weeks. The writers hold the units' locks (a vote's, the import's)."""
        steps, last = Counter(), {}
        for unit_id, changed_at, before, after in changes:
            key = (unit_id, week_of(changed_at))
            steps[key] += agree_step(before, after)
            last[key] = max(changed_at, last.get(key, changed_at))
        keys = sorted(last)
        for start in range(0, len(keys), cls.CHUNK):
            chunk = keys[start : start + cls.CHUNK]
            stored = cls.objects.filter(unit_id__in={unit for unit, _week in chunk}, week__in={week for _unit, week in chunk})
            found = {(row.unit_id, row.week): row for row in stored if (row.unit_id, row.week) in last}
            for key, row in found.items():
                row.net += steps[key]
                row.last_at = max(row.last_at, last[key])
            cls.objects.bulk_update(found.values(), ["net", "last_at"])
            cls.objects.bulk_create(
                [cls(unit_id=u, week=w, net=steps[(u, w)], last_at=last[(u, w)]) for u, w in chunk if (u, w) not in found]
            )

    @classmethod
    def store(cls, unit_ids) -> None:
        """These units' weeks again from their whole history (after changes were re-dated)."""
        unit_ids = sorted(set(unit_ids))
        for start in range(0, len(unit_ids), cls.CHUNK):
            chunk = unit_ids[start : start + cls.CHUNK]
            history = VoteChange.objects.filter(household__unit_id__in=chunk)
            with transaction.atomic():
                cls.objects.filter(unit_id__in=chunk).delete()
                cls.add(history.values_list("household__unit_id", "changed_at", "before", "after").order_by())


class OwnerTransfer(models.Model):
    """A change of owner 过户 of one flat: the day it took effect, the owners before and after, who recorded
    it and when (docs/rules.md, "Consent": a change of owner). Never changed, except to say the new owner
    of a signed unit was told."""

    household = models.ForeignKey(
        "units.Household", on_delete=models.CASCADE, related_name="transfers", verbose_name=_("household")
    )
    transferred_on = models.DateField(_("owner changed on"))
    old_name = models.CharField(_("previous owner"), max_length=50)
    old_phone = models.CharField(_("previous owner's phone"), max_length=30, blank=True)
    new_name = models.CharField(_("new owner"), max_length=50)
    new_phone = models.CharField(_("new owner's phone"), max_length=30, blank=True)
    # Recorded once the unit had reached signing: the signature stays with the flat, so the new owner
    # must be told what the flat signed and owes.
    after_signing = models.BooleanField(_("after signing"), default=False)
    told_at = models.DateTimeField(_("new owner told at"), null=True, blank=True)
    told_by = by_user(_("told by"))
    recorded_by = by_user(required=True)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("change of owner")
        verbose_name_plural = _("changes of owner")
        ordering = ["household", "transferred_on", "recorded_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(new_name=""), name="transfer_new_owner_named"),
            when_set("told_at", Q(after_signing=True), name="transfer_told_only_after_signing"),
        ]
        indexes = [
            # The unit page's "new owner to be told".
            models.Index(fields=["household", "after_signing", "told_at"], name="transfer_household_told"),
        ]

    def __str__(self):
        return f"{self.household} {self.transferred_on:%Y-%m-%d} {self.old_name} → {self.new_name}"


# --- consultation rounds --------------------------------------------------------------------------


class Channel(models.TextChoices):
    """How a round is publicised (docs/rules.md, "Stages": consultation; the pilot report's 宣传方式)."""

    NOTICE = "notice", _("Posted notice")
    YARD_MEETING = "yard_meeting", _("Yard meeting")
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door visits")
    GROUP_CHAT = "group_chat", _("WeChat group")
    HOTLINE = "hotline", _("Policy hotline")


class RoundStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("round", "Open")
    ON_HOLD = "on_hold", _("On hold for the leadership group's review")
    CLOSED = "closed", _("Closed")


class RoundQuerySet(models.QuerySet):
    def current(self):
        """Rounds still being worked on or waiting for review (at most one per unit, by constraint)."""
        return self.exclude(status=RoundStatus.CLOSED)

    def overdue(self, today):
        return self.filter(status=RoundStatus.OPEN, deadline__lt=today)


class ConsultationRound(models.Model):
    """One round of asking a unit's households, with a feedback deadline 意见反馈截止时间."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="rounds", verbose_name=_("unit"))
    number = models.PositiveSmallIntegerField(_("round"), default=1)
    opened_on = models.DateField(_("opened on"))
    deadline = models.DateField(_("feedback deadline"))
    # One flag per channel: a CheckConstraint can then insist on at least one, which a list could not.
    by_notice = models.BooleanField(Channel.NOTICE.label, default=False)
    by_yard_meeting = models.BooleanField(Channel.YARD_MEETING.label, default=False)
    by_door_to_door = models.BooleanField(Channel.DOOR_TO_DOOR.label, default=False)
    by_group_chat = models.BooleanField(Channel.GROUP_CHAT.label, default=False)
    by_hotline = models.BooleanField(Channel.HOTLINE.label, default=False)
    hotline = models.CharField(_("policy hotline number"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    opened_by = by_user(_("opened by"), required=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    held_at = models.DateTimeField(_("put on hold at"), null=True, blank=True)
    held_by = by_user()
    hold_note = models.TextField(_("why it is on hold"), blank=True)
    review_decision = models.TextField(_("leadership group's decision"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = by_user()

    objects = RoundQuerySet.as_manager()

    CHANNEL_FIELDS = {
        Channel.NOTICE: "by_notice",
        Channel.YARD_MEETING: "by_yard_meeting",
        Channel.DOOR_TO_DOOR: "by_door_to_door",
        Channel.GROUP_CHAT: "by_group_chat",
        Channel.HOTLINE: "by_hotline",
    }

    class Meta:
        verbose_name = _("consultation round")
        verbose_name_plural = _("consultation rounds")
        ordering = ["unit", "-number"]
        constraints = [
            unique_in("round", "number", "unit"),
            # A unit is consulted one round at a time.
            models.UniqueConstraint(
                fields=["unit"], condition=~Q(status=RoundStatus.CLOSED), name="round_one_current_per_unit"
            ),
            models.CheckConstraint(condition=Q(deadline__gte=models.F("opened_on")), name="round_deadline_after_open"),
            models.CheckConstraint(
                condition=Q(by_notice=True)
                | Q(by_yard_meeting=True)
                | Q(by_door_to_door=True)
                | Q(by_group_chat=True)
                | Q(by_hotline=True),
                name="round_has_a_channel",
            ),
            *choice_checks("round", status=RoundStatus),
            when_set("closed_on", Q(status=RoundStatus.CLOSED), name="round_closed_on_only_when_closed"),
        ]
        indexes = [
            # Overdue rounds across a street: status = open and deadline < today.
            models.Index(fields=["status", "deadline"], name="round_status_deadline"),
        ]

    def __str__(self):
        return _("%(unit)s, round %(number)s") % {"unit": self.unit, "number": self.number}

    @property
    def channels(self) -> list[str]:
        return [channel for channel, name in self.CHANNEL_FIELDS.items() if getattr(self, name)]

    @property
    def channel_labels(self) -> list[str]:
        return [Channel(channel).label for channel in self.channels]

    def is_overdue(self, today) -> bool:
        return self.status == RoundStatus.OPEN and self.deadline < today


# --- contacts with households ---------------------------------------------------------------------


class ContactChannel(models.TextChoices):
    VISIT = "visit", _("Home visit")  # 入户
    PHONE = "phone", _("Phone call")  # 电话
    WECHAT = "wechat", _("WeChat")  # 微信
    YARD_MEETING = "yard_meeting", _("Yard meeting")  # 坝坝会
    QA_MEETING = "qa_meeting", _("On-site Q&A")  # 现场答疑会
    NOTICE = "notice", _("Posted notice")  # 公告


class ContactOutcome(models.TextChoices):
    TALKED = "talked", _("Talked it through")
    FORM_SIGNED = "form_signed", _("Opinion form signed")
    CALL_BACK = "call_back", _("Come back later")
    NO_ANSWER = "no_answer", _("Nobody home / no answer")
    REFUSED = "refused", _("Refused to talk")


class Contact(models.Model):
    """One contact with a household: a visit, a call, a message, a meeting they came to."""

    household = models.ForeignKey(
        "units.Household", on_delete=models.CASCADE, related_name="contacts", verbose_name=_("household")
    )
    round = models.ForeignKey(
        ConsultationRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts",
        verbose_name=_("round"),
    )
    channel = models.CharField(_("channel"), max_length=12, choices=ContactChannel.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=ContactOutcome.choices)
    made_by = by_user(pgettext_lazy("recorded by", "by"), required=True, related_name="contacts_made")
    companions = models.CharField(
        _("together with"), max_length=200, blank=True,
        help_text=_("e.g. the neighbour and the cadre on a joint visit"),
    )
    contacted_at = models.DateTimeField(_("when"))
    note = models.TextField(_("note"), blank=True)
    # The signed opinion form, kept as a version (retrofit/documents.py): never deleted.
    opinion_form_version = current_version("OpinionFormVersion", _("signed opinion form (photo or PDF)"))

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-contacted_at", "-id"]
        constraints = [
            *choice_checks("contact", channel=ContactChannel, outcome=ContactOutcome),
        ]
        indexes = [
            # The last contact of each household on the visit list and the unit page.
            models.Index(fields=["household", "-contacted_at"], name="contact_household_time"),
        ]

    def __str__(self):
        return f"{self.household} {self.get_channel_display()} {self.contacted_at:%Y-%m-%d}"


class OpinionFormVersion(DocumentVersion):
    """One uploaded photo or PDF of a contact's signed opinion form; never changed or deleted."""

    OWNER_FIELD = "contact"
    KIND = uploads.OPINION_FORM

    contact = owner_key(Contact, "opinion_form_versions", _("contact"))
    Meta = versions_meta(OWNER_FIELD, _("opinion form version"), _("opinion form versions"))


# --- holdouts -------------------------------------------------------------------------------------


class HoldoutReason(models.TextChoices):
    HARDSHIP = "hardship", _("Cannot afford the share")
    MISUNDERSTANDING = "misunderstanding", _("Misunderstands the policy")
    LOW_FLOOR = "low_floor", _("Low floor: no benefit")
    NOISE_LIGHT = "noise_light", _("Noise, light or privacy")
    COST_SPLIT = "cost_split", _("Disagrees with the cost split")
    OTHER = "other", _("Other")


class Degree(models.TextChoices):
    SOFT = "soft", _("Soft: could be won over")
    STRONG = "strong", _("Strong: firmly against")


class Holdout(models.Model):
    """Why a household holds out, how strongly, and the plan for it (the pilot report's 分类施策)."""

    household = models.OneToOneField(
        "units.Household", on_delete=models.CASCADE, related_name="holdout", verbose_name=_("household")
    )
    reason = models.CharField(_("main reason"), max_length=20, choices=HoldoutReason.choices)
    degree = models.CharField(_("degree of objection"), max_length=10, choices=Degree.choices)
    detail = models.TextField(_("in their words"), blank=True)
    # Hardship: relief proposed for the cost-share plan, in yuan, to be spread over the other payers.
    relief_amount = YuanField(_("proposed relief (yuan)"), max_digits=10, null=True, blank=True)
    # Misunderstanding: a joint visit with a neighbour from the same floor, unit or building and a cadre.
    neighbour = models.ForeignKey(
        "units.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("neighbour to visit with"),
    )
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("cadre"),
    )
    visit_planned_on = models.DateField(_("joint visit planned on"), null=True, blank=True)
    recorded_by = by_user(required=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("holdout")
        verbose_name_plural = _("holdouts")
        constraints = [
            *choice_checks("holdout", reason=HoldoutReason, degree=Degree),
            when_set(
                "relief_amount", Q(reason=HoldoutReason.HARDSHIP) & Q(relief_amount__gt=0),
                name="holdout_relief_only_for_hardship",
            ),
            models.CheckConstraint(
                condition=(Q(neighbour__isnull=True) & Q(cadre__isnull=True) & Q(visit_planned_on__isnull=True))
                | Q(reason=HoldoutReason.MISUNDERSTANDING),
                name="holdout_joint_visit_only_for_misunderstanding",
            ),
            models.CheckConstraint(condition=~Q(neighbour=models.F("household")), name="holdout_neighbour_not_self"),
        ]

    def __str__(self):
        return f"{self.household}: {self.get_reason_display()} ({self.get_degree_display()})"


# --- meetings -------------------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Regular meeting")  # 例会
    COORDINATION = "coordination", _("Special coordination meeting")  # 专题协调会
    JOINT = "joint", _("Joint meeting")  # 联席会
    YARD = "yard", _("Yard meeting")  # 坝坝会
    QA = "qa", _("On-site Q&A meeting")  # 现场答疑会


LEADERSHIP_KINDS = (MeetingKind.REGULAR, MeetingKind.COORDINATION, MeetingKind.JOINT)
RESIDENT_KINDS = (MeetingKind.YARD, MeetingKind.QA)


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A district's meetings for its officials, a street's for its leadership; a community's own and street-wide ones for its staff;
        for a unit leader, the meetings about their units."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if user.district_id:
            return self.filter(street__district_id=user.district_id)
        if user.street_id:
            return self.filter(street_id=user.street_id)
        if user.community_id:
            # A subquery, not a join through street.communities, which would repeat each meeting.
            street_of_community = Community.objects.filter(pk=user.community_id).values("street_id")
            return self.filter(
                Q(community_id=user.community_id) | Q(community__isnull=True, street_id__in=street_of_community)
            )
        # A meeting concerns a unit leader when it, or one of its action items, names one of their units.
        return self.filter(
            Q(pk__in=Meeting.objects.filter(units__leaders=user).values("pk"))
            | Q(pk__in=ActionItem.objects.filter(units__leaders=user).values("meeting"))
        )


class Meeting(models.Model):
    street = models.ForeignKey(
        "units.Street", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("street")
    )
    community = protected_key("units.Community", _("community"), related_name="meetings")
    kind = models.CharField(_("kind"), max_length=14, choices=MeetingKind.choices)
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.TextField(_("attendees"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    units = models.ManyToManyField("units.Unit", blank=True, related_name="meetings", verbose_name=_("units"))
    created_by = by_user(required=True)
    created_at = models.DateTimeField(_("created at"))

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-starts_at", "-id"]
        constraints = choice_checks("meeting", kind=MeetingKind)
        indexes = [
            # The meetings list of a street, newest first.
            models.Index(fields=["street", "-held_on"], name="meeting_street_date"),
        ]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def is_leadership(self) -> bool:
        return self.kind in LEADERSHIP_KINDS


class ActionItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    text = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items", verbose_name=pgettext_lazy("action item", "owner")
    )
    due_on = models.DateField(pgettext_lazy("action item", "due"))
    units = models.ManyToManyField("units.Unit", blank=True, related_name="action_items", verbose_name=_("units"))
    done = models.BooleanField(pgettext_lazy("action item", "done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = by_user()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["done", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(done=True) & Q(done_at__isnull=False)) | (Q(done=False) & Q(done_at__isnull=True)),
                name="action_done_at_when_done",
            ),
        ]
        indexes = [
            # "My action items": an owner's open items by due date.
            models.Index(fields=["owner", "done", "due_on"], name="action_owner_open_due"),
        ]

    def __str__(self):
        return self.text

    def is_overdue(self, today) -> bool:
        return not self.done and self.due_on < today


# --- public notice 公示 ----------------------------------------------------------------------------


class NoticeStatus(models.TextChoices):
    RUNNING = "running", _("Posted")
    COMPLETED = "completed", pgettext_lazy("notice", "Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Notice(models.Model):
    """The draft agreement and consent list posted at the unit entrance and the estate board.

    The period is ``days`` calendar days counted from ``starts_on`` inclusive: a 20-day notice posted on
    1 March runs through 20 March (``last_day``), and the unit may move to signing from 21 March.
    """

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="notices", verbose_name=_("unit"))
    round = models.ForeignKey(
        ConsultationRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="notices"
    )
    draft_signed_on = models.DateField(_("agreement draft-signed on"))
    starts_on = models.DateField(_("notice starts on"))
    days = models.PositiveSmallIntegerField(_("notice period (days)"))
    plan_summary = models.TextField(
        _("plan"), help_text=_("Installation method, cost estimate, subsidy and how the cost is split.")
    )
    posted_at_entrance = models.BooleanField(_("posted at the unit entrance"), default=True)
    posted_on_board = models.BooleanField(_("posted on the estate notice board"), default=True)
    contact_phone = models.CharField(_("phone for objections"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.RUNNING)
    started_by = by_user(required=True)
    started_at = models.DateTimeField()
    # A street leader's record of a paper notice posted before the day it was entered here: why.
    # With started_by and started_at it says who claimed the earlier date, when, and on what ground.
    backdate_reason = models.TextField(_("why the notice was posted before it was recorded"), blank=True)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit"], condition=Q(status=NoticeStatus.RUNNING), name="notice_one_running_per_unit"),
            models.CheckConstraint(condition=Q(days__gte=1) & Q(days__lte=366), name="notice_days_range"),
            models.CheckConstraint(
                condition=Q(starts_on__gte=models.F("draft_signed_on")), name="notice_starts_after_draft_signing"
            ),
            *choice_checks("notice", status=NoticeStatus),
        ]

    def __str__(self):
        return _("Public notice for %(unit)s") % {"unit": self.unit}

    @property
    def last_day(self):
        return campaign.notice_last_day(self.starts_on, self.days)

    def signing_opens_on(self, min_days: int = 1):
        """The first day signing may start: the full period (never shorter than ``min_days``, the street's
        policy) counted from the day the notice was recorded, or from a leader's recorded earlier posting."""

        return campaign.signing_opens_on(
            self.starts_on,
            max(self.days, min_days),
            timezone.localdate(self.started_at),
            backdated=bool(self.backdate_reason),
        )


class Objection(models.Model):
    """A written, real-name objection to a notice, and how the street or community settled it."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="objections")
    household = models.ForeignKey(
        "units.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="objections",
        verbose_name=_("household"),
    )
    objector = models.CharField(_("objector (real name)"), max_length=50)
    received_on = models.DateField(_("received on"))
    content = models.TextField(_("objection"))
    resolution = models.TextField(_("resolution"), blank=True)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    settled_by = by_user()
    recorded_by = by_user(required=True)
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["received_on", "id"]
        constraints = [
            # Settled means someone wrote down how.
            when_set("settled_on", ~Q(resolution=""), name="objection_settled_with_resolution"),
            models.CheckConstraint(condition=~Q(objector=""), name="objection_real_name"),
        ]
        indexes = [
            # notice_over: open objections of a notice.
            models.Index(fields=["notice", "settled_on"], name="objection_notice_open"),
        ]

    def __str__(self):
        return f"{self.objector} {self.received_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.settled_on is None


class SameOwnerDecision(models.Model):
    """A person's decision on two flats of a unit listed as possibly one owner (docs/rules.md, "Possible same
    owner"): one owner (the consent count links them) or different people. One per pair (``household_a``
    the lower id); a changed decision is also written to both households' roster history."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="same_owner_decisions", verbose_name=_("unit"))
    household_a = models.ForeignKey("units.Household", on_delete=models.CASCADE, related_name="+", verbose_name=_("household"))
    household_b = models.ForeignKey("units.Household", on_delete=models.CASCADE, related_name="+", verbose_name=_("household"))
    same = models.BooleanField(_("one owner"))
    decided_by = by_user(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("same-owner decision")
        verbose_name_plural = _("same-owner decisions")
        constraints = [
            models.UniqueConstraint(fields=["household_a", "household_b"], name="same_owner_pair_once"),
            models.CheckConstraint(condition=Q(household_a__lt=models.F("household_b")), name="same_owner_pair_ordered"),
        ]

    def __str__(self):
        return f"{self.household_a_id}–{self.household_b_id}: {'=' if self.same else '≠'}"


class UnitTally(models.Model):
    """The consent engine's figures for one unit, stored so lists and dashboards need not load households.

    A derived copy: deleted whenever a household, a vote, its history or the street's policy changes
    (signals.py and the import), and recomputed on the next read (selectors.consent_by_unit). Guards
    never read it.
    """

    unit = models.OneToOneField("units.Unit", on_delete=models.CASCADE, primary_key=True, related_name="tally")
    households = models.PositiveIntegerField(default=0)
    owners = models.PositiveIntegerField(default=0)
    area_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    participants = models.PositiveIntegerField(default=0)
    participant_area = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    agree = models.PositiveIntegerField(default=0)
    agree_area = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    oppose = models.PositiveIntegerField(default=0)
    abstain = models.PositiveIntegerField(default=0)
    undecided = models.PositiveIntegerField(default=0)
    unreachable = models.PositiveIntegerField(default=0)
    participation_met = models.BooleanField(default=False)
    agreement_met = models.BooleanField(default=False)
    threshold_met = models.BooleanField(default=False)
    agrees_needed = models.PositiveIntegerField(null=True, blank=True)
    situation = models.CharField(max_length=20, blank=True)
    conflict = models.TextField(blank=True)  # the roster conflict that stops the engine, if any
    # Not the engine's: the households the vote history (VoteChange) moved into agree, net of those it
    # moved out, whatever their dates, conflict or not: the consent trend's level today, from which the
    # dashboard takes back the weeks after each week it shows (VoteWeek; reports/dashboard.py, _trend).
    agree_net = models.IntegerField(default=0)
    computed_at = models.DateTimeField()
    # The owners of a unit short of consent that the visit list shows, once it has stored them (VisitFlat)
    # from the same households as these figures; None until then.
    owners_to_visit = models.PositiveIntegerField(null=True, blank=True)
    # Not the engine's either: the unit's flats agreeing, opposing and neither (no vote row counts as
    # neither) by floor band, occupancy and age group (SUPPORT), whatever the roster's conflicts: the support
    # pattern a dashboard sums over its units (selectors.stored_support_pattern), counted from the same
    # households as the figures above (selectors._counted), dropped and recounted with them.
    floor_low_agree = models.PositiveIntegerField(default=0)
    floor_low_oppose = models.PositiveIntegerField(default=0)
    floor_low_other = models.PositiveIntegerField(default=0)
    floor_middle_agree = models.PositiveIntegerField(default=0)
    floor_middle_oppose = models.PositiveIntegerField(default=0)
    floor_middle_other = models.PositiveIntegerField(default=0)
    floor_high_agree = models.PositiveIntegerField(default=0)
    floor_high_oppose = models.PositiveIntegerField(default=0)
    floor_high_other = models.PositiveIntegerField(default=0)
    occupancy_owner_agree = models.PositiveIntegerField(default=0)
    occupancy_owner_oppose = models.PositiveIntegerField(default=0)
    occupancy_owner_other = models.PositiveIntegerField(default=0)
    occupancy_rented_agree = models.PositiveIntegerField(default=0)
    occupancy_rented_oppose = models.PositiveIntegerField(default=0)
    occupancy_rented_other = models.PositiveIntegerField(default=0)
    occupancy_empty_agree = models.PositiveIntegerField(default=0)
    occupancy_empty_oppose = models.PositiveIntegerField(default=0)
    occupancy_empty_other = models.PositiveIntegerField(default=0)
    age_under_40_agree = models.PositiveIntegerField(default=0)
    age_under_40_oppose = models.PositiveIntegerField(default=0)
    age_under_40_other = models.PositiveIntegerField(default=0)
    age_40_59_agree = models.PositiveIntegerField(default=0)
    age_40_59_oppose = models.PositiveIntegerField(default=0)
    age_40_59_other = models.PositiveIntegerField(default=0)
    age_60_74_agree = models.PositiveIntegerField(default=0)
    age_60_74_oppose = models.PositiveIntegerField(default=0)
    age_60_74_other = models.PositiveIntegerField(default=0)
    age_75_plus_agree = models.PositiveIntegerField(default=0)
    age_75_plus_oppose = models.PositiveIntegerField(default=0)
    age_75_plus_other = models.PositiveIntegerField(default=0)
    age_unrecorded_agree = models.PositiveIntegerField(default=0)
    age_unrecorded_oppose = models.PositiveIntegerField(default=0)
    age_unrecorded_other = models.PositiveIntegerField(default=0)

    # The consent engine's figures (rules.Consent), stored field for field, in this order everywhere.
    FIGURES = (
        "households", "owners", "area_total", "participants", "participant_area", "agree", "agree_area", "oppose",
        "abstain", "undecided", "unreachable", "participation_met", "agreement_met", "threshold_met", "agrees_needed",
    )

    # The support pattern's tables and their rows' keys, as selectors.support_pattern lists them: floor bands
    # (campaign.FLOOR_BANDS), occupancy (units Occupancy), the oldest resident's age (AgeBand, "" unrecorded).
    SUPPORT = {
        "floor": campaign.FLOOR_BANDS,
        "occupancy": tuple(Occupancy.values),
        "age": (*AgeBand.values, ""),
    }
    SUPPORT_BUCKETS = ("agree", "oppose", "other")

    def __str__(self):
        return f"{self.unit_id}: {self.agree}/{self.owners}"

    @classmethod
    def from_consent(cls, unit_id: int, consent, conflict=None, *, computed_at) -> "UnitTally":
        """The tally of one unit from the engine's answer: its ``rules.Consent``, or the roster conflict."""
        if consent is None:
            return cls(unit_id=unit_id, conflict=str(conflict), computed_at=computed_at)
        figures = {name: getattr(consent, name) for name in cls.FIGURES}
        return cls(unit_id=unit_id, **figures, situation=consent.situation or "", computed_at=computed_at)

    def figures(self) -> dict:
        """The engine's figures, by name in ``FIGURES`` order."""
        return {name: getattr(self, name) for name in self.FIGURES}

    @property
    def ok(self) -> bool:
        return not self.conflict

    @staticmethod
    def support_field(table: str, key: str, bucket: str) -> str:
        """The field counting one support pattern's row (``SUPPORT``) and one of its ``SUPPORT_BUCKETS``."""
        return f"{table}_{key or 'unrecorded'}_{bucket}"

    @classmethod
    def support_fields(cls) -> list[str]:
        return [
            cls.support_field(table, key, bucket)
            for table, keys in cls.SUPPORT.items()
            for key in keys
            for bucket in cls.SUPPORT_BUCKETS
        ]


class VisitFlat(models.Model):
    """One flat not yet agreeing in a unit short of consent, with the owner it belongs to: the visit list's
    derived copy of the consent engine's owners (selectors.store_owners_to_visit), so that the list can be
    ordered and paged in the database and read a page of households, not the community's.

    A unit's rows are written together, with its tally's ``owners_to_visit``, from the households that
    tally was counted from; they are trusted only while that tally stands (any change to a household, a
    vote, a same-owner decision or the policy drops it, signals.py) and replaced as a whole when the list
    stores them again. Hence no database constraint on the households: a stale row is never read, and a
    household's delete need not look for its rows.
    """

    household = models.OneToOneField(
        "units.Household", on_delete=models.DO_NOTHING, db_constraint=False, primary_key=True, related_name="visit_flat"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    # The owner's first flat not yet agreeing (by floor and room), which stands for the owner on the list.
    lead = models.ForeignKey(
        "units.Household", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    position = models.PositiveSmallIntegerField()  # among the owner's flats not agreeing; the lead's is 0
    in_minimal_set = models.BooleanField()  # the owner's agreement alone would carry the unit (rules.Consent.to_convert)

    def __str__(self):
        return f"{self.unit_id}: {self.household_id} → {self.lead_id}"


class ClientSaveKind(models.TextChoices):
    VOTE = "vote", _("vote")
    CONTACT = "contact", _("contact")


class ClientSave(models.Model):
    """One save of the vote sheet or the visit log, by the key the phone gave it (README, "Without signal").

    The phone makes a key for each save before it first sends it; a retry, a double tap or a save kept on
    the phone and sent again when the signal returns carries the same key, and the key is unique here, so
    the save is written once. The key belongs to the user who first sent it and to that household: anyone
    else's request with it is refused. ``saved_at`` is the time the phone took the save (the vote's or the
    contact's time when it was sent later), ``received_at`` when the server first wrote it."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=ClientSaveKind.choices)
    household = models.ForeignKey(
        "units.Household", on_delete=models.CASCADE, related_name="+", verbose_name=_("household")
    )
    user = by_user(pgettext_lazy("recorded by", "by"), required=True)
    saved_at = models.DateTimeField(_("saved on the phone at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("save from a phone")
        verbose_name_plural = _("saves from phones")
        constraints = [*choice_checks("clientsave", kind=ClientSaveKind)]

    def __str__(self):
        return self.key
