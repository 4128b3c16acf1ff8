"""Messages of the backprop stepper: explanations of each step, keys, panel labels, CLI."""

MESSAGES = {
    # one-line explanation of each kind of step (fields are names, never numbers)
    "bp.ex.linear": (
        "{node}'s linear part: each input times the weight on its edge, plus the shared bias {bias}.",
        "{node} 的线性部分：每个输入乘以它那条边上的权重，再加上共享偏置 {bias}。",
    ),
    "bp.ex.sigmoid": (
        "The sigmoid squashes l_{node} into (0, 1): that is {node}'s output.",
        "sigmoid 把 l_{node} 压缩到 (0, 1) 区间：这就是 {node} 的输出。",
    ),
    "bp.ex.error": (
        "Half the squared gap between the target {target} and out_{node}; the ½ cancels when differentiated.",
        "目标 {target} 与 out_{node} 之差的平方的一半；求导时 ½ 正好约掉。",
    ),
    "bp.ex.total": (
        "The total error sums both outputs' errors: backpropagation makes this number smaller.",
        "总误差是两个输出误差之和：反向传播要做的就是让它变小。",
    ),
    "bp.ex.dE_dout": (
        "Only E_{node} depends on out_{node}; the derivative of ½({target} − out)² is −({target} − out).",
        "只有 E_{node} 依赖 out_{node}；½({target} − out)² 的导数是 −({target} − out)。",
    ),
    "bp.ex.dsigmoid": (
        "The sigmoid's slope at {node}: σ'(l) = σ(l)(1 − σ(l)) = out(1 − out), from the output alone.",
        "sigmoid 在 {node} 处的斜率：σ'(l) = σ(l)(1 − σ(l)) = out(1 − out)，只用输出就能算。",
    ),
    "bp.ex.dl_dw_out": (
        "l_{node} = … + {w}·out_{src} + …, so its slope with respect to {w} is out_{src}.",
        "l_{node} = … + {w}·out_{src} + …，所以它对 {w} 的斜率就是 out_{src}。",
    ),
    "bp.ex.dl_dw_in": (
        "l_{node} = … + {w}·{src} + …, so its slope with respect to {w} is the input {src}.",
        "l_{node} = … + {w}·{src} + …，所以它对 {w} 的斜率就是输入 {src}。",
    ),
    "bp.ex.product": (
        "Chain rule: multiply the local factors along the path from E_total back to {w}.",
        "链式法则：把从 E_total 回到 {w} 这条路径上的局部导数相乘。",
    ),
    "bp.ex.update": (
        "Gradient descent: move {w} against its gradient, scaled by η. It waits: all updates apply together.",
        "梯度下降：让 {w} 沿梯度的反方向移动，步长乘以 η。先不生效：所有更新在本轮结束时一起应用。",
    ),
    "bp.ex.update_bias": (
        "Gradient descent on the shared bias {w}, applied together with the weights at the end of the pass.",
        "对共享偏置 {w} 做梯度下降，在本轮结束时与权重一起应用。",
    ),
    "bp.ex.delta": (
        "{node}'s delta: the error's slope times the sigmoid's slope; every path through {node} reuses it.",
        "{node} 的 delta：误差的斜率乘以 sigmoid 的斜率；经过 {node} 的每条路径都复用它。",
    ),
    "bp.ex.old_weight": (
        "l_{node} depends on out_{src} through {w}: the OLD {w}, since no update applies before the pass ends.",
        "l_{node} 通过 {w} 依赖 out_{src}：用的是旧的 {w}，因为本轮结束前任何更新都不生效。",
    ),
    "bp.ex.path": (
        "One path from the error into out_{src}: through {node}.",
        "误差流入 out_{src} 的一条路径：经过 {node}。",
    ),
    "bp.ex.sum_paths": (
        "out_{node} feeds both o1 and o2, so its effect on E_total is the sum of the two paths.",
        "out_{node} 同时连到 o1 和 o2，所以它对 E_total 的影响是两条路径之和。",
    ),
    "bp.ex.dl_db": (
        "l_{node} = … + {bias}: the bias enters with coefficient 1, so the slope is 1.",
        "l_{node} = … + {bias}：偏置的系数是 1，所以斜率是 1。",
    ),
    "bp.ex.shared_bias": (
        "{bias} is shared by {a} and {b} (∂l/∂{bias} = 1 for each): its gradient sums what flows back through both.",
        "{bias} 由 {a} 和 {b} 共享（各自的 ∂l/∂{bias} = 1）：它的梯度是经过两者传回的量之和。",
    ),
    "bp.ex.after": (
        "All updates applied together change the error by {change}. Press u to start the next pass.",
        "所有更新一起应用后，误差变化了 {change}。按 u 开始下一轮。",
    ),
    # phases
    "bp.phase.forward": ("Forward pass", "前向传播"),
    "bp.phase.output": ("Backward: output layer", "反向传播：输出层"),
    "bp.phase.hidden": ("Backward: hidden layer", "反向传播：隐藏层"),
    "bp.phase.bias": ("Backward: shared biases", "反向传播：共享偏置"),
    "bp.phase.update": ("End of the pass", "本轮结束"),
    # keys
    "bp.key.next": ("Next", "下一步"),
    "bp.key.back": ("Back", "上一步"),
    "bp.key.first": ("First step", "第一步"),
    "bp.key.last": ("Last step", "最后一步"),
    "bp.key.forward": ("Forward start", "前向开始"),
    "bp.key.backward": ("Backward start", "反向开始"),
    "bp.key.update": ("Update", "更新"),
    "bp.key.reset": ("Reset", "重置"),
    "bp.key.edit": ("Edit", "编辑"),
    "bp.key.iterate": ("N passes", "运行 N 轮"),
    "bp.key.bias": ("Biases", "偏置"),
    "bp.key.apply": ("Apply", "应用"),
    "bp.key.cancel": ("Cancel", "取消"),
    # the step panel
    "bp.panel.step": ("Step {n}/{total} · pass {pass_no} · {phase}", "第 {n}/{total} 步 · 第 {pass_no} 轮 · {phase}"),
    "bp.panel.formula": ("formula", "公式"),
    "bp.panel.numbers": ("numbers", "代入"),
    "bp.panel.value": ("value", "数值"),
    "bp.panel.tutorial": ("tutorial {value} {mark}", "教程 {value} {mark}"),
    "bp.panel.bias_on": ("bias updates on", "偏置更新：开"),
    "bp.panel.bias_off": ("bias updates off", "偏置更新：关"),
    "bp.panel.edited": ("(tutorial: its own network, pass 1 only)", "（教程只有它自己网络的第 1 轮）"),
    # autograd check
    "bp.check.running": ("torch autograd (float64): checking…", "torch autograd（float64）：正在核对…"),
    "bp.check.ok": (
        "✓ torch autograd (float64) agrees on every gradient, max |Δ| = {diff}",
        "✓ torch autograd（float64）与每个梯度一致，最大 |Δ| = {diff}",
    ),
    "bp.check.bad": (
        "✗ torch autograd (float64) disagrees: max |Δ| = {diff} on {name}",
        "✗ torch autograd（float64）不一致：{name} 上最大 |Δ| = {diff}",
    ),
    "bp.check.failed": ("✗ torch autograd check could not run: {error}", "✗ 无法运行 torch autograd 核对：{error}"),
    # notifications
    "bp.note.updated": ("Pass {n} begins: E_total {before} → {after}", "第 {n} 轮开始：E_total {before} → {after}"),
    "bp.note.bias_on": ("Bias updates on: b1 and b2 learn too (their gradients sum over their layer)",
                        "偏置更新已开启：b1 和 b2 也参与学习（梯度按层求和）"),
    "bp.note.bias_off": ("Bias updates off (as in the tutorial)", "偏置更新已关闭（与教程一致）"),
    "bp.note.reset": ("Back to the tutorial's network", "已恢复教程中的网络"),
    "bp.note.edited": ("Parameters changed: every step recomputed", "参数已修改：所有步骤已重新计算"),
    # the edit form
    "bp.edit.title": ("Edit the network (Enter applies, Esc cancels)", "编辑网络（Enter 应用，Esc 取消）"),
    "bp.edit.invalid": ("{name}: {reason}", "{name}：{reason}"),
    "bp.edit.fix_first": ("Fix the marked fields first", "请先改正标出的字段"),
    # running passes
    "bp.iter.title": ("Run how many passes? (1–{max}; Enter runs, Esc cancels)", "运行多少轮？（1–{max}；Enter 运行，Esc 取消）"),
    "bp.iter.running": ("Running {n} passes…", "正在运行 {n} 轮…"),
    "bp.chart.title": ("{n} passes from pass {start}", "从第 {start} 轮起运行了 {n} 轮"),
    "bp.chart.error": ("E_total per pass", "每轮的 E_total"),
    "bp.chart.error_log": ("E_total per pass (log scale)", "每轮的 E_total（对数坐标）"),
    "bp.chart.outputs": ("outputs and targets", "输出与目标"),
    "bp.chart.pass": ("pass", "轮"),
    "bp.chart.summary": (
        "E_total {start} → {end}   out_o1 {o1} (t1 {t1})   out_o2 {o2} (t2 {t2})",
        "E_total {start} → {end}   out_o1 {o1}（t1 {t1}）   out_o2 {o2}（t2 {t2}）",
    ),
    "bp.chart.close": ("Esc closes; the stepper continues from the last pass.", "按 Esc 关闭；逐步演示从最后一轮继续。"),
    # CLI
    "bp.cli.json": ("print the whole pass as one JSON object", "以一个 JSON 对象输出整轮计算"),
    "bp.cli.markdown": ("print the walk-through as Markdown", "以 Markdown 输出完整推导"),
    "bp.cli.params": ("JSON file with any of i1 i2 w1..w8 b1 b2 t1 t2 lr", "JSON 文件，可含 i1 i2 w1..w8 b1 b2 t1 t2 lr 中任意项"),
    "bp.cli.set": ("set one parameter, e.g. --set w5=0.3 (repeatable)", "设置一个参数，例如 --set w5=0.3（可重复）"),
    "bp.cli.bias": ("update the shared biases b1, b2 too", "同时更新共享偏置 b1、b2"),
    "bp.cli.passes": ("also run N passes and report E_total after each", "另外运行 N 轮，并报告每轮后的 E_total"),
    "bp.cli.bad_file": ("cannot read --params {path}: {reason}", "无法读取 --params {path}：{reason}"),
    "bp.cli.not_object": ("--params {path} must hold one JSON object", "--params {path} 必须是一个 JSON 对象"),
    "bp.cli.unknown": ("unknown parameter {name!r} (known: {known})", "未知参数 {name!r}（可用：{known}）"),
    "bp.cli.not_number": ("{name}: {reason}", "{name}：{reason}"),
    "bp.cli.set_syntax": ("--set takes NAME=VALUE, got {text!r}", "--set 需要 NAME=VALUE 形式，收到 {text!r}"),
    "bp.cli.both": ("choose one of --json and --markdown", "--json 与 --markdown 只能选一个"),
    # markdown walk-through
    "bp.md.title": ("Backpropagation, step by step: the 2-2-2 network", "逐步反向传播：2-2-2 网络"),
    "bp.md.params": ("Parameters", "参数"),
    "bp.md.bias": ("Bias updates: {state}.", "偏置更新：{state}。"),
    "bp.md.on": ("on", "开"),
    "bp.md.off": ("off (as in the tutorial)", "关（与教程一致）"),
    "bp.md.cols": ("| # | Quantity | Formula | With numbers | Value | Why |",
                   "| # | 量 | 公式 | 代入数值 | 数值 | 说明 |"),
    "bp.md.updated": ("Parameters after the pass", "本轮之后的参数"),
    "bp.md.gradients": ("Gradients", "梯度"),
    "bp.md.history": ("E_total after each pass", "每轮之后的 E_total"),
}
