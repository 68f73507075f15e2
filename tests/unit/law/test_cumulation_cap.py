"""The stacking cap for small recurring claims (Besluit BIK as amended by Stb. 2024, 44; ⚠️ unverified,
data/cumulation_cap.json): at most EUR 140 in costs for a debtor's claims below EUR 266.67, counting
the letters of the last six months."""

import datetime as dt
import json
from decimal import Decimal

from incasso.law import cumulation
from incasso.law.cumulation import EarlierLetter, cumulation_rule, months_before, room_under_cap

DAY = dt.date(2026, 6, 15)


def letter(days_ago: int, costs: str = "40.00", principal: str = "100.00") -> EarlierLetter:
    return EarlierLetter(sent_on=DAY - dt.timedelta(days=days_ago), principal=Decimal(principal), costs=Decimal(costs))


def test_stb_2024_44_small_claims_share_at_most_140_over_six_months():
    # given three earlier letters of 40.00 for small claims in the last six months
    earlier = [letter(30), letter(60), letter(90)]
    # then a fourth small claim may announce 20.00, a fifth nothing
    assert room_under_cap(Decimal("100.00"), DAY, earlier) == Decimal("20.00")
    assert room_under_cap(Decimal("100.00"), DAY, [*earlier, letter(0, "20.00")]) == Decimal("0.00")


def test_stb_2024_44_letters_older_than_six_months_and_claims_not_small_do_not_count():
    earlier = [letter(200), letter(10, "150.00", principal="1000.00")]
    assert room_under_cap(Decimal("100.00"), DAY, earlier) == Decimal("140.00")


def test_stb_2024_44_the_cap_applies_neither_to_a_claim_of_266_67_or_more_nor_before_1_october_2024():
    assert room_under_cap(Decimal("266.67"), DAY, [letter(1)]) is None
    assert room_under_cap(Decimal("100.00"), dt.date(2024, 9, 30), []) is None


def test_the_rule_is_marked_unverified_and_an_operator_can_correct_it(tmp_path, monkeypatch):
    # given the shipped rule: unverified, with its source
    assert cumulation_rule().verified is False and "Stb. 2024, 44" in cumulation_rule().source
    # when an operator points INCASSO_CUMULATION_CAP_FILE at a corrected file / then that rule applies
    override = tmp_path / "cap.json"
    override.write_text(json.dumps({"source": "article text", "verified": True, "in_force_from": "2024-10-01",
                                    "small_claim_below": "266.67", "cap": "120.00", "look_back_months": 12}))
    monkeypatch.setenv(cumulation.CUMULATION_CAP_FILE_ENV, str(override))
    assert room_under_cap(Decimal("100.00"), DAY, [letter(300)]) == Decimal("80.00")


def test_months_before_keeps_the_day_or_the_month_end():
    assert months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 3, 15), 6) == dt.date(2025, 9, 15)
