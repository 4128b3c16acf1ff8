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
        "梯度下降：让 {w} 沿梯度的反方向移动，步长乘以 η。先不生效：所有更新在本遍结束时一起应用。",
    ),
    "bp.ex.update_bias": (
        "Gradient descent on the shared bias {w}, applied together with the weights at the end of the pass.",
        "对共享偏置 {w} 做梯度下降，在本遍结束时与权重一起应用。",
    ),
    "bp.ex.delta": (
        "{node}'s delta: the error's slope times the sigmoid's slope; every path through {node} reuses it.",
        "{node} 的 delta：误差的斜率乘以 sigmoid 的斜率；经过 {node} 的每条路径都复用它。",
    ),
    "bp.ex.old_weight": (
        "l_{node} depends on out_{src} through {w}: the OLD {w}, since no update applies before the pass ends.",
        "l_{node} 通过 {w} 依赖 out_{src}：用的是旧的 {w}，因为本遍结束前任何更新都不生效。",
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
        "所有更新一起应用后，误差变化了 {change}。按 u 开始下一遍。",
    ),
    # phases
    "bp.phase.forward": ("Forward pass", "前向传播"),
    "bp.phase.output": ("Backward: output layer", "反向传播：输出层"),
    "bp.phase.hidden": ("Backward: hidden layer", "反向传播：隐藏层"),
    "bp.phase.bias_neuron": ("Backward: the biases", "反向传播：偏置"),
    "bp.phase.bias": ("Backward: shared biases", "反向传播：共享偏置"),
    "bp.phase.update": ("End of the pass", "本遍结束"),
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
    "bp.key.iterate": ("N passes", "运行 N 遍"),
    "bp.key.bias": ("Biases", "偏置"),
    "bp.key.order": ("Order", "顺序"),
    "bp.key.apply": ("Apply", "应用"),
    "bp.key.cancel": ("Cancel", "取消"),
    # the step panel
    "bp.panel.step": ("Step {n}/{total} · pass {pass_no} · {phase}", "第 {n}/{total} 步 · 第 {pass_no} 遍 · {phase}"),
    "bp.panel.formula": ("formula", "公式"),
    "bp.panel.numbers": ("numbers", "代入"),
    "bp.panel.value": ("value", "数值"),
    "bp.panel.tutorial": ("tutorial {value} {mark}", "教程 {value} {mark}"),
    "bp.panel.bias_on": ("bias updates on", "偏置更新：开"),
    "bp.panel.bias_off": ("bias updates off", "偏置更新：关"),
    "bp.panel.truncated": ("(the tutorial truncated)", "（教程是截断的）"),
    "bp.panel.diff": ("(differs by {diff})", "（相差 {diff}）"),
    "bp.panel.edited": ("(tutorial: its own network, pass 1 only)", "（教程只有它自己网络的第 1 遍）"),
    # autograd check
    "bp.check.running": ("torch autograd (float64): checking…", "torch autograd（float64）：正在核对…"),
    "bp.check.ok": ("✓ autograd (float64) agrees: max |Δ| {diff}", "✓ autograd（float64）一致：最大 |Δ| {diff}"),
    "bp.check.fd": (" · finite differences: |Δ| {diff}", " · 有限差分：|Δ| {diff}"),
    "bp.check.bad": (
        "✗ torch autograd (float64) disagrees: max |Δ| = {diff} on {name}",
        "✗ torch autograd（float64）不一致：{name} 上最大 |Δ| = {diff}",
    ),
    "bp.check.failed": ("✗ torch autograd check could not run: {error}", "✗ 无法运行 torch autograd 核对：{error}"),
    # notifications
    "bp.note.updated": ("Pass {n} begins: E_total {before} → {after}", "第 {n} 遍开始：E_total {before} → {after}"),
    "bp.note.bias_on": (
        "Bias updates on: b1 and b2 learn too (their gradients sum over their layer)",
        "偏置更新已开启：b1 和 b2 也参与学习（梯度按层求和）",
    ),
    "bp.note.bias_off": ("Bias updates off (as in the tutorial)", "偏置更新已关闭（与教程一致）"),
    "bp.note.reset": ("Back to the tutorial's network", "已恢复教程中的网络"),
    "bp.note.reset_start": ("Back to the network the stepper opened with", "已恢复打开时的网络"),
    "bp.note.reset_ask": (
        "Your edits would be lost: press r again to go back to the start",
        "编辑过的数值将丢失：再按一次 r 才会恢复到开始时的网络",
    ),
    "bp.note.order": ("Order: {order}, {n} steps ({other}: {m})", "顺序：{order}，共 {n} 步（{other}：{m} 步）"),
    "bp.note.updated_n": (
        "Pass {n} begins: E after {done} updates = {after} (was {before})",
        "第 {n} 遍开始：{done} 次更新后 E = {after}（原为 {before}）",
    ),
    "bp.note.bias_on_n": (
        "Bias updates on: every bias learns too (a shared one sums its layer's δ)",
        "偏置更新已开启：每个偏置也参与学习（共享偏置对本层的 δ 求和）",
    ),
    "bp.note.preset": ("Network {net} loaded: pass 1, step 1", "已载入网络 {net}：第 1 遍，第 1 步"),
    "bp.panel.no_tutorial": ("(no tutorial value for this network)", "（此网络没有教程数值）"),
    "bp.panel.no_tutorial_pass": ("(the tutorial shows pass 1 only)", "（教程只给出第 1 遍）"),
    "bp.edit.presets": ("Presets (Enter loads):", "预设（Enter 载入）："),
    "bp.preset.tutorial": ("Tutorial 2-2-2", "教程 2-2-2"),
    "bp.preset.relu": ("ReLU 2-3-2", "ReLU 网络 2-3-2"),
    "bp.preset.softmax": ("Softmax 3-4-3", "Softmax 分类器 3-4-3"),
    "bp.chart.summary_n": ("E_total {start} → {end}   {outputs}", "总误差 E_total {start} → {end}   {outputs}"),
    # exercise mode
    "bp.key.exercise": ("Exercise", "练习"),
    "bp.key.exercise_off": ("Leave exercise", "退出练习"),
    "bp.exo.on": (
        "Exercise: type each value first (Enter checks, Esc leaves)",
        "练习：先算出每个数值（Enter 核对，Esc 退出）",
    ),
    "bp.exo.off": ("Exercise mode off", "练习模式已关闭"),
    "bp.exo.prompt": ("Answer, {digits} sig. digits {tol}:", "答案（{digits} 位有效数字 {tol}）："),
    "bp.exo.score": (
        "pass score {right}/{answered} ({hinted} hinted)",
        "本遍得分 {right}/{answered}（{hinted} 个靠提示）",
    ),
    "bp.exo.pass_score": ("Pass {n} score {right}/{answered}", "第 {n} 遍得分 {right}/{answered}"),
    "bp.exo.right": ("✓ Right: {value}. Enter goes on.", "✓ 正确：{value}。按 Enter 继续。"),
    "bp.exo.revealed": ("The value is {value}. Enter goes on.", "答案是 {value}。按 Enter 继续。"),
    "bp.exo.hint": (
        "Hint: {hint} Try once more (an empty Enter shows the value).",
        "提示：{hint} 再试一次（直接按 Enter 显示答案）。",
    ),
    "bp.exo.sign": ("The sign differs: count the negative factors again.", "符号不对：再数一数负的因子。"),
    "bp.exo.missing_factor": (
        "The factor {factor} = {value} is missing from your product.",
        "乘积里少了因子 {factor} = {value}。",
    ),
    "bp.exo.wrong_factor": (
        "{factor} differs: you used {other} = {used} where {factor} = {value} belongs.",
        "{factor} 不对：你用了 {other} = {used}，这里应是 {factor} = {value}。",
    ),
    "bp.exo.missing_term": ("The term {term} = {value} is missing from your sum.", "和里少了一项 {term} = {value}。"),
    "bp.exo.term_sign": (
        "The term {term} = {value} has the wrong sign in your sum.",
        "和里的一项 {term} = {value} 符号反了。",
    ),
    "bp.exo.update_sign": ("The update subtracts η·∂E/∂w: you added it.", "更新是减去 η·∂E/∂w：你把它加上了。"),
    "bp.exo.recompute": (
        "Not this value: work {formula} through factor by factor.",
        "不是这个值：请按 {formula} 逐个因子重新算。",
    ),
    # the matrix form
    "bp.key.matrix": ("Matrix form", "矩阵形式"),
    "bp.matrix.single": (
        "The same pass as vectors and matrices (this example; ⊙ is entry by entry)",
        "同一遍计算的向量与矩阵形式（本例；⊙ 表示逐元素相乘）",
    ),
    "bp.matrix.batch": (
        "A mini-batch of N = {n} examples (this one and {more} drawn): the gradient is the batch mean",
        "N = {n} 个样本的小批量（本例加 {more} 个随机样本）：梯度是批量平均",
    ),
    "bp.matrix.mean_E": ("mean E = {E}", "平均 E = {E}"),
    "bp.matrix.torch": ("The same in torch (run in float64):", "torch 中的等价写法（float64 运行）："),
    "bp.matrix.ok": (
        "✓ W.grad and b.grad equal the hand batch means: max |Δ| {diff}",
        "✓ W.grad 与 b.grad 等于手算的批量平均：最大 |Δ| {diff}",
    ),
    "bp.matrix.bad": (
        "✗ autograd differs from the hand batch means: max |Δ| {diff}",
        "✗ autograd 与手算的批量平均不一致：最大 |Δ| {diff}",
    ),
    "bp.chart.close_matrix": ("Esc closes; the stepper is where you left it.", "按 Esc 关闭；逐步演示停在原处。"),
    "bp.note.diverged": (
        "Diverged: the update overflows a float; pass {n} stays",
        "发散：更新会超出浮点数范围；停在第 {n} 遍",
    ),
    "bp.chart.diverged": (
        "Diverged: stopped after pass {n}, the next update goes past what a float holds",
        "发散：在第 {n} 遍后停止，下一次更新会超出浮点数范围",
    ),
    "bp.note.edited": ("Parameters changed: every step recomputed", "参数已修改：所有步骤已重新计算"),
    # the edit form
    "bp.edit.title": ("Edit the network (Enter applies, Esc cancels)", "编辑网络（Enter 应用，Esc 取消）"),
    "bp.edit.invalid": ("{name}: {reason}", "{name}：{reason}"),
    "bp.edit.fix_first": ("Fix the marked fields first", "请先改正标出的字段"),
    # running passes
    "bp.iter.title": (
        "Run how many passes? (1–{max}; Enter runs, Esc cancels)",
        "运行多少遍？（1–{max}；Enter 运行，Esc 取消）",
    ),
    "bp.iter.running": ("Running {n} passes…", "正在运行 {n} 遍…"),
    "bp.chart.title": ("{n} passes from pass {start}", "从第 {start} 遍起运行了 {n} 遍"),
    "bp.chart.error": ("E_total per pass", "每遍的 E_total"),
    "bp.chart.error_log": ("E_total per pass (log scale)", "每遍的 E_total（对数坐标）"),
    "bp.chart.outputs": ("outputs and targets", "输出与目标"),
    "bp.chart.pass": ("pass", "遍"),
    "bp.chart.summary": (
        "E_total {start} → {end}   out_o1 {o1} (t1 {t1})   out_o2 {o2} (t2 {t2})",
        "E_total {start} → {end}   out_o1 {o1}（t1 {t1}）   out_o2 {o2}（t2 {t2}）",
    ),
    "bp.chart.close": (
        "Esc closes; the stepper continues from the last pass.",
        "按 Esc 关闭；逐步演示从最后一遍继续。",
    ),
    # the lab: any network (activations, losses, node order)
    "bp.ex.linear_own": (
        "{node}'s linear part: each input times the weight on its edge, plus its own bias {bias}.",
        "{node} 的线性部分：每个输入乘以它那条边上的权重，再加上它自己的偏置 {bias}。",
    ),
    "bp.ex.act.tanh": (
        "tanh squashes l_{node} into (−1, 1): that is {node}'s output.",
        "tanh 把 l_{node} 压缩到 (−1, 1) 区间：这就是 {node} 的输出。",
    ),
    "bp.ex.act.relu": (
        "ReLU passes a positive l_{node} unchanged and turns a negative one into 0.",
        "ReLU 让正的 l_{node} 原样通过，负的变成 0。",
    ),
    "bp.ex.act.leaky_relu": (
        "Leaky ReLU passes a positive l_{node} unchanged and scales a negative one by 0.01.",
        "Leaky ReLU 让正的 l_{node} 原样通过，负的乘以 0.01。",
    ),
    "bp.ex.act.identity": (
        "No activation: {node}'s output is l_{node} itself.",
        "没有激活函数：{node} 的输出就是 l_{node} 本身。",
    ),
    "bp.ex.dtanh": (
        "tanh's slope at {node}: 1 − tanh(l)² = 1 − out², from the output alone.",
        "tanh 在 {node} 处的斜率：1 − tanh(l)² = 1 − out²，只用输出就能算。",
    ),
    "bp.ex.drelu": (
        "ReLU's slope at {node} is 1 where l > 0 and 0 elsewhere (0 at l = 0, as torch takes it).",
        "ReLU 在 {node} 处的斜率：l > 0 时为 1，否则为 0（l = 0 时取 0，与 torch 相同）。",
    ),
    "bp.ex.dleaky_relu": (
        "Leaky ReLU's slope at {node} is 1 where l > 0, else 0.01: the gradient never dies.",
        "Leaky ReLU 在 {node} 处的斜率：l > 0 时为 1，否则为 0.01：梯度不会消失。",
    ),
    "bp.ex.didentity": (
        "With no activation the slope is 1: the error passes through {node} unchanged.",
        "没有激活函数时斜率为 1：误差原样穿过 {node}。",
    ),
    "bp.ex.softmax": (
        "Softmax turns the outputs into probabilities: e^out_{node} over the sum for every output.",
        "softmax 把输出变成概率：e^out_{node} 除以所有输出的 e^out 之和。",
    ),
    "bp.ex.bce_p": (
        "The sigmoid turns out_{node} into a probability p_{node} for binary cross-entropy.",
        "sigmoid 把 out_{node} 变成二元交叉熵用的概率 p_{node}。",
    ),
    "bp.ex.mse": (
        "The squared gap between {target} and out_{node}, divided by the number of outputs (the mean).",
        "{target} 与 out_{node} 之差的平方，除以输出个数（取平均）。",
    ),
    "bp.ex.bce": (
        "Binary cross-entropy of p_{node} against the target {target}: large when p is far from it.",
        "p_{node} 相对目标 {target} 的二元交叉熵：p 离目标越远越大。",
    ),
    "bp.ex.ce": (
        "Cross-entropy: minus the log of the probability given to the target (log p from logsumexp).",
        "交叉熵：目标所得概率的对数取负（log p 由 logsumexp 求得）。",
    ),
    "bp.ex.dE_dout_mse": (
        "Only E_{node} depends on out_{node}; the derivative of (t − out)²/n is −2(t − out)/n.",
        "只有 E_{node} 依赖 out_{node}；(t − out)²/n 的导数是 −2(t − out)/n。",
    ),
    "bp.ex.dE_dout_bce": (
        "Sigmoid and binary cross-entropy together have the slope p − {target} with respect to out_{node}.",
        "sigmoid 与二元交叉熵合起来，对 out_{node} 的斜率就是 p − {target}。",
    ),
    "bp.ex.dE_dout_ce": (
        "Softmax and cross-entropy together have the slope p·Σt − {target} (p − t for one-hot t).",
        "softmax 与交叉熵合起来的斜率是 p·Σt − {target}（t 为独热向量时就是 p − t）。",
    ),
    "bp.ex.sum_paths_n": (
        "out_{node} feeds {targets}, so its effect on E_total is the sum of the paths through each.",
        "out_{node} 连到 {targets}，所以它对 E_total 的影响是经过每一个的路径之和。",
    ),
    "bp.ex.shared_bias_n": (
        "{bias} is shared by {units} (∂l/∂{bias} = 1 for each): its gradient sums their deltas.",
        "{bias} 由 {units} 共享（各自的 ∂l/∂{bias} = 1）：它的梯度是它们的 delta 之和。",
    ),
    "bp.ex.neuron_bias": (
        "{bias} feeds only {node} with coefficient 1: its gradient is {node}'s delta.",
        "{bias} 只以系数 1 连到 {node}：它的梯度就是 {node} 的 delta。",
    ),
    "bp.ex.node_sum": (
        "out_{node}'s slope: each delta of the layer above (computed once, reused here) times its weight.",
        "out_{node} 的斜率：上一层的每个 delta（只算一次，这里复用）乘以对应的权重。",
    ),
    "bp.ex.node_grad": (
        "Every weight into {node} reuses its delta: ∂E/∂{w} = δ_{node} · {src}.",
        "进入 {node} 的每个权重都复用它的 delta：∂E/∂{w} = δ_{node} · {src}。",
    ),
    "bp.order.weight": ("weight by weight (the tutorial's order)", "逐个权重（教程的顺序）"),
    "bp.order.weight_short": ("weight by weight", "逐个权重"),
    "bp.order.node_short": ("node deltas, each once", "节点 delta（各算一次）"),
    "bp.note.order_n": ("{order}: {n} steps · {other}: {m}", "{order}：{n} 步 · {other}：{m} 步"),
    "bp.order.node": ("node deltas (the order backprop runs)", "节点 delta（反向传播实际的顺序）"),
    "bp.reused": ("{symbol}, from step {n}", "{symbol}，来自第 {n} 步"),
    "bp.repeat": ("repeats step {n}", "重复第 {n} 步"),
    # network errors (one line each)
    "bp.net.syntax": (
        "--net takes widths like 2-2-2 or 3-4-2, got {text!r}",
        "--net 需要 2-2-2 或 3-4-2 这样的层宽，收到 {text!r}",
    ),
    "bp.net.depth": ("a network has 1 to {max} weight layers", "网络的权重层数须在 1 到 {max} 之间"),
    "bp.net.width": ("every layer has 1 to {max} units", "每层的单元数须在 1 到 {max} 之间"),
    "bp.net.acts": (
        "--act needs one name per weight layer ({n}) or one for every hidden layer, got {got}",
        "--act 需要每个权重层一个名字（{n} 个），或为所有隐藏层给一个名字，收到 {got} 个",
    ),
    "bp.net.act": ("unknown activation {name!r} (known: {known})", "未知激活函数 {name!r}（可用：{known}）"),
    "bp.net.loss": ("unknown loss {name!r} (known: {known})", "未知损失函数 {name!r}（可用：{known}）"),
    "bp.net.bias": ("unknown bias mode {name!r} (known: {known})", "未知偏置方式 {name!r}（可用：{known}）"),
    "bp.net.ce_one": ("softmax + cross-entropy needs at least 2 outputs", "softmax + 交叉熵至少需要 2 个输出"),
    "bp.net.sizes": ("the numbers do not fit the network's widths", "数值个数与网络各层宽度不符"),
    "bp.net.finite": ("every value must be a finite number", "每个数值都必须是有限的数"),
    "bp.net.bce_targets": ("binary cross-entropy needs targets between 0 and 1", "二元交叉熵的目标须在 0 到 1 之间"),
    "bp.net.ce_targets": ("cross-entropy needs targets ≥ 0 that do not all equal 0", "交叉熵的目标须 ≥ 0 且不全为 0"),
    "bp.net.overflow": (
        "these numbers take a value of this pass past what a float holds (about 1.8e308)",
        "这些数值会让本遍的某个值超出浮点数范围（约 1.8e308）",
    ),
    "bp.net.unknown": ("unknown parameter {name!r} (known: {known})", "未知参数 {name!r}（可用：{known}）"),
    "bp.cli.net": (
        "layer widths, e.g. 3-4-2 (up to 4 weight layers of at most 4 units)",
        "各层宽度，例如 3-4-2（最多 4 个权重层，每层最多 4 个单元）",
    ),
    "bp.cli.act": (
        "activations: one per weight layer, or one for every hidden layer",
        "激活函数：每个权重层一个，或为所有隐藏层给一个",
    ),
    "bp.cli.loss": (
        "loss: sse (½Σ(t−o)², the tutorial's), mse, ce (softmax + cross-entropy), bce",
        "损失：sse（½Σ(t−o)²，教程所用）、mse、ce（softmax + 交叉熵）、bce",
    ),
    "bp.cli.biases": (
        "biases: layer (one shared per layer, the tutorial's) or neuron (one per unit)",
        "偏置：layer（每层共享一个，教程所用）或 neuron（每个单元一个）",
    ),
    "bp.cli.seed": ("draw the weights, inputs and targets from this seed", "用这个种子随机生成权重、输入和目标"),
    "bp.cli.order": (
        "step order: weight (the tutorial's) or node (each delta once)",
        "步骤顺序：weight（教程的）或 node（每个 delta 只算一次）",
    ),
    "bp.cli.order_bad": ("--order takes weight or node, got {name!r}", "--order 只能是 weight 或 node，收到 {name!r}"),
    "bp.cli.seed_params": ("choose one of --seed and --params", "--seed 与 --params 只能选一个"),
    "bp.cli.bad_lab": ("--params {path}: {reason}", "--params {path}：{reason}"),
    "bp.cli.lab_key": ("--params {path}: {field} is missing or malformed", "--params {path}：{field} 缺失或格式不对"),
    "bp.md.order": (
        "Order: {order} ({n} steps; the other order takes {other}).",
        "顺序：{order}（{n} 步；另一种顺序需要 {other} 步）。",
    ),
    "bp.md.net": (
        "Network {net}: activations {acts}, loss {loss}, biases per {bias}.",
        "网络 {net}：激活函数 {acts}，损失 {loss}，偏置按{bias}。",
    ),
    "bp.md.reuse": ("reuses", "复用"),
    # CLI
    "bp.cli.json": ("print the whole pass as one JSON object", "以一个 JSON 对象输出整遍计算"),
    "bp.cli.markdown": ("print the walk-through as Markdown", "以 Markdown 输出完整推导"),
    "bp.cli.params": (
        "JSON file with any of i1 i2 w1..w8 b1 b2 t1 t2 lr",
        "JSON 文件，可含 i1 i2 w1..w8 b1 b2 t1 t2 lr 中任意项",
    ),
    "bp.cli.set": ("set one parameter, e.g. --set w5=0.3 (repeatable)", "设置一个参数，例如 --set w5=0.3（可重复）"),
    "bp.cli.bias": ("update the shared biases b1, b2 too", "同时更新共享偏置 b1、b2"),
    "bp.cli.passes": ("also run N passes and report E_total after each", "另外运行 N 遍，并报告每遍后的 E_total"),
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
    "bp.md.cols": (
        "| # | Quantity | Formula | With numbers | Value | Why |",
        "| # | 量 | 公式 | 代入数值 | 数值 | 说明 |",
    ),
    "bp.md.updated": ("Parameters after the pass", "本遍之后的参数"),
    "bp.md.gradients": ("Gradients", "梯度"),
    "bp.ex.after_md": (
        "All updates applied together change the error by {change}.",
        "所有更新一起应用后，误差变化了 {change}。",
    ),
    "bp.md.bias_word.layer": ("layer", "层"),
    "bp.md.bias_word.neuron": ("neuron", "神经元"),
    "bp.md.worksheet": ("worksheet", "练习单"),
    "bp.md.worksheet_how": (
        "Fill in each blank, to {digits} significant digits; the answer key is at the end.",
        "填写每个空白处，保留 {digits} 位有效数字；答案在最后。",
    ),
    "bp.md.diagram": ("The network", "网络"),
    "bp.md.values_cols": (
        "| Name | Value | ∂E_total/∂· | After the pass |",
        "| 名称 | 数值 | ∂E_total/∂· | 本遍之后 |",
    ),
    "bp.md.ws_values_cols": ("| Name | Value |", "| 名称 | 数值 |"),
    "bp.md.cols_tutorial": (
        "| # | Quantity | Formula | With numbers | Value | Tutorial | Why |",
        "| # | 量 | 公式 | 代入数值 | 数值 | 教程 | 说明 |",
    ),
    "bp.md.no_tutorial": (
        "No tutorial value for this network: the tutorial worked the 2-2-2 only.",
        "此网络没有教程数值：教程只演算了 2-2-2 网络。",
    ),
    "bp.md.answers": ("Answer key", "答案"),
    "bp.md.answer_cols": ("| # | Quantity | Value |", "| # | 量 | 数值 |"),
    "bp.md.history_n": (
        "E after N updates (the error seen at the start of pass N + 1)",
        "N 次更新后的 E（即第 N + 1 遍开始时的误差）",
    ),
    "bp.md.history_cols": ("| updates N | E_total |", "| 更新次数 N | E_total |"),
    "bp.cli.worksheet": (
        "with --markdown: a worksheet with blanks, the answer key after it",
        "与 --markdown 一起用：带空白的练习单，答案附在后面",
    ),
    "bp.cli.worksheet_alone": ("--worksheet goes with --markdown", "--worksheet 需与 --markdown 一起使用"),
    "bp.md.history": ("E_total after each pass", "每遍之后的 E_total"),
    "bp.cli.not_regular": ("not a regular file", "不是普通文件"),
    "bp.cli.too_big": ("larger than {limit} bytes: not a parameters file", "超过 {limit} 字节：不是参数文件"),
}
