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

# the Setup page's sweep (nnlab.ui.train.setup_form, nnlab.ui.train.sweep_launch)
MESSAGES.update(
    {
        "dash.setup.sweep": ("Sweep", "扫描"),
        "dash.setup.sweep_random": ("Random N", "随机成员数"),
        "lab.setup.sweep_example": ("e.g. lr=1e-3,1e-2 optimizer=sgd,adam", "例如 lr=1e-3,1e-2 optimizer=sgd,adam"),
        "lab.setup.random_blank": ("blank: the grid", "留空：网格"),
        "lab.setup.fix_fields": (
            "Sweep: correct the fields above first (they are every member's base)",
            "扫描：请先改正上面的字段（它们是每个成员的基础设置）",
        ),
        "lab.setup.grid_members": ("Sweep: {n} members ({detail})", "扫描：{n} 个成员（{detail}）"),
        "lab.setup.random_members": ("Sweep: {n} random members", "扫描：{n} 个随机成员"),
        "lab.setup.sweep_ok": (
            "{what} in {groups} batched group(s); s starts them all",
            "{what}，分 {groups} 个批量组；按 s 全部开始",
        ),
        "lab.sweep.started": (
            "Sweep {id} started in the background ({members} members, pid {pid})",
            "扫描 {id} 已在后台开始（{members} 个成员，pid {pid}）",
        ),
        "lab.sweep.launch_failed": ("Could not start the sweep: {why}", "无法开始扫描：{why}"),
        "lab.sweep.no_dir": ("no free sweep directory name under {root}", "{root} 下没有可用的扫描目录名"),
        "lab.sweep.dir_taken": (
            "--sweep-dir {path}: not an empty sweep directory (it is missing or holds a sweep already)",
            "--sweep-dir {path}：不是空的扫描目录（不存在或已有扫描）",
        ),
        "sweepui.starting": (
            "starting (pid {pid}): loading the data and building the members…",
            "正在启动（pid {pid}）：加载数据并构建成员…",
        ),
        "sweepui.launch_died": (
            "The sweep process ended (exit code {code}) before it began: {why} (all of it: {log})",
            "扫描进程在开始前已结束（退出码 {code}）：{why}（完整输出：{log}）",
        ),
    }
)
