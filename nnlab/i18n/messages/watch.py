"""Messages of the run viewer (`nnlab watch`) and the Runs page's history of run directories."""

MESSAGES = {
    "help.concept.watch": (
        "Watching a run directory: the run trains in another process (a headless or detached run, "
        "another terminal, an earlier session). Its whole history is shown, then what it does live. "
        "p pauses or resumes it, n steps one batch while paused, x stops it, w saves its current state; "
        "every viewer sees every steer, since the effects come from the run's event log.",
        "正在查看一个运行目录：训练在另一个进程中进行（无界面或后台运行、另一个终端、之前的会话）。"
        "先显示全部历史，再实时跟进。p 暂停或继续，暂停时 n 单步一批，x 停止，w 保存当前状态；"
        "所有查看者都能看到每一次控制，因为效果来自运行的事件日志。",
    ),
    "watch.key.save": ("Save now", "立即保存"),
    "watch.key.save.footer": ("Save", "保存"),
    "watch.no_run": (
        "No run to watch: give a run id or a run directory (nnlab watch RUN).",
        "没有可查看的运行：请给出运行 id 或运行目录（nnlab watch RUN）。",
    ),
    "watch.attached": ("Watching run {run} ({path})", "正在查看运行 {run}（{path}）"),
    "watch.read_failed": ("Reading the run failed: {why} (retrying)", "读取运行失败：{why}（正在重试）"),
    "watch.problem.title": ("Run log", "运行日志"),
    "watch.problem.more": (
        "… and {count} more problems in the log (skipped)",
        "…… 日志中另有 {count} 处问题（已跳过）",
    ),
    "watch.gone": (
        "The run directory {path} was deleted: nothing more to watch.",
        "运行目录 {path} 已被删除：没有更多内容可查看。",
    ),
    "watch.lost": (
        "The run is lost: its process is gone without a final event (resume it with nnlab train "
        "--headless --resume RUN).",
        "运行已丢失：其进程已不在且没有结束事件（可用 nnlab train --headless --resume RUN 继续）。",
    ),
    "watch.steer_failed": ("Could not {op} the run: {why}", "无法对运行执行 {op}：{why}"),
    "watch.not_steerable": ("Run {run} is {state}: nothing to steer.", "运行 {run} {state}：无可控制。"),
    "watch.state.completed": ("completed", "已完成"),
    "watch.state.stopped": ("stopped", "已停止"),
    "watch.state.failed": ("failed", "已失败"),
    "watch.state.diverged": ("diverged", "已发散"),
    "watch.state.lost": ("lost", "已丢失"),
    "watch.state.created": ("not started", "尚未开始"),
    "watch.state.deleted": ("deleted", "已删除"),
    "watch.no_resume": (
        "A viewer does not resume runs: use nnlab train --resume RUN.",
        "查看器不能继续运行：请使用 nnlab train --resume RUN。",
    ),
}
