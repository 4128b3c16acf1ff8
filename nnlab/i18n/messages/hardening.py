"""Messages of the safety layer: save errors, memory, CUDA OOM, overwrite prompts, signals."""

MESSAGES = {
    # saving and exporting when the disk fails
    # {previous} is safe.previous.kept or safe.previous.none: only a file that exists is "unchanged"
    "safe.save_failed.pause": (
        "Checkpoint not written ({why}): {previous}. The run is paused: p continues without this save, x stops.",
        "检查点未写入（{why}）：{previous}。运行已暂停：按 p 不保存继续，按 x 停止。",
    ),
    "safe.save_failed.stop": (
        "Checkpoint not written ({why}): {previous}; the run stops. {fix}, then resume "
        "(--on-save-error continue keeps training instead).",
        "检查点未写入（{why}）：{previous}；运行停止。{fix}，然后继续训练（--on-save-error continue 则不停止）。",
    ),
    "safe.save_failed.continue": (
        "Checkpoint not written ({why}): {previous}; training continues and the next epoch end tries again.",
        "检查点未写入（{why}）：{previous}；训练继续，下一轮结束时会再次尝试。",
    ),
    "safe.previous.kept": ("the previous file {path} is unchanged", "之前的文件 {path} 保持不变"),
    "safe.previous.none": ("no checkpoint has been written to {path} yet", "{path} 尚未写入过任何检查点"),
    "safe.fix.space": ("Free some space", "请释放磁盘空间"),
    "safe.fix.other": ("Fix the cause", "请先排除原因"),
    "safe.save_failed.title": ("Checkpoint not saved", "检查点未保存"),
    "safe.export_failed": (
        "Could not write {path} ({why}): the previous file is unchanged.",
        "无法写入 {path}（{why}）：之前的文件保持不变。",
    ),
    "safe.cli.on_save_error": (
        "when a checkpoint or metrics file cannot be written: stop (default) or continue training",
        "检查点或指标文件无法写入时：stop（默认，停止）或 continue（继续训练）",
    ),
    # memory
    "safe.too_big": (
        "This model needs about {need} GiB on {device} but only {have} GiB are free: use smaller hidden "
        "sizes or a smaller batch.",
        "该模型在 {device} 上约需 {need} GiB，但只有 {have} GiB 可用：请减小隐藏层宽度或批大小。",
    ),
    "safe.oom": (
        "{device} ran out of memory at batch size {batch} (hidden {hidden}); the cache was emptied. "
        "Try a smaller batch (e.g. {smaller}) or smaller hidden sizes.",
        "{device} 内存不足（批大小 {batch}，隐藏层 {hidden}）；已清空缓存。请尝试更小的批大小（例如 {smaller}）"
        "或更小的隐藏层。",
    ),
    # overwriting
    "safe.overwrite.title": ("Overwrite?", "覆盖？"),
    "safe.overwrite.body": (
        "These files exist already:\n{paths}\nReplace them?",
        "这些文件已经存在：\n{paths}\n要替换它们吗？",
    ),
    "safe.overwrite.yes": ("Overwrite (y)", "覆盖（y）"),
    "safe.overwrite.no": ("Keep (n)", "保留（n）"),
    "safe.overwrite.kept": ("Nothing written: the existing files were kept.", "未写入：已保留现有文件。"),
    "safe.key.yes": ("Overwrite", "覆盖"),
    "safe.key.no": ("Keep", "保留"),
    # a worker that died in an unexpected way
    "safe.worker_died": (
        "The run's worker stopped unexpectedly ({name}); the app keeps running.",
        "运行的工作线程意外停止（{name}）；应用继续运行。",
    ),
}
