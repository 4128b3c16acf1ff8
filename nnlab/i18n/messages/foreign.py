"""Messages of the foreign-run viewer (`nnlab watch` on an nnlab.track run or a TensorBoard logdir)."""

MESSAGES = {
    "help.concept.foreign": (
        "Watching a run nnlab did not train: a script's nnlab.track run or a TensorBoard logdir. Each metric "
        "group (the part of a name before '/') has its chart: [ and ] choose it, l log/linear, m smoothing, "
        "t step or wall-clock x axis, v the next page (epochs, confusion matrix, images when logged). "
        "p n x w pause, step, stop or save a script that calls run.wait_if_paused() / should_stop().",
        "正在查看一个非 nnlab 训练的运行：脚本的 nnlab.track 运行或 TensorBoard 日志目录。每个指标组"
        "（名称中 '/' 之前的部分）有自己的图表：[ 和 ] 选择，l 对数/线性，m 平滑，t 步数或时间横轴，"
        "v 下一页（记录了的轮次指标、混淆矩阵、图像）。p n x w 暂停、单步、停止或保存调用了 "
        "run.wait_if_paused() / should_stop() 的脚本。",
    ),
    "foreign.key.prev_group": ("Previous group", "上一组"),
    "foreign.key.next_group": ("Next group", "下一组"),
    "foreign.key.groups": ("Group", "分组"),  # the footer's one entry for [ and ]
    "foreign.key.smooth": ("Smoothing", "平滑"),
    "foreign.key.x_axis": ("Step/time axis", "步数/时间轴"),
    "foreign.key.page": ("Next page", "下一页"),
    "foreign.key.page.footer": ("Pages", "翻页"),
    "foreign.page.scalars": ("Scalars", "标量"),
    "foreign.page.epochs": ("Epochs", "轮次"),
    "foreign.page.confusion": ("Confusion", "混淆矩阵"),
    "foreign.page.images": ("Images", "图像"),
    "foreign.chart.none": ("No scalars yet", "尚无标量"),
    "foreign.chart.step": ("x: step", "横轴：步数"),
    "foreign.chart.time": ("x: seconds", "横轴：秒"),
    "foreign.chart.more": ("(+{count} more)", "（另有 {count} 个）"),
    "foreign.groups.none": ("No metrics logged yet.", "尚未记录指标。"),
    "foreign.images.key": ("{name} · step {step}", "{name} · 第 {step} 步"),
    "foreign.epoch": ("epoch", "轮次"),
    "foreign.status": ("{name} ({source})", "{name}（{source}）"),
    "foreign.source.track": ("nnlab.track", "nnlab.track"),
    "foreign.source.tensorboard": ("TensorBoard", "TensorBoard"),
    "foreign.running": ("running", "运行中"),
    "foreign.paused": ("paused", "已暂停"),
    "foreign.points": ("{points:,} points, step {step}", "{points:,} 个点，第 {step} 步"),
    "foreign.problems": ("{count} problems (skipped)", "{count} 处问题（已跳过）"),
    "foreign.failed": ("The script failed", "脚本失败"),
    "foreign.not_steerable.tensorboard": (
        "A TensorBoard logdir cannot be steered: only an nnlab.track run can.",
        "TensorBoard 日志目录无法控制：只有 nnlab.track 运行可以。",
    ),
    "foreign.other_run": (
        "This viewer shows a foreign run; open {path} with nnlab watch.",
        "此查看器显示的是外部运行；请用 nnlab watch 打开 {path}。",
    ),
    "foreign.cli.tensorboard": (
        "read DIR as a TensorBoard logdir (also before it holds event files)",
        "将 DIR 作为 TensorBoard 日志目录读取（即使尚无事件文件）",
    ),
    "bench.foreign.line": (
        "foreign viewer: track {track_open:.3f} s, TensorBoard {tb_open:.3f} s to a full frame "
        "({points:,} points each; goal <= 1 s); live at {rate:.0f} steps/s: lag median "
        "{lag_median:.3f} s, {fps:.1f} chart frames/s",
        "外部运行查看器：track {track_open:.3f} 秒、TensorBoard {tb_open:.3f} 秒到完整画面"
        "（各 {points:,} 个点；目标 <= 1 秒）；每秒 {rate:.0f} 步实时：延迟中位数 "
        "{lag_median:.3f} 秒，图表 {fps:.1f} 帧/秒",
    ),
}
