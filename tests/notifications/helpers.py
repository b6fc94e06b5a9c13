from notifications.models import Channel, Message
from notifications.services import message_enqueue

PHONE = "+6281212345678"
EMAIL = "siti.aminah@example.com"


def sms_enqueue(*, key: str = "test:sms:1", **kwargs) -> Message:
    return message_enqueue(
        channel=Channel.SMS,
        recipient=kwargs.pop("recipient", PHONE),
        template="tests/hello",
        context={"name": "Siti"},
        idempotency_key=key,
        **kwargs,
    )


def email_enqueue(*, key: str = "test:email:1", **kwargs) -> Message:
    return message_enqueue(
        channel=Channel.EMAIL,
        recipient=kwargs.pop("recipient", EMAIL),
        template=kwargs.pop("template", "tests/hello"),
        context=kwargs.pop("context", {"name": "Siti"}),
        idempotency_key=key,
        **kwargs,
    )
