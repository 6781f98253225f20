"""Min side's privacy section: the latest staff reads of the person's data, without the view's help (Min side
is drawn by one view for every part of the page)."""

from django import template

from tinget.accounts.privacy import describe_staff_read, staff_reads

register = template.Library()


@register.simple_tag
def recent_staff_reads(user, count=3):
    """The `count` newest reads of `user`'s data by staff, as describe_staff_read tells them."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [describe_staff_read(entry) for entry in staff_reads(user)[:count]]
