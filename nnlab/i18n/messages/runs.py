"""Messages of run directories (nnlab.run.rundir / reader / control_server / control_client)."""

MESSAGES = {
    # opening a run directory
    "runs.not_a_run": (
        "{path}: not an nnlab run directory (no run.json)",
        "{path}：不是 nnlab 运行目录（没有 run.json）",
    ),
    "runs.not_a_dir": (
        "{path}: no such run directory",
        "{path}：没有这个运行目录",
    ),
    "runs.bad_run_json": (
        "{path}: run.json cannot be read ({why})",
        "{path}：无法读取 run.json（{why}）",
    ),
    "runs.foreign_run_json": (
        "{path}: run.json is not an nnlab run record (format {format!r})",
        "{path}：run.json 不是 nnlab 运行记录（格式 {format!r}）",
    ),
    "runs.version": (
        "{path}: {file} has format version {version}; this nnlab reads version {supported}. Upgrade nnlab to read it.",
        "{path}：{file} 的格式版本为 {version}；此版本的 nnlab 只能读取版本 {supported}。请升级 nnlab。",
    ),
    "runs.ambiguous": (
        "{ref}: matches {count} runs under {root}; give more of the id",
        "{ref}：在 {root} 下匹配到 {count} 个运行；请给出更完整的编号",
    ),
    "runs.no_such_run": (
        "{ref}: no run with this id or path under {root}",
        "{ref}：在 {root} 下没有这个编号或路径的运行",
    ),
    "runs.create_failed": (
        "cannot create a run directory under {root} ({why})",
        "无法在 {root} 下创建运行目录（{why}）",
    ),
    # the one writer
    "runs.busy": (
        "run {run} is being written by pid {pid} on {host}; only one process may write a run (watch it instead)",
        "运行 {run} 正由 {host} 上的进程 {pid} 写入；一个运行只能有一个写入者（可以改为观看它）",
    ),
    "runs.busy_unknown": (
        "run {run} is being written by another process; only one process may write a run (watch it instead)",
        "运行 {run} 正由另一个进程写入；一个运行只能有一个写入者（可以改为观看它）",
    ),
    "runs.foreign_log": (
        "{path}: events.jsonl is not an nnlab event log; not appending to it",
        "{path}：events.jsonl 不是 nnlab 事件日志；不会向其追加",
    ),
    "runs.append_failed": (
        "cannot append to {path} ({why}); the event log has a gap from here",
        "无法追加写入 {path}（{why}）；事件日志从此处起有缺口",
    ),
    # reading the event log
    "runs.log.foreign": (
        "{path}: not an nnlab event log (first line is not its header); skipped",
        "{path}：不是 nnlab 事件日志（第一行不是日志头）；已跳过",
    ),
    "runs.log.corrupt": (
        "{path}: line {line} is not valid JSON; skipped",
        "{path}：第 {line} 行不是有效的 JSON；已跳过",
    ),
    "runs.log.too_long": (
        "{path}: line {line} is longer than {limit} bytes; skipped",
        "{path}：第 {line} 行超过 {limit} 字节；已跳过",
    ),
    "runs.log.unknown_kind": (
        "{path}: line {line}: unknown event {kind!r} (written by a newer nnlab?); skipped",
        "{path}：第 {line} 行：未知事件 {kind!r}（由更新版本的 nnlab 写入？）；已跳过",
    ),
    "runs.log.bad_event": (
        "{path}: line {line}: a {kind!r} event with missing or wrong fields ({why}); skipped",
        "{path}：第 {line} 行：{kind!r} 事件的字段缺失或有误（{why}）；已跳过",
    ),
    "runs.log.shrank": (
        "{path}: the log became shorter or was replaced ({size} bytes, {offset} read); reading it again from the start",
        "{path}：日志变短了或被替换（{size} 字节，已读取 {offset}）；从头重新读取",
    ),
    "runs.log.gap": (
        "{path}: line {line}: {dropped} events were lost by the writer (disk full?)",
        "{path}：第 {line} 行：写入者丢失了 {dropped} 个事件（磁盘已满？）",
    ),
    "runs.log.unreadable": (
        "{path}: cannot be read ({why})",
        "{path}：无法读取（{why}）",
    ),
    # the control channel: replies of the server
    "runs.ctl.refused_uid": (
        "refused: uid {uid} is not the owner of this run (uid {owner})",
        "已拒绝：uid {uid} 不是此运行的所有者（uid {owner}）",
    ),
    "runs.ctl.too_long": (
        "request longer than {limit} bytes",
        "请求超过 {limit} 字节",
    ),
    "runs.ctl.malformed": (
        'malformed request: one JSON object per line, like {{"op": "pause"}}',
        '请求格式错误：每行一个 JSON 对象，例如 {{"op": "pause"}}',
    ),
    "runs.ctl.unknown_op": (
        "unknown op {op!r}; known: {known}",
        "未知操作 {op!r}；可用操作：{known}",
    ),
    "runs.ctl.not_paused": (
        "step works only while the run is paused",
        "只有在运行暂停时才能单步执行",
    ),
    "runs.ctl.no_save": (
        "this run cannot save on request (no checkpoint path)",
        "此运行无法按请求保存（没有检查点路径）",
    ),
    "runs.ctl.failed": (
        "the request failed: {why}",
        "请求失败：{why}",
    ),
    "runs.ctl.busy_socket": (
        "{path}: a live control socket is already there (another process serves this run)",
        "{path}：已有一个活动的控制套接字（另一个进程正在服务此运行）",
    ),
    "runs.ctl.unsafe_dir": (
        "{path}: not a private directory (must be owned by uid {uid} with mode 0700)",
        "{path}：不是私有目录（必须属于 uid {uid} 且权限为 0700）",
    ),
    # the control channel: the client
    "runs.ctl.not_listening": (
        "run {run} is not listening for steering (it is not running, or was started without a control channel)",
        "运行 {run} 没有在监听控制指令（它没有在运行，或启动时没有控制通道）",
    ),
    "runs.ctl.stale_cleaned": (
        "run {run} is not running (a stale control socket was removed)",
        "运行 {run} 没有在运行（已删除过期的控制套接字）",
    ),
    "runs.ctl.timeout": (
        "run {run} did not answer within {seconds:g} s",
        "运行 {run} 在 {seconds:g} 秒内没有应答",
    ),
    "runs.ctl.io": (
        "cannot reach run {run} ({why})",
        "无法连接运行 {run}（{why}）",
    ),
    "runs.ctl.bad_reply": (
        "run {run} answered something that is not a control reply",
        "运行 {run} 的应答不是控制回复",
    ),
    "runs.ctl.not_owner": (
        "run {run}'s control socket belongs to uid {uid}, not to you (uid {me}); not sending",
        "运行 {run} 的控制套接字属于 uid {uid}，而不是你（uid {me}）；不发送",
    ),
    # nnlab train --headless in a run directory
    "runs.cli.create_hint": (
        "{message}; choose another place with --runs-dir DIR or $NNLAB_RUNS_DIR",
        "{message}；请用 --runs-dir DIR 或 $NNLAB_RUNS_DIR 另选位置",
    ),
    "runs.cli.no_log": (
        "{path}: cannot be written ({why}); the run's output goes to this terminal only",
        "{path}：无法写入（{why}）；运行的输出只显示在此终端",
    ),
    "runs.cli.no_steering": (
        "run {run} cannot be steered from other terminals ({why}); it trains on",
        "运行 {run} 无法从其他终端控制（{why}）；训练继续",
    ),
    "runs.cli.copy_failed": (
        "cannot keep a checkpoint copy in {path} ({why}); the --save file is unaffected",
        "无法在 {path} 中保留检查点副本（{why}）；--save 文件不受影响",
    ),
    "runs.cli.hung_up": (
        "the terminal went away ({why}); training goes on, its output continues in this log",
        "终端已断开（{why}）；训练继续，输出写入此日志",
    ),
    "runs.cli.stop_request": ("a stop request", "停止请求"),
    "runs.cli.where": ("run {run}: {path}", "运行 {run}：{path}"),
    "runs.cli.checkpoint": ("checkpoint: {path}", "检查点：{path}"),
    "runs.cli.no_checkpoint": ("no checkpoint was written", "没有写入检查点"),
    "runs.cli.next": (
        "resume: nnlab train --headless --resume {ref}    watch: nnlab watch {ref}",
        "继续：nnlab train --headless --resume {ref}    观看：nnlab watch {ref}",
    ),
    "runs.cli.no_checkpoint_to_resume": (
        "run {run} has no checkpoint to resume from ({path} does not exist)",
        "运行 {run} 没有可继续的检查点（{path} 不存在）",
    ),
    "runs.cli.detach_needs_headless": (
        "--detach needs --headless (the dashboard hands a run to the background with d)",
        "--detach 需要 --headless（仪表盘中按 d 把运行转到后台）",
    ),
    "runs.cli.detach_no_argv": (
        "--detach works only from the nnlab command line",
        "--detach 只能在 nnlab 命令行中使用",
    ),
    "runs.cli.detached": (
        "run {run} is training in the background (pid {pid}): {path}",
        "运行 {run} 正在后台训练（进程 {pid}）：{path}",
    ),
    "runs.cli.detached_next": (
        "watch: nnlab watch {ref}    steer: nnlab ctl {ref} pause|resume|step|stop|save    log: {log}",
        "观看：nnlab watch {ref}    控制：nnlab ctl {ref} pause|resume|step|stop|save    日志：{log}",
    ),
    # nnlab runs
    "runs.list.none": ("no runs under {root}", "{root} 下没有运行"),
    "runs.list.header": ("ID|STATE|EPOCHS|ACC|STARTED|TIME|CONFIG", "编号|状态|轮数|准确率|开始|用时|配置"),
    "runs.list.problem": ("skipped: {problem}", "已跳过：{problem}"),
    "runs.delete.confirm": (
        "delete run {run} ({path}) and all its files? [y/N] ",
        "删除运行 {run}（{path}）及其全部文件？[y/N] ",
    ),
    "runs.archive.confirm": ("archive run {run} into {target}? [y/N] ", "将运行 {run} 归档到 {target}？[y/N] "),
    "runs.delete.done": ("deleted run {run}", "已删除运行 {run}"),
    "runs.archive.done": ("archived run {run} to {target}", "已将运行 {run} 归档到 {target}"),
    "runs.delete.live": (
        "run {run} is {state}: stop it first (nnlab ctl {run} stop)",
        "运行 {run} 状态为 {state}：请先停止它（nnlab ctl {run} stop）",
    ),
    "runs.delete.no_tty": (
        "confirmation needs a terminal; add --yes to {action} run {run} without asking",
        "确认需要终端；加上 --yes 可不经询问直接{action}运行 {run}",
    ),
    "runs.delete.kept": ("kept run {run}", "保留运行 {run}"),
    "runs.cli.delete": ("delete this run (asks first; --yes skips)", "删除此运行（先询问；--yes 跳过）"),
    "runs.cli.archive": (
        "move this run into the runs root's .archive/ (asks first)",
        "将此运行移到运行根目录的 .archive/（先询问）",
    ),
    "runs.cli.yes": ("do not ask for confirmation", "不询问确认"),
    "runs.cli.json": ("print a JSON list of the runs", "以 JSON 列表输出运行"),
    # nnlab ctl
    "runs.cli.run_ref": ("a run id (or a unique prefix), or a run directory", "运行编号（或唯一前缀），或运行目录"),
    "runs.cli.op": ("what to ask the run to do", "要让运行执行的操作"),
    "runs.ctl.sent": ("run {run}: {op} sent", "运行 {run}：已发送 {op}"),
    "runs.ctl.answer_error": ("run {run}: {op} refused: {error}", "运行 {run}：{op} 被拒绝：{error}"),
    "runs.ctl.status_line": (
        "run {run}: {state}, epoch {epoch}/{epochs}, batch {batch} (pid {pid})",
        "运行 {run}：{state}，第 {epoch}/{epochs} 轮，第 {batch} 批（进程 {pid}）",
    ),
    # nnlab watch
    "runs.watch.no_runs": ("no runs under {root} to watch", "{root} 下没有可观看的运行"),
    "runs.watch.no_viewer": (
        "this nnlab has no run viewer yet (nnlab.ui.watch); follow the run with: tail -f {log}",
        "此版本的 nnlab 还没有运行查看器（nnlab.ui.watch）；可用以下命令跟踪：tail -f {log}",
    ),
}
