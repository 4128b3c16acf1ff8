"""Messages of nnlab.track and nnlab.integrations (TensorBoard, Lightning, torchrun)."""

MESSAGES = {
    "track.started": (
        "nnlab.track: run {run} ({name}) in {path}; watch it: nnlab watch {run}",
        "nnlab.track：运行 {run}（{name}）位于 {path}；查看：nnlab watch {run}",
    ),
    "track.name.type": (
        "a metric name must be a string, not {type}",
        "指标名称必须是字符串，而不是 {type}",
    ),
    "track.name.empty": (
        "a metric name must not be empty",
        "指标名称不能为空",
    ),
    "track.name.long": (
        "metric name {start!r}... is {length} characters long; at most {limit} are allowed",
        "指标名称 {start!r}... 长 {length} 个字符；最多允许 {limit} 个",
    ),
    "track.name.control": (
        "metric name {name!r} contains control characters (a newline or tab?)",
        "指标名称 {name!r} 含有控制字符（换行或制表符？）",
    ),
    "track.run_name": (
        "the run name must be a string, not {type}",
        "运行名称必须是字符串，而不是 {type}",
    ),
    "track.value.type": (
        "{name}: {type} is not a number (log ints, floats, one-element tensors or numpy values)",
        "{name}：{type} 不是数值（请记录整数、浮点数、单元素张量或 numpy 数值）",
    ),
    "track.value.shape": (
        "{name}: a tensor of shape {shape} is not one number; log .mean() or one element",
        "{name}：形状为 {shape} 的张量不是单个数值；请记录 .mean() 或单个元素",
    ),
    "track.step": (
        "step must be an integer, not {step}",
        "step 必须是整数，而不是 {step}",
    ),
    "track.finished": (
        "run {run} is finished: {what} after finish() is not recorded (everything before it was written)",
        "运行 {run} 已结束：finish() 之后的 {what} 不会被记录（之前的记录均已写入）",
    ),
    "track.confusion.shape": (
        "a confusion matrix must be square with 1 to {limit} rows (got {rows} rows, or rows of other lengths)",
        "混淆矩阵必须是方阵，行数 1 到 {limit}（得到 {rows} 行，或行长度不一）",
    ),
    "track.confusion.type": (
        "a confusion matrix holds counts (integers)",
        "混淆矩阵应包含计数（整数）",
    ),
    "track.confusion.labels": (
        "{labels} labels for a confusion matrix of {rows} rows",
        "{rows} 行的混淆矩阵配了 {labels} 个标签",
    ),
    "track.images.shape": (
        "images of shape {shape}: expected (H, W), (H, W, C), (N, H, W), (N, H, W, C) or (N, C, H, W) with C 1, 3 or 4",
        "图像形状 {shape}：应为 (H, W)、(H, W, C)、(N, H, W)、(N, H, W, C) 或 (N, C, H, W)，C 为 1、3 或 4",
    ),
    "track.images.big": (
        "{count} images of {size} bytes: at most {limit} images and {bytes} bytes per call",
        "{count} 张图像共 {size} 字节：每次最多 {limit} 张、{bytes} 字节",
    ),
    "track.images.dtype": (
        "images of dtype {dtype}: give uint8, bool, integers 0..255 or floats in [0, 1]",
        "图像数据类型 {dtype}：请使用 uint8、bool、0..255 的整数或 [0, 1] 的浮点数",
    ),
    "track.images.captions": (
        "{captions} captions for {images} images",
        "{images} 张图像配了 {captions} 条说明",
    ),
    "track.write_failed": (
        "nnlab.track: cannot write run {run} ({why}); training goes on, records are dropped until writing works again",
        "nnlab.track：无法写入运行 {run}（{why}）；训练继续，在恢复写入前记录将被丢弃",
    ),
    "track.no_control": (
        "nnlab.track: run {run} cannot be steered from a viewer ({why}); it is still recorded",
        "nnlab.track：运行 {run} 无法从查看器控制（{why}）；记录照常",
    ),
    "track.save_failed": (
        "nnlab.track: run {run}: the save asked for by a viewer failed ({why})",
        "nnlab.track：运行 {run}：查看器请求的保存失败（{why}）",
    ),
    # integrations
    "track.extra_missing": (
        "{what} needs the {package} package: pip install 'nnlab[{extra}]'",
        "{what} 需要 {package} 包：pip install 'nnlab[{extra}]'",
    ),
    "track.tb.waiting": (
        "{logdir}: no TensorBoard event files yet (events.out.tfevents.*); waiting for the run to write some",
        "{logdir}：还没有 TensorBoard 事件文件（events.out.tfevents.*）；等待运行写入",
    ),
    "track.tb.not_a_dir": (
        "{logdir}: no such directory",
        "{logdir}：没有这个目录",
    ),
    "track.tb.corrupt": (
        "{path}: corrupt TensorBoard event file after {events} events ({why}); the rest is still shown",
        "{path}：TensorBoard 事件文件在 {events} 个事件后损坏（{why}）；其余内容照常显示",
    ),
    "track.tb.image_failed": (
        "{path}: image {tag} at step {step} cannot be decoded ({why}); skipped",
        "{path}：第 {step} 步的图像 {tag} 无法解码（{why}）；已跳过",
    ),
    "track.ddp.not_initialized": (
        "nnlab.integrations.distributed: call torch.distributed.init_process_group first",
        "nnlab.integrations.distributed：请先调用 torch.distributed.init_process_group",
    ),
}
