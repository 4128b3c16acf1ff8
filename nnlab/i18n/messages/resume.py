"""Messages of the resume prompt (the checkpoint is read off the UI thread)."""

MESSAGES = {
    "resume.checking": ("Reading {path} …", "正在读取 {path} …"),
    "resume.unreadable": ("{path} cannot be used: {why}", "无法使用 {path}：{why}"),
}
