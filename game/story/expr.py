"""The expression language of conditions, weights, interpolations and effects.

Story files come from strangers, so nothing here goes near `eval`, `exec` or
`compile`. A condition is tokenized, parsed by a recursive-descent parser with a
depth limit, checked against the declared variables and node ids, and turned
into a tree of small closures that evaluate fast.

Grammar, loosest binding first:

    expr    := or ("if" or "else" expr)?
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum)?
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/" | "%") unary)*
    unary   := "-" unary | atom
    atom    := INT | STRING | "true" | "false" | NAME | NAME "(" args ")" | "(" expr ")"

Effects are `name = expr`, `name += expr` or `name -= expr`, separated by `;`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, cast

from game.presentation import did_you_mean

Value = int | bool | str
Vars = Mapping[str, Value]
Visits = Mapping[str, int]
Evaluator = Callable[[Vars, Visits], Value]
IntEvaluator = Callable[[Vars, Visits], int]
Type = Literal["int", "bool", "str"]

MAX_LENGTH = 1000
MAX_DEPTH = 32
MAX_INT = 2**62  # arithmetic saturates here so a hostile story cannot grow huge integers

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<int>\d+)
  | (?P<string>"[^"\\\n]*"|'[^'\\\n]*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|\+=|-=|&&|\|\||[-+*/%<>=(),;!])
    """,
    re.VERBOSE | re.ASCII,  # only ASCII digits and spaces: '١' is not a number here
)

_KEYWORDS = {"and", "or", "not", "true", "false"}
FUNCTIONS = frozenset({"visits", "visited", "chose", "min", "max", "abs"})
TEMPLATE_WORDS = frozenset({"if", "elif", "else", "end", "or", "sequence", "cycle", "shuffle"})
RESERVED = frozenset(_KEYWORDS) | FUNCTIONS | TEMPLATE_WORDS
"""Names a variable may not take: words of the expression and template languages."""
_COMPARE = {"==", "!=", "<", "<=", ">", ">="}


class ExprError(Exception):
    """A problem in one expression; `column` is 0-based within the expression text."""

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class VarSpec:
    """What the checker needs to know about a declared variable."""

    type: Type
    values: frozenset[str] = frozenset()
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Scope:
    """The names an expression may use."""

    variables: Mapping[str, VarSpec]
    places: frozenset[str] = frozenset()  # node and ending ids, for visits() and visited()
    choices: Mapping[str, frozenset[str]] = field(default_factory=dict)  # node id: its choice keys


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    column: int


def tokenize(source: str) -> list[Token]:
    if len(source) > MAX_LENGTH:
        raise ExprError(f"expression is {len(source)} characters long; the limit is {MAX_LENGTH}")
    tokens: list[Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if not match:
            char = source[position]
            hint = ""
            if char in "\"'":
                hint = " (a string is not closed, or contains a backslash or line break)"
            raise ExprError(f"unexpected character {char!r}{hint}", position)
        kind = match.lastgroup or ""
        text = match.group(0)
        if kind == "op":
            advice = {"&&": "and", "||": "or", "!": "not"}.get(text)
            if advice:
                raise ExprError(f"write '{advice}' instead of '{text}'", position)
        if kind != "space":
            if kind == "name" and text in _KEYWORDS:
                kind = text
            tokens.append(Token(kind, text, position))
        position = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


# --- syntax tree -----------------------------------------------------------


@dataclass(frozen=True)
class Node:
    column: int


@dataclass(frozen=True)
class Literal_(Node):
    value: Value


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class Call(Node):
    function: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Conditional(Node):
    """`then if test else otherwise`, as in Python: only the branch chosen is evaluated."""

    test: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True)
class Chain(Node):
    """Three or more operands joined by operators of one precedence level: `a + b - c`.

    Kept flat and evaluated in a loop, so a long sum cannot build a deep tree.
    """

    first: Node
    rest: tuple[tuple[str, Node], ...]


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> Token:
        if self.token.text != text:
            found = self.token.text or "the end"
            raise ExprError(f"expected '{text}' but found {found!r}", self.token.column)
        return self.advance()

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(
                f"expression is nested too deeply (limit {MAX_DEPTH})", self.token.column
            )

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise ExprError("expression is empty", 0)
        node = self.expression()
        self.finish()
        return node

    def finish(self) -> None:
        token = self.token
        if token.kind != "end":
            if token.text == "=":
                raise ExprError(
                    "use '==' to compare; a single '=' sets a value and belongs in effects",
                    token.column,
                )
            raise ExprError(f"unexpected {token.text!r}", token.column)

    def expression(self) -> Node:
        self.enter()
        node = self.or_()
        if self.token.kind == "name" and self.token.text == "if":
            column = self.advance().column
            test = self.or_()
            if not (self.token.kind == "name" and self.token.text == "else"):
                found = self.token.text or "the end"
                raise ExprError(
                    f"'... if condition' needs 'else ...' after it, but found {found!r}",
                    self.token.column,
                )
            self.advance()
            node = Conditional(column, test, node, self.expression())
        self.depth -= 1
        return node

    def chain(self, operators: tuple[str, ...], operand: Callable[[], Node]) -> Node:
        first = operand()
        rest: list[tuple[str, Node]] = []
        column = first.column
        while self.token.text in operators:
            token = self.advance()
            if not rest:
                column = token.column
            rest.append((token.text, operand()))
        if not rest:
            return first
        if len(rest) == 1:
            return Binary(column, rest[0][0], first, rest[0][1])
        return Chain(column, first, tuple(rest))

    def or_(self) -> Node:
        return self.chain(("or",), self.and_)

    def and_(self) -> Node:
        return self.chain(("and",), self.not_)

    def not_(self) -> Node:
        if self.token.kind == "not":
            column = self.advance().column
            self.enter()
            operand = self.not_()
            self.depth -= 1
            return Unary(column, "not", operand)
        return self.compare()

    def compare(self) -> Node:
        node = self.sum()
        if self.token.text in _COMPARE:
            token = self.advance()
            node = Binary(token.column, token.text, node, self.sum())
            if self.token.text in _COMPARE:
                raise ExprError(
                    "comparisons cannot be chained; join them with 'and'", self.token.column
                )
        return node

    def sum(self) -> Node:
        return self.chain(("+", "-"), self.product)

    def product(self) -> Node:
        return self.chain(("*", "/", "%"), self.unary)

    def unary(self) -> Node:
        if self.token.text == "-":
            column = self.advance().column
            self.enter()
            operand = self.unary()
            self.depth -= 1
            return Unary(column, "-", operand)
        return self.atom()

    def atom(self) -> Node:
        token = self.token
        if token.kind == "int":
            self.advance()
            value = int(token.text[:20])
            if len(token.text) > 18 or value > MAX_INT:
                raise ExprError(f"number {token.text[:20]} is too large", token.column)
            return Literal_(token.column, value)
        if token.kind == "string":
            self.advance()
            return Literal_(token.column, token.text[1:-1])
        if token.kind in ("true", "false"):
            self.advance()
            return Literal_(token.column, token.kind == "true")
        if token.kind == "name":
            self.advance()
            if self.token.text == "(":
                self.advance()
                args: list[Node] = []
                if self.token.text != ")":
                    args.append(self.expression())
                    while self.token.text == ",":
                        self.advance()
                        args.append(self.expression())
                self.expect(")")
                return Call(token.column, token.text, tuple(args))
            return Name(token.column, token.text)
        if token.text == "(":
            self.advance()
            node = self.expression()
            self.expect(")")
            return node
        if token.kind == "end":
            raise ExprError("expression ends too soon", token.column)
        raise ExprError(f"unexpected {token.text!r}", token.column)


def parse(source: str) -> Node:
    """Parse an expression into a syntax tree, or raise ExprError."""
    return _Parser(source).parse()


# --- checking and compiling ----------------------------------------------------


def _clip(value: int) -> int:
    return MAX_INT if value > MAX_INT else -MAX_INT if value < -MAX_INT else value


@dataclass(frozen=True)
class Compiled:
    """A checked expression: its type, its evaluator and the names it reads."""

    type: Type
    evaluate: Evaluator
    reads: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    constant: Value | None = None
    values: frozenset[str] | None = None  # every text value it can give, when known
    source: str = ""  # the expression as written, for tools such as `divergence graph`


@dataclass
class _Checker:
    scope: Scope
    reads: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)

    def check(self, node: Node) -> tuple[Type, Evaluator]:
        if isinstance(node, Literal_):
            value = node.value
            kind: Type = (
                "bool" if isinstance(value, bool) else "int" if isinstance(value, int) else "str"
            )
            return kind, lambda v, n: value
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Unary):
            kind, operand = self.check(node.operand)
            if node.op == "not":
                self.want(kind, "bool", node, "'not' needs a true/false value")
                return "bool", lambda v, n: not operand(v, n)
            self.want(kind, "int", node, "'-' needs a number")
            negated = cast(IntEvaluator, operand)
            return "int", lambda v, n: -negated(v, n)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Chain):
            return self.chained(node)
        if isinstance(node, Conditional):
            return self.conditional(node)
        raise ExprError("unknown expression", node.column)  # pragma: no cover

    def conditional(self, node: Conditional) -> tuple[Type, Evaluator]:
        test_type, test = self.check(node.test)
        self.want(test_type, "bool", node.test, "the condition after 'if' must be true or false")
        then_type, then = self.check(node.then)
        else_type, otherwise = self.check(node.otherwise)
        if then_type != else_type:
            raise ExprError(
                f"both sides of '... if ... else ...' must be of one type, but one is "
                f"{_describe(then_type)} and the other {_describe(else_type)}",
                node.column,
            )
        return then_type, lambda v, n: then(v, n) if test(v, n) else otherwise(v, n)

    def want(self, got: Type, wanted: Type, node: Node, message: str) -> None:
        if got != wanted:
            raise ExprError(f"{message}, but this is {_describe(got)}", node.column)

    def name(self, node: Name) -> tuple[Type, Evaluator]:
        spec = self.scope.variables.get(node.name)
        if spec is None:
            if node.name in self.scope.places:
                raise ExprError(
                    f"'{node.name}' is a node, not a variable; "
                    f"use visits({node.name}) or visited({node.name})",
                    node.column,
                )
            raise ExprError(
                f"unknown variable '{node.name}'{did_you_mean(node.name, self.scope.variables)}",
                node.column,
            )
        self.reads.add(node.name)
        key = node.name
        return spec.type, lambda v, n: v[key]

    def call(self, node: Call) -> tuple[Type, Evaluator]:
        if node.function in ("visits", "visited"):
            if len(node.args) != 1 or not isinstance(node.args[0], Name):
                raise ExprError(f"{node.function}() takes one node or ending id", node.column)
            place = node.args[0].name
            if place not in self.scope.places:
                raise ExprError(
                    f"unknown node or ending '{place}'{did_you_mean(place, self.scope.places)}",
                    node.args[0].column,
                )
            self.places.add(place)
            if node.function == "visits":
                return "int", lambda v, n: n.get(place, 0)
            return "bool", lambda v, n: n.get(place, 0) > 0
        if node.function == "chose":
            return self.chose(node)
        if node.function in ("min", "max"):
            if not node.args:
                raise ExprError(f"{node.function}() needs at least one number", node.column)
            parts = []
            for arg in node.args:
                kind, evaluate = self.check(arg)
                self.want(kind, "int", arg, f"{node.function}() works on numbers")
                parts.append(evaluate)
            items = tuple(cast(IntEvaluator, part) for part in parts)
            pick = min if node.function == "min" else max
            if len(items) == 1:
                return "int", items[0]
            if len(items) == 2:  # the usual case, without a generator per call
                first, second = items
                return "int", lambda v, n: pick(first(v, n), second(v, n))
            return "int", lambda v, n: pick([part(v, n) for part in items])
        if node.function == "abs":
            if len(node.args) != 1:
                raise ExprError("abs() takes one number", node.column)
            kind, evaluate = self.check(node.args[0])
            self.want(kind, "int", node.args[0], "abs() works on numbers")
            number = cast(IntEvaluator, evaluate)
            return "int", lambda v, n: abs(number(v, n))
        known = "visits, visited, chose, min, max, abs"
        raise ExprError(f"unknown function '{node.function}' (known: {known})", node.column)

    def chose(self, node: Call) -> tuple[Type, Evaluator]:
        """`chose(node, choice)`: whether that choice was taken at that node in this run.

        The engine counts choices taken in the visits record under "node/choice".
        """
        if len(node.args) != 2 or not all(isinstance(arg, Name) for arg in node.args):
            raise ExprError(
                "chose() takes a node id and a choice id: chose(dacha, shoot)", node.column
            )
        place_arg, choice_arg = cast(tuple[Name, Name], node.args)
        keys = self.scope.choices.get(place_arg.name)
        if keys is None:
            raise ExprError(
                f"unknown node '{place_arg.name}'{did_you_mean(place_arg.name, self.scope.choices)}",
                place_arg.column,
            )
        if choice_arg.name not in keys:
            raise ExprError(
                f"node '{place_arg.name}' has no choice '{choice_arg.name}'"
                f"{did_you_mean(choice_arg.name, keys)}",
                choice_arg.column,
            )
        tag = f"{place_arg.name}/{choice_arg.name}"
        self.places.add(place_arg.name)
        self.places.add(tag)  # the visits entry it reads, for the checker's state space
        return "bool", lambda v, n: n.get(tag, 0) > 0

    def binary(self, node: Binary) -> tuple[Type, Evaluator]:
        left_type, left = self.check(node.left)
        right_type, right = self.check(node.right)
        op = node.op
        if op in ("and", "or"):
            self.want(left_type, "bool", node.left, f"'{op}' joins true/false conditions")
            self.want(right_type, "bool", node.right, f"'{op}' joins true/false conditions")
            # both sides are proven true/false, so no bool() is needed around them
            if op == "and":
                return "bool", lambda v, n: left(v, n) and right(v, n)
            return "bool", lambda v, n: left(v, n) or right(v, n)
        if op in ("==", "!="):
            if left_type != right_type:
                raise ExprError(
                    f"cannot compare {_describe(left_type)} with {_describe(right_type)}",
                    node.column,
                )
            if left_type == "str":
                self.check_string_values(node.left, node.right)
                self.check_string_values(node.right, node.left)
            fast = _name_against_constant(node)
            if fast is not None:
                return "bool", fast
            if op == "==":
                return "bool", lambda v, n: left(v, n) == right(v, n)
            return "bool", lambda v, n: left(v, n) != right(v, n)
        self.want(left_type, "int", node.left, f"'{op}' works on numbers")
        self.want(right_type, "int", node.right, f"'{op}' works on numbers")
        fast = _name_against_constant(node)
        if fast is not None:
            return "bool", fast
        if op in ("+", "-", "*"):
            return "int", _saturating(op, left, right)
        return _ARITHMETIC[op](left, right)

    def chained(self, node: Chain) -> tuple[Type, Evaluator]:
        operands = [node.first, *(operand for _op, operand in node.rest)]
        checked = [self.check(operand) for operand in operands]
        logic = node.rest[0][0] in ("and", "or")
        wanted: Type = "bool" if logic else "int"
        for operand, (kind, _evaluate) in zip(operands, checked, strict=True):
            op = node.rest[0][0]
            what = f"'{op}' joins true/false conditions" if logic else "arithmetic works on numbers"
            self.want(kind, wanted, operand, what)
        evaluators = tuple(evaluate for _kind, evaluate in checked)
        if node.rest[0][0] == "and":
            return "bool", lambda v, n: all(evaluate(v, n) for evaluate in evaluators)
        if node.rest[0][0] == "or":
            return "bool", lambda v, n: any(evaluate(v, n) for evaluate in evaluators)
        first = cast(IntEvaluator, evaluators[0])
        steps = tuple(
            (_STEP[op], cast(IntEvaluator, evaluate))
            for (op, _operand), evaluate in zip(node.rest, evaluators[1:], strict=True)
        )

        def fold(v: Vars, n: Visits) -> int:
            total = first(v, n)
            for step, evaluate in steps:
                total = step(total, evaluate(v, n))
            return total

        return "int", fold

    def check_string_values(self, side: Node, other: Node) -> None:
        """Catch a misspelt value such as `faction == "sofites"` at load time."""
        if isinstance(side, Name) and isinstance(other, Literal_):
            spec = self.scope.variables[side.name]
            if spec.values and other.value not in spec.values:
                allowed = ", ".join(f'"{value}"' for value in sorted(spec.values))
                raise ExprError(
                    f"'{side.name}' is never \"{other.value}\"; its values are {allowed}",
                    other.column,
                )


def _arith(op: str) -> Callable[[Evaluator, Evaluator], tuple[Type, Evaluator]]:
    def build(left_any: Evaluator, right_any: Evaluator) -> tuple[Type, Evaluator]:
        # the checker has proved both sides are numbers
        left = cast(IntEvaluator, left_any)
        right = cast(IntEvaluator, right_any)
        if op == "/":
            return "int", lambda v, n: _divide(left(v, n), right(v, n))
        if op == "%":
            return "int", lambda v, n: _modulo(left(v, n), right(v, n))
        if op == "<":
            return "bool", lambda v, n: left(v, n) < right(v, n)
        if op == "<=":
            return "bool", lambda v, n: left(v, n) <= right(v, n)
        if op == ">":
            return "bool", lambda v, n: left(v, n) > right(v, n)
        return "bool", lambda v, n: left(v, n) >= right(v, n)

    return build


# The most common condition is a variable against a constant (`supply >= 3`); one closure
# that reads the variable directly is about twice as fast as three nested ones.
_COMPARE_NAME: dict[str, Callable[[str, Value], Evaluator]] = {
    "==": lambda key, c: lambda v, n: v[key] == c,
    "!=": lambda key, c: lambda v, n: v[key] != c,
    "<": lambda key, c: lambda v, n: v[key] < c,  # type: ignore[operator]
    "<=": lambda key, c: lambda v, n: v[key] <= c,  # type: ignore[operator]
    ">": lambda key, c: lambda v, n: v[key] > c,  # type: ignore[operator]
    ">=": lambda key, c: lambda v, n: v[key] >= c,  # type: ignore[operator]
}
_MIRROR = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _saturating(op: str, left_any: Evaluator, right_any: Evaluator) -> Evaluator:
    """`a + b`, `a - b` or `a * b`, saturating at ±MAX_INT, in one closure."""
    left = cast(IntEvaluator, left_any)
    right = cast(IntEvaluator, right_any)
    top, bottom = MAX_INT, -MAX_INT
    if op == "+":

        def add(v: Vars, n: Visits) -> int:
            x = left(v, n) + right(v, n)
            return x if bottom <= x <= top else (top if x > 0 else bottom)

        return add
    if op == "-":

        def subtract(v: Vars, n: Visits) -> int:
            x = left(v, n) - right(v, n)
            return x if bottom <= x <= top else (top if x > 0 else bottom)

        return subtract

    def multiply(v: Vars, n: Visits) -> int:
        x = left(v, n) * right(v, n)
        return x if bottom <= x <= top else (top if x > 0 else bottom)

    return multiply


def _name_against_constant(node: Binary) -> Evaluator | None:
    if node.op not in _COMPARE_NAME:
        return None
    if isinstance(node.left, Name) and isinstance(node.right, Literal_):
        return _COMPARE_NAME[node.op](node.left.name, node.right.value)
    if isinstance(node.left, Literal_) and isinstance(node.right, Name):
        return _COMPARE_NAME[_MIRROR[node.op]](node.right.name, node.left.value)
    return None


def _divide(a: int, b: int) -> int:
    """Whole-number division rounding toward zero; by zero gives zero, not a crash mid-story."""
    if b == 0:
        return 0
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


def _modulo(a: int, b: int) -> int:
    """The remainder that goes with `_divide`: `(a / b) * b + a % b == a`."""
    return 0 if b == 0 else a - b * _divide(a, b)


_STEP: dict[str, Callable[[int, int], int]] = {
    "+": lambda a, b: _clip(a + b),
    "-": lambda a, b: _clip(a - b),
    "*": lambda a, b: _clip(a * b),
    "/": _divide,
    "%": _modulo,
}


_ARITHMETIC = {op: _arith(op) for op in ("/", "%", "<", "<=", ">", ">=")}  # + - *: _saturating


def _describe(kind: Type) -> str:
    return {"int": "a number", "bool": "true/false", "str": "text"}[kind]


def _text_values(tree: Node, scope: Scope) -> frozenset[str] | None:
    """Every text an expression can give, when known: text comes only from literals, text
    variables and conditionals over them."""
    if isinstance(tree, Literal_):
        return frozenset({str(tree.value)})
    if isinstance(tree, Name):
        return scope.variables[tree.name].values or None
    if isinstance(tree, Conditional):
        then, otherwise = _text_values(tree.then, scope), _text_values(tree.otherwise, scope)
        return then | otherwise if then is not None and otherwise is not None else None
    return None


def compile_expression(source: str, scope: Scope, want: Type | None = None) -> Compiled:
    """Parse, check and compile one expression. `want` demands a result type."""
    tree = parse(source)
    checker = _Checker(scope)
    kind, evaluate = checker.check(tree)
    if want is not None and kind != want:
        expected = {"bool": "a condition (true or false)", "int": "a number", "str": "text"}[want]
        raise ExprError(f"expected {expected}, but this is {_describe(kind)}", 0)
    constant: Value | None = None
    if not checker.reads and not checker.places:
        constant = evaluate({}, {})
    values = _text_values(tree, scope) if kind == "str" else None
    return Compiled(
        kind,
        evaluate,
        frozenset(checker.reads),
        frozenset(checker.places),
        constant,
        values,
        source,
    )


# --- effects ----------------------------------------------------------------------

_ASSIGN = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\+=|-=|=)(?!=)\s*(.*?)\s*$", re.DOTALL)


@dataclass(frozen=True)
class Effect:
    """One assignment: `target op= value`. Integers are clamped by the engine."""

    target: str
    op: str
    value: Compiled
    source: str
    column: int = 0


def split_statements(source: str) -> list[tuple[str, int]]:
    """Split `a = 1; b += 2` at semicolons outside strings, keeping each part's column."""
    parts: list[tuple[str, int]] = []
    start = 0
    quote: str | None = None
    for position, char in enumerate(source):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == ";":
            parts.append((source[start:position], start))
            start = position + 1
    parts.append((source[start:], start))
    return [(text, column) for text, column in parts if text.strip()]


def compile_effects(source: str, scope: Scope) -> list[Effect]:
    """Compile `name = expr; name += expr; ...` into checked effects."""
    if len(source) > MAX_LENGTH * 4:
        raise ExprError(f"effects are {len(source)} characters long; the limit is {MAX_LENGTH * 4}")
    effects = []
    for text, column in split_statements(source):
        match = _ASSIGN.match(text)
        if not match:
            raise ExprError(
                f"expected an assignment such as 'supply += 1', found {text.strip()!r}", column
            )
        target, op, value_source = match.groups()
        offset = column + match.start(3)
        spec = scope.variables.get(target)
        if spec is None:
            raise ExprError(
                f"unknown variable '{target}'{did_you_mean(target, scope.variables)}",
                column + match.start(1),
            )
        if not value_source:
            raise ExprError(f"'{target} {op}' needs a value after it", offset)
        try:
            value = compile_expression(value_source, scope)
        except ExprError as error:
            raise ExprError(error.message, offset + error.column) from None
        if op in ("+=", "-=") and spec.type != "int":
            raise ExprError(
                f"'{op}' works on numbers, but '{target}' is {_describe(spec.type)}", offset
            )
        if value.type != spec.type:
            raise ExprError(
                f"'{target}' holds {_describe(spec.type)}, but this value is {_describe(value.type)}",
                offset,
            )
        if spec.type == "str" and spec.values and value.values is not None:
            outside = sorted(value.values - spec.values)
            if outside:
                allowed = ", ".join(f'"{item}"' for item in sorted(spec.values))
                raise ExprError(
                    f"'{target}' cannot be \"{outside[0]}\"; its values are {allowed}", offset
                )
        effects.append(Effect(target, op, value, text.strip(), column))
    return effects
