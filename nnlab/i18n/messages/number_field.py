"""Messages of the shared NumberField's nudge keys."""

MESSAGES = {
    "field.nudge_up": ("Value + step", "数值 + 步长"),
    "field.nudge_down": ("Value − step", "数值 − 步长"),
    "field.nudge_coarse_up": ("Value + 10 steps", "数值 + 10 步"),
    "field.nudge_coarse_down": ("Value − 10 steps", "数值 − 10 步"),
    "field.nudge_fine_up": ("Value + step/10", "数值 + 步长/10"),
    "field.nudge_fine_down": ("Value − step/10", "数值 − 步长/10"),
}
