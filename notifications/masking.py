"""Show enough of an address for a person to recognise it, and not enough to harvest it.

Pure functions, reused wherever a recipient appears to someone other than its owner (admin lists, logs).
"""

BULLET = "•"


def mask_email(email: str) -> str:
    """``siti.aminah@gmail.com`` → ``s•••@gmail.com``: the first letter and the domain."""
    local, at, domain = (email or "").strip().rpartition("@")
    if not at:
        return BULLET * 3
    return f"{local[:1]}{BULLET * 3}@{domain}"


def mask_phone(phone: str) -> str:
    """``+6281212345678`` → ``+62812••••5678``: the operator prefix and the last four digits."""
    phone = (phone or "").strip()
    head = 6 if phone.startswith("+") else 4  # "+62812" or "0812"
    tail = 4
    hidden = len(phone) - head - tail
    if hidden < 3:
        # Too short to show both ends without giving most of it away.
        return BULLET * max(len(phone) - 2, 3) + phone[-2:]
    return phone[:head] + BULLET * hidden + phone[-tail:]


def mask_recipient(recipient: str) -> str:
    """An email or a phone number, whichever ``recipient`` is."""
    return mask_email(recipient) if "@" in (recipient or "") else mask_phone(recipient)
