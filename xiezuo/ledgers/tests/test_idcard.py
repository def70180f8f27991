import datetime as dt

from xiezuo.ledgers import idcard


def test_known_valid_number_passes_and_a_changed_digit_fails() -> None:
    # The GB 11643 example number.
    assert idcard.id_problem("11010519491231002X") is None
    assert idcard.id_problem("110105194912310021") == "身份证号校验码不正确（GB 11643）"


def test_wrong_length_bad_date_and_letters_are_explained() -> None:
    assert "18 位" in (idcard.id_problem("62042219900101") or "")
    assert "出生日期" in (idcard.id_problem(idcard.make_id("620422", dt.date(1990, 1, 1), 1)[:10] + "0231001X") or "")
    assert "数字" in (idcard.id_problem("6204221990010A1234") or "")


def test_generated_numbers_are_valid_and_masks_show_first_six_last_four() -> None:
    number = idcard.make_id("620422", dt.date(1988, 7, 9), 123)
    assert idcard.id_problem(number) is None
    assert idcard.mask(number) == number[:6] + "********" + number[-4:]
    assert idcard.normalise(" 11010519491231002x ") == "11010519491231002X"
