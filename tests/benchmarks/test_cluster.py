"""The pieces of benchmarks/cluster.py that decide its verdict: the checks of "recorded once" and "delivered
once", and the proxy it puts in front of the nodes. (The rehearsal itself starts a dozen processes and runs for
minutes: it is run by hand, ``benchmarks/cluster.py --ci`` for a short one; docs/PERFORMANCE.md.)"""

from benchmarks.cluster import deliveries_check, haproxy_config, joins_check


def join(email: str, status: int) -> dict:
    return {"kind": "join", "email": email, "status": status}


def test_every_answered_join_with_one_row_each_is_recorded_once():
    outcomes = [join("a@contoh.id", 302), join("b@contoh.id", 302), {"kind": "take", "index": 3}]

    check = joins_check(outcomes, ["a@contoh.id", "b@contoh.id"])

    assert check["once"] is True
    assert (check["joins_answered_302"], check["enrollments"]) == (2, 2)


def test_an_applicant_enrolled_twice_is_not_once():
    check = joins_check([join("a@contoh.id", 302)], ["a@contoh.id", "a@contoh.id"])

    assert check["once"] is False
    assert check["applicants_enrolled_twice"] == 1


def test_a_join_answered_302_without_its_row_is_not_once():
    check = joins_check([join("a@contoh.id", 302), join("b@contoh.id", 302)], ["a@contoh.id"])

    assert check["once"] is False
    assert check["joins_302_without_row"] == 1


def test_a_row_whose_answer_was_lost_with_a_killed_node_is_counted_but_no_fault():
    # The commit happened, the answer died with the node, and the applicant's next try was refused (409).
    check = joins_check([join("a@contoh.id", 502), join("a@contoh.id", 409)], ["a@contoh.id"])

    assert check["once"] is True
    assert check["rows_without_302"] == 1


def test_messages_each_delivered_once_are_once():
    check = deliveries_check([("k1", "sent"), ("k2", "sent")], ["k2", "k1"])

    assert check["once"] is True
    assert check["deliveries"] == 2


def test_a_message_delivered_twice_is_not_once():
    check = deliveries_check([("k1", "sent"), ("k2", "sent")], ["k1", "k2", "k1"])

    assert check["once"] is False
    assert check["delivered_twice_or_more"] == 1


def test_a_sent_row_never_delivered_or_a_row_still_waiting_is_not_once():
    never = deliveries_check([("k1", "sent"), ("k2", "sent")], ["k1"])
    waiting = deliveries_check([("k1", "sent"), ("k2", "pending")], ["k1"])

    assert never["once"] is False and never["sent_never_delivered"] == 1
    assert waiting["once"] is False and waiting["statuses"] == {"sent": 1, "pending": 1}


def test_a_delivery_that_is_no_outbox_row_is_not_once():
    check = deliveries_check([("k1", "sent")], ["k1", "stranger"])

    assert check["once"] is False
    assert check["delivered_unknown_key"] == 1


def test_the_proxy_binds_only_the_loopback_and_checks_every_node_over_tcp():
    config = haproxy_config(8400, [8401, 8402])

    binds = [line.split()[1] for line in config.splitlines() if line.strip().startswith("bind")]
    assert binds == ["127.0.0.1:8400"]
    assert "server node0 127.0.0.1:8401 check" in config and "server node1 127.0.0.1:8402 check" in config
    # Not /healthz: it answers 503 while Redis is down, which would take every node out at once.
    assert "httpchk" not in config
