"""Derivatives in expressions: ``grad(f, w)``, ``diff(f, x)``, a derivative taken at a point
(``∇_w L(w₀)``, ``g'(w₁)``) and Leibniz notation for a function the table defines. A mixin of
``build.Builder``."""
from __future__ import annotations

from . import ast as A
from .build_values import Value, _is_1x1, _differ


class CalculusBuilding:
    """Gradients and derivatives (``Builder``'s calculus methods)."""

    def _derivative_of_call(self, node, env):
        """grad(f(x), x) for a given function f: differentiate f's body in a fresh variable and
        evaluate at x, so f's other symbols (parameters like w) are held fixed."""
        from sympy import Derivative, Dummy, MatrixSymbol, Subs

        from .objects import Grad

        order = 1
        while len(node.args) == 2 and isinstance(node.args[0], A.Call) and node.args[0].func == "diff" \
                and node.func == "diff" and len(node.args[0].args) == 2 and node.args[0].args[1] == node.args[1]:
            node, order = node.args[0], order + 1       # φ''(ρ): one derivative of order 2, then at ρ
        if len(node.args) != 2 or not isinstance(node.args[0], A.Call) or not isinstance(node.args[1], A.Name):
            return None
        call, var = node.args
        info = self.table.get(call.func)
        if info is None or info.kind != "function":
            return None
        args = call.args[:len(info.params)]
        where = [i for i, a in enumerate(args) if a == var]
        if self.lenient and not where and var.id in info.params:
            where = [info.params.index(var.id)]         # ∇_w L(w₀): the gradient in w, taken at w₀
            if where[0] >= len(args):
                return None
            var = args[where[0]]
            if not isinstance(var, A.Name):
                return None
        if len(args) != len(info.params) or len(where) != 1:
            return None
        point = self.build(var, env)
        fresh = Dummy(var.id, real=True) if point.shape is None else MatrixSymbol(Dummy(var.id), *point.shape)
        local = {p: (Value(fresh, point.shape) if i == where[0] else self.build(a, env))
                 for i, (p, a) in enumerate(zip(info.params, args))}
        if self.lenient:
            local.update(self._givens_through(info.body, info.params[where[0]], local))
        body = self.build(info.body, local)
        if point.shape is None:
            return Value(Subs(Derivative(self.as_scalar(body, call), (fresh, order), evaluate=False), fresh, point.expr), None)
        if order > 1:
            return None
        if body.shape is not None and not _is_1x1(body.shape):
            raise self.fail("grad(f, v) needs a scalar-valued f", node, shape=True)
        return Value(Grad(body.expr, fresh, point.expr), point.shape)

    def _givens_through(self, body, param: str, local: dict) -> dict:
        """φ(ρ) := F(v₁) with the given v₁ = v₀ − ρp: the givens in a function's body that depend
        on its parameter, built in the function's own variables (so φ'' sees ρ through v₁)."""
        givens, todo = {}, list(A.names_in(body))
        while todo:                                     # the givens the body reaches, transitively
            name = todo.pop()
            info = self.table.get(name)
            if name not in givens and name not in local and info is not None and info.kind == "defined" \
                    and info.body is not None:
                givens[name] = A.names_in(info.body)
                todo.extend(givens[name])
        bound: dict = {}
        changed = True
        while changed:                                  # those that depend on the parameter, in order
            changed = False
            for name, inner in givens.items():
                if name not in bound and (param in inner or any(n in bound for n in inner)):
                    bound[name] = None
                    changed = True
        built: dict = {}
        for _ in range(len(bound)):
            for name in bound:
                if name not in built and not any(n in bound and n not in built for n in givens[name]):
                    built[name] = self.build(self.table[name].body, {**local, **built})
        return built

    def _own_function_applied(self, node):
        """``∇_u q`` after the student's ``q(u) := aᵀu + b`` (q also the problem's scalar): the
        derivative of q(u), in its own parameter."""
        from .symbols import FUNCTION_OF_SCALAR

        if not self.lenient or len(node.args) != 2 or not isinstance(node.args[0], A.Name) \
                or not isinstance(node.args[1], A.Name):
            return node
        own = self.table.get(node.args[0].id + FUNCTION_OF_SCALAR)
        if own is None or node.args[1].id not in own.params:
            return node
        call = A.Call(node.args[0].id, tuple(A.Name(p, node.pos) for p in own.params), node.pos)
        return A.Call(node.func, (call, node.args[1]), node.pos)

    def _call_grad(self, node, env):
        from .objects import Grad

        node = self._own_function_applied(node)

        if self.lenient and len(node.args) == 1 and isinstance(node.args[0], A.Call) \
                and len(node.args[0].args) >= 1 and isinstance(node.args[0].args[0], A.Name):
            node = A.Call("grad", (node.args[0], node.args[0].args[0]), node.pos)   # ∇L(w): in L's argument
        elif self.lenient and len(node.args) == 1 and isinstance(node.args[0], A.Name) \
                and getattr(self.table.get(node.args[0].id), "kind", None) == "function" \
                and len(self.table[node.args[0].id].params) == 1 and self.table[node.args[0].id].params[0] in self.table:
            param = A.Name(self.table[node.args[0].id].params[0], node.pos)   # ∇R for a given R(w): ∇_w R(w)
            node = A.Call("grad", (A.Call(node.args[0].id, (param,), node.pos), param), node.pos)
        elif self.lenient and len(node.args) == 1 and isinstance(node.args[0], A.Call):
            at = self._gradient_at(node.args[0], env)                              # ∇F(v₀ − ρp): at a point
            if at is not None:
                return at
        if self.lenient and len(node.args) == 1 and self.default_wrt and self.default_wrt in A.names_in(node.args[0]) \
                and _is_1x1(self._build(node.args[0], env).shape or (1, 1)):
            node = A.Call("grad", (node.args[0], A.Name(self.default_wrt, node.pos)), node.pos)  # ∇‖Av − b‖²: in v
        special = self._derivative_of_call(node, env)
        if special is not None:
            return special
        f, var = self._args(node, 2, env)
        if var.shape is None:
            return self._call_diff(node, env)  # the gradient in one dimension is the derivative
        if _differ(var.shape[1], 1):
            raise self.fail("grad(f, v) needs a column vector v", node)
        if f.shape is not None and not _is_1x1(f.shape) and self.lenient:
            raise self.fail("the gradient of a vector (a Jacobian, ∇_w r = Xᵀ) is not read", node)
        if f.shape is not None and not _is_1x1(f.shape):
            raise self.fail("grad(f, v) needs a scalar-valued f", node, shape=True)
        point = self._point_of(f.expr, var.expr) if self.lenient else None
        if point is not None:      # ∇_w L(y(w₀)): the gradient in w, taken at w₀
            return Value(Grad(f.expr.xreplace({point: var.expr}), var.expr, point), var.shape)
        return Value(Grad(f.expr, var.expr), var.shape)

    @staticmethod
    def _point_of(f, var):
        """The one point of ``var`` that ``f`` is written at when f does not contain var itself:
        a vector symbol of var's shape whose name extends var's (w₀ for w, θᵗ for θ); else None."""
        from sympy import MatrixSymbol

        if not isinstance(var, MatrixSymbol) or f.has(var):
            return None
        points = [s for s in f.atoms(MatrixSymbol) if s != var and s.shape == var.shape and str(s.name).startswith(str(var.name))]
        return points[0] if len(points) == 1 else None

    def _gradient_at(self, call, env):
        """∇F(expr) for a function F of one vector: F's gradient, evaluated at expr."""
        from sympy import Dummy, MatrixSymbol

        from .objects import Grad

        info = self.table.get(call.func)
        if info is None or info.kind != "function" or len(call.args) != 1 or not info.params:
            return None
        point = self._argument(info.params[0], call.args[0], env) if len(info.params) == 1 else self.build(call.args[0], env)
        if point.shape is None or _differ(point.shape[1], 1):
            return None
        fresh = MatrixSymbol(Dummy(info.params[0]), *point.shape)
        if len(info.params) == 1:
            bound = {info.params[0]: Value(fresh, point.shape)}
        elif point.shape[0] == len(info.params):     # J(u₁, u₂) at a point u: its entries
            bound = {p: Value(fresh[k, 0], None) for k, p in enumerate(info.params)}
        else:
            return None
        body = self.build(info.body, bound)
        if body.shape is not None and not _is_1x1(body.shape):
            return None
        return Value(Grad(body.expr, fresh, point.expr), point.shape)

    def _derivative_at_point(self, node, env):
        """diff(body, x) where x is a function parameter bound to an expression (a given such as
        fp(x0): 'diff(f(x0), x0)' called as fp(σ(η))): the derivative at that point, f'(σ(η)) for a
        declared function, else Subs(d body/dξ, ξ, point)."""
        from sympy import Derivative, Dummy, Subs, Symbol

        if len(node.args) != 2 or not isinstance(node.args[1], A.Name):
            return None
        body = node.args[0]
        info = self.table.get(body.func) if isinstance(body, A.Call) else None
        if info is not None and info.kind == "ufunc" and len(body.args) == 1 and body.args[0] == node.args[1]:
            from ..rules.differentials import derivative_function

            point = self.build(node.args[1], env)
            return Value(derivative_function(info.obj)(self.as_scalar(point, node.args[1])), None)
        if node.args[1].id not in env:
            return None
        point = env[node.args[1].id]
        if point.shape is not None or isinstance(point.expr, Symbol):
            return None
        xi = Dummy("xi", real=True)
        inner = self.as_scalar(self.build(body, {**env, node.args[1].id: Value(xi, None)}), body)
        return Value(Subs(Derivative(inner, xi), xi, point.expr), None)

    def _call_diff(self, node, env):
        from sympy import Derivative, Symbol

        node = self._own_function_applied(node)

        special = self._derivative_of_call(node, env)
        if special is not None:
            return special
        bound = self._derivative_at_point(node, env)
        if bound is not None:
            return bound
        if self.lenient and (entry := self._entry_at_point(node, env)) is not None:
            return entry
        f, var = self._args(node, 2, env)
        if self.lenient:
            leibniz = self._leibniz(f, var, node)
            if leibniz is not None:
                return leibniz
        if var.shape is None and not isinstance(var.expr, Symbol) and _applied_to(f.expr, var.expr):
            from sympy import Dummy, Subs

            t = Dummy("t")       # L'(y) for an abstract L at an expression y: dL/dt at t = y
            return Value(Subs(Derivative(f.expr.func(t), t), t, var.expr), None)
        if var.shape is not None or not isinstance(var.expr, Symbol):
            raise self.fail("diff(f, s) differentiates with respect to a scalar symbol", node)
        x = self.as_scalar(f, node) if f.shape is not None and _is_1x1(f.shape) else f.expr
        if f.shape is not None and not _is_1x1(f.shape):
            raise self.fail("diff(f, s) of a matrix is not supported; differentiate a scalar", node)
        return Value(Derivative(x, var.expr, evaluate=False), None)

    def _entry_at_point(self, node, env):
        """diff(J(v₀), v_i) for a function J of one vector v: entry i of ∇J, taken at v₀."""
        from sympy.matrices.expressions.matexpr import MatrixElement

        call, var = node.args
        if not (isinstance(call, A.Call) and isinstance(var, A.Index) and isinstance(var.base, A.Name)):
            return None
        info = self.table.get(call.func)
        if info is None or info.kind != "function" or tuple(info.params) != (var.base.id,) or call.args == (var.base,):
            return None
        at = self._gradient_at(call, env)
        entry = self.build(var, env).expr
        if at is None or not isinstance(entry, MatrixElement):
            return None
        return Value(MatrixElement(at.expr, entry.i, 0), None)

    def _leibniz(self, f, var, node):
        """∂f/∂w for a vector w is the gradient; ∂f/∂w_j (an entry) is the gradient's entry j."""
        from sympy import MatrixSymbol
        from sympy.matrices.expressions.matexpr import MatrixElement

        from .objects import Grad

        if f.shape is not None and not _is_1x1(f.shape):
            return None
        if var.shape is not None and isinstance(var.expr, MatrixSymbol) and var.shape[1] == 1:
            return Value(Grad(f.expr, var.expr), var.shape)
        if isinstance(var.expr, MatrixElement) and isinstance(var.expr.parent, MatrixSymbol) \
                and var.expr.parent.shape[1] == 1:
            return Value(MatrixElement(Grad(f.expr, var.expr.parent), var.expr.i, 0), None)
        return None


def _applied_to(f, arg) -> bool:
    """Is f an abstract function (a spec's ``kind: function`` with no body) applied to arg alone?"""
    from sympy.core.function import AppliedUndef

    return isinstance(f, AppliedUndef) and f.args == (arg,)
