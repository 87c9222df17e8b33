# R1J code-verifier harness (trusted). Started by CodeVerifier inside the sandbox as
#     python3 -I harness.py
# stdin: one line with a per-run random nonce, then a JSON job {"program", "tests", "entry_point", "unroll"}.
# It runs the program, then the tests one top-level statement at a time, and reports on the ORIGINAL stdout,
# which it keeps on a private descriptor; fd 1 is pointed at stderr before any untrusted code runs, so
# nothing the code prints can reach the report channel by accident. Every report line starts with the
# nonce, which the code under test never sees (not in argv, env, files or its stdin), and "END" is written
# only after the last test statement returned. The JVM trusts only lines carrying the nonce.
#
# Against deliberate forgery from inside the same interpreter this process (a) makes itself non-dumpable
# (no ptrace / process_vm_readv by other processes of the uid), (b) installs an audit hook, which cannot be
# removed, refusing the ways to reach this module's frames and memory: sys._getframe, sys._current_frames,
# traceback/generator/coroutine frames, gc.get_objects/get_referrers/get_referents, sys.settrace/setprofile,
# ctypes, and opening anything under /proc (the sandbox mounts an empty /proc anyway). The residual risks
# are documented in CodeVerifier's Javadoc.
import os
import sys


def _make_judge(collections, decimal, types, TypeError_, AssertionError_):
    """The comparison judge the rewritten tests call instead of ==, !=, <, in, assertEqual, ... (trusted).

    Returns (judge, guard, functions). judge(op, a, b, *rest) decides a comparison so that a value of a type
    outside the builtins (in particular one the code under test defined: an always-equal object, an int or str
    subclass with a lying __eq__, a mock) never equals a builtin expected value; builtin values compare as
    Python compares them (1 == 1.0, [1, 2] == [1, 2], {1: 'a'} == {1.0: 'a'}), containers element by element
    through the judge, and nothing the code under test defined is called unless both sides are non-builtin.
    guard(fn) wraps a function of the code so that a result holding an object of a type it defined is an error.
    Every reference these functions use is a positional default bound here, before any untrusted code runs
    (positional: a tuple; keyword-only defaults would be a mutable dict): no globals, builtins or closure cells
    (guard's wrapper excepted: it is not reachable from the code), so patching builtins, modules or sys.modules does not reach them,
    and the audit hook refuses to set their __code__/__defaults__.
    """
    NoneType = type(None)
    Decimal = decimal.Decimal
    NUMERIC = frozenset((int, bool, float, complex, Decimal))
    HASHABLE = frozenset((int, bool, float, complex, Decimal, str, bytes, NoneType, range, type,
                          type(Ellipsis), type(NotImplemented)))
    ATOMIC = HASHABLE | frozenset((bytearray,))
    PLAIN = ATOMIC | frozenset((list, tuple, set, frozenset, dict))
    DICTLIKE = frozenset((collections.Counter, collections.OrderedDict, collections.defaultdict))
    deque = collections.deque
    TRUSTED = PLAIN | DICTLIKE | frozenset((deque,))
    IMMUTABLE_TYPE = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE: static and C types; never a class defined in Python
    flags_of = type.__dict__["__flags__"].__get__
    name_of = type.__dict__["__name__"].__get__

    def pure(x, hashable, _type=type, _H=HASHABLE, _A=ATOMIC, _id=id, _set=set, _keys=dict.keys,
             _values=dict.values, _list=list, _tuple=tuple, _fs=frozenset, _s=set, _d=dict):
        # True when x is built of builtin values only (iteratively: no recursion limit, cycles visited once)
        stack = [x]
        seen = _set()
        while stack:
            y = stack.pop()
            t = _type(y)
            if t in _H:
                continue
            if hashable:
                if t is _tuple or t is _fs:
                    stack.extend(y)
                    continue
                return False
            if t in _A:
                continue
            if t is _list or t is _tuple or t is _s or t is _fs or t is _d:
                i = _id(y)
                if i in seen:
                    continue
                seen.add(i)
                if t is _d:
                    stack.extend(_keys(y))
                    stack.extend(_values(y))
                else:
                    stack.extend(y)
                continue
            return False
        return True

    def match(xs, ys, eq, _len=len, _range=range):
        # unordered pairing under the judge, for sets/dicts holding non-builtin keys (quadratic: rare, small)
        used = [False] * _len(ys)
        for x in xs:
            for j in _range(_len(ys)):
                if not used[j] and eq(x, ys[j]):
                    used[j] = True
                    break
            else:
                return False
        return True

    def eq(a, b, _self=None, _type=type, _T=TRUSTED, _N=NUMERIC, _A=ATOMIC, _DL=DICTLIKE, _OD=collections.OrderedDict,
           _copy=dict.copy, _deque=deque, _list=list, _tuple=tuple, _dict=dict, _S=frozenset((set, frozenset)),
           _len=len, _zip=zip, _keys=dict.keys, _contains=dict.__contains__, _get=dict.__getitem__,
           _items=dict.items, _pure=pure, _match=match, _bool=bool):
        ta = _type(a)
        tb = _type(b)
        if ta in _DL or tb in _DL:
            if ta is _OD and tb is _OD and not _self(_list(_keys(a)), _list(_keys(b))):
                return False  # two OrderedDicts compare in order, as in Python
            if ta in _DL:
                a, ta = _copy(a), _dict  # the raw items, whatever the class's methods were patched to
            if tb in _DL:
                b, tb = _copy(b), _dict
        ka = ta in _T
        kb = tb in _T
        if not ka and not kb:
            return _bool(a == b)  # neither is a builtin value: the test compares objects of other classes
        if ka is not kb:
            return False  # a builtin value never equals an object of another (non-builtin) type
        if (ta in _N and tb in _N) or ta in _A or tb in _A:
            return a == b  # C comparisons of builtin scalars (1 == 1.0 == True; 'a' != b'a')
        if ta is _deque or tb is _deque:
            if ta is not tb:
                return False
            a, b, ta, tb = _list(a), _list(b), _list, _list
        if ta is _list or ta is _tuple or tb is _list or tb is _tuple:
            if ta is not tb or _len(a) != _len(b):
                return False
            for x, y in _zip(a, b):
                if x is not y and not _self(x, y):
                    return False
            return True
        if ta is _dict or tb is _dict:
            if ta is not tb or _len(a) != _len(b):
                return False
            if _pure(_list(_keys(a)), True) and _pure(_list(_keys(b)), True):
                for k in _keys(a):
                    if not _contains(b, k):
                        return False
                    x = _get(a, k)
                    y = _get(b, k)
                    if x is not y and not _self(x, y):
                        return False
                return True
            return _match(_list(_items(a)), _list(_items(b)), _self)
        if ta in _S and tb in _S:
            if _len(a) != _len(b):
                return False
            if _pure(a, False) and _pure(b, False):
                return a == b
            return _match(_list(a), _list(b), _self)
        return False

    eq.__defaults__ = (eq,) + eq.__defaults__[1:]

    def contains(x, c, _type=type, _eq=eq, _pure=pure, _T=TRUSTED, _DL=DICTLIKE, _copy=dict.copy, _list=list,
                 _deque=deque, _text=frozenset((str, bytes, bytearray)), _N=NUMERIC,
                 _S=frozenset((set, frozenset, dict)), _keys=dict.keys, range=range, dict=dict):
        tc = _type(c)
        if tc in _text:
            return _type(x) in _T and x in c  # substring test in C (a non-text x raises TypeError, as usual)
        if tc is range:
            return _type(x) in _N and x in c
        if tc not in _T:
            return x in c  # a container of the code's own class: its semantics are what the test asks about
        if tc in _DL:
            c, tc = _copy(c), dict
        if tc is _deque:
            c = _list(c)
        if tc in _S:
            if _pure(x, True) and _pure(c, False):
                return x in c
            c = _list(_keys(c)) if tc is dict else _list(c)
        elif _pure(x, False) and _pure(c, False):
            return x in c
        for y in c:
            if y is x or _eq(x, y):
                return True
        return False

    def judge(op, a, b, rest=(), _eq=eq, _contains=contains, _pure=pure, _type=type, _N=NUMERIC, _abs=abs,
              _round=round, _len=len, _TE=TypeError_, _AE=AssertionError_, _name=name_of):
        if op == 0:
            return _eq(a, b)
        if op == 1:
            return not _eq(a, b)
        if op <= 5:
            if not (_pure(a, False) and _pure(b, False)):
                raise _TE("R1J judge: an object of a type outside the builtins cannot be ordered against "
                          "another value in a test")
            if op == 2:
                return a < b
            if op == 3:
                return a <= b
            if op == 4:
                return a > b
            return a >= b
        if op == 6:
            return _contains(a, b)
        if op == 7:
            return not _contains(a, b)
        if op == 8:
            return a is b
        if op == 9:
            return a is not b
        # assertEqual-style helpers (self.assertEqual(a, b), ...): rest holds their other arguments
        if op == 10:
            ok = _eq(a, b)
        elif op == 11:
            ok = not _eq(a, b)
        elif op == 12:
            ok = _contains(a, b)
        elif op == 13:
            ok = not _contains(a, b)
        else:  # 14: assertAlmostEqual(a, b, places=7, msg=None, delta=None); 15: assertNotAlmostEqual
            places = rest[0] if _len(rest) > 0 else 7
            delta = rest[1] if _len(rest) > 1 else None
            ok = _eq(a, b)
            if not ok and _type(a) in _N and _type(b) in _N:
                ok = _abs(a - b) <= delta if delta is not None else _round(_abs(a - b), places) == 0
            if op == 15:
                ok = not ok
        if not ok:
            raise _AE("R1J judge: assertion on " + _name(_type(a)) + " and " + _name(_type(b)) + " failed")
        return None

    def allowed(r, _type=type, _T=TRUSTED, _DL=DICTLIKE, _flags=flags_of, _imm=IMMUTABLE_TYPE, _id=id,
                _copy=dict.copy, _keys=dict.keys, _values=dict.values, _list=list, _deque=deque,
                _C=frozenset((list, tuple, set, frozenset)), _set=set, dict=dict):
        # None when r is built of builtin values and instances of C types; else the offending type
        stack = [r]
        seen = _set()
        while stack:
            y = stack.pop()
            t = _type(y)
            if t in _C or t is dict or t in _DL or t is _deque:
                i = _id(y)
                if i in seen:
                    continue
                seen.add(i)
                if t is dict or t in _DL:
                    d = _copy(y)
                    stack.extend(_keys(d))
                    stack.extend(_values(d))
                else:
                    stack.extend(_list(y) if t is _deque else y)
            elif t not in _T and not (_flags(t) & _imm):
                return t
        return None

    def guard(fn, _allowed=allowed, _TE=TypeError_, _name=name_of):
        def guarded(*args, **kwargs):
            r = fn(*args, **kwargs)
            bad = _allowed(r)
            if bad is not None:
                raise _TE("R1J judge: the code under test returned an object of type '" + _name(bad)
                          + "', which is not a builtin value")
            return r
        return guarded

    return judge, guard, (eq, contains, judge, allowed, guard, pure, match)


class _Judged:
    """Rewrites a test's comparisons and assertEqual-style calls into calls of the judge (a constant)."""
    OPS = {"Eq": 0, "NotEq": 1, "Lt": 2, "LtE": 3, "Gt": 4, "GtE": 5, "In": 6, "NotIn": 7, "Is": 8, "IsNot": 9}
    ASSERTS = {"assertEqual": 10, "assertEquals": 10, "assertListEqual": 10, "assertTupleEqual": 10,
               "assertDictEqual": 10, "assertSetEqual": 10, "assertSequenceEqual": 10, "assertMultiLineEqual": 10,
               "assertNotEqual": 11, "assertNotEquals": 11, "assertIn": 12, "assertNotIn": 13,
               "assertAlmostEqual": 14, "assertAlmostEquals": 14, "assertNotAlmostEqual": 15}

    @staticmethod
    def transformer(ast, sentinel):
        ops, asserts = _Judged.OPS, _Judged.ASSERTS

        def call(code, args):
            return ast.Call(func=ast.Constant(sentinel), args=[ast.Constant(code)] + args, keywords=[])

        class Rewrite(ast.NodeTransformer):
            def visit_Compare(self, node):
                self.generic_visit(node)
                codes = [ops[type(o).__name__] for o in node.ops]
                if all(c >= 8 for c in codes):
                    return node  # identity tests cannot be forged
                operands = [node.left] + node.comparators
                if len(codes) == 1:
                    return ast.copy_location(call(codes[0], operands), node)
                # a < b < c: every operand evaluated once, left to right (eagerly: the test fails either way)
                names = ["_r1j_c%d_%d" % (id(node) % 100000, i) for i in range(len(operands))]
                parts = []
                for i, c in enumerate(codes):
                    left = ast.NamedExpr(target=ast.Name(names[i], ast.Store()), value=operands[i]) if i == 0 \
                        else ast.Name(names[i], ast.Load())
                    right = ast.NamedExpr(target=ast.Name(names[i + 1], ast.Store()), value=operands[i + 1])
                    parts.append(call(c, [left, right]))
                return ast.copy_location(ast.BoolOp(op=ast.And(), values=parts), node)

            def visit_Call(self, node):
                self.generic_visit(node)
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else None
                if name in asserts and len(node.args) >= 2:
                    code = asserts[name]
                    rest = list(node.args[2:])
                    if code >= 14:
                        kw = {k.arg: k.value for k in node.keywords}
                        places = rest[0] if rest else kw.get("places", ast.Constant(7))
                        delta = kw.get("delta", ast.Constant(None))
                        return ast.copy_location(call(code, node.args[:2] + [ast.Tuple([places, delta], ast.Load())]), node)
                    return ast.copy_location(call(code, node.args[:2]), node)
                return node

        return Rewrite()

    @staticmethod
    def bind(code, sentinel, judge, CodeType):
        # the sentinel string constant becomes the judge object itself, in this code object and nested ones
        consts = []
        for c in code.co_consts:
            if type(c) is str and c == sentinel:
                c = judge
            elif type(c) is CodeType:
                c = _Judged.bind(c, sentinel, judge, CodeType)
            consts.append(c)
        return code.replace(co_consts=tuple(consts))


def _main():
    import ast
    import builtins
    import collections
    import decimal
    import json
    import types
    import warnings

    # --- everything the harness needs later, bound now: the code under test may patch modules/builtins
    write, exit_, exec_, compile_, len_, range_, str_, repr_, type_, isinstance_ = (
        os.write, os._exit, exec, compile, len, range, str, repr, type, isinstance)
    callable_, issubclass_, module_type = callable, issubclass, types.ModuleType
    BaseException_, Exception_ = BaseException, Exception
    dict_, list_, dict_update = dict, list, dict.update

    data = b""
    while True:
        chunk = os.read(0, 1 << 20)
        if not chunk:
            break
        data += chunk
    os.close(0)
    os.open(os.devnull, os.O_RDONLY)  # becomes fd 0: input() sees EOF
    newline = data.index(b"\n")
    nonce = data[:newline].decode("ascii")
    job = json.loads(data[newline + 1:].decode("utf-8"))
    del data
    program, tests = job["program"], job.get("tests") or ""
    entry, unroll = job.get("entry_point"), bool(job.get("unroll"))
    del job
    if entry is not None and not (isinstance_(entry, str_) and entry.isidentifier()):
        exit_(4)

    rep = os.dup(1)          # the report channel (non-inheritable: children never get it)
    os.dup2(2, 1)            # untrusted prints now go to stderr

    prefix = (nonce + " ").encode("ascii")
    del nonce

    def clean(text, limit=300):
        try:
            text = str_(text)
        except BaseException_:
            text = "?"
        text = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return text[:limit]

    def describe(e):
        try:
            return clean(type_(e).__name__, 80) + ": " + clean(e)
        except BaseException_:
            return "exception"

    # --- compile everything before any untrusted code runs
    try:
        program_code = compile_(program, "<program>", "exec", dont_inherit=True)
    except BaseException_ as e:
        write(rep, prefix + b"BEGIN 0\n")
        write(rep, prefix + ("PROGRAM syntax " + describe(e) + "\n").encode())
        write(rep, prefix + b"END 0 0 0\n")
        exit_(0)
    try:
        tree = ast.parse(tests, "<tests>")
    except BaseException_ as e:
        write(rep, prefix + ("HARNESS tests do not parse: " + describe(e) + "\n").encode())
        exit_(3)

    # The tests' ==, !=, <, in, ... and assertEqual-style calls become calls of the trusted judge. The judge is
    # not a name the code could rebind: the rewritten tests call a string constant, which is replaced by the
    # judge object in the compiled code objects (compile() accepts no function constants).
    judge, guard, judge_functions = _make_judge(collections, decimal, types, TypeError, AssertionError)
    sentinel = "\x00r1j-judge-" + prefix.decode("ascii")
    tree = _Judged.transformer(ast, sentinel).visit(tree)
    ast.fix_missing_locations(tree)
    CodeType = types.CodeType

    def compile_test(mod):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "'str' object is not callable": the sentinel call, on purpose
            code = compile_(mod, "<tests>", "exec", dont_inherit=True)
        return _Judged.bind(code, sentinel, judge, CodeType)

    def counts_as_test(stmt):
        # an assert, a bare call such as check(f), or a loop/if/with/try holding asserts
        if isinstance_(stmt, (ast.Assert, ast.Expr)):
            return True
        if isinstance_(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return False
        return any(isinstance_(n, ast.Assert) for n in ast.walk(stmt))

    def build(unroll):
        units = []  # (is_test, code, label)

        def add(stmt, label, is_test=None):
            if is_test is None:
                is_test = counts_as_test(stmt)
            mod = ast.Module(body=[stmt], type_ignores=[])
            ast.fix_missing_locations(mod)
            units.append((is_test, compile_test(mod), label))

        has_check_call = any(
            isinstance_(s, ast.Expr) and isinstance_(s.value, ast.Call)
            and isinstance_(s.value.func, ast.Name) and s.value.func.id == "check" for s in tree.body)
        unrolled = False
        for stmt in tree.body:
            if (unroll and entry and isinstance_(stmt, ast.FunctionDef) and stmt.name == "check"
                    and len_(stmt.args.args) == 1 and not has_check_call):
                # partial credit: run check's body statement by statement with the parameter bound
                param = stmt.args.args[0].arg
                add(ast.parse(param + " = " + entry).body[0], "bind " + param, False)
                for inner in stmt.body:
                    add(inner, "check line " + str_(inner.lineno))
                unrolled = True
            else:
                add(stmt, "line " + str_(stmt.lineno))
        if entry and not unrolled and not has_check_call:
            add(ast.parse("check(" + entry + ")").body[0], "check(" + entry + ")")
        return units

    try:
        units = build(unroll)
    except SyntaxError:
        units = build(False)  # check's body is not valid at top level (e.g. a return): run it whole
    total = sum(1 for u in units if u[0])

    # --- lock the process down, then hand the interpreter to untrusted code
    try:
        import ctypes
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0
        del ctypes
    except BaseException_:
        pass
    for name in [m for m in sys.modules if m == "ctypes" or m.startswith("ctypes.") or m == "_ctypes"]:
        del sys.modules[name]

    frame_attrs = frozenset(("tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back", "f_locals",
                             "f_globals"))
    denied = frozenset(("sys._getframe", "sys._current_frames", "sys._current_exceptions",
                        "gc.get_objects", "gc.get_referrers", "gc.get_referents",
                        "sys.settrace", "sys.setprofile"))
    startswith_ = str_.startswith
    realpath = os.path.realpath
    fsdecode = os.fsdecode

    judge_ids = frozenset(id(f) for f in judge_functions)
    id_ = id

    def hook(event, args):
        if event in denied:
            raise ValueError("blocked by the R1J harness: " + event)
        if event == "object.__setattr__":
            if args and id_(args[0]) in judge_ids:
                raise AttributeError("blocked by the R1J harness: the comparison judge is read-only")
            return
        if event == "object.__getattr__":
            if len_(args) > 1 and args[1] in frame_attrs:
                raise AttributeError("blocked by the R1J harness: " + str_(args[1]))
        elif event == "import":
            if args[0] in ("ctypes", "_ctypes"):
                raise ImportError("blocked by the R1J harness: " + args[0])
        elif startswith_(event, "ctypes."):
            raise RuntimeError("blocked by the R1J harness: " + event)
        elif event == "open" and args and not isinstance_(args[0], int):
            try:
                path = realpath(fsdecode(args[0]))
            except BaseException_:
                path = "/proc"
            if path == "/proc" or startswith_(path, "/proc/"):
                raise PermissionError("blocked by the R1J harness: " + path)

    sys.addaudithook(hook)

    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    g = main.__dict__
    # The tests run in their own namespace whose builtins are a private pristine copy, and before each test
    # statement the modules tests commonly use are put back as they were: patching builtins.abs or
    # math.isclose, or shadowing abs/len/range with a global, cannot make a wrong answer pass.
    pristine = dict_(builtins.__dict__)
    protected = []
    for name in ("builtins", "math", "re", "string", "collections", "itertools", "functools", "operator",
                 "heapq", "bisect", "copy", "typing"):
        mod = sys.modules.get(name) or __import__(name)
        protected.append((name, mod, mod.__dict__, dict_(mod.__dict__)))
    modules = sys.modules

    def restore():
        for name, mod, d, snap in protected:
            for k in list_(d):
                if k not in snap:
                    del d[k]
            dict_update(d, snap)
            modules[name] = mod

    write(rep, prefix + ("BEGIN " + str_(total) + "\n").encode())
    try:
        exec_(program_code, g)
    except BaseException_ as e:
        write(rep, prefix + ("PROGRAM error " + describe(e) + "\n").encode())
        write(rep, prefix + ("END 0 " + str_(total) + " 0\n").encode())
        exit_(0)
    write(rep, prefix + b"PROGRAM ok\n")
    t = {"__name__": "__main__", "__builtins__": pristine}
    for k in list_(g):
        if k != "__builtins__" and (k not in pristine or k == entry):
            t[k] = g[k]
    # What the tests call of the code (functions, lambdas, decorated or builtin callables; not classes) has
    # its results checked: an object of a type the code defined is an error, so abs(f(x) - 2.5) < 1e-9 or
    # math.isclose(f(x), 2.5) cannot be passed by an object with lying arithmetic or __float__.
    for k in list_(t):
        v = t[k]
        if k != "__name__" and callable_(v) and not issubclass_(type_(v), type_) and type_(v) is not module_type:
            t[k] = guard(v)
    passed = 0
    setup_failures = 0
    index = 0
    for is_test, code, label in units:
        try:
            restore()
            exec_(code, t)
            ok = True
        except BaseException_ as e:
            ok = False
            why = describe(e)
        if is_test:
            if ok:
                passed += 1
                write(rep, prefix + ("TEST " + str_(index) + " pass\n").encode())
            else:
                write(rep, prefix + ("TEST " + str_(index) + " fail " + clean(label, 60) + " " + why + "\n").encode())
            index += 1
        elif not ok:
            setup_failures += 1
            write(rep, prefix + ("SETUP fail " + clean(label, 60) + " " + why + "\n").encode())
    write(rep, prefix + ("END " + str_(passed) + " " + str_(total) + " " + str_(setup_failures) + "\n").encode())
    exit_(0)


_main()
