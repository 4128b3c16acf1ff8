"""Messages of the error boundary (nnlab.cli), output checks, checkpoint schema and data bounds."""

MESSAGES = {
    # the error boundary: one line each
    "err.os": ("{path}: {why}", "{path}：{why}"),
    "err.os_nopath": ("{why}", "{why}"),
    "err.decode": ("{path}: cannot be decoded ({why})", "{path}：无法解码（{why}）"),
    "err.decode_nopath": ("a file could not be decoded ({why})", "有文件无法解码（{why}）"),
    "err.internal": (
        "internal error ({name}); the traceback is in {log} (please report it)",
        "内部错误（{name}）；回溯信息写在 {log}（请报告此问题）",
    ),
    "err.internal_nolog": ("internal error ({name}: {why})", "内部错误（{name}：{why}）"),
    # outputs, checked before any work
    "err.out.not_regular": (
        "{flag} {path}: not a regular file (a device, FIFO or socket is never written or replaced)",
        "{flag} {path}：不是普通文件（设备、FIFO 或套接字永远不会被写入或替换）",
    ),
    "err.out.os": ("{flag} {path}: {why}", "{flag} {path}：{why}"),
    "err.out.is_input": (
        "{flag} {path} is the same file as {other} {input}: it would be destroyed before it is read",
        "{flag} {path} 与 {other} {input} 是同一个文件：它会在被读取之前被毁掉",
    ),
    "err.out.busy": (
        "{flag} {path} is being written by another running nnlab (pid {pid}); choose another file or wait for it to end",
        "{flag} {path} 正由另一个运行中的 nnlab 写入（pid {pid}）；请换一个文件或等它结束",
    ),
    # the run's own outputs going away
    "err.stdout_gone": (
        "standard output is gone ({why}): the run stops at the next batch and saves",
        "标准输出已不可用（{why}）：运行将在下一批次停止并保存",
    ),
    "err.save_not_written": (
        "checkpoint NOT written at the end: {path} {state}",
        "结束时未写入检查点：{path} {state}",
    ),
    "err.save_state_old": ("still holds an earlier save", "仍是较早的保存"),
    "err.save_state_none": ("does not exist", "不存在"),
    "err.jsonl_failed": (
        "Could not write {path} ({why}): the live log is incomplete from here on.",
        "无法写入 {path}（{why}）：实时日志从此处起不完整。",
    ),
    # checkpoints: the schema, bombs, non-finite values
    "err.ckpt.schema": (
        "checkpoint {path}: {field} is {value}, expected {want}",
        "检查点 {path}：{field} 为 {value}，应为 {want}",
    ),
    "err.ckpt.nonfinite": (
        "checkpoint {path} holds non-finite values in {field} (NaN or infinity): the file is damaged, "
        "use an earlier copy",
        "检查点 {path} 的 {field} 含有非有限值（NaN 或无穷大）：文件已损坏，请使用较早的副本",
    ),
    "err.ckpt.bomb": (
        "checkpoint {path} would decompress to {size:,} bytes (the file is {have:,}): refused",
        "检查点 {path} 解压后将达 {size:,} 字节（文件本身 {have:,}）：已拒绝",
    ),
    "err.ckpt.too_big_model": (
        "checkpoint {path}: its model would need about {need} GiB of memory; refused",
        "检查点 {path}：其模型约需 {need} GiB 内存；已拒绝",
    ),
    # data files
    "err.data.unreadable": ("{path}: {why} (the data directory must be readable)", "{path}：{why}（数据目录必须可读）"),
    "err.data.header_lies": (
        "{path}: the header claims {count:,} items ({need:,} bytes) but the file unpacks to {have:,} bytes: "
        "the file is corrupt",
        "{path}：文件头声称有 {count:,} 项（{need:,} 字节），但文件解压后为 {have:,} 字节：文件已损坏",
    ),
    # bench
    "err.bench.runs": ("--runs {value}: {why}", "--runs {value}：{why}"),
}
