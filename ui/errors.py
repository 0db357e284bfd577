"""Core errors and bad input as short Chinese messages; a reader never sees a stack trace."""

from __future__ import annotations

import logging

from ingest.errors import (
    Forbidden,
    IndexError_,
    InvalidRequest,
    InvalidText,
    ModelError,
    NotFound,
    PlanqaError,
)
from service.validation import MAX_TEXT
from service.validation import check_text as _check

log = logging.getLogger("planqa.ui")


class InputProblem(Exception):
    """Input the UI refuses before calling the service; the message is already in Chinese."""


def check_text(value: str | None, what: str) -> str:
    """The service's check of the text, with its refusal worded in Chinese (``InputProblem``)."""
    try:
        return _check(value or "", what)
    except InvalidText as e:
        if e.reason == "too_long":
            raise InputProblem(f"{what}太长了（{e.length} 字），请控制在 {MAX_TEXT} 字以内。") from None
        if e.reason in ("control", "surrogate"):
            raise InputProblem(f"{what}中含有无法识别的控制字符，请删除后重试。") from None
        raise InputProblem(f"请输入{what}。") from None


def friendly(err: BaseException) -> str:
    """A message a reader can act on; unexpected errors are logged and described generically."""
    if isinstance(err, InputProblem):
        return str(err)
    if isinstance(err, IndexError_):
        return f"索引尚未就绪，暂时无法检索或问答。请先运行 `planqa index` 建立索引后刷新页面。（{err}）"
    if isinstance(err, ModelError):
        return f"向量模型无法加载，请检查模型配置。（{err}）"
    if isinstance(err, NotFound):
        return f"没有找到所请求的内容，文档可能已被更新，请刷新页面。（{err}）"
    if isinstance(err, InvalidRequest):
        return f"请求无法处理：{err}"
    if isinstance(err, Forbidden):
        return "没有执行该操作的权限。"
    if isinstance(err, PlanqaError):
        return f"处理失败：{err}"
    log.exception("unexpected error in the UI", exc_info=err)
    return "出现了意外错误，请稍后重试；如果问题持续，请联系管理员查看服务日志。"


def warn(message: str) -> None:
    """A toast titled in Chinese (Gradio's default title is the English "Warning")."""
    import gradio as gr

    gr.Warning(message, title="提示")
