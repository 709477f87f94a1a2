"""A keitai edit must never destroy what the phone could not show.

A Shift_JIS phone is sent 〓 for each character it cannot carry (an emoji, 𠮷, Hangul) and plain
letters for accented ones. When the resident saves the edit form, those stand-ins come back. Here
the stored text is compared with what came back: where the text around a stand-in is unchanged, the
original character is put back; where the resident edited right at one, the edit cannot be merged
safely and is refused (the caller keeps the stored text and says why). A 〓 the resident typed, or
one the stored text really contains, is left alone: only stand-ins of our own are restored.
"""
from __future__ import annotations

from difflib import SequenceMatcher


def shown_as(char: str, encoding: str) -> str:
    """What one stored character becomes on a page in `encoding` (render() encodes the same way)."""
    return char.encode(encoding, "ejan-geta").decode(encoding)


def restore(stored: str, submitted: str, encoding: str) -> str | None:
    """`submitted` with the characters the phone could not show put back, or None if that is unsafe."""
    stored = stored.replace("\r\n", "\n")
    submitted = submitted.replace("\r\n", "\n")
    segments = [(char, shown_as(char, encoding)) for char in stored]
    if all(original == shown for original, shown in segments):
        return submitted  # the phone saw everything: its text is the resident's text

    # starts[k] is where segment k begins in the shown text; a lossy segment is one the phone saw changed.
    starts, position = [], 0
    for _original, shown in segments:
        starts.append(position)
        position += len(shown)
    shown_text = "".join(shown for _original, shown in segments)

    def lossy_within(low: int, high: int, *, touching: bool) -> bool:
        """Does a changed stand-in lie in shown[low:high] (or, with touching, at its edges)?"""
        for k, (original, shown) in enumerate(segments):
            if original == shown:
                continue
            start, end = starts[k], starts[k] + len(shown)
            if (start < high and end > low) or (touching and low <= start <= high):
                return True
        return False

    out = []
    matcher = SequenceMatcher(None, shown_text, submitted, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            if lossy_within(i1, i2, touching=True):
                return None
            out.append(submitted[j1:j2])
            continue
        for k, (original, shown) in enumerate(segments):
            start, end = starts[k], starts[k] + len(shown)
            if not shown:  # a character that showed as nothing: safe only strictly inside unchanged text
                if i1 < start < i2:
                    out.append(original)
                continue
            if i1 <= start and end <= i2:
                out.append(original)
            elif start < i2 and end > i1:  # a stand-in cut by an edit boundary
                return None
    return "".join(out)
