"""Messages of the training dashboard (the Train mode) and `nnlab bench dashboard`."""

MESSAGES = {
    # pages
    "dash.page.setup": ("Setup", "设置"),
    "dash.page.live": ("Live", "实时"),
    "dash.page.insight": ("Insight", "洞察"),
    "dash.page.runs": ("Runs", "运行记录"),
    # keys
    "dash.key.start": ("Start", "开始"),
    "dash.key.pause": ("Pause/resume", "暂停/继续"),
    "dash.key.stop": ("Stop", "停止"),
    "dash.key.step": ("Step 1 batch", "单步一批"),
    "dash.key.prev_page": ("Prev page", "上一页"),
    "dash.key.next_page": ("Next page", "下一页"),
    "dash.key.save": ("Save checkpoint", "保存检查点"),
    "dash.key.resume_from": ("Resume from checkpoint", "从检查点继续"),
    "dash.key.export": ("Export metrics", "导出指标"),
    "dash.key.clear": ("Clear", "清除"),
    "dash.key.smooth": ("Smooth loss", "平滑损失曲线"),
    "dash.key.log_scale": ("Log scale", "对数坐标"),
    "dash.key.anatomy": ("Anatomy", "网络解剖"),
    "dash.key.mark": ("Mark to compare", "标记以对比"),
    # set-up form
    "dash.setup.preset": ("Preset", "预设"),
    "dash.setup.epochs": ("Epochs", "轮数"),
    "dash.setup.batch_size": ("Batch size", "批大小"),
    "dash.setup.lr": ("Learning rate", "学习率"),
    "dash.setup.optimizer": ("Optimizer", "优化器"),
    "dash.setup.hidden": ("Hidden sizes", "隐藏层宽度"),
    "dash.setup.activation": ("Activation", "激活函数"),
    "dash.setup.seed": ("Seed", "随机种子"),
    "dash.setup.device": ("Device", "设备"),
    "dash.setup.too_many_layers": ("at most {most} hidden layers", "最多 {most} 个隐藏层"),
    "dash.setup.invalid": ("Fix the set-up fields first (see the Setup page).", "请先修正设置页中的字段。"),
    "dash.setup.data_looking": ("Data: looking for FashionMNIST…", "数据：正在查找 FashionMNIST…"),
    "dash.opt.sgd": ("SGD", "SGD"),
    "dash.opt.momentum": ("SGD + momentum 0.9", "SGD + 动量 0.9"),
    "dash.opt.adam": ("Adam", "Adam"),
    "dash.device.auto": ("auto (GPU if any)", "自动（有 GPU 则用 GPU）"),
    "dash.data.found": (
        "Data: {path} ({train} train + {test} test images)",
        "数据：{path}（训练 {train} 张 + 测试 {test} 张）",
    ),
    "dash.data.sample": (
        "Data: the shipped sample {path} ({train} + {test} images), not the full set",
        "数据：随附样本 {path}（{train} + {test} 张），不是完整数据集",
    ),
    "dash.data.download": ("Data: not found locally; will download into {path}", "数据：本地未找到，将下载到 {path}"),
    "dash.data.injected": ("Data: supplied by the caller (tests/bench)", "数据：由调用方提供（测试/基准）"),
    "dash.data.missing": ("Data: {why}", "数据：{why}"),
    "dash.summary.building": ("Building the model…", "正在构建模型…"),
    "dash.summary.head": ("print(model):", "print(model)："),
    "dash.summary.params": ("Parameters: {n}", "参数个数：{n}"),
    "dash.summary.failed": ("Could not build the model: {why}", "无法构建模型：{why}"),
    # progress
    "dash.progress.epoch": ("Epoch", "轮次"),
    "dash.progress.run": ("Run", "全程"),
    "dash.progress.eta": ("ETA", "剩余"),
    "dash.progress.loss": ("loss {loss}", "损失 {loss}"),
    "dash.progress.speed": ("{speed} samples/s", "{speed} 样本/秒"),
    "dash.progress.elapsed": ("elapsed {elapsed}", "已用 {elapsed}"),
    "dash.progress.lr": ("lr {lr}", "学习率 {lr}"),
    "dash.status.idle": ("Idle: press s to start", "空闲：按 s 开始"),
    "dash.status.loading": ("Loading data…", "正在加载数据…"),
    "dash.status.running": ("Running", "训练中"),
    "dash.status.paused": ("Paused (p resumes, n steps)", "已暂停（p 继续，n 单步）"),
    "dash.status.stopping": ("Stopping…", "正在停止…"),
    "dash.status.finished": ("Finished", "已完成"),
    "dash.status.stopped": ("Stopped", "已停止"),
    "dash.status.failed": ("Failed", "失败"),
    "dash.status.running_row": ("running", "进行中"),
    "dash.gpu.memory": ("GPU {used}/{total} GB", "显存 {used}/{total} GB"),
    "dash.gpu.util": ("util {util}%", "利用率 {util}%"),
    # charts
    "dash.chart.loss": ("Train loss, running mean (x: epochs)", "训练损失，滑动平均（横轴：轮次）"),
    "dash.chart.loss_each": ("Train loss per batch (x: epochs)", "每批训练损失（横轴：轮次）"),
    "dash.chart.loss_every": (
        "Train loss, {n}-batch means (x: epochs)",  # short: the chart is ~37 cells wide at 80 columns
        "训练损失，每 {n} 批的平均（横轴：轮次）",
    ),
    "dash.chart.smoothed": ("smoothed", "已平滑"),
    "dash.chart.log": ("log scale", "对数坐标"),
    "dash.chart.epochs": ("Test acc % · loss →", "测试准确率 % · 损失 →"),
    "dash.chart.compare": ("Marked runs: test acc %", "标记的运行：测试准确率 %"),
    "dash.chart.reference": ("grey: tutorial", "灰色：教程"),
    # insight
    "dash.images.none": ("Test images appear when a run has loaded its data.", "运行加载数据后，这里显示测试图片。"),
    "dash.images.caption": ("{mark} {pred}\n  true: {true}", "{mark} {pred}\n  真实：{true}"),
    "dash.images.true_only": ("  (no prediction yet)\n  true: {true}", "  （尚无预测）\n  真实：{true}"),
    "dash.confusion.title": (
        "Confusion matrix after epoch {epoch} (rows: true, columns: predicted)",
        "第 {epoch} 轮后的混淆矩阵（行：真实，列：预测）",
    ),
    "dash.confusion.empty": ("Confusion matrix: after the first epoch", "混淆矩阵：第一轮结束后显示"),
    "dash.confusion.axes": ("true\\pred", "真实\\预测"),
    "dash.class_acc.title": ("Test accuracy per class", "各类别测试准确率"),
    # log (the tutorial's own lines are kept in its words)
    "dash.log.ready": ("Ready. Check the Setup page, then press s to start.", "就绪。检查设置页，然后按 s 开始。"),
    "dash.log.starting": ("Run #{run}: preset {preset}, device {device}", "运行 #{run}：预设 {preset}，设备 {device}"),
    "dash.log.device": ("Using {device} device", "使用 {device} 设备"),
    "dash.log.settings": (
        "Settings: epochs {epochs}, batch {batch}, lr {lr}, {optimizer}, hidden {hidden} {activation}, seed {seed}",
        "设置：轮数 {epochs}，批大小 {batch}，学习率 {lr}，{optimizer}，隐藏层 {hidden} {activation}，种子 {seed}",
    ),
    "dash.log.started": (
        "{params} parameters; {train} training and {test} test images from {source}",
        "{params} 个参数；{train} 张训练图片和 {test} 张测试图片，来自 {source}",
    ),
    "dash.log.resumed_at": ("Resumed after epoch {epoch}", "从第 {epoch} 轮之后继续"),
    "dash.log.epoch": ("Epoch {epoch}", "Epoch {epoch}（第 {epoch} 轮）"),
    "dash.log.test_error": ("Test Error: ", "Test Error（测试）："),
    "dash.log.test_line": (" Accuracy: {acc}%, Avg loss: {loss} ", " 准确率：{acc}%，平均损失：{loss} "),
    "dash.log.paused": ("Paused at epoch {epoch}, batch {batch}", "在第 {epoch} 轮第 {batch} 批暂停"),
    "dash.log.resumed": ("Resumed", "已继续"),
    "dash.log.done": ("Done!", "完成！"),
    "dash.log.stopped": ("Stopped after {epochs} complete epoch(s).", "已停止，完成了 {epochs} 轮。"),
    "dash.log.failed": ("Failed: {why}", "失败：{why}"),
    # notifications
    "dash.already_running": ("A run is already going: stop it (x) first.", "已有运行在进行：请先停止（x）。"),
    "dash.no_run": ("No run is going: press s to start one.", "没有正在进行的运行：按 s 开始。"),
    "dash.step.not_paused": (
        "Pause first (p); n then runs one batch at a time.",
        "请先暂停（p），然后按 n 每次运行一批。",
    ),
    "dash.clear.running": ("Stop the run (x) before clearing.", "清除前请先停止运行（x）。"),
    "dash.cleared": ("Live view cleared.", "实时视图已清除。"),
    "dash.diverged.title": ("Training diverged", "训练发散"),
    "dash.failed.title": ("Run failed", "运行失败"),
    "dash.error.cuda_oom": (
        "CUDA out of memory: try a smaller batch size or hidden sizes ({detail})",
        "CUDA 显存不足：请减小批大小或隐藏层宽度（{detail}）",
    ),
    "dash.error.unexpected": ("Unexpected error {name}: {detail}", "意外错误 {name}：{detail}"),
    "dash.anatomy.missing": ("The Anatomy view is not installed in this version.", "此版本未包含网络解剖视图。"),
    # runs page
    "dash.runs.hint": (
        "All runs · Space mark (≤6) · r sort · g reload · a anatomy · Del delete · A archive",
        "全部运行 · 空格 标记（≤6）· r 排序 · g 刷新 · a 解剖 · Del 删除 · A 归档",
    ),
    "dash.runs.col.mark": ("Mark", "标记"),
    "dash.runs.col.run": ("Run", "运行"),
    "dash.runs.col.preset": ("Preset", "预设"),
    "dash.runs.col.epochs": ("Epochs", "轮数"),
    "dash.runs.col.batch": ("Batch", "批"),
    "dash.runs.col.lr": ("LR", "学习率"),
    "dash.runs.col.optimizer": ("Optim", "优化器"),
    "dash.runs.col.hidden": ("Hidden", "隐藏层"),
    "dash.runs.col.activation": ("Act", "激活"),
    "dash.runs.col.seed": ("Seed", "种子"),
    "dash.runs.col.device": ("Device", "设备"),
    "dash.runs.col.accuracy": ("Acc", "准确率"),
    "dash.runs.col.loss": ("Test loss", "测试损失"),
    "dash.runs.col.time": ("Time", "用时"),
    "dash.runs.col.status": ("Status", "状态"),
}
MESSAGES.update(
    {
        "dash.save.none_yet": (
            "No checkpoint yet: the engine writes one at each epoch end and when a run is stopped.",
            "还没有检查点：引擎在每轮结束和停止运行时写入检查点。",
        ),
        "dash.save.done": (
            "Checkpoint saved: {path} (the state at the last epoch end or stop)",
            "检查点已保存：{path}（最近一轮结束或停止时的状态）",
        ),
        "dash.save.failed": ("Could not save the checkpoint: {why}", "无法保存检查点：{why}"),
        "dash.export.nothing": ("Nothing to export yet: start a run first.", "尚无可导出的内容：请先开始运行。"),
        "dash.export.done": (
            "Exported {events} events to {jsonl} and the epochs to {csv}",
            "已导出 {events} 个事件到 {jsonl}，各轮结果到 {csv}",
        ),
        "dash.export.failed": ("Could not export: {why}", "无法导出：{why}"),
        "dash.resume.title": (
            "Resume from a checkpoint: path, then Enter (Esc cancels)",
            "从检查点继续：输入路径后按 Enter（Esc 取消）",
        ),
        "dash.resume.help": (
            "The run continues with the checkpoint's model and optimizer up to the larger of the "
            "Epochs set on the Setup page and the checkpoint's own (at least one more epoch).",
            "运行将使用检查点中的模型和优化器继续，训练到设置页的轮数与检查点自身轮数中较大的那个（至少再训练一轮）。",
        ),
        "dash.resume.empty": ("Type the path of a .pt checkpoint.", "请输入 .pt 检查点的路径。"),
        "dash.log.resuming": (
            "Resuming from {path} (after epoch {epoch}) up to epoch {epochs}",
            "从 {path} 继续（已完成 {epoch} 轮），训练到第 {epochs} 轮",
        ),
    }
)
MESSAGES.update(
    {
        "dash.save.no_dir": (
            "Cannot write checkpoints to {path} ({why}): this run is not saved.",
            "无法在 {path} 写入检查点（{why}）：本次运行不会保存。",
        ),
    }
)
MESSAGES.update(
    {
        "dash.log.resume_hint": (
            "Press s to resume from {path} (o picks another checkpoint).",
            "按 s 从 {path} 继续（按 o 选择其他检查点）。",
        ),
    }
)
MESSAGES.update(
    {
        "bench.dash.timeout": ("the dashboard did not finish within {seconds} s", "仪表盘未在 {seconds} 秒内完成"),
        "bench.dash.no_result": ("the dashboard exited ({code}) without a result", "仪表盘退出（{code}），没有结果"),
        "bench.dash.bad_epochs": ("--epochs must be 1..100", "--epochs 必须在 1..100 之间"),
        "bench.dash.failed": ("bench dashboard failed: {why}", "仪表盘基准测试失败：{why}"),
        "cli.bench.ab_ui_turns": (
            "bench dashboard: twice the rounds, keys holding the run while their screen is drawn in every other one; both figures",
            "bench dashboard：轮数加倍，每隔一轮让按键在绘制其画面时暂缓训练；给出两组数字",
        ),
        "bench.dash.ab_on": (
            "  with UI turns   throughput {throughput_ratio}x ({per_round}), page switch p95 {page_switch_p95_ms} ms, "
            "median {page_switch_median_ms} ms, key p95 {key_latency_p95_ms} ms, training waited {ui_wait_share} of the time",
            "  界面优先开启    吞吐量 {throughput_ratio} 倍（{per_round}），切换页面 p95 {page_switch_p95_ms} 毫秒，"
            "中位数 {page_switch_median_ms} 毫秒，按键 p95 {key_latency_p95_ms} 毫秒，训练等待占时间的 {ui_wait_share}",
        ),
        "bench.dash.ab_off": (
            "  without them    throughput {throughput_ratio}x ({per_round}), page switch p95 {page_switch_p95_ms} ms, "
            "median {page_switch_median_ms} ms, key p95 {key_latency_p95_ms} ms",
            "  界面优先关闭    吞吐量 {throughput_ratio} 倍（{per_round}），切换页面 p95 {page_switch_p95_ms} 毫秒，"
            "中位数 {page_switch_median_ms} 毫秒，按键 p95 {key_latency_p95_ms} 毫秒",
        ),
        "bench.dash.lines": (
            "dashboard vs headless engine, tutorial model, {rounds} x {epochs} epochs of {train_size} images on "
            "{device}, terminal {terminal}, load average {load_avg_1m}\n"
            "  throughput      {throughput_ratio}x (median samples/s: {dashboard_samples_per_s} vs {headless_samples_per_s} = {throughput_ratio_of_medians}x; "
            "vs {headless_same_threads_samples_per_s} with the same torch threads: {throughput_ratio_same_threads}x)\n"
            "  per round       {per_round} (each dashboard run ÷ the mean of the headless runs either side; the headline is their median)\n"
            "  0.5 s windows   {throughput_ratio_windows}x (the same pairs, each run's upper-quartile speed over 0.5 s windows: neighbours only slow a run)\n"
            "  key → screen    p95 {key_latency_p95_ms} ms, median {key_latency_median_ms} ms, max {key_latency_max_ms} ms "
            "({keys} keys)\n"
            "  page switch     p95 {page_switch_p95_ms} ms, median {page_switch_median_ms} ms, max {page_switch_max_ms} ms "
            "({page_switches} switches, key event → the next refresh, timed in the app)\n"
            "  UI turns        {ui_turns} (training waited between two batches while a key's screen was drawn: {ui_wait_share} of the run time)\n"
            "  25 ms ticks     gap p95 {tick_gap_p95_ms} ms, max {tick_gap_max_ms} ms\n"
            "  terminal output {terminal_bytes_per_s} bytes/s while training (watching), {terminal_bytes_per_s_typing} with a chart-redrawing key a second\n"
            "  memory          RSS after each epoch (last round) {rss} MB (largest growth {rss_growth_mb} MB)",
            "仪表盘与无界面引擎对比，教程模型，{device} 上 {rounds} 次 × {epochs} 轮、每轮 {train_size} 张图片，"
            "终端 {terminal}，负载 {load_avg_1m}\n"
            "  吞吐量          {throughput_ratio} 倍（样本/秒中位数：{dashboard_samples_per_s} 对 {headless_samples_per_s} = {throughput_ratio_of_medians} 倍；"
            "与相同 torch 线程数的 {headless_same_threads_samples_per_s} 相比：{throughput_ratio_same_threads} 倍）\n"
            "  每次对比        {per_round}（每次仪表盘 ÷ 其前后两次无界面运行的平均；总比值取其中位数）\n"
            "  0.5 秒窗口      {throughput_ratio_windows} 倍（同样的配对，取每次运行 0.5 秒窗口速度的上四分位数：邻居只会拖慢运行）\n"
            "  按键到屏幕      p95 {key_latency_p95_ms} 毫秒，中位数 {key_latency_median_ms} 毫秒，最大 {key_latency_max_ms} 毫秒"
            "（{keys} 次按键）\n"
            "  切换页面        p95 {page_switch_p95_ms} 毫秒，中位数 {page_switch_median_ms} 毫秒，最大 {page_switch_max_ms} 毫秒"
            "（{page_switches} 次切换，从按键事件到下一次刷新，在应用内计时）\n"
            "  界面优先        {ui_turns} 次（绘制按键所需画面时，训练在两个批次之间等待：占运行时间的 {ui_wait_share}）\n"
            "  25 毫秒定时器   间隔 p95 {tick_gap_p95_ms} 毫秒，最大 {tick_gap_max_ms} 毫秒\n"
            "  终端输出        训练期间 {terminal_bytes_per_s} 字节/秒（观看），每秒按一次重绘图表的键时 {terminal_bytes_per_s_typing}\n"
            "  内存            每轮结束后 RSS（最后一次）{rss} MB（最大增长 {rss_growth_mb} MB）",
        ),
    }
)
MESSAGES.update(
    {
        # resume (items 13, 17 of issue 13)
        "dash.log.reading": ("Reading the checkpoint {path} …", "正在读取检查点 {path} …"),
        "dash.resume.unreadable": (
            "Cannot resume: {why} (s now starts a new run; o picks another checkpoint)",
            "无法继续：{why}（现在按 s 将开始新的运行；按 o 选择其他检查点）",
        ),
        "dash.log.resuming_mid": (
            "Resuming from {path} in epoch {epoch} after batch {batch}, up to epoch {epochs}",
            "从 {path} 继续：第 {epoch} 轮第 {batch} 批之后，训练到第 {epochs} 轮",
        ),
        "dash.log.resumed_mid": (
            "Resumed in epoch {epoch} after batch {batch}",
            "从第 {epoch} 轮第 {batch} 批之后继续",
        ),
        # divergence: what is on disk (the engine's own text always claims a kept checkpoint)
        "dash.diverged.what": (
            "Diverged: the loss became {loss} at epoch {epoch}, batch {batch}. Try a smaller "
            "learning rate (e.g. {smaller} instead of {lr}).",
            "发散：损失在第 {epoch} 轮第 {batch} 批变为 {loss}。请尝试更小的学习率（例如用 {smaller} 代替 {lr}）。",
        ),
        "dash.diverged.kept": ("The last good checkpoint, {path}, was kept.", "最后一个正常的检查点 {path} 已保留。"),
        "dash.diverged.from": (
            "No checkpoint was written by this run; {path}, which it resumed from, is unchanged.",
            "本次运行没有写入检查点；它所继续的 {path} 未被改动。",
        ),
        "dash.diverged.none": (
            "No checkpoint was written: the run diverged before its first epoch ended.",
            "没有写入检查点：运行在第一轮结束前就发散了。",
        ),
        # the terminal bell and desktop notification (item 20)
        "dash.cli.notify": (
            "when a run finishes, diverges or fails while you look elsewhere, ring the terminal bell "
            "and send a desktop notification through the terminal (OSC 9/777; default: on)",
            "运行完成、发散或失败而你不在看时，响铃并通过终端发送桌面通知（OSC 9/777；默认开启）",
        ),
        "dash.alert.finished.title": ("Training finished", "训练完成"),
        "dash.alert.finished": (
            "Run #{run} finished {epochs} epochs: test accuracy {accuracy}",
            "运行 #{run} 完成 {epochs} 轮：测试准确率 {accuracy}",
        ),
        # the GPU panel (issue 18, Deliver 3)
        "dash.gpu.title": ("GPU", "GPU"),
        "dash.gpu.util_line": ("util {util}%  memory {mem_util}%", "利用率 {util}%  显存带宽 {mem_util}%"),
        "dash.gpu.history": ("util history", "利用率历史"),
        "dash.gpu.memory_line": (
            "memory {used}/{total} GB used · this process {own} GB",
            "显存 已用 {used}/{total} GB · 本进程 {own} GB",
        ),
        "dash.gpu.power_line": (
            "power {power} W · {temp} · SM {sm} MHz · memory {mem} MHz",
            "功耗 {power} W · {temp} · SM {sm} MHz · 显存 {mem} MHz",
        ),
        "dash.gpu.waiting": ("GPU: waiting for the first figures …", "GPU：等待第一组数据 …"),
        # confusion-matrix pairs (item 19)
        "dash.key.pick": ("Show the cell's images", "查看该格的图片"),
        "dash.confusion.hint": ("arrows pick a cell, Enter shows its images", "方向键选格，Enter 查看其图片"),
        "dash.pair.title": (
            "True {true}, predicted {pred}: {count} test images (epoch {epoch})",
            "真实 {true}，预测 {pred}：{count} 张测试图片（第 {epoch} 轮）",
        ),
        "dash.pair.shown": ("showing the first {shown}", "显示前 {shown} 张"),
        "dash.pair.none": ("No test image of this pair.", "没有这一组合的测试图片。"),
        "dash.pair.working": ("Predicting the whole test set …", "正在预测整个测试集 …"),
        "dash.pair.no_weights": (
            "No weights to predict with yet: start a run first.",
            "还没有可用于预测的权重：请先开始运行。",
        ),
        "dash.pair.failed": ("Could not predict the test set: {why}", "无法预测测试集：{why}"),
        "dash.pair.close": ("Esc closes", "Esc 关闭"),
    }
)
MESSAGES.update(
    {  # run directories, save-now, detach (issue 14)
        "dash.log.run_dir": ("Run {run}: {path}", "运行 {run}：{path}"),
        "dash.rundir.no_log": (
            "No event log for this run ({path}: {why}): it cannot be watched or steered from elsewhere.",
            "此次运行没有事件日志（{path}：{why}）：无法从别处查看或控制。",
        ),
        "dash.save.asked": ("Saving the current state at the next batch…", "将在下一批结束时保存当前状态…"),
        "dash.save.done_now": (
            "Checkpoint saved: {path} (the current state, exact to the batch)",
            "检查点已保存：{path}（当前状态，精确到批）",
        ),
        "dash.log.saved": (
            "Saved {path} (epoch {epoch}, batch {batch})",
            "已保存 {path}（第 {epoch} 轮，第 {batch} 批）",
        ),
        "dash.key.detach": ("Detach to background", "转到后台"),
        "dash.detach.cannot": (
            "This run cannot go to the background: it has no run directory or no checkpoint.",
            "此次运行无法转到后台：没有运行目录或检查点。",
        ),
        "dash.detach.asked": (
            "Starting a background process for the run; training goes on here until it is ready…",
            "正在为此次运行启动后台进程；进程就绪前训练在此继续…",
        ),
        "dash.detach.not_ready": (
            "The background process was not ready within {seconds} s: training goes on here.",
            "后台进程在 {seconds} 秒内未就绪：训练在此继续。",
        ),
        "dash.detach.died": (
            "The background process ended before it was ready (exit code {code}; see output.log): "
            "training goes on here.",
            "后台进程在就绪前退出（退出码 {code}；见 output.log）：训练在此继续。",
        ),
        "dash.detach.lost": (
            "The background process ended before taking the run over (exit code {code}): "
            "the run is stopped at its exact checkpoint.",
            "后台进程在接管运行前退出（退出码 {code}）：运行已停在其精确检查点。",
        ),
        "dash.detach.done": (
            "Training goes on in the background (pid {pid}); watching {path}",
            "训练在后台继续（pid {pid}）；正在查看 {path}",
        ),
        "dash.detach.failed": ("Could not start the background process: {why}", "无法启动后台进程：{why}"),
        "dash.status.detached": ("In the background", "已转到后台"),
        "dash.quit.body": (
            "Stop the run and quit? Or keep it training in the background? "
            "(y = stop and quit, b = background and quit, n = cancel)",
            "停止训练并退出吗？还是转到后台继续训练？（y = 停止并退出，b = 后台继续并退出，n = 取消）",
        ),
        "dash.quit.background": ("Keep training in background", "后台继续训练"),
        "dash.quit.handing_over": (
            "Handing the run to a background process; nnlab quits once it has taken over (training goes on meanwhile)",
            "正在把训练交给后台进程；接手后 nnlab 即退出（其间训练照常进行）",
        ),
        "dash.quit.handed": (
            "Training goes on in the background. Watch or steer it with\n  nnlab watch {path}",
            "训练在后台继续。查看或操控：\n  nnlab watch {path}",
        ),
        "dash.quit.cancel": ("Cancel", "取消"),
    }
)

# the Runs page: every run under the runs root (issue 14 Deliver 5)
MESSAGES.update(
    {
        "dash.runs.col.id": ("Run", "运行"),
        "dash.runs.col.state": ("State", "状态"),
        "dash.runs.col.started": ("Started", "开始于"),
        "dash.runs.col.config": ("Config", "配置"),
        "dash.runs.state.running": ("running", "进行中"),
        "dash.runs.state.created": ("created", "未开始"),
        "dash.runs.state.completed": ("completed", "已完成"),
        "dash.runs.state.stopped": ("stopped", "已停止"),
        "dash.runs.state.failed": ("failed", "失败"),
        "dash.runs.state.diverged": ("diverged", "已发散"),
        "dash.runs.state.lost": ("lost", "已丢失"),
        "dash.runs.state.detached": ("background", "后台"),
        "dash.runs.state.deleted": ("deleted", "已删除"),
        "dash.runs.sort.started": ("start time", "开始时间"),
        "dash.runs.sort.accuracy": ("test accuracy", "测试准确率"),
        "dash.runs.sort.state": ("state", "状态"),
        "dash.runs.sorted": ("Runs sorted by {by}", "运行已按{by}排序"),
        "dash.runs.reloading": ("Reading the runs again…", "正在重新读取运行…"),
        "dash.runs.none_here": ("No run under the cursor", "光标处没有运行"),
        "dash.runs.no_dir": ("Run {run} has no run directory", "运行 {run} 没有运行目录"),
        "dash.runs.unreadable": ("Cannot read run {run}: {why}", "无法读取运行 {run}：{why}"),
        "dash.runs.reading": ("Reading the latest checkpoint of {run}…", "正在读取 {run} 的最新检查点…"),
        "dash.runs.no_checkpoint": ("No Anatomy view of {run}: {why}", "无法打开 {run} 的解剖视图：{why}"),
        "dash.runs.key.yes": ("Yes", "是"),
        "dash.runs.key.no": ("No", "否"),
        "dash.runs.remove.no": ("Keep it", "保留"),
        "dash.runs.delete.yes": ("Delete", "删除"),
        "dash.runs.delete.title": ("Delete run {run}?", "删除运行 {run}？"),
        "dash.runs.delete.body": (
            "Its directory and everything in it (checkpoints, events, output) is removed:\n{path}",
            "将删除其目录及其中全部内容（检查点、事件、输出）：\n{path}",
        ),
        "dash.runs.delete.done": ("Run {run} deleted", "运行 {run} 已删除"),
        "dash.runs.archive.yes": ("Archive", "归档"),
        "dash.runs.archive.title": ("Archive run {run}?", "归档运行 {run}？"),
        "dash.runs.archive.body": (
            "It moves to {path} and no longer shows in the list.",
            "它将移到 {path}，不再出现在列表中。",
        ),
        "dash.runs.archive.done": ("Run {run} archived to {path}", "运行 {run} 已归档到 {path}"),
        "dash.key.sort": ("Sort", "排序"),
        "dash.key.reload": ("Reload", "刷新"),
        "dash.key.anatomy_run": ("Anatomy of this run", "此运行的解剖视图"),
        "dash.key.delete_run": ("Delete run", "删除运行"),
        "dash.key.archive_run": ("Archive run", "归档运行"),
    }
)
