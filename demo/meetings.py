"""The leadership group's meetings: joint, regular and coordination meetings with minutes, decisions
and action items; the estate's yard meeting; the Q&A meeting set for the wait-and-see unit."""

from __future__ import annotations

from datetime import time

from consultations import services as consult
from consultations.models import ActionItem, Meeting, MeetingKind
from units.models import Community

from .story import LAUNCH, PILOT_ESTATE, ROUND1, SURVEY, Story


def hold_meetings(story: Story) -> None:
    """Joint, regular and coordination meetings with minutes, decisions and action items; the
    estate's yard meeting; the Q&A meeting set for the wait-and-see unit."""
    street, leader, staff, unitlead = (
        story.street,
        story.users["leader"],
        story.users["staff"],
        story.users["unitlead"],
    )
    mill = Community.objects.get(street=street, name="绵纺社区")
    u = story.unit
    pilot_units = [unit for key, unit in story.units.items() if key[0] == PILOT_ESTATE]
    office = "街道办事处三楼会议室"
    group = "街道党工委书记、办事处主任（双组长），分管副主任，城建科、社区事务科负责人，绵纺社区书记，居民代表"

    def meeting(
        kind,
        ago,
        *,
        place,
        attendees,
        minutes="",
        decisions="",
        units=(),
        community=None,
        hour=9,
        items=(),
    ):
        m = consult.meeting_save(
            street=street,
            community=community,
            kind=kind,
            held_on=story.day(ago),
            starts_at=time(hour, 0),
            place=place,
            attendees=attendees,
            minutes=minutes,
            decisions=decisions,
            units=units,
            by=leader,
        )
        Meeting.objects.filter(pk=m.pk).update(created_at=story.at(max(ago, 1), 17))
        for text, owner, due, done, item_units in items:
            item = consult.action_item_add(
                meeting=m, text=text, owner=owner, due_on=story.day(due), units=item_units, by=leader
            )
            if done is not None:
                consult.action_item_set_done(item=item, done=True, by=owner)
                ActionItem.objects.filter(pk=item.pk).update(done_at=story.at(done, 17))
        return m

    def regular(ago, **details):
        """The leadership group's regular meeting, in the street office."""
        return meeting(MeetingKind.REGULAR, ago, place=office, attendees=group, **details)

    meeting(
        MeetingKind.JOINT,
        LAUNCH,
        place=office,
        attendees=group + "，区住建局、规划分局、市场监管所，第三方专业团队",
        minutes="通报绵纺厂宿舍小区1栋1单元样板电梯运行一年情况；研究在全小区开展加装电梯试点。",
        decisions="一、成立以党工委书记、办事处主任为双组长的工作领导小组。\n"
        "二、全小区开展意愿摸排，第1轮征询意见反馈截止时间统一公告。\n"
        "三、第三方团队按每栋层高、户数、间距测算安装方式和成本，一单元一策。",
        units=pilot_units,
        items=[
            ("完成全小区14个单元意愿摸排并录入台账", staff, SURVEY, SURVEY + 1, []),
            ("第三方团队提交各单元初步方案和分摊测算", leader, ROUND1, ROUND1 + 1, []),
        ],
    )
    meeting(
        MeetingKind.YARD,
        145,
        community=mill,
        hour=19,
        place="小区中心花园",
        attendees="绵纺社区、第三方团队、蜀通电梯技术人员，住户代表约80人",
        minutes="讲解补贴政策、分摊办法和施工安排，现场答疑；公布政策咨询电话和第1轮反馈截止时间。",
        units=pilot_units,
    )
    regular(
        120,
        minutes="第1轮征询过半：1栋2单元、1栋3单元、3栋3单元条件成熟，2栋2单元接近。",
        decisions="条件成熟的单元率先草签协议并公示，营造氛围；其余单元分类施策。",
        units=[u("1", "2"), u("1", "3"), u("3", "3"), u("2", "2")],
        items=[
            ("条件成熟单元草签协议、张贴公示", staff, 110, 118, [u("1", "2"), u("1", "3"), u("3", "3")])
        ],
    )
    meeting(
        MeetingKind.COORDINATION,
        90,
        place="绵纺社区会议室",
        attendees=group + "，燃气公司、供电所、第三方团队",
        minutes="协调楼道表箱、燃气管道迁移；5栋2单元勘察发现井道位置下方有燃气中压管道。"
        "讨论楼层之间分摊争议和困难户减免办法。",
        decisions="一、5栋2单元暂缓，待燃气公司出具迁改方案。\n二、困难户分摊可减免，由其他出资户按比例分担，经单元会议通过。",
        units=[u("5", "2")],
        items=[("困难户减免办法写入各单元方案说明", staff, 75, 78, [])],
    )
    regular(
        62,
        minutes="首批单元施工、审批进展；2栋1单元第2轮征询启动；5栋1单元反对意见集中。",
        decisions="2栋3单元、3栋1单元开启第2轮征询；5栋1单元由社区再做一轮工作。",
        units=[u("2", "1"), u("2", "3"), u("3", "1"), u("5", "1")],
        items=[("2栋1单元第2轮征询，逐户上门", staff, 45, 48, [u("2", "1")])],
    )
    meeting(
        MeetingKind.JOINT,
        34,
        place="区政务服务中心",
        attendees="街道领导小组，区规划分局、住建局、市场监管局，电梯公司、施工单位",
        minutes="联合审查2栋2单元、3栋3单元加装电梯方案。3栋3单元材料齐全；2栋2单元井道距离道路红线需补充测量。",
        decisions="3栋3单元通过联审；2栋2单元补测后再审。",
        units=[u("2", "2"), u("3", "3")],
        items=[("2栋2单元补充红线测量报告，再次报审", leader, -7, None, [u("2", "2")])],
    )
    meeting(
        MeetingKind.COORDINATION,
        16,
        place="绵纺社区会议室",
        attendees=group + "，区住建局质监站、锦城建筑、锦江电梯",
        minutes="1栋3单元区级验收未通过（底坑渗水、层门地坎间隙超标），研究整改。"
        "2栋3单元异议已调解，公示期满后进入签约。",
        decisions="施工单位10日内完成整改并申请复验；5栋1单元提交下次例会研究。",
        units=[u("1", "3"), u("2", "3"), u("5", "1")],
        items=[
            ("1栋3单元整改完成后申请区级复验", leader, 9, 10, [u("1", "3")]),
            ("2栋3单元签约准备：打印协议、通知住户", staff, -3, None, [u("2", "3")]),
        ],
    )
    regular(
        6,
        minutes="试点进度：1栋1单元运维满一年，年度检验将到期；1栋2单元交付使用，待办使用登记；"
        "4栋3单元第2轮征询已过截止时间仍差1户；4栋2单元观望住户多。",
        decisions="一、4栋3单元逐户攻坚，争取本周内补齐。\n二、4栋2单元召开现场答疑会。\n"
        "三、1栋2单元30日内办理使用登记。",
        units=[u("1", "1"), u("1", "2"), u("4", "2"), u("4", "3")],
        items=[
            ("4栋3单元逐户上门，争取201、301同意", staff, 2, None, [u("4", "3")]),
            ("4栋2单元现场答疑会：通知住户、准备答疑材料", staff, -3, None, [u("4", "2")]),
            ("1栋2单元办理使用登记", leader, -20, None, [u("1", "2")]),
            ("1栋1单元预约年度定期检验", unitlead, -14, None, [u("1", "1")]),
            ("3栋1单元异议答复：二楼系数依据说明", staff, 1, 2, [u("3", "1")]),
        ],
    )
    meeting(
        MeetingKind.QA,
        -4,
        community=mill,
        hour=19,
        place="4栋楼前坝子",
        attendees="街道城建科、绵纺社区、第三方团队、锦江电梯技术人员，4栋2单元住户",
        units=[u("4", "2")],
    )
