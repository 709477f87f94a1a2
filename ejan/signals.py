"""What features announce; others (notify, later the admin statistics) listen without importing them."""
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
# An administrator (or a community's moderator, moderating) did something the audit log keeps. Sent inside the
# action's transaction, before its commit; the admin feature's receiver adds the row and never commits.
# sender: acting Member, action=str ("disaster.start"), target_kind=str, target_id=int|None, detail=str
admin_acted = _signals.signal("admin-acted")
