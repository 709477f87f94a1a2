"""What features announce; others (notify, later the admin statistics) listen without importing them."""
from blinker import Namespace

_signals = Namespace()

friend_requested = _signals.signal("friend-requested")  # sender: FriendRequest
friend_accepted = _signals.signal("friend-accepted")  # sender: accepting Member, requester=Member
member_joined = _signals.signal("member-joined")  # sender: Member
member_page_viewed = _signals.signal("member-page-viewed")  # sender: viewing Member, owner=Member
diary_commented = _signals.signal("diary-commented")  # sender: DiaryComment, followers=[member ids]
