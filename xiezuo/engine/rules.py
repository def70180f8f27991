"""The rule language: a small, whitelisted expression language over row codes.

    funds_used <= funds_allocated
    abs(funds_used / funds_allocated * 100 - funds_use_ratio) < 0.01
    in_unit(region_invest, "万元") == key_invest
    sum_parts(pro_e2w) == pro_e2w
    labour_east >= prev(labour_east)

Text is tokenised and parsed once into an AST, which is compiled to nested closures; nothing is
ever passed to `eval`. A value that is missing makes the expression unknown (None), and a rule
whose condition is unknown is not reported.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Union

from xiezuo.core.errors import CatalogueError
from xiezuo.core.money import is_money, money_factor

if TYPE_CHECKING:
    from xiezuo.catalogue.loader import Catalogue, Rule

Value = Union[Decimal, bool, str, None]
Values = Mapping[str, Decimal | str | None]

# ---------------------------------------------------------------- tokens

TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<str>"[^"]*")
  | (?P<op><=|>=|==|!=|[-+*/<>(),])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE,
)
KEYWORDS = {"and", "or", "not", "true", "false"}
FUNCTIONS = {"abs", "round", "min", "max", "if", "prev", "sum_children", "sum_parts", "in_unit", "missing"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise CatalogueError(f"表达式第 {pos + 1} 个字符「{text[pos]}」无法识别")
        kind = m.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, m.group(), pos))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# ---------------------------------------------------------------- AST


@dataclass(frozen=True)
class Num:
    value: Decimal


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class Ref:
    code: str


@dataclass(frozen=True)
class Bool:
    value: bool


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Union[Num, Str, Ref, Bool, Unary, Binary, Call]


class Parser:
    """Recursive descent: or > and > not > comparison > sum > product > unary > atom."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self, text: str | None = None) -> Token:
        tok = self.tokens[self.i]
        if text is not None and tok.text != text:
            found = tok.text or "表达式结尾"
            raise CatalogueError(f"表达式第 {tok.pos + 1} 个字符处应为「{text}」，实为「{found}」")
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.or_()
        if self.peek().kind != "end":
            tok = self.peek()
            raise CatalogueError(f"表达式第 {tok.pos + 1} 个字符处多余的「{tok.text}」")
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.peek().text == "or":
            self.take()
            node = Binary("or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.peek().text == "and":
            self.take()
            node = Binary("and", node, self.not_())
        return node

    def not_(self) -> Node:
        if self.peek().text == "not":
            self.take()
            return Unary("not", self.not_())
        return self.comparison()

    def comparison(self) -> Node:
        node = self.sum_()
        if self.peek().text in {"<", "<=", ">", ">=", "==", "!="}:
            op = self.take().text
            node = Binary(op, node, self.sum_())
        return node

    def sum_(self) -> Node:
        node = self.product()
        while self.peek().text in {"+", "-"}:
            op = self.take().text
            node = Binary(op, node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.peek().text in {"*", "/"}:
            op = self.take().text
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.peek().text == "-":
            self.take()
            return Unary("-", self.unary())
        return self.atom()

    def atom(self) -> Node:
        tok = self.take()
        if tok.kind == "num":
            return Num(Decimal(tok.text))
        if tok.kind == "str":
            return Str(tok.text[1:-1])
        if tok.text == "(":
            node = self.or_()
            self.take(")")
            return node
        if tok.kind == "name":
            if tok.text in ("true", "false"):
                return Bool(tok.text == "true")
            if tok.text in KEYWORDS:
                raise CatalogueError(f"表达式第 {tok.pos + 1} 个字符处不应出现「{tok.text}」")
            if self.peek().text == "(":
                if tok.text not in FUNCTIONS:
                    raise CatalogueError(f"未知函数「{tok.text}」（可用：{'、'.join(sorted(FUNCTIONS))}）")
                self.take("(")
                args: list[Node] = []
                if self.peek().text != ")":
                    args.append(self.or_())
                    while self.peek().text == ",":
                        self.take()
                        args.append(self.or_())
                self.take(")")
                return Call(tok.text, tuple(args))
            return Ref(tok.text)
        raise CatalogueError(f"表达式第 {tok.pos + 1} 个字符处不应出现「{tok.text or '结尾'}」")


MAX_EXPRESSION_CHARS = 4000


def parse_expression(text: str) -> Node:
    if len(text) > MAX_EXPRESSION_CHARS:
        raise CatalogueError(f"表达式过长：{len(text)} 个字符，最多 {MAX_EXPRESSION_CHARS} 个")
    try:
        return Parser(text).parse()
    except RecursionError:
        # Recursive descent: each bracket, sign or `not` is a level; a crafted rule nests thousands.
        raise CatalogueError("表达式嵌套层数过多，请拆成几条规则") from None


def expression_codes(text: str | Node) -> list[str]:
    """The row codes an expression reads, in order of first appearance."""
    node = parse_expression(text) if isinstance(text, str) else text
    out: list[str] = []

    def walk(n: Node) -> None:
        if isinstance(n, Ref) and n.code not in out:
            out.append(n.code)
        elif isinstance(n, Unary):
            walk(n.operand)
        elif isinstance(n, Binary):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, Call):
            for a in n.args:
                walk(a)

    walk(node)
    return out


# ---------------------------------------------------------------- compilation


class Env:
    """What an expression can read for one org unit: this year's and last year's values."""

    __slots__ = ("values", "previous")

    def __init__(self, values: Values, previous: Values | None = None) -> None:
        self.values = values
        self.previous = previous or {}


Compiled = Callable[[Env], Value]


_ARITH: dict[str, Callable[[Decimal, Decimal], Value]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul,
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}


def _num(v: Value) -> Decimal | None:
    if v is None or isinstance(v, Decimal):
        return v
    if isinstance(v, bool):
        return Decimal(int(v))
    try:
        return Decimal(v)
    except InvalidOperation:
        return None


def compile_expression(node: Node, catalogue: Catalogue) -> Compiled:
    """Compile an AST to a closure. Row codes are checked against the catalogue here."""

    def check_code(code: str) -> None:
        if code not in catalogue.by_code:
            raise CatalogueError(f"表达式引用了不存在的行「{code}」")
        if not catalogue.by_code[code].is_value:
            raise CatalogueError(f"「{code}」是标题行，没有数值")

    def code_arg(call: Call, index: int = 0) -> str:
        arg = call.args[index] if len(call.args) > index else None
        if not isinstance(arg, Ref):
            raise CatalogueError(f"{call.name}() 的第 {index + 1} 个参数应为行代码")
        code = arg.code
        check_code(code)
        return code

    def comp(n: Node) -> Compiled:
        if isinstance(n, Num):
            value = n.value
            return lambda env: value
        if isinstance(n, Str):
            text = n.value
            return lambda env: text
        if isinstance(n, Bool):
            flag = n.value
            return lambda env: flag
        if isinstance(n, Ref):
            check_code(n.code)
            code = n.code
            return lambda env: env.values.get(code)
        if isinstance(n, Unary):
            inner = comp(n.operand)
            if n.op == "-":
                return lambda env: None if (v := _num(inner(env))) is None else -v

            def not_(env: Env) -> Value:
                v = inner(env)
                return None if v is None else not v

            return not_
        if isinstance(n, Binary):
            return comp_binary(n)
        if isinstance(n, Call):
            return comp_call(n)
        raise CatalogueError("无法识别的表达式")  # pragma: no cover

    def comp_binary(n: Binary) -> Compiled:
        left, right = comp(n.left), comp(n.right)
        op = n.op
        if op == "and":
            def and_(env: Env) -> Value:
                a = left(env)
                if a is False:
                    return False
                b = right(env)
                if b is False:
                    return False
                return None if a is None or b is None else True
            return and_
        if op == "or":
            def or_(env: Env) -> Value:
                a = left(env)
                if a is True:
                    return True
                b = right(env)
                if b is True:
                    return True
                return None if a is None or b is None else False
            return or_

        if op == "/":
            def divide(env: Env) -> Value:
                a, b = _num(left(env)), _num(right(env))
                if a is None or b is None:
                    return None
                return None if b == 0 else a / b
            return divide
        # The operator is chosen here, once, not on every evaluation (190 rules × 1,000 counties).
        apply = _ARITH[op]

        def arith(env: Env) -> Value:
            a, b = _num(left(env)), _num(right(env))
            if a is None or b is None:
                return None
            result: Value = apply(a, b)
            return result

        return arith

    def comp_call(n: Call) -> Compiled:
        name, args = n.name, n.args
        if name == "prev":
            code = code_arg(n)
            return lambda env: env.previous.get(code)
        if name == "missing":
            code = code_arg(n)
            return lambda env: env.values.get(code) is None
        if name in ("sum_children", "sum_parts"):
            code = code_arg(n)
            relation = "part" if name == "sum_parts" else None
            kids = [r.code for r in catalogue.sub_items(code, relation) if r.is_numeric]
            if not kids:
                raise CatalogueError(f"{name}({code})：该行没有数值子项")

            def total(env: Env) -> Value:
                present = [v for k in kids if isinstance(v := env.values.get(k), Decimal)]
                return sum(present, Decimal(0)) if present else None

            return total
        if name == "in_unit":
            if len(args) != 2 or not isinstance(args[1], Str):
                raise CatalogueError('in_unit(行代码, "单位") 需要两个参数')
            code = code_arg(n)
            source_unit = catalogue.by_code[code].unit
            target_unit = args[1].value
            if not is_money(source_unit) or not is_money(target_unit):
                raise CatalogueError(f"in_unit 只能在 元/万元/亿元 之间换算（{code} 的单位是 {source_unit}）")
            factor = money_factor(source_unit, target_unit)
            return lambda env: None if (v := _num(env.values.get(code))) is None else v * factor
        compiled = [comp(a) for a in args]
        if name == "abs":
            if len(compiled) != 1:
                raise CatalogueError("abs() 需要一个参数")
            f = compiled[0]
            return lambda env: None if (v := _num(f(env))) is None else abs(v)
        if name == "round":
            if len(compiled) != 2 or not isinstance(args[1], Num):
                raise CatalogueError("round(值, 位数) 需要两个参数，位数为常数")
            f, places = compiled[0], int(args[1].value)
            quantum = Decimal(1).scaleb(-places)
            return lambda env: None if (v := _num(f(env))) is None else v.quantize(quantum)
        if name in ("min", "max"):
            if not compiled:
                raise CatalogueError(f"{name}() 至少需要一个参数")
            pick = min if name == "min" else max

            def extreme(env: Env) -> Value:
                vals = [_num(f(env)) for f in compiled]
                if any(v is None for v in vals):
                    return None
                return pick(v for v in vals if v is not None)

            return extreme
        if name == "if":
            if len(compiled) != 3:
                raise CatalogueError("if(条件, 成立时, 不成立时) 需要三个参数")
            cond, yes, no = compiled

            def if_(env: Env) -> Value:
                c = cond(env)
                if c is None:
                    return None
                return yes(env) if c else no(env)

            return if_
        raise CatalogueError(f"未知函数「{name}」")  # pragma: no cover

    return comp(node)


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    check: Compiled
    codes: tuple[str, ...]
    message_parts: tuple[str | Compiled | tuple[str, str], ...]


PLACEHOLDER_RE = re.compile(r"\{(=[^{}]+|[a-z][a-z0-9_]*)\}")


def compile_rule(rule: Rule, catalogue: Catalogue) -> CompiledRule:
    try:
        node = parse_expression(rule.expr)
        check = compile_expression(node, catalogue)
        parts: list[str | Compiled | tuple[str, str]] = []
        pos = 0
        for m in PLACEHOLDER_RE.finditer(rule.message):
            parts.append(rule.message[pos : m.start()])
            body = m.group(1)
            if body.startswith("="):
                parts.append(compile_expression(parse_expression(body[1:]), catalogue))
            else:
                if body not in catalogue.by_code:
                    raise CatalogueError(f"消息中的 {{{body}}} 不是已有的行")
                parts.append(("row", body))
            pos = m.end()
        parts.append(rule.message[pos:])
    except CatalogueError as exc:
        raise CatalogueError(exc.message) from exc
    return CompiledRule(rule=rule, check=check, codes=tuple(_codes_read(node, catalogue)), message_parts=tuple(parts))


def _codes_read(node: Node, catalogue: Catalogue) -> list[str]:
    """Row codes an expression reads, including the sub-items behind sum_children/sum_parts."""
    out = expression_codes(node)

    def walk(n: Node) -> None:
        if isinstance(n, Call):
            if n.name in ("sum_children", "sum_parts") and n.args and isinstance(n.args[0], Ref):
                relation = "part" if n.name == "sum_parts" else None
                for r in catalogue.sub_items(n.args[0].code, relation):
                    if r.is_numeric and r.code not in out:
                        out.append(r.code)
            for a in n.args:
                walk(a)
        elif isinstance(n, Unary):
            walk(n.operand)
        elif isinstance(n, Binary):
            walk(n.left)
            walk(n.right)

    walk(node)
    return out
