"""Messages for refused numeric input (shared by every form)."""

MESSAGES = {
    "num.empty": ("Enter a number.", "请输入一个数。"),
    "num.too_long": ("Too long: at most {limit} characters.", "太长：最多 {limit} 个字符。"),
    "num.not_number": (
        "Not a number: '{text}'. Use digits like 0.25 or -1e-3.",
        "不是数字：'{text}'。请用 0.25 或 -1e-3 这样的写法。",
    ),
    "num.not_integer": ("Needs a whole number, not '{text}'.", "需要整数，而不是 '{text}'。"),
    "num.range": ("Must be between {lo} and {hi}.", "必须在 {lo} 到 {hi} 之间。"),
    "num.underflow": (
        "'{text}' is too small to represent; use 0 or a larger value.",
        "'{text}' 太小，无法表示；请用 0 或更大的值。",
    ),
    "num.spaces": ("Remove the spaces: type just the number.", "请去掉空格，只输入数字。"),
    "num.negative_zero": ("Write 0, not -0.", "请写 0，而不是 -0。"),
    "num.nonzero": ("Must not be 0.", "不能为 0。"),
}
