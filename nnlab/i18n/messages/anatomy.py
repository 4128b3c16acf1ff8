"""Messages of the model anatomy view and `nnlab anatomy`."""

MESSAGES = {
    "anat.title": ("Anatomy", "模型解剖"),
    # keys
    "anat.key.next": ("Next", "下一步"),
    "anat.key.prev": ("Prev", "上一步"),
    "anat.key.params": ("Params", "参数"),
    "anat.key.data": ("Data step", "数据步骤"),
    "anat.key.more": ("More images", "加一张图"),
    "anat.key.fewer": ("Fewer images", "减一张图"),
    "anat.key.count_group": ("Images", "图片数"),  # the footer's one entry for + and -
    "anat.key.next_images": ("Next images", "后面的图片"),
    "anat.key.prev_images": ("Previous images", "前面的图片"),
    "anat.key.random": ("Random images", "随机图片"),
    "anat.key.refresh": ("Refresh from the model", "从模型刷新"),
    "anat.key.back": ("Back", "返回"),
    "anat.help.concept": (
        "A batch of images goes through the model one layer at a time. nn.Flatten turns each "
        "1x28x28 image into 784 values; each nn.Linear computes x·Wᵀ + b; the activation "
        "(ReLU: negatives become 0) bends it; the last Linear gives 10 logits, and "
        "nn.Softmax(dim=1) turns each row into probabilities that sum to 1. The parameters "
        "step lists model.named_parameters(): every weight and bias tensor with its statistics "
        "and, during a run, how far it has moved since initialisation.",
        "一批图片逐层穿过模型。nn.Flatten 把每张 1x28x28 的图片变成 784 个数；每个 nn.Linear "
        "计算 x·Wᵀ + b；激活函数（ReLU：负数变成 0）把它弯曲；最后一个 Linear 给出 10 个 logits，"
        "nn.Softmax(dim=1) 把每一行变成和为 1 的概率。参数步骤列出 model.named_parameters()："
        "每个权重和偏置张量及其统计量，训练时还显示它从初始化以来移动了多远。",
    ),
    # header
    "anat.header.step": ("Anatomy {i}/{n}: {name}", "模型解剖 {i}/{n}：{name}"),
    "anat.header.images": ("test #{indices}", "测试集 #{indices}"),
    "anat.model.untrained": ("untrained, seed {seed}", "未训练，种子 {seed}"),
    "anat.model.epoch": ("after epoch {epoch}", "第 {epoch} 轮后"),
    "anat.model.checkpoint": ("checkpoint {name}, epoch {epoch}", "检查点 {name}，第 {epoch} 轮"),
    "anat.step.data": ("Data", "数据"),
    "anat.step.flatten": ("Flatten", "展平"),
    "anat.step.linear": ("Linear", "线性层"),
    "anat.step.activation": ("Activation", "激活函数"),
    "anat.step.other": ("Layer", "层"),
    "anat.step.logits": ("Linear → logits", "线性层 → logits"),
    "anat.step.softmax": ("Softmax", "Softmax（概率）"),
    "anat.step.params": ("Parameters", "参数"),
    "anat.loading": ("Loading PyTorch, the model and the test images…", "正在加载 PyTorch、模型和测试图片……"),
    "anat.failed": ("Cannot show the anatomy: {why}", "无法显示模型解剖：{why}"),
    # data step
    "anat.data.loader": (
        "The first batch of DataLoader(test_data, batch_size={bs}):",
        "DataLoader(test_data, batch_size={bs}) 的第一个批次：",
    ),
    "anat.data.picked": (
        "The {k} picked images, through the same DataLoader:",
        "选中的 {k} 张图片，经过同样的 DataLoader：",
    ),
    "anat.data.range": (
        "X: float32 in [{lo}, {hi}] (ToTensor divides the 0–255 pixels by 255); y: class index 0–9.",
        "X：float32，范围 [{lo}, {hi}]（ToTensor 把 0–255 的像素除以 255）；y：类别编号 0–9。",
    ),
    "anat.data.source": ("Data: {source}, {n} test images.", "数据：{source}，{n} 张测试图片。"),
    "anat.data.sample": ("the shipped FashionMNIST sample", "随附的 FashionMNIST 样本"),
    # layer steps
    "anat.layer.shapes": ("input {inp} → output {out}", "输入 {inp} → 输出 {out}"),
    "anat.layer.linear": ("y = x·Wᵀ + b, W {w}, b {b}", "y = x·Wᵀ + b，W {w}，b {b}"),
    "anat.layer.flatten": (
        "Each 1×28×28 image becomes one row of 784 values (the heat strip wraps that row).",
        "每张 1×28×28 的图片变成一行 784 个数（热图把这一行折成多行显示）。",
    ),
    "anat.layer.values": ("min {min}  max {max}  mean {mean}", "最小 {min}  最大 {max}  均值 {mean}"),
    "anat.layer.first": ("first: {values}", "前几个：{values}"),
    "anat.layer.zeroed": (
        "zeroed {zeroed} of {n} ({pct}%), {neg} inputs were negative",
        "置零 {zeroed}/{n}（{pct}%），{neg} 个输入为负",
    ),
    "anat.layer.before": ("before", "之前"),
    "anat.layer.after": ("after", "之后"),
    "anat.layer.legend": (
        "heat map: one cell per value, blue < 0 < red, full colour at ±{scale}",
        "热图：每格一个数，蓝 < 0 < 红，±{scale} 时颜色最深",
    ),
    "anat.logits.note": (
        "The last Linear gives one score (logit) per class:",
        "最后一个 Linear 为每个类别给出一个分数（logit）：",
    ),
    "anat.softmax.note": (
        "Each row (image) becomes probabilities that sum to 1:",
        "每一行（每张图片）变成和为 1 的概率：",
    ),
    "anat.softmax.sum": ("sum", "总和"),
    "anat.softmax.top": ("Top class per image:", "每张图片概率最大的类别："),
    "anat.softmax.legend": (
        "highlighted: each image's top class; ▸ marks the true class",
        "高亮：每张图片概率最大的类别；▸ 标出真实类别",
    ),
    "anat.class": ("class", "类别"),
    # parameters
    "anat.param.name": ("name", "名称"),
    "anat.param.size": ("size", "形状"),
    "anat.param.numel": ("numel", "元素数"),
    "anat.param.mean": ("mean", "均值"),
    "anat.param.std": ("std", "标准差"),
    "anat.param.min": ("min", "最小"),
    "anat.param.max": ("max", "最大"),
    "anat.param.moved": ("moved", "移动"),
    "anat.param.total": (
        "Total: {total} parameters ({trainable} trainable)",
        "合计：{total} 个参数（{trainable} 个可训练）",
    ),
    "anat.param.first": ("first values: {values}", "前几个值：{values}"),
    "anat.param.stats": (
        "mean {mean}  std {std}  min {min}  max {max}",
        "均值 {mean}  标准差 {std}  最小 {min}  最大 {max}",
    ),
    "anat.param.moved_detail": (
        "moved since initialisation: ‖p − p₀‖₂ = {l2} ({rel}% of ‖p₀‖₂)",
        "自初始化以来移动：‖p − p₀‖₂ = {l2}（‖p₀‖₂ 的 {rel}%）",
    ),
    "anat.param.no_initial": (
        "distance moved: shown when the initial weights are known (during a run)",
        "移动距离：知道初始权重时显示（训练过程中）",
    ),
    # errors (domain and CLI)
    "anat.err.count": ("pick 1 to {max} images, not {k}", "请选择 1 到 {max} 张图片，而不是 {k} 张"),
    "anat.err.index": ("image {index} is outside the test set (0..{last})", "图片 {index} 超出测试集范围（0..{last}）"),
    "anat.err.chain": ("the model's forward is not the chain of its layers", "模型的 forward 不是其各层的依次串联"),
    "anat.err.state": ("the weights do not fit the model of this config: {why}", "这些权重与该配置的模型不符：{why}"),
    "anat.cli.json": ("print the whole walk-through as one JSON object", "把整个逐层演示输出为一个 JSON 对象"),
    "anat.cli.checkpoint": (
        "a checkpoint saved by nnlab train (read with weights_only=True)",
        "nnlab train 保存的检查点（以 weights_only=True 读取）",
    ),
    "anat.cli.images": (
        "how many test images to walk through, 1–8 (default 3, as in the tutorial)",
        "要逐层查看的测试图片数量，1–8（默认 3，与教程相同）",
    ),
    "anat.cli.seed": ("initialisation seed of the untrained model (default 0)", "未训练模型的初始化种子（默认 0）"),
    "anat.cli.first": ("index of the first test image (default 0)", "第一张测试图片的编号（默认 0）"),
    "anat.cli.bad": ("{flag}: {why}", "{flag}：{why}"),
    "anat.cli.seed_and_checkpoint": (
        "--seed sets an untrained model's weights; a checkpoint has its own",
        "--seed 用于未训练模型的权重；检查点自带权重",
    ),
    "anat.cli.first_range": (
        "--first {first} with --images {k} goes past the test set ({n} images)",
        "--first {first} 加上 --images {k} 超出了测试集（{n} 张图片）",
    ),
}
