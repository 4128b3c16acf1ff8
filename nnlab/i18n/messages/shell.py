"""Messages of the app shell, the CLI and the help overlay."""

MESSAGES = {
    # app and modes
    "app.title": ("nnlab", "nnlab"),
    "app.subtitle": ("learn and watch neural networks", "在终端里学习和观察神经网络"),
    "mode.neuron": ("Neuron", "神经元"),
    "mode.backprop": ("Backprop", "反向传播"),
    "mode.train": ("Train", "训练"),
    # global keys (descriptions shown in the footer, the palette and the help overlay)
    "key.mode_neuron": ("Neuron", "神经元"),
    "key.mode_backprop": ("Backprop", "反向传播"),
    "key.mode_train": ("Train", "训练"),
    "key.help": ("Help", "帮助"),
    "key.quit": ("Quit", "退出"),
    "key.palette": ("Commands", "命令"),
    "key.theme": ("Dark/light", "深色/浅色"),
    "key.screenshot": ("Screenshot", "截图"),
    "key.close": ("Close", "关闭"),
    "key.focus_next": ("Next field", "下一个字段"),
    "key.focus_previous": ("Previous field", "上一个字段"),
    "key.copy": ("Copy selected text", "复制所选文字"),
    # footer labels of a key pair shown once ("[] Page"): short, the help overlay names each key
    "key.page_group": ("Page", "翻页"),
    "key.panel_group": ("Panel", "面板"),
    # help overlay
    "help.title": ("Help: {screen}", "帮助：{screen}"),
    "help.keys": ("Keys on this screen", "本屏按键"),
    "help.global_keys": ("Everywhere", "全局按键"),
    "help.close_hint": ("Press Esc or ? to close; q quits nnlab.", "按 Esc 或 ? 关闭；按 q 退出 nnlab。"),
    "key.leave_field": ("Leave field", "离开输入框"),
    "help.concept.neuron": (
        "A neuron computes a linear part z = w·x + b and passes it through a non-linear "
        "activation a = f(z). The derivative f'(z) says how much a small change of z moves "
        "the output: it is the factor backpropagation multiplies by at this neuron. Where "
        "f'(z) is nearly 0 the gradient vanishes and learning stalls.",
        "神经元先计算线性部分 z = w·x + b，再经过非线性激活函数 a = f(z)。导数 f'(z) 表示 z 的微小"
        "变化会让输出改变多少：反向传播在这个神经元处乘的正是这个因子。f'(z) 接近 0 的地方，"
        "梯度消失，学习停滞。",
    ),
    "help.concept.backprop": (
        "Backpropagation applies the chain rule: the error's derivative with respect to a "
        "weight is a product of local factors, read from the output back to the weight. "
        "Step through the forward pass, then each factor of each gradient, then the update "
        "w⁺ = w − η·∂E/∂w.",
        "反向传播就是链式法则：误差对某个权重的导数，是从输出一路回到这个权重的各个局部导数的乘积。"
        "先逐步走完前向传播，再逐个因子计算每个梯度，最后更新 w⁺ = w − η·∂E/∂w。",
    ),
    "help.concept.train": (
        "Training repeats forward pass, loss, backward pass and an optimizer step over "
        "mini-batches of FashionMNIST images. Watch the loss fall and the test accuracy "
        "rise; the confusion matrix shows which classes the network still mixes up.",
        "训练就是在 FashionMNIST 图片的小批量上反复执行：前向传播、计算损失、反向传播、优化器更新。"
        "观察损失下降、测试准确率上升；混淆矩阵显示网络仍然分不清哪些类别。",
    ),
    # honest placeholders until a screen lands
    "coming.neuron": (
        "Coming next: the neuron & activation explorer (issue 3).",
        "即将推出：神经元与激活函数探索器（第 3 项）。",
    ),
    "coming.backprop": (
        "Coming next: the 2-2-2 backprop stepper (issue 4).",
        "即将推出：2-2-2 网络反向传播逐步演示（第 4 项）。",
    ),
    "coming.train": (
        "Coming next: the FashionMNIST training dashboard (issue 6).",
        "即将推出：FashionMNIST 训练仪表盘（第 6 项）。",
    ),
    # quitting
    "quit.confirm_title": ("A training run is active.", "训练正在进行。"),
    "quit.confirm_body": (
        "Stop the run and quit? (y = stop and quit, n = keep training)",
        "停止训练并退出吗？（y = 停止并退出，n = 继续训练）",
    ),
    "quit.yes": ("Stop and quit", "停止并退出"),
    "quit.no": ("Keep training", "继续训练"),
    "theme.now": ("Theme: {name}", "主题：{name}"),
    "screenshot.saved": ("Screenshot saved to {path}", "截图已保存到 {path}"),
    "screenshot.failed": ("No screenshot: {path} cannot be written ({why})", "未保存截图：无法写入 {path}（{why}）"),
    "torch.loading": ("Loading torch…", "正在加载 torch…"),
    # CLI
    "cli.description": (
        "nnlab: learn and watch neural networks in a terminal.",
        "nnlab：在终端里学习和观察神经网络。",
    ),
    "cli.lang": ("interface language (default: from LC_ALL/LANG)", "界面语言（默认取自 LC_ALL/LANG）"),
    "cli.theme": ("colour theme", "配色主题"),
    "cli.data_dir": ("directory holding the FashionMNIST files", "存放 FashionMNIST 文件的目录"),
    "cli.cmd.neuron": ("open the neuron & activation explorer", "打开神经元与激活函数探索器"),
    "cli.cmd.backprop": (
        "open the backprop stepper (or print it with --json/--markdown)",
        "打开反向传播逐步演示（或用 --json/--markdown 输出）",
    ),
    "cli.cmd.train": (
        "open the training dashboard (or train with --headless)",
        "打开训练仪表盘（或用 --headless 无界面训练）",
    ),
    "cli.cmd.anatomy": ("walk a batch through the model layer by layer", "逐层查看一个批次在模型中的变化"),
    "cli.cmd.bench": ("measure startup, training speed and the dashboard", "测量启动时间、训练速度和仪表盘开销"),
    "cli.cmd.runs": (
        "list the runs under the runs root (delete or archive one)",
        "列出运行根目录下的运行（可删除或归档）",
    ),
    "cli.cmd.ctl": (
        "steer a running run: pause, resume, step, stop, save, status",
        "控制正在进行的运行：暂停、继续、单步、停止、保存、状态",
    ),
    "cli.cmd.watch": (
        "watch a run directory live in the dashboard (and steer it)",
        "在仪表盘中实时观看一个运行目录（并控制它）",
    ),
    "cli.bench.what": ("what to measure", "要测量的内容"),
    "cli.bench.runs": ("number of runs", "运行次数"),
    "cli.bench.device": (
        "device for train/dashboard: auto, cpu, cuda or cuda:N",
        "train/dashboard 使用的设备：auto、cpu、cuda 或 cuda:N",
    ),
    "cli.bench.epochs": ("epochs to train in the benchmark", "基准测试训练的轮数"),
    "cli.bench.size": (
        "terminal size for the dashboard benchmark, e.g. 80x24 (the default) or 200x60",
        "仪表盘基准测试的终端大小，例如 80x24（默认）或 200x60",
    ),
    "cli.bench.bad_size": (
        "{value!r} is not a terminal size: use COLSxLINES, 40-400 x 12-200, e.g. 80x24",
        "{value!r} 不是终端大小：请用 列x行，40-400 x 12-200，例如 80x24",
    ),
    "cli.json": ("print one JSON object", "输出一个 JSON 对象"),
    "cli.no_tty": (
        "nnlab's interactive app needs a terminal (stdin and stdout must be a TTY, TERM not 'dumb').\n"
        "Without one, use the headless commands: nnlab backprop --json, nnlab train --headless, nnlab bench.",
        "nnlab 的交互界面需要终端（标准输入和输出必须是 TTY，且 TERM 不能是 'dumb'）。\n"
        "没有终端时请使用无界面命令：nnlab backprop --json、nnlab train --headless、nnlab bench。",
    ),
    "cli.error": ("nnlab: error: {message}", "nnlab：错误：{message}"),
    "cli.interrupted": ("interrupted", "已中断"),
    "bench.startup.line": (
        "time to first frame: median {median:.3f} s over {runs} runs (min {min:.3f} s, max {max:.3f} s)",
        "首帧时间：{runs} 次运行的中位数 {median:.3f} 秒（最短 {min:.3f} 秒，最长 {max:.3f} 秒）",
    ),
    "bench.startup.failed": ("the app did not draw a first frame: {why}", "应用没有画出首帧：{why}"),
}
