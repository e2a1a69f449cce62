"""The demo's logins: one password for all, the district's and the street's people, the company login, and the list
``seed_demo`` prints."""

from django.contrib.auth.hashers import make_password

from retrofit.models import Role, User

DEMO_PASSWORD = "retrofit-demo"

# username, display name (the menu adds role and scope), what the login is for.
USERS = [
    ("leader", "王书记", Role.STREET_LEADER, "街道领导小组组长，看全街道"),
    ("staff", "李干事", Role.COMMUNITY_STAFF, "绵纺社区工作人员（试点小区）"),
    ("staff2", "赵干事", Role.COMMUNITY_STAFF, "光华社区工作人员"),
    ("unitlead", "陈建华", Role.UNIT_LEADER, "绵纺厂宿舍小区1栋1单元楼栋长（运维）"),
    ("viewer", "刘科长", Role.VIEWER, "街道只读账号"),
    ("district", "孙科长", Role.DISTRICT_OFFICIAL, "区住建局，看全区各街道（只读）"),
]
# The company login "elevator" (demo/works.py creates it with its company).
COMPANY_USER_NAME = "蜀通电梯 周经理"
COMPANY_USER_LABEL = "蜀通电梯工程有限公司项目经理，只看本公司承接的单元"


def create_users(district, street, mill, guanghua) -> dict[str, User]:
    """The administrator and the district's and street's logins, by username (the administrator aside)."""
    # One hash for all: the demo shares a password, and hashing is the slow part of creating users.
    password = make_password(DEMO_PASSWORD)
    User.objects.create(
        username="admin", password=password, is_staff=True, is_superuser=True, display_name="系统管理员"
    )
    scopes = {
        "leader": {"street": street},
        "staff": {"community": mill},
        "staff2": {"community": guanghua},
        "unitlead": {},
        "viewer": {"street": street},
        "district": {"district": district},
    }
    return {
        username: User.objects.create(
            username=username, password=password, role=role, display_name=name, **scopes[username]
        )
        for username, name, role, _label in USERS
    }


def print_logins(stdout) -> None:
    stdout.write("")
    stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
    stdout.write("  admin     系统管理员（/admin/）")
    for username, name, _role, label in USERS:
        stdout.write(f"  {username:<9} {name}：{label}")
    stdout.write(f"  {'elevator':<9} {COMPANY_USER_LABEL}")
    stdout.write("")
