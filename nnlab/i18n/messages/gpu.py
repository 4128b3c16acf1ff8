"""Messages of the GPU side: NVML figures, the CUDA-graph step's notes, `make gpu-check`."""

MESSAGES = {
    # figures (nnlab.train.device.format_gpu_figures)
    "gpu.fig.util": ("GPU {util}%", "GPU 利用率 {util}%"),
    "gpu.fig.memory": ("memory {used}/{total} GB", "显存 {used}/{total} GB"),
    "gpu.fig.own": ("(this process {own} GB)", "（本进程 {own} GB）"),
    "gpu.fig.power": ("{power} W", "{power} W"),
    "gpu.fig.power_of": ("{power}/{limit} W", "{power}/{limit} W"),
    "gpu.fig.temp": ("{temp} °C", "{temp} °C"),
    "gpu.fig.clocks": ("SM {sm} MHz, memory {mem} MHz", "SM {sm} MHz，显存 {mem} MHz"),
    "gpu.nvml.missing": (
        "utilisation, power, temperature and clocks need {package}: pip install {package} "
        "(or pip install 'nnlab[gpu]')",
        "利用率、功耗、温度和频率需要 {package}：pip install {package}（或 pip install 'nnlab[gpu]'）",
    ),
    "gpu.nvml.failed": (
        "NVML could not be read ({why}): utilisation, power, temperature and clocks are not shown",
        "无法读取 NVML（{why}）：不显示利用率、功耗、温度和频率",
    ),
    # the CUDA-graph step (nnlab.train.step)
    "gpu.capture.failed": (
        "CUDA graph capture failed, running eager (slower): {why}",
        "CUDA 图捕获失败，改为逐步执行（较慢）：{why}",
    ),
    # make gpu-check (nnlab.bench.gpu_check)
    "gpu.check.stage": (
        "gpu-check: {stage} {status} in {seconds} s{detail}",
        "gpu-check：{stage} {status}，用时 {seconds} 秒{detail}",
    ),
    "gpu.check.report": (
        "gpu-check: report written to {path} ({passed} passed, {failed} failed, {skipped} skipped)",
        "gpu-check：报告已写入 {path}（通过 {passed}，失败 {failed}，跳过 {skipped}）",
    ),
    "gpu.check.no_cuda": (
        "CUDA is not available here: run with --dry-run, or on a GPU machine",
        "此处没有 CUDA：请加 --dry-run 运行，或在有 GPU 的机器上运行",
    ),
    "gpu.check.no_wheels": (
        "no wheels in {path}: run `make gpu-wheels` where pip can download",
        "{path} 中没有 wheel：请在能下载的机器上运行 `make gpu-wheels`",
    ),
    "gpu.check.no_data": (
        "the four FashionMNIST .gz files are not in {path}: run `make gpu-wheels`",
        "{path} 中没有四个 FashionMNIST .gz 文件：请运行 `make gpu-wheels`",
    ),
    "gpu.check.prepared": (
        "prepared {path}: {wheels} wheels, {data} data files, {mb} MB",
        "已准备 {path}：{wheels} 个 wheel，{data} 个数据文件，共 {mb} MB",
    ),
    "gpu.check.download_failed": (
        "pip download of {name}=={version} failed: {why}",
        "pip 下载 {name}=={version} 失败：{why}",
    ),
}
