"""Messages of the Sweep page (``nnlab.ui.sweep``): a sweep's members side by side."""

MESSAGES = {
    "mode.sweep": ("Sweep", "超参数扫描"),
    "help.concept.sweep": (
        "A sweep: many settings of the same model trained side by side. Its members' training losses are "
        "overlaid (each member keeps its colour), their test accuracy per epoch beside them, and the results "
        "below, the best marked * and the tutorial's setting marked T. s changes the sort column, r reverses "
        "it; space marks a member (only the marked ones are drawn, and p n x act on them); e writes results.csv "
        "and results.md next to sweep.json.",
        "一次扫描：同一模型的多种设置并排训练。各成员的训练损失叠加显示（每个成员颜色固定），旁边是每轮的测试准确率，"
        "下方是结果表，最佳者标 *，教程的设置标 T。s 切换排序列，r 反转顺序；空格标记成员（只画被标记的成员，"
        "p n x 也只作用于它们）；e 在 sweep.json 旁写出 results.csv 和 results.md。",
    ),
    "sweepui.key.sort": ("Sort column", "排序列"),
    "sweepui.key.sort.footer": ("Sort", "排序"),
    "sweepui.key.reverse": ("Reverse sort", "反转排序"),
    "sweepui.key.mark": ("Mark member", "标记成员"),
    "sweepui.key.mark.footer": ("Mark", "标记"),
    "sweepui.key.export": ("Export CSV+MD", "导出 CSV+MD"),
    "sweepui.key.export.footer": ("Export", "导出"),
    "sweepui.key.pause": ("Pause/resume", "暂停/继续"),
    "sweepui.key.step": ("Step 1 batch", "单步一批"),
    "sweepui.key.stop": ("Stop", "停止"),
    "sweepui.no_path": (
        "No sweep to show: give a sweep id or its directory (runs/<sweep-id>).",
        "没有可显示的扫描：请给出扫描 id 或其目录（runs/<sweep-id>）。",
    ),
    "sweepui.no_sweep": (
        "No sweep at {path} (its directory or sweep.json is missing).",
        "{path} 处没有扫描（目录或 sweep.json 不存在）。",
    ),
    "sweepui.unreadable": ("Cannot read {path}: {why}", "无法读取 {path}：{why}"),
    "sweepui.not_a_sweep": ("{path} is not an nnlab sweep record.", "{path} 不是 nnlab 扫描记录。"),
    "sweepui.read_failed": ("Reading the sweep failed: {why} (retrying)", "读取扫描失败：{why}（正在重试）"),
    "sweepui.summary": (
        "{id} · {state} · {members} members · sort: {sort}{order}",
        "{id} · {state} · {members} 个成员 · 排序：{sort}{order}",
    ),
    "sweepui.summary.marked": (" · {count} marked", " · 已标记 {count} 个"),
    "sweepui.legend": ("* best   T the tutorial's setting", "* 最佳   T 教程的设置"),
    "sweepui.col.mark": ("*T", "*T"),
    "sweepui.col.member": ("member", "成员"),
    "sweepui.col.setting": ("setting", "设置"),
    "sweepui.col.accuracy": ("accuracy", "准确率"),
    "sweepui.col.test_loss": ("test loss", "测试损失"),
    "sweepui.col.seconds": ("time", "用时"),
    "sweepui.col.epochs": ("epochs", "轮数"),
    "sweepui.col.state": ("state", "状态"),
    "sweepui.sort.accuracy": ("accuracy", "准确率"),
    "sweepui.sort.test_loss": ("test loss", "测试损失"),
    "sweepui.sort.seconds": ("time", "用时"),
    "sweepui.sort.epochs": ("epochs", "轮数"),
    "sweepui.sort.member": ("member", "成员"),
    "sweepui.sort.setting": ("setting", "设置"),
    "sweepui.sort.state": ("state", "状态"),
    "sweepui.diverged": ("diverged", "已发散"),
    "sweepui.chart.loss": ("Training loss · {count} members", "训练损失 · {count} 个成员"),
    "sweepui.chart.accuracy": ("Test accuracy % per epoch", "每轮测试准确率 %"),
    "sweepui.exported": ("Exported {csv} and {md}", "已导出 {csv} 和 {md}"),
    "sweepui.export_failed": ("Could not export the results: {why}", "无法导出结果：{why}"),
    "sweepui.nothing_to_export": ("No sweep record read yet: nothing to export.", "尚未读到扫描记录：无可导出。"),
    "sweepui.not_steerable": (
        "Sweep {id} is not steerable from here: a sweep trains its members in one process that serves no "
        "control socket (stop it with Ctrl+C in its terminal; a stopped member resumes alone with "
        "nnlab train --headless --resume RUN).",
        "扫描 {id} 无法在此控制：扫描在一个进程内训练所有成员，该进程不提供控制套接字（请在其终端按 Ctrl+C 停止；"
        "停止的成员可用 nnlab train --headless --resume RUN 单独继续）。",
    ),
    "sweepui.not_running": ("Sweep {id} is {state}: nothing to steer.", "扫描 {id} {state}：无可控制。"),
    "sweepui.steered": ("{op}: sent to {count} members", "{op}：已发送给 {count} 个成员"),
}
