"""What features announce; others (notify, later the admin statistics) listen without importing them."""
from typing import NamedTuple

from blinker import Namespace

_signals = Namespace()

friend_requested = _signals.signal("friend-requested")  # sender: FriendRequest
friend_accepted = _signals.signal("friend-accepted")  # sender: accepting Member, requester=Member
# A request no longer waits (accepted, declined or taken back). sender: the Member it was sent to, requester_id=int
friend_request_closed = _signals.signal("friend-request-closed")
member_joined = _signals.signal("member-joined")  # sender: Member
member_page_viewed = _signals.signal("member-page-viewed")  # sender: viewing Member, owner=Member
diary_commented = _signals.signal("diary-commented")  # sender: DiaryComment, followers=[member ids]
community_join_requested = _signals.signal("community-join-requested")  # sender: Community, requester=Member
community_join_approved = _signals.signal("community-join-approved")  # sender: Community, member_id, actor
topic_commented = _signals.signal("topic-commented")  # sender: TopicComment, topic=Topic, followers=[member ids]
# Sent inside the transaction that changes the member's status, before its commit: receivers change their own
# rows (counts) in the same transaction and never commit. Sent only when the status really changed.
member_suspended = _signals.signal("member-suspended")  # sender: Member
member_reinstated = _signals.signal("member-reinstated")  # sender: Member

# 退会 (ejan/leaving, docs/leaving.md). Each feature handles its own part, so leaving needs no central list.
# Before: receivers return what the member should know first, as a list of LeavingNote (blocking ones must be done
# before the member can leave, e.g. handing a community over). sender: Member
member_leaving_check = _signals.signal("member-leaving-check")
# The member leaves: sent inside the transaction that set their status to "left", before its commit. Receivers
# delete or anonymise their own rows as the published rule says, never commit, may raise Invalid to stop the
# whole leaving, and return the media keys to delete once the transaction has committed (or None). sender: Member
member_leaving = _signals.signal("member-leaving")


class LeavingNote(NamedTuple):
    """One line of the leaving page: what happens to something of the member's, or what to do first."""
    text: str  # already in the reader's language
    endpoint: str | None = None  # a page where the member can act on it
    values: dict | None = None
    blocking: bool = False  # the member cannot leave until this is done

# An administrator (or a community's moderator, moderating) did something the audit log keeps. Sent inside the
# action's transaction, before its commit; the admin feature's receiver adds the row and never commits.
# sender: acting Member, action=str ("disaster.start"), target_kind=str, target_id=int|None, detail=str
admin_acted = _signals.signal("admin-acted")
