"""Messages of the hyperparameter lab in the dashboard (issue 17): the Setup page's sweep, branches
and their parents on the Runs page."""

MESSAGES = {
    # the Runs page: branches and their parents
    "dash.key.parents": ("Parents of branches on/off", "显示/隐藏分支的父运行"),
    "lab.parents.on": (
        "A marked branch is drawn with its parents (grey; a line at the branch point)",
        "标记的分支与其父运行一起绘制（灰色；分支点处有竖线）",
    ),
    "lab.parents.off": ("Only the marked runs are drawn", "只绘制标记的运行"),
    "lab.branch.of": ("↳ branch of {parent} @{epoch}", "↳ {parent} 第 {epoch} 轮的分支"),
    "lab.parent.label": ("{run} (parent)", "{run}（父运行）"),
    "lab.parent.missing": (
        "The parent run {run} is not under {root} (archived or deleted?): only the branch is drawn",
        "父运行 {run} 不在 {root} 下（已归档或删除？）：只绘制分支",
    ),
}
