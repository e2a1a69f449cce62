"""Personal data shown only to the roles that need it (community staff call and visit households)."""

from . import co_owners, owner_ids, phones


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳明华 → 欧***: the family name stays so neighbours can still tell flats apart."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def owner_for(user, name: str) -> str:
    return name if user.can_see_names else mask_name(name)


def phone_for(user, phone: str) -> str:
    """The phone in groups (139 0000 0001) for a role that sees phones, masked (139****0001) for the others."""
    return phones.display(phone) if user.can_see_phones else mask_phone(phone)


def id_for(user, last_four: str) -> str:
    """A certificate number is never kept whole: its last four (****1234) for a role that sees names,
    nothing at all for the others (the viewer role sees nothing of it)."""
    return owner_ids.masked(last_four) if user.can_see_names else ""


def owners_for(user, owner_name: str, others: str = "") -> str:
    """Every owner of a flat as the ledger writes them (张三、李四), each name masked as ``owner_for``;
    ``others`` is ``Household.co_owners`` (docs/rules.md, "Co-owned flats")."""
    return "、".join(owner_for(user, name) for name in [owner_name, *(n for n, _p in co_owners.load(others))])


def phones_for(user, phone: str, others: str = "") -> str:
    """The phones of every owner of a flat in their order (139 0000 0001、138 0000 0002), each as
    ``phone_for``; an owner without a phone keeps an empty place, so a re-import pairs them again."""
    numbers = [phone, *(p for _n, p in co_owners.load(others))]
    while len(numbers) > 1 and not numbers[-1]:
        numbers.pop()
    return "、".join(phone_for(user, number) for number in numbers)
