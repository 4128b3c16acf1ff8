"""Messages of sweeps: the --sweep grammar, grouping, batched training and `nnlab bench sweep`."""

MESSAGES = {
    # nnlab.run.sweep: parsing --sweep / --sweep-random
    "sweep.bad_form": (
        "--sweep {text!r}: write SETTING=VALUE,VALUE,... (e.g. lr=1e-3,1e-2) or, with --sweep-random, SETTING=LO..HI[:log]",
        "--sweep {text!r}：请写成 设置=值,值,...（例如 lr=1e-3,1e-2），或配合 --sweep-random 写成 设置=下限..上限[:log]",
    ),
    "sweep.not_setting": (
        "--sweep {name}: not a setting that can be swept; use one of {allowed}",
        "--sweep {name}：不是可扫描的设置；请使用 {allowed} 之一",
    ),
    "sweep.twice": (
        "--sweep {name} is given twice: put all its values in one --sweep",
        "--sweep {name} 出现了两次：请把它的所有值放进一个 --sweep",
    ),
    "sweep.empty_value": ("--sweep {name}: value {position} is empty", "--sweep {name}：第 {position} 个值为空"),
    "sweep.duplicate": ("--sweep {name}: {value} is listed twice", "--sweep {name}：{value} 出现了两次"),
    "sweep.bad_value": ("--sweep {name}={value}: {why}", "--sweep {name}={value}：{why}"),
    "sweep.bad_choice": (
        "--sweep {name}={value}: choose from {allowed}",
        "--sweep {name}={value}：请从 {allowed} 中选择",
    ),
    "sweep.bad_hidden": (
        "--sweep hidden={value}: give widths joined by x, e.g. 512x512 (1 to {layers} widths of 1..{max})",
        "--sweep hidden={value}：请用 x 连接宽度，例如 512x512（1 到 {layers} 个宽度，每个 1..{max}）",
    ),
    "sweep.range_needs_random": (
        "--sweep {name}={value}: a range needs --sweep-random N; a grid lists its values",
        "--sweep {name}={value}：范围需要配合 --sweep-random N；网格请列出各个值",
    ),
    "sweep.bad_range": (
        "--sweep {name}={value}: a range is LO..HI with LO < HI, optionally :log (LO > 0)",
        "--sweep {name}={value}：范围写成 下限..上限，且下限 < 上限，可加 :log（下限 > 0）",
    ),
    "sweep.range_not_numeric": (
        "--sweep {name}: a range needs a numeric setting; list the choices instead",
        "--sweep {name}：范围只适用于数值设置；请改为列出选项",
    ),
    "sweep.no_axes": (
        "--sweep-random {count}: give at least one --sweep SETTING=LO..HI",
        "--sweep-random {count}：请至少给出一个 --sweep 设置=下限..上限",
    ),
    "sweep.bad_count": (
        "--sweep-random {value}: give a whole number of members, 1..{max}",
        "--sweep-random {value}：请给出成员数量（整数，1..{max}）",
    ),
    "sweep.bad_max": (
        "--max-members {value}: give a whole number, 1..{max}",
        "--max-members {value}：请给出整数，1..{max}",
    ),
    "sweep.too_many": (
        "the sweep has {count} members ({detail}), over the limit of {limit}: drop values or raise --max-members",
        "此扫描有 {count} 个成员（{detail}），超过上限 {limit}：请减少取值或提高 --max-members",
    ),
    "sweep.member_invalid": ("sweep member {member} ({changes}): {why}", "扫描成员 {member}（{changes}）：{why}"),
    # nnlab.train.sweep: batched groups
    "sweep.empty_group": ("a sweep group needs at least one member", "扫描组至少需要一个成员"),
    "sweep.mixed_group": (
        "these members cannot train in one batched step: their {setting} differs",
        "这些成员无法在同一批量步骤中训练：它们的 {setting} 不同",
    ),
    "sweep.too_big": (
        "a group of {members} members needs about {need} GiB but the {device} has {have} GiB free: sweep fewer members at once (--max-members) or a smaller batch/model",
        "{members} 个成员的组约需 {need} GiB，但 {device} 只有 {have} GiB 可用：请一次扫描更少成员（--max-members）或使用更小的批大小/模型",
    ),
    "sweep.note.batched": ("trained batched with {k} members ({impl})", "与 {k} 个成员批量训练（{impl}）"),
    # nnlab.commands.sweep: headless sweeps and branches
    "sweep.cli.sweep": (
        "sweep a setting: SETTING=V1,V2,... (a grid; repeat for more axes) or SETTING=LO..HI[:log] with --sweep-random; settings: lr, batch_size, epochs, seed, optimizer, activation, hidden, schedule, step_every, step_gamma, warmup_steps, early_stop",
        "扫描一个设置：设置=值1,值2,...（网格；重复以添加更多轴），或配合 --sweep-random 写成 设置=下限..上限[:log]；可用设置：lr、batch_size、epochs、seed、optimizer、activation、hidden、schedule、step_every、step_gamma、warmup_steps、early_stop",
    ),
    "sweep.cli.random": (
        "draw N members at random from the --sweep ranges (seeded by --seed)",
        "从 --sweep 的范围中随机抽取 N 个成员（由 --seed 决定）",
    ),
    "sweep.cli.max_members": (
        "refuse a sweep of more members than this (default 64)",
        "成员数超过此值的扫描将被拒绝（默认 64）",
    ),
    "sweep.cli.export": (
        "write the sweep's results table to FILE.csv or FILE.md",
        "把扫描结果表写入 FILE.csv 或 FILE.md",
    ),
    "sweep.cli.branch": (
        "start a new run from RUN's checkpoint (RUN@N: its epoch-NNN.pt) with the settings given (--lr, --optimizer, --batch-size, --epochs, --schedule ...)",
        "从 RUN 的检查点（RUN@N：其 epoch-NNN.pt）以给定设置（--lr、--optimizer、--batch-size、--epochs、--schedule ...）开始一个新运行",
    ),
    "sweep.cli.bad_export": (
        "--sweep-export {path}: the name must end in .csv or .md",
        "--sweep-export {path}：文件名必须以 .csv 或 .md 结尾",
    ),
    "sweep.cli.needs_headless": (
        "--{flag} runs headless for now: add --headless",
        "--{flag} 目前只能无界面运行：请加上 --headless",
    ),
    "sweep.group_too_big": (
        "sweep members {members} (one batched step): {why}",
        "扫描成员 {members}（同一批量步骤）：{why}",
    ),
    "sweep.cli.start": (
        "sweep {id}: {members} members in {groups} batched group(s); record: {path}/sweep.json",
        "扫描 {id}：{members} 个成员，分为 {groups} 个批量组；记录：{path}/sweep.json",
    ),
    "sweep.cli.epoch": (
        "{member} epoch {epoch}/{epochs}  train loss {loss}  test {accuracy}%  test loss {test_loss}  {seconds} s  [{label}]",
        "{member} 第 {epoch}/{epochs} 轮  训练损失 {loss}  测试 {accuracy}%  测试损失 {test_loss}  {seconds} 秒  [{label}]",
    ),
    "sweep.cli.diverged": (
        "{member} [{label}] diverged and stopped alone: {message}",
        "{member} [{label}] 发散，已单独停止：{message}",
    ),
    "sweep.cli.early": (
        "{member} stopped early after epoch {epochs}: no lower test loss for {patience} epoch(s)",
        "{member} 在第 {epochs} 轮后提前停止：连续 {patience} 轮测试损失没有降低",
    ),
    "sweep.cli.results": ("Sweep {id}: results by final test accuracy", "扫描 {id}：按最终测试准确率排序的结果"),
    "sweep.cli.col.member": ("member", "成员"),
    "sweep.cli.col.setting": ("setting", "设置"),
    "sweep.cli.col.accuracy": ("accuracy", "准确率"),
    "sweep.cli.col.test_loss": ("test loss", "测试损失"),
    "sweep.cli.col.time": ("time", "时间"),
    "sweep.cli.col.diverged": ("diverged", "发散"),
    "sweep.cli.yes": ("yes", "是"),
    "sweep.cli.no": ("no", "否"),
    "sweep.cli.legend": (
        "* best   T the tutorial's setting (lr 1e-3, batch 64, SGD)",
        "* 最佳   T 教程的设置（lr 1e-3，批大小 64，SGD）",
    ),
    "sweep.cli.exported": ("results written to {path}", "结果已写入 {path}"),
    "sweep.cli.where": (
        "sweep record: {path}; resume one member with nnlab train --headless --resume RUN",
        "扫描记录：{path}；用 nnlab train --headless --resume RUN 可单独继续某个成员",
    ),
    "sweep.cli.stopped": (
        "sweep stopped by {signal}: every member still training saved its checkpoint; resume one with nnlab train --headless --resume RUN",
        "扫描被 {signal} 停止：仍在训练的成员都已保存检查点；用 nnlab train --headless --resume RUN 继续某个成员",
    ),
    "sweep.cli.record_failed": ("could not write the sweep record {path}: {why}", "无法写入扫描记录 {path}：{why}"),
    "sweep.cli.branched": (
        "branch {run} from {parent} at epoch {epoch}, batch {batch}: {optimizer}",
        "分支 {run} 来自 {parent}，分支点第 {epoch} 轮第 {batch} 批：{optimizer}",
    ),
    "sweep.cli.optimizer_kept": ("the optimizer's state is kept (same optimizer)", "保留了优化器状态（优化器相同）"),
    "sweep.cli.optimizer_fresh": (
        "the optimizer starts fresh (the optimizer changed)",
        "优化器重新开始（优化器已更改）",
    ),
    # nnlab.train.branch
    "branch.bad_ref": (
        "--branch {ref}: write RUN or RUN@EPOCH (EPOCH a whole number)",
        "--branch {ref}：请写成 RUN 或 RUN@轮次（轮次为整数）",
    ),
    "branch.no_epoch_checkpoint": (
        "--branch {ref}: run {run} has no checkpoint of epoch {epoch} ({path}); train it with --epoch-checkpoints, or branch from its latest (RUN)",
        "--branch {ref}：运行 {run} 没有第 {epoch} 轮的检查点（{path}）；请用 --epoch-checkpoints 训练，或从其最新检查点分支（RUN）",
    ),
    "branch.no_checkpoint": (
        "--branch {ref}: run {run} has no checkpoint ({path})",
        "--branch {ref}：运行 {run} 没有检查点（{path}）",
    ),
    "branch.architecture": (
        "--branch: {keys} cannot change in a branch (the weights are {saved}); start a new run instead",
        "--branch：分支中不能更改 {keys}（权重属于 {saved}）；请改为开始一个新运行",
    ),
    "branch.batch_mid_epoch": (
        "--branch: batch_size cannot change mid-epoch (the branch point is batch {batch} of epoch {epoch}); branch from an epoch end (RUN@EPOCH)",
        "--branch：不能在一轮中途更改 batch_size（分支点在第 {epoch} 轮第 {batch} 批）；请从某轮结束处分支（RUN@轮次）",
    ),
    "branch.epochs": (
        "--branch: --epochs {epochs} is not past the branch point (epoch {epoch}); give more epochs",
        "--branch：--epochs {epochs} 没有超过分支点（第 {epoch} 轮）；请给出更多轮次",
    ),
    # nnlab bench sweep
    "bench.sweep.header": (
        "device: {device} ({threads} threads); data: {data}; {epochs} epoch(s); members differ only by lr (SGD, batch 64, one seed); load average {load}: on a shared machine the figures are noisy",
        "设备：{device}（{threads} 个线程）；数据：{data}；{epochs} 轮；成员仅学习率不同（SGD，批大小 64，同一种子）；平均负载 {load}：共享机器上数据有噪声",
    ),
    "bench.sweep.columns": (
        "{k:>3}  {how:<11} {s:>10} {sps:>16} {ratio:>10}",
        "{k:>3}  {how:<11} {s:>10} {sps:>16} {ratio:>10}",
    ),
    "bench.sweep.head": ("K", "K"),
    "bench.sweep.how": ("how", "方式"),
    "bench.sweep.s_epoch": ("s/epoch", "秒/轮"),
    "bench.sweep.samples": ("samples/s/member", "样本/秒/成员"),
    "bench.sweep.ratio_col": ("seq÷batch", "顺序÷批量"),
    "bench.sweep.batched": ("batched", "批量"),
    "bench.sweep.sequential": ("sequential", "顺序"),
    "bench.sweep.skipped": (
        "K={k} {how}: skipped, over --max-seconds {limit}",
        "K={k} {how}：已跳过，超过 --max-seconds {limit}",
    ),
    "bench.sweep.progress": ("K={k} {how}: {s} s/epoch", "K={k} {how}：{s} 秒/轮"),
    "bench.sweep.bad_epochs": ("--epochs must be 1..100", "--epochs 必须在 1..100 之间"),
    "bench.sweep.bad_members": (
        "--members {value}: give counts 1..64 joined by commas, e.g. 1,4,8,16",
        "--members {value}：请给出用逗号连接的数量 1..64，例如 1,4,8,16",
    ),
    "cli.bench.max_seconds": (
        "bench sweep: skip measurements once this many seconds have passed",
        "bench sweep：超过此秒数后跳过其余测量",
    ),
    "cli.bench.members": (
        "bench sweep: member counts to measure (default 1,4,8,16)",
        "bench sweep：要测量的成员数（默认 1,4,8,16）",
    ),
    "cli.bench.threads": (
        "bench sweep: torch CPU threads of every run (0 = auto; 1 is steadier on a busy machine)",
        "bench sweep：每次运行的 torch CPU 线程数（0 = 自动；机器繁忙时 1 更稳定）",
    ),
    "cli.bench.impl": (
        "bench sweep: batched forward, bmm or vmap (default bmm); both measures both",
        "bench sweep：批量前向方式 bmm 或 vmap（默认 bmm）；both 两者都测",
    ),
}
