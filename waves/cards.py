"""Kartu Prakerja numbers: 16 digits, unique, with a Luhn check digit, computed in SQL for a whole run.

The 15-digit body is 8 (the programme), the wave number (3 digits) and the result's id (11 digits); the
16th digit is the Luhn check digit of the body, so a mistyped digit is caught. The body is built and its
check digit computed with integer arithmetic, which PostgreSQL and SQLite evaluate alike.
"""

BODY_PREFIX = 8 * 10**14  # "8" then 14 more digits: 3 for the wave, 11 for the result id


def luhn_check_digit(body: int) -> int:
    total = 0
    for position, char in enumerate(reversed(str(body))):
        digit = int(char)
        if position % 2 == 0:  # doubled: these are the digits right before the check digit, every other one
            digit = digit * 2 - 9 if digit * 2 > 9 else digit * 2
        total += digit
    return (10 - total % 10) % 10


def card_number(wave_number: int, result_id: int) -> str:
    body = BODY_PREFIX + wave_number * 10**11 + result_id
    return f"{body}{luhn_check_digit(body)}"


def card_number_sql(wave_number_sql: str, result_id_sql: str) -> str:
    """The same number as ``card_number``, as one SQL expression over integer columns, for a statement
    executed with parameters (its modulo signs are written %% for the driver)."""
    body = f"({BODY_PREFIX} + ({wave_number_sql}) * {10**11} + ({result_id_sql}))"
    terms = []
    for position in range(15):
        digit = f"(({body} / {10**position}) %% 10)"
        if position % 2 == 0:
            terms.append(f"(CASE WHEN {digit} * 2 > 9 THEN {digit} * 2 - 9 ELSE {digit} * 2 END)")
        else:
            terms.append(digit)
    check = f"((10 - (({' + '.join(terms)}) %% 10)) %% 10)"
    return f"CAST(({body} * 10 + {check}) AS VARCHAR(16))"
