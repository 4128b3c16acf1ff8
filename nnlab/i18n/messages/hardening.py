"""Messages of the safety layer: save errors, memory, CUDA OOM, overwrite prompts, signals."""

MESSAGES = {
    # saving and exporting when the disk fails
    "safe.save_failed.pause": (
        "Checkpoint not written ({why}): the previous file {path} is unchanged. The run is paused: "
        "p continues without this save, x stops.",
        "检查点未写入（{why}）：之前的文件 {path} 保持不变。运行已暂停：按 p 不保存继续，按 x 停止。",
    ),
    "safe.save_failed.stop": (
        "Checkpoint not written ({why}): the previous file {path} is unchanged; the run stops. "
        "Free some space, then resume from it (--on-save-error continue keeps training instead).",
        "检查点未写入（{why}）：之前的文件 {path} 保持不变；运行停止。请释放空间后从它继续"
        "（--on-save-error continue 则继续训练）。",
    ),
    "safe.save_failed.continue": (
        "Checkpoint not written ({why}): the previous file {path} is unchanged; training continues and "
        "the next epoch end tries again.",
        "检查点未写入（{why}）：之前的文件 {path} 保持不变；训练继续，下一轮结束时会再次尝试。",
    ),
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
    "safe.overwrite.body": ("These files exist already:\n{paths}\nReplace them?", "这些文件已经存在：\n{paths}\n要替换它们吗？"),
    "safe.overwrite.yes": ("Overwrite (y)", "覆盖（y）"),
    "safe.overwrite.no": ("Keep (n)", "保留（n）"),
    "safe.overwrite.kept": ("Nothing written: the existing files were kept.", "未写入：已保留现有文件。"),
    "safe.key.yes": ("Overwrite", "覆盖"),
    "safe.key.no": ("Keep", "保留"),
    # a worker that died in an unexpected way
    "safe.worker_died": ("The run's worker stopped unexpectedly ({name}); the app keeps running.",
                         "运行的工作线程意外停止（{name}）；应用继续运行。"),
}
