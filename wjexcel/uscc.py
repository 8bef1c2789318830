"""统一社会信用代码 (unified social credit code, GB 32100-2015).

18 characters: registration-authority code (1), institution category (1),
administrative division (6 digits), organisation code (9, GB 11714) and a check
character computed mod 31 over the first 17. A code typed into a General cell
loses digits after a re-save, so returned codes are checked on every collect.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of the code, in check-digit order (no I, O, S, V, Z)."""

WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Registration authority -> allowed institution categories (GB 32100-2015 table,
# with the later codes A (military) and N (agriculture)).
CATEGORIES = {
    "1": "1239",  # 机构编制
    "2": "19",  # 外交
    "3": "1234589",  # 司法行政
    "4": "19",  # 文化
    "5": "1239",  # 民政
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 工商（市场监管）
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业
    "Y": "1",  # 其他
}

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class UsccResult:
    """A normalised code and, when invalid, the Chinese reason."""

    code: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def normalize(text) -> str:
    """NFKC, drop all whitespace, upper-case (``９１３３０１…`` -> ``913301…``)."""
    if text is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).upper()


def check_char(first17: str) -> str:
    """The 18th character for 17 valid leading characters."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def validate(text) -> UsccResult:
    """Check a typed code; returns the normalised code and a reason if invalid."""
    code = normalize(text)
    if not code:
        return UsccResult(code, "统一社会信用代码为空")
    if len(code) != 18:
        hint = "（可能被 Excel 当作数字截断了，请把单元格设为文本后重新输入）" if code.isdigit() else ""
        return UsccResult(code, f"统一社会信用代码长度不是18位（现在是{len(code)}位）{hint}")
    bad = sorted({ch for ch in code if ch not in ALPHABET}, key=code.index)
    if bad:
        return UsccResult(code, f"统一社会信用代码含非法字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）")
    authority, category = code[0], code[1]
    if authority not in CATEGORIES:
        return UsccResult(code, f"统一社会信用代码第1位（登记管理部门代码）“{authority}”不存在")
    if category not in CATEGORIES[authority]:
        return UsccResult(code, f"统一社会信用代码第2位（机构类别代码）“{category}”与第1位“{authority}”不匹配")
    if not code[2:8].isdigit():
        return UsccResult(code, "统一社会信用代码第3-8位（行政区划码）应全是数字")
    expected = check_char(code[:17])
    if code[17] != expected:
        return UsccResult(code, f"统一社会信用代码校验位错误，应为{expected}")
    return UsccResult(code)


def _org_check(first8: str) -> str:
    total = sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(first8, _ORG_WEIGHTS))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def make_uscc(seed: int) -> str:
    """A valid, deterministic code for tests and demo data (an enterprise, 91…)."""
    rng = random.Random(seed)
    division = rng.choice(("110105", "310115", "330102", "330185", "440305", "510107"))
    org8 = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    first17 = "91" + division + org8 + _org_check(org8)
    return first17 + check_char(first17)
