"""Small helpers shared by tests: reading what the portal sent, as a person would read their inbox."""

import re

from notifications.models import Message

URL_PATTERN = re.compile(r"https?://\S+")


def last_message(*, recipient: str, template: str | None = None) -> Message:
    messages = Message.objects.filter(recipient=recipient)
    if template:
        messages = messages.filter(template=template)
    return messages.latest("created_at", "id")


def link_in(message: Message) -> str:
    """The first link in a message, as a path the test client can open."""
    url = URL_PATTERN.search(message.text).group(0)
    return re.sub(r"^https?://[^/]+", "", url)
