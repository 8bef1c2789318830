"""Click, said in Chinese: the usage line, the help, and every usage error a clerk may meet.

Click writes its own words in English ("Usage:", "[required]", "Missing option", "Did you
mean"). Every command of ``wjexcel`` is a :class:`Command` or a :class:`Group` (the group
makes its subcommands of these classes, so a command added later with ``@cli.command()``
is covered too); they

* format help and usage with :class:`Formatter` (用法：wjexcel [选项] 命令 [参数]…),
  Chinese headings and Chinese notes (必填, 默认) after an option's help;
* give every parameter a Chinese metavar and swap click's built-in types (path, choice,
  date, number) for subclasses that refuse a value in Chinese;
* turn each usage error click raises into a :class:`ChineseUsageError` (exit code 2) whose
  message is Chinese, built from the exception's fields, never from its English text.

Nothing here changes click itself: importing this module has no effect on any other
program's commands.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime

import click

from wjexcel.errors import PeriodError

HEADINGS = {"Usage": "用法", "Options": "选项", "Commands": "命令", "Arguments": "参数",
            "Positional arguments": "参数"}
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]…"
HELP_TEXT = "显示帮助并退出"
HINT = "（用 -h 查看帮助）"

_CJK = re.compile(r"[\u3400-\u9fff]")


# --- formatting -------------------------------------------------------------------------------
class Formatter(click.HelpFormatter):
    """Click's help formatter with a Chinese usage prefix and Chinese section headings."""

    def write_usage(self, prog, args="", prefix=None):
        super().write_usage(prog, args, prefix="用法：")

    def write_heading(self, heading):
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")

    def write_dl(self, rows, col_max=30, col_spacing=2):
        """Two columns aligned by display width (a Chinese character takes two columns)."""
        rows = list(rows)
        first = min(max((_width(r[0]) for r in rows), default=0), col_max)
        for term, text in rows:
            pad = first - _width(term)
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            if pad >= 0:
                self.write(" " * (pad + col_spacing))
            else:
                self.write("\n" + " " * (first + col_spacing + self.current_indent))
            indent = first + col_spacing + self.current_indent
            lines = _wrap(text, max(self.width - indent, 20))
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{'':>{indent}}{line}\n")


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` display columns; Chinese breaks anywhere, a run
    of ASCII (an option, a path, a number) is kept whole where it fits."""
    lines, line = [], ""
    for token in re.findall(r"[!-~]+|\s+|.", text.replace("\n", " ")):
        if line and _width(line) + _width(token) > width:
            lines.append(line.rstrip())
            line = "" if token.isspace() else token
        else:
            line += token
    return [*lines, line.rstrip()] if line.strip() or not lines else lines


class Context(click.Context):
    """A context that formats with :class:`Formatter` (for its own command only)."""

    formatter_class = Formatter


class ChineseUsageError(click.UsageError):
    """A usage error whose message is Chinese; shown as the usage line and one 错误 line."""

    def show(self, file=None):
        if self.ctx is not None:
            click.echo(self.ctx.get_usage(), file=file, err=file is None)
        click.echo(error_line(self), file=file, err=file is None)


def error_line(exc: click.UsageError) -> str:
    """The one line a clerk reads for a usage error."""
    return f"错误：{in_chinese(exc).format_message()}{HINT}"


# --- types --------------------------------------------------------------------------------------
class PeriodType(click.ParamType):
    """A period typed by a person (2022Q3, 2022年第三季度, 2022-09 …), checked once, at the edge,
    and handed on as its canonical code (``2022Q3``): every function below takes a code or a
    :class:`~wjexcel.periods.Period`, and a ledger key is always the code."""

    name = "期间"

    def get_metavar(self, param, ctx=None):
        return "期间"

    def convert(self, value, param, ctx):
        from wjexcel.periods import Period

        try:
            return (value if isinstance(value, Period) else Period.parse(value)).code
        except PeriodError as exc:
            self.fail(str(exc), param, ctx)


PERIOD = PeriodType()


class ChinesePath(click.Path):
    """click.Path refusing a path in Chinese."""

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(self._why(value), param, ctx)

    def _why(self, value) -> str:
        import os

        text = os.fsdecode(value)
        if not os.path.lexists(text):
            return f"找不到{_path_word(self)}“{text}”"
        if os.path.isdir(text) and not self.dir_okay:
            return f"“{text}”是文件夹，这里要的是文件"
        if not os.path.isdir(text) and not self.file_okay:
            return f"“{text}”是文件，这里要的是文件夹"
        if self.writable:
            return f"无法写入“{text}”（没有写入权限）"
        return f"无法读取“{text}”（没有读取权限）"


class ChineseChoice(click.Choice):
    """click.Choice refusing a value in Chinese and naming the choices."""

    def get_metavar(self, param, ctx=None):
        return "[" + "|".join(str(c) for c in self.choices) + "]"

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"“{value}”不是可选的值，请从 {'、'.join(str(c) for c in self.choices)} 中选一个", param, ctx)


class ChineseDateTime(click.DateTime):
    """click.DateTime refusing a value in Chinese with an example of each accepted form."""

    def get_metavar(self, param, ctx=None):
        return "日期"

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            example = datetime(2022, 10, 8, 10, 32)
            forms = "或".join(dict.fromkeys(example.strftime(f) for f in self.formats))
            self.fail(f"“{value}”不是日期，请写成 {forms} 这样", param, ctx)


class ChineseInt(click.types.IntParamType):
    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"“{value}”不是整数", param, ctx)


class ChineseFloat(click.types.FloatParamType):
    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"“{value}”不是数字", param, ctx)


_CHINESE_TYPES = {click.Path: ChinesePath, click.Choice: ChineseChoice, click.DateTime: ChineseDateTime,
                  click.types.IntParamType: ChineseInt, click.types.FloatParamType: ChineseFloat}
_METAVARS = {ChineseInt: "整数", ChineseFloat: "数字", click.types.StringParamType: "文字"}


def _chinese_type(kind: click.ParamType) -> click.ParamType:
    """The same type, of the Chinese subclass (its settings copied), where there is one."""
    cls = _CHINESE_TYPES.get(type(kind))
    if cls is None:
        return kind
    copy = cls.__new__(cls)
    copy.__dict__.update(vars(kind))
    return copy


def _path_word(kind) -> str:
    if isinstance(kind, click.Path):
        if not kind.file_okay:
            return "文件夹"
        if not kind.dir_okay:
            return "文件"
    return "文件或文件夹"


def _metavar(param: click.Parameter, ctx) -> str | None:
    """A parameter's Chinese placeholder (文件, 文件夹, 期间 …), or None to keep click's."""
    kind = param.type
    if isinstance(kind, click.Path):
        word = {"文件或文件夹": "路径"}.get(_path_word(kind), _path_word(kind))
    elif isinstance(kind, (ChineseChoice, PeriodType, ChineseDateTime)):
        word = kind.get_metavar(param, ctx)
    else:
        word = _METAVARS.get(type(kind), "值")
    if isinstance(param, click.Argument):
        if not param.required:
            word = f"[{word}]"
        if param.nargs != 1:
            word += "…"
    return word


def _localise(param: click.Parameter, ctx) -> None:
    """Give ``param`` a Chinese type and metavar, once."""
    if getattr(param, "_wjexcel_chinese", False):
        return
    param.type = _chinese_type(param.type)
    if param.metavar is None and not getattr(param, "is_flag", False) and not getattr(param, "count", False):
        param.metavar = _metavar(param, ctx)
    param._wjexcel_chinese = True


def _hint(param: click.Parameter | None, ctx=None) -> str:
    """How a clerk names a parameter: ``选项 -p/--period`` or ``参数 文件…``."""
    if param is None:
        return ""
    if isinstance(param, click.Option):
        return "选项 " + "/".join(param.opts)
    return "参数 " + (param.metavar or param.human_readable_name)


def _option(ctx, name: str) -> click.Option | None:
    if ctx is None:
        return None
    for param in ctx.command.get_params(ctx):
        if isinstance(param, click.Option) and name in (*param.opts, *param.secondary_opts):
            return param
    return None


def _maybe(possibilities) -> str:
    if not possibilities:
        return ""
    return f"。您是不是要 {' 或 '.join(sorted(possibilities))}？"


# --- errors --------------------------------------------------------------------------------------
def in_chinese(exc: click.UsageError, ctx=None) -> click.UsageError:
    """``exc`` as a :class:`ChineseUsageError` (the help shown for a bare command is left as it is).

    ``ctx`` is the context being parsed, for an error click raised without one.
    """
    if isinstance(exc, ChineseUsageError) or is_bare_group(exc):
        return exc
    ctx = exc.ctx or ctx
    param = getattr(exc, "param", None)
    if isinstance(exc, click.MissingParameter):
        if isinstance(param, click.Option):
            text = f"缺少必需的{_hint(param)}" + (f"（{param.metavar}）" if param.metavar else "")
        else:
            text = f"缺少{_hint(param)}"
    elif isinstance(exc, click.NoSuchOption):
        text = f"没有选项 {exc.option_name}{_maybe(exc.possibilities)}"
    elif isinstance(exc, click.BadOptionUsage):
        option = _option(ctx, exc.option_name)
        if option is not None and (option.is_flag or option.count):
            text = f"选项 {exc.option_name} 后面不用写值"
        else:
            what = f"（{option.metavar}）" if option is not None and option.metavar else ""
            text = f"选项 {exc.option_name} 后面缺少值{what}"
    elif isinstance(exc, click.BadParameter):
        message = exc.message if _CJK.search(exc.message or "") else "值不正确"
        text = f"{_hint(param)}：{message}" if isinstance(param, click.Option) else message
    else:
        text = exc.message if _CJK.search(exc.message or "") else "命令的写法不对"
    return ChineseUsageError(text, ctx)


def is_bare_group(exc) -> bool:
    help_error = getattr(click.exceptions, "NoArgsIsHelpError", None)
    return help_error is not None and isinstance(exc, help_error)


def no_such_command(name: str, possibilities, ctx) -> ChineseUsageError:
    close = difflib.get_close_matches(name, list(possibilities))
    return ChineseUsageError(f"没有命令“{name}”{_maybe(close)}", ctx)


def confirm(question: str, default: bool = False) -> bool:
    """Ask yes or no; 是/否 and y/n are both understood, anything else asks again."""
    while True:
        answer = click.prompt(f"{question}（y=是，n=否）", default="y" if default else "n",
                              show_default=False).strip().lower()
        if answer in ("y", "yes", "是", "是的", "确定"):
            return True
        if answer in ("n", "no", "否", "不"):
            return False
        click.echo("请输入 y（是）或 n（否）。", err=True)


# --- commands --------------------------------------------------------------------------------------
class _Chinese:
    """What :class:`Command` and :class:`Group` share."""

    context_class = Context

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            _localise(param, ctx)
        return params

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def parse_args(self, ctx, args):
        allow_extra = ctx.allow_extra_args
        ctx.allow_extra_args = True
        try:
            rest = super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise in_chinese(exc, ctx) from None
        finally:
            ctx.allow_extra_args = allow_extra
        if rest and not allow_extra and not ctx.resilient_parsing:
            raise ChineseUsageError(f"多余的参数：{' '.join(map(str, rest))}", ctx)
        return rest

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            if isinstance(exc, ChineseUsageError):
                raise
            raise self._invoke_error(exc, ctx) from None

    def _invoke_error(self, exc, ctx):
        return in_chinese(exc)

    def format_options(self, ctx, formatter):
        rows = [_help_row(p, ctx) for p in self.get_params(ctx)
                if isinstance(p, click.Option) and not p.hidden]
        if rows:
            with formatter.section("选项"):
                formatter.write_dl(rows)


def _help_row(option: click.Option, ctx) -> tuple[str, str]:
    """An option's two help columns, its notes (必填, 默认) in Chinese."""
    spec = option.get_help_record(ctx)[0]
    notes = []
    if option.required:
        notes.append("必填")
    show = option.show_default if option.show_default is not None else ctx.show_default
    if isinstance(show, str):
        notes.append(f"默认：{show}")
    elif show and not option.is_flag:
        default = option.get_default(ctx, call=False)
        if default is not None and not callable(default) and default != ():
            notes.append(f"默认：{default}")
    help_text = option.help or ""
    if notes:
        help_text = f"{help_text}  [{'；'.join(notes)}]".strip()
    return spec, help_text


class Command(_Chinese, click.Command):
    """A command whose help and usage errors are Chinese."""


class Group(_Chinese, click.Group):
    """A group whose help, usage errors and subcommands (made of these classes) are Chinese."""

    command_class = Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)

    def format_options(self, ctx, formatter):
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def resolve_command(self, ctx, args):
        name = click.utils.make_str(args[0])
        known = self.get_command(ctx, name) is not None or (
            ctx.token_normalize_func is not None and self.get_command(ctx, ctx.token_normalize_func(name)))
        if not known and not ctx.resilient_parsing and not name.startswith("-"):
            raise no_such_command(name, self.list_commands(ctx), ctx)
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            raise in_chinese(exc) from None

    def _invoke_error(self, exc, ctx):
        if exc.ctx is ctx and not ctx.invoked_subcommand and not _CJK.search(exc.message or ""):
            return ChineseUsageError("缺少命令（可用的命令见 -h）", ctx)  # click's "Missing command."
        return in_chinese(exc)


Group.group_class = Group
