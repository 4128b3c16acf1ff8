"""Messages of the training engine, its CLI (`nnlab train --headless`) and `nnlab bench train`."""

MESSAGES = {
    # data
    "train.data.corrupt": (
        "{path}: cannot be read ({why}). Delete it and reinstall the data (apt install dataset-fashion-mnist) or pass --data-dir.",
        "{path}：无法读取（{why}）。请删除它并重新安装数据（apt install dataset-fashion-mnist），或使用 --data-dir。",
    ),
    "train.data.truncated": (
        "{path}: truncated ({have} bytes, {need} expected). Delete it and download or reinstall the file.",
        "{path}：文件不完整（{have} 字节，应为 {need}）。请删除后重新下载或重新安装。",
    ),
    "train.data.trailing": (
        "{path}: {have} bytes, {need} expected (extra data after the images). Replace it with the original file.",
        "{path}：{have} 字节，应为 {need}（图像之后有多余数据）。请换回原始文件。",
    ),
    "train.data.bad_magic": (
        "{path}: not an idx file of the right kind (header {magic}, expected {want}). Replace it with the original Fashion-MNIST file.",
        "{path}：不是正确类型的 idx 文件（文件头 {magic}，应为 {want}）。请换回原始 Fashion-MNIST 文件。",
    ),
    "train.data.bad_shape": (
        "{path}: images are {shape}, Fashion-MNIST's are 28×28. Replace it with the original file.",
        "{path}：图像为 {shape}，Fashion-MNIST 的图像是 28×28。请换回原始文件。",
    ),
    "train.data.bad_label": (
        "{path}: label {value} found; labels must be 0..9. Replace it with the original file.",
        "{path}：发现标签 {value}；标签必须在 0..9。请换回原始文件。",
    ),
    "train.data.count_mismatch": (
        "{images} holds {n_images} images but {labels} holds {n_labels} labels. Use files from the same release.",
        "{images} 有 {n_images} 张图像，而 {labels} 有 {n_labels} 个标签。请使用同一版本的文件。",
    ),
    "train.data.empty": (
        "{path}: holds no images. Replace it with the original file.",
        "{path}：没有图像。请换回原始文件。",
    ),
    "train.data.no_dir": (
        "data directory {path} does not exist. Pass an existing directory with --data-dir (or NNLAB_DATA_DIR).",
        "数据目录 {path} 不存在。请用 --data-dir（或 NNLAB_DATA_DIR）指定一个存在的目录。",
    ),
    "train.data.incomplete": (
        "{path} lacks {missing}. Put the four Fashion-MNIST files (.gz or unpacked) there, or omit --data-dir.",
        "{path} 缺少 {missing}。请把四个 Fashion-MNIST 文件（.gz 或解压后的）放在那里，或去掉 --data-dir。",
    ),
    "train.data.not_found": (
        "Fashion-MNIST not found (looked in {cache} and {system}; no network; no sample). Install it: apt install dataset-fashion-mnist, or pass --data-dir.",
        "未找到 Fashion-MNIST（已查找 {cache} 和 {system}；无网络；无样本）。请安装：apt install dataset-fashion-mnist，或使用 --data-dir。",
    ),
    "train.data.download_failed": (
        "download of Fashion-MNIST failed ({why}). Install it offline: apt install dataset-fashion-mnist (files in {system}), or pass --data-dir.",
        "下载 Fashion-MNIST 失败（{why}）。请离线安装：apt install dataset-fashion-mnist（文件位于 {system}），或使用 --data-dir。",
    ),
    "train.data.sample_notice": (
        "Using the shipped SAMPLE of Fashion-MNIST ({train} training + {test} test images), not the full dataset. Install the full set: apt install dataset-fashion-mnist.",
        "正在使用随附的 Fashion-MNIST 样本（{train} 张训练图像 + {test} 张测试图像），不是完整数据集。安装完整数据：apt install dataset-fashion-mnist。",
    ),
    # config and device
    "train.config.bad": (
        "{name} = {value} is out of range (allowed: {allowed})",
        "{name} = {value} 超出范围（允许：{allowed}）",
    ),
    "train.device.no_cuda": (
        "device {device}: CUDA is not available here; use --device cpu or auto",
        "设备 {device}：此处没有 CUDA；请用 --device cpu 或 auto",
    ),
    "train.device.no_index": (
        "device {device}: only {count} CUDA device(s) here",
        "设备 {device}：此处只有 {count} 个 CUDA 设备",
    ),
    # checkpoints
    "train.ckpt.missing": ("checkpoint {path} does not exist", "检查点 {path} 不存在"),
    "train.ckpt.not_file": ("checkpoint {path} is not a regular file", "检查点 {path} 不是普通文件"),
    "train.ckpt.empty": (
        "checkpoint {path} is empty (0 bytes): a failed copy? Use another file.",
        "检查点 {path} 为空（0 字节）：可能复制失败？请换一个文件。",
    ),
    "train.ckpt.too_large": (
        "checkpoint {path} is {size} bytes, over the {limit}-byte limit: refused without reading",
        "检查点 {path} 有 {size} 字节，超过 {limit} 字节上限：未读取即拒绝",
    ),
    "train.ckpt.code": (
        "refused {path}: it is a pickle that would import and run {names}. nnlab loads only plain tensors and values (weights_only) and never retries unsafely.",
        "已拒绝 {path}：这是一个会导入并运行 {names} 的 pickle。nnlab 只加载纯张量和数值（weights_only），绝不以不安全方式重试。",
    ),
    "train.ckpt.garbage": (
        "{path} is not a PyTorch checkpoint (unreadable bytes)",
        "{path} 不是 PyTorch 检查点（无法解析的字节）",
    ),
    "train.ckpt.truncated": (
        "checkpoint {path} is truncated or damaged ({why}); use an earlier copy",
        "检查点 {path} 不完整或已损坏（{why}）；请使用较早的副本",
    ),
    "train.ckpt.not_nnlab": (
        "{path} is a PyTorch file but not an nnlab checkpoint",
        "{path} 是 PyTorch 文件，但不是 nnlab 检查点",
    ),
    "train.ckpt.version": (
        "checkpoint {path} has format version {version}; this nnlab reads version {want}",
        "检查点 {path} 的格式版本为 {version}；此版本 nnlab 读取版本 {want}",
    ),
    "train.ckpt.field": ("checkpoint {path} lacks a valid '{field}'", "检查点 {path} 缺少有效的 '{field}'"),
    "train.ckpt.mismatch": ("the checkpoint does not fit this model: {details}", "检查点与此模型不匹配：{details}"),
    "train.ckpt.keys_missing": ("missing {keys}", "缺少 {keys}"),
    "train.ckpt.keys_unexpected": ("unexpected {keys}", "多余 {keys}"),
    "train.ckpt.keys_shape": ("shapes differ: {keys}", "形状不同：{keys}"),
    "train.ckpt.optimizer": ("the checkpoint's optimizer state does not fit: {why}", "检查点的优化器状态不匹配：{why}"),
    "train.ckpt.optimizer_kind": (
        "{path} was trained with --optimizer {saved}; resume with the same optimizer, not {wanted}",
        "{path} 使用 --optimizer {saved} 训练；请用同一优化器恢复，而不是 {wanted}",
    ),
    "train.resume.reshuffled": (
        "the checkpoint's shuffling state is from another device: the data order after resuming differs from the original run",
        "检查点的打乱状态来自另一种设备：恢复后的数据顺序与原运行不同",
    ),
    "train.diverged": (
        "Diverged: the loss became {loss} at epoch {epoch}, batch {batch}. Try a smaller learning rate (e.g. --lr {smaller} instead of {lr}).{kept}",
        "发散：第 {epoch} 轮第 {batch} 批的损失变为 {loss}。请尝试更小的学习率（例如 --lr {smaller} 而不是 {lr}）。{kept}",
    ),
    # {kept} of train.diverged: what is on disk, said truthfully (only a checkpoint written before is "kept")
    "train.diverged.kept": (" The last good checkpoint ({path}) was kept.", "已保留最后一个正常的检查点（{path}）。"),
    "train.diverged.none": (" No checkpoint was written before it diverged.", "发散前没有写入过检查点。"),
    # CLI: nnlab train
    "train.cli.headless": (
        "train in this terminal without the dashboard, printing the tutorial's lines",
        "不打开仪表盘，在终端中训练并输出教程格式的日志",
    ),
    "train.cli.preset": (
        "starting settings: tutorial (the PyTorch quickstart, default) or fast (≥ 88% in ≤ 10 epochs)",
        "初始设置：tutorial（PyTorch 快速入门，默认）或 fast（≤ 10 轮达到 ≥ 88%）",
    ),
    "train.cli.epochs": ("passes over the training set (1..10000)", "训练集遍历轮数（1..10000）"),
    "train.cli.batch_size": ("samples per step (1..training-set size)", "每步样本数（1..训练集大小）"),
    "train.cli.lr": ("learning rate (> 0)", "学习率（> 0）"),
    "train.cli.optimizer": ("sgd, momentum (SGD with 0.9) or adam", "sgd、momentum（动量 0.9 的 SGD）或 adam"),
    "train.cli.hidden": (
        "hidden layer widths, comma-separated (default 512,512)",
        "隐藏层宽度，用逗号分隔（默认 512,512）",
    ),
    "train.cli.activation": ("activation between the layers (default relu)", "层间激活函数（默认 relu）"),
    "train.cli.device": (
        "auto (CUDA when present), cpu, cuda or cuda:N",
        "auto（有 CUDA 时用 CUDA）、cpu、cuda 或 cuda:N",
    ),
    "train.cli.seed": ("seed for the initial weights and the shuffling", "初始权重与打乱顺序的随机种子"),
    "train.cli.threads": (
        "torch CPU threads (0 = auto: all cores; 1 is faster on a busy machine)",
        "torch CPU 线程数（0 = 自动：全部核心；机器繁忙时 1 更快）",
    ),
    "train.cli.metrics": ("write every event as one JSON line to this file", "把每个事件作为一行 JSON 写入此文件"),
    "train.cli.csv": ("write one CSV row per epoch to this file", "每轮向此文件写一行 CSV"),
    "train.cli.save": ("save a checkpoint here at each epoch end and on stop", "每轮结束和停止时在此保存检查点"),
    "train.cli.resume": (
        "continue a run (its id or directory: appends to it) or a checkpoint file",
        "继续一个运行（其编号或目录：追加到该运行）或一个检查点文件",
    ),
    "train.cli.runs_dir": (
        "where run directories live (default: $NNLAB_RUNS_DIR, else ./runs)",
        "运行目录所在位置（默认：$NNLAB_RUNS_DIR，否则 ./runs）",
    ),
    "train.cli.name": ("a name for the run (shown by nnlab runs)", "运行的名称（nnlab runs 中显示）"),
    "train.cli.epoch_checkpoints": (
        "also keep epoch-NNN.pt in the run directory at each epoch end",
        "每轮结束时在运行目录中另存 epoch-NNN.pt",
    ),
    "train.cli.detach": (
        "with --headless: train in the background, print the run id and return",
        "与 --headless 一起使用：在后台训练，输出运行编号后立即返回",
    ),
    "train.cli.force": ("overwrite existing output files", "覆盖已存在的输出文件"),
    "train.cli.progress_every": (
        "print the loss every N batches (default 100, as the tutorial)",
        "每 N 个批次输出一次损失（默认 100，与教程相同）",
    ),
    "train.cli.bad_hidden": (
        "--hidden {value}: give 1 to {layers} widths separated by commas, e.g. 512,512",
        "--hidden {value}：请给出 1 到 {layers} 个用逗号分隔的宽度，例如 512,512",
    ),
    "train.cli.bad_device": (
        "--device {value}: use auto, cpu, cuda or cuda:N",
        "--device {value}：请用 auto、cpu、cuda 或 cuda:N",
    ),
    "train.cli.no_parent": ("{flag} {path}: its directory does not exist", "{flag} {path}：所在目录不存在"),
    "train.cli.is_dir": ("{flag} {path}: is a directory; give a file name", "{flag} {path}：是一个目录；请给出文件名"),
    "train.cli.exists": (
        "{flag} {path}: the file exists; pass --force to overwrite it",
        "{flag} {path}：文件已存在；如要覆盖请加 --force",
    ),
    "train.cli.same_file": (
        "--metrics, --csv and --save must name different files",
        "--metrics、--csv 和 --save 必须是不同的文件",
    ),
    "train.cli.using": (
        "Using {device} device ({threads} threads, {mode} steps)",
        "使用 {device} 设备（{threads} 个线程，{mode} 步骤）",
    ),
    "train.cli.data": (
        "Data: {source} ({train} training + {test} test images)",
        "数据：{source}（{train} 张训练图像 + {test} 张测试图像）",
    ),
    "train.cli.model": (
        "Model: 784-{hidden}-10 {activation}, {params} parameters; {optimizer} lr {lr}, batch {batch}",
        "模型：784-{hidden}-10 {activation}，{params} 个参数；{optimizer} 学习率 {lr}，批大小 {batch}",
    ),
    "train.cli.resumed": ("Resuming after epoch {epoch}", "从第 {epoch} 轮之后继续"),
    "train.cli.epoch": ("Epoch {epoch}", "第 {epoch} 轮"),
    "train.cli.test_error": (
        "Test Error: \n Accuracy: {accuracy}%, Avg loss: {loss} \n",
        "测试误差：\n 准确率：{accuracy}%，平均损失：{loss} \n",
    ),
    "train.cli.speed": (
        "speed: epoch {epoch} took {seconds} s (training {train} s at {rate} samples/s, test {test} s); mean training loss {train_loss}",
        "速度：第 {epoch} 轮用时 {seconds} 秒（训练 {train} 秒，每秒 {rate} 个样本；测试 {test} 秒）；平均训练损失 {train_loss}",
    ),
    "train.cli.done": ("Done!", "完成！"),
    "train.cli.summary": (
        "{epochs} epoch(s) in {seconds} s; test accuracy {accuracy}",
        "{epochs} 轮，用时 {seconds} 秒；测试准确率 {accuracy}",
    ),
    "train.cli.saved": ("checkpoint: {path}", "检查点：{path}"),
    "train.cli.metrics_written": ("metrics: {paths}", "指标：{paths}"),
    "train.cli.stopped": (
        "stopped by {signal} at a batch boundary; continue with the same command plus{resume}",
        "因 {signal} 在批次边界停止；继续训练请用同一命令并加上{resume}",
    ),
    "train.cli.diverged_exit": ("training stopped: the loss diverged", "训练已停止：损失发散"),
    # nnlab bench train
    "bench.train.progress": (
        "{name}: epoch {epoch} took {s} s, test accuracy {accuracy}%",
        "{name}：第 {epoch} 轮用时 {s} 秒，测试准确率 {accuracy}%",
    ),
    "bench.train.bad_epochs": ("--epochs must be at least 1", "--epochs 至少为 1"),
    "bench.train.header": (
        "device: {device}; {epochs} epoch(s) each, same model, seed, SGD lr 0.001, batch 64; data: {data}",
        "设备：{device}；各训练 {epochs} 轮，相同模型、种子、SGD 学习率 0.001、批大小 64；数据：{data}",
    ),
    "bench.train.row": (
        "{name:<34} {s:>8} s/epoch   accuracy {accuracy}%   ({threads} threads, {mode})",
        "{name:<34} {s:>8} 秒/轮   准确率 {accuracy}%   （{threads} 个线程，{mode}）",
    ),
    "bench.train.ratio": (
        "speed-up: {ratio}x (tutorial s/epoch ÷ nnlab s/epoch, measured side by side in this run)",
        "加速：{ratio} 倍（教程 秒/轮 ÷ nnlab 秒/轮，本次运行中并排测得）",
    ),
    # lr schedules and early stopping (nnlab.run.schedule): flags of `nnlab train`
    "train.cli.schedule": (
        "lr schedule: none (constant, the tutorial), step (×--step-gamma every --step-every epochs), cosine (to 0 over the run, per batch) or warmup (linear over --warmup-steps batches)",
        "学习率调度：none（恒定，同教程）、step（每 --step-every 轮乘以 --step-gamma）、cosine（按批次在整个运行中降到 0）或 warmup（在 --warmup-steps 个批次内线性升高）",
    ),
    "train.cli.step_every": (
        "step schedule: epochs between two lr drops (default 1)",
        "step 调度：两次降低学习率之间的轮数（默认 1）",
    ),
    "train.cli.step_gamma": (
        "step schedule: lr × this at each drop (0 < x <= 1, default 0.1)",
        "step 调度：每次降低时学习率乘以此值（0 < x <= 1，默认 0.1）",
    ),
    "train.cli.warmup_steps": (
        "batches of linear lr warm-up (schedule warmup; also before step or cosine)",
        "学习率线性预热的批次数（warmup 调度；也可用于 step 或 cosine 之前）",
    ),
    "train.cli.early_stop": (
        "stop after N epochs without a lower test loss (0 = off, the default)",
        "连续 N 轮测试损失没有降低时停止（0 = 关闭，默认）",
    ),
    "train.cli.early_stopped": (
        "Stopped early after epoch {epochs}: no lower test loss for {patience} epochs.",
        "在第 {epochs} 轮后提前停止：测试损失已连续 {patience} 轮没有降低。",
    ),
}
