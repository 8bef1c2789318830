import pytest

from wjexcel.uscc import check_char, make_uscc, normalize, validate

# The worked example of GB 32100-2015.
STANDARD_EXAMPLE = "91350100M000100Y43"


def test_standard_example_is_valid():
    assert validate(STANDARD_EXAMPLE).ok


def test_normalises_full_width_spaces_and_case():
    typed = " ９１３５０１００ｍ０００１００ｙ４３\u3000"
    result = validate(typed)
    assert result.ok and result.code == STANDARD_EXAMPLE
    assert normalize(None) == ""


@pytest.mark.parametrize(
    "typed, reason",
    [
        ("", "为空"),
        ("9135010", "长度不是18位（现在是7位）"),
        ("913501001000100000", "校验位错误"),
        ("9.13501E+17", "长度不是18位"),
        ("91350100M000100Y4I", "含非法字符：I"),
        ("91350100M0O0100Y43", "含非法字符：O"),
        ("B1350100M000100Y43", "第1位"),
        ("95350100M000100Y43", "第2位"),
        ("9135A100M000100Y43", "行政区划码"),
        ("91350100M000100Y44", "校验位错误，应为3"),
    ],
)
def test_invalid_codes_say_why(typed, reason):
    result = validate(typed)
    assert not result.ok
    if reason:
        assert reason in result.error


def test_category_must_match_authority():
    first17 = "9435010" + "0M000100Y4"
    assert "第2位" in validate(first17 + check_char(first17)).error


def test_digits_only_code_hints_at_number_format():
    assert "文本" in validate("91350100100010").error


def test_generated_codes_are_valid_and_deterministic():
    codes = [make_uscc(seed) for seed in range(300)]
    assert all(validate(code).ok for code in codes)
    assert codes == [make_uscc(seed) for seed in range(300)]
    assert len(set(codes)) == 300
