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


def _main():
    import ast
    import builtins
    import json
    import types

    # --- everything the harness needs later, bound now: the code under test may patch modules/builtins
    write, exit_, exec_, compile_, len_, range_, str_, repr_, type_, isinstance_ = (
        os.write, os._exit, exec, compile, len, range, str, repr, type, isinstance)
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
            units.append((is_test, compile_(mod, "<tests>", "exec", dont_inherit=True), label))

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

    def hook(event, args):
        if event in denied:
            raise ValueError("blocked by the R1J harness: " + event)
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
