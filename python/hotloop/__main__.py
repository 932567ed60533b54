"""Command line: ``python -m hotloop bench [...]`` and ``python -m hotloop info``."""

import argparse
import os
import sys


def _cache_dir(hl) -> str:
    config = getattr(hl, "config", None)
    fn = getattr(config, "cache_dir", None)
    if callable(fn):
        try:
            return str(fn())
        except Exception as exc:
            return f"{os.path.expanduser('~/.cache/hotloop')} (config.cache_dir() failed: {exc})"
    return os.path.expanduser("~/.cache/hotloop")


def _threads(hl):
    """hotloop's worker-thread count when it says, else None."""
    for owner, name in ((hl, "get_num_threads"), (getattr(hl, "config", None), "num_threads"),
                        (getattr(hl, "config", None), "get_num_threads")):
        fn = getattr(owner, name, None) if owner is not None else None
        if callable(fn):
            try:
                return int(fn())
            except Exception:
                pass
        elif isinstance(fn, int):
            return fn
    env = os.environ.get("HOTLOOP_NUM_THREADS")
    return int(env) if env and env.isdigit() else None


def _cpu_fallback() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform
    return platform.processor() or platform.machine()


def info(args=None) -> int:
    import hotloop as hl

    rows = []
    host = {}
    try:
        from hotloop import _core
        host = dict(_core.host_info())
    except Exception as exc:  # the extension is not built, or host_info failed
        rows.append(("hotloop core", f"unavailable ({type(exc).__name__}: {exc})"))
    version = host.get("hotloop_version") or getattr(hl, "__version__", None) or "?"
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    threads = _threads(hl)
    rows[:0] = [("hotloop", version)]
    if host:
        width = host.get("vector_width_bits")
        lanes = f" ({width // 64} x float64, {width // 32} x float32)" if width else ""
        model = _cpu_fallback()
        cpu = host.get("cpu", "?")
        rows += [
            ("CPU", cpu if model in ("", cpu) else f"{cpu} ({model})"),
            ("vector width", f"{width} bits{lanes}" if width else "?"),
            ("LLVM", host.get("llvm_version", "?")),
        ]
    else:
        rows.append(("CPU", _cpu_fallback()))
    rows += [
        ("CPU cores", f"{cores}" + (f" ({usable} usable by this process)"
                                    if usable != cores else "")),
        ("threads", f"{threads}" if threads is not None else f"{usable} (usable cores)"),
        ("cache folder", _cache_dir(hl)),
        ("Python", sys.version.split()[0]),
    ]
    try:
        import numpy
        rows.append(("NumPy", numpy.__version__))
    except Exception:
        pass
    if host.get("features"):
        feats = [f for f in str(host["features"]).split(",") if f]
        enabled = sorted(f.lstrip("+") for f in feats if not f.startswith("-"))
        rows.append(("CPU features", " ".join(enabled) if enabled else host["features"]))
    shown = {"cpu", "features", "vector_width_bits", "llvm_version", "hotloop_version"}
    rows += [(k, str(v)) for k, v in host.items() if k not in shown]

    w = max(len(k) for k, _ in rows)
    for k, v in rows:
        if k == "CPU features":
            v = _wrap(v, 100 - w - 2, " " * (w + 2))
        print(f"{k.ljust(w)}  {v}")
    return 0


def _wrap(text, width, indent):
    words, lines, cur = text.replace(",", " ").split(), [], ""
    for word in words:
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    if cur:
        lines.append(cur)
    return ("\n" + indent).join(lines)


def build_parser() -> argparse.ArgumentParser:
    from hotloop import bench

    parser = argparse.ArgumentParser(prog="python -m hotloop",
                                     description="hotloop: a JIT compiler for numerical Python")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    pb = sub.add_parser("bench", help="run the workloads side by side with numpy, numexpr, "
                                      "Numba; print times and ratios",
                        description=bench.DESCRIPTION)
    bench.add_arguments(pb)
    sub.add_parser("info", help="print the CPU, vector width, LLVM version, threads and "
                                "cache folder")
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "bench":
        from hotloop import bench
        return bench.main(args)
    if args.command == "info":
        return info(args)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
