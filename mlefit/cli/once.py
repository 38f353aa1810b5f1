"""Options that take one value are given once: `-d normal -d gamma` is a usage error, not
a silent gamma fit (click keeps the last value it reads). The words are read as click
reads them (`--name value`, `--name=value`, `-n value`, `-nvalue`; nothing after `--`),
from the command's own option list, so every single-valued option of every command is
covered. The same value given twice is no conflict, nor a flag given twice; a flag and
its opposite (`--header --no-header`) are."""
import click

from ..errors import plain


def conflict(params, args):
    """A one-line message on the first single-valued option given twice with different
    values (or a flag given with its opposite), or None."""
    words = {}
    for p in params:
        if isinstance(p, click.Option):
            words.update({o: (p, True) for o in p.opts})
            words.update({o: (p, False) for o in p.secondary_opts})
    seen = {}
    i = 0
    while i < len(args):
        word, i = args[i], i + 1
        if word == "--":
            break
        if not word.startswith("-") or word == "-":
            continue
        name, eq, inline = word.partition("=") if word.startswith("--") else (word[:2], "", word[2:])
        if name not in words:
            continue
        p, primary = words[name]
        if p.is_flag or p.count:
            value = primary
        elif eq or inline:
            value = inline
        else:
            value, i = (args[i] if i < len(args) else None), i + 1
        if p.multiple or p.count or p.nargs != 1 or value is None:
            continue
        if p.name in seen and seen[p.name][1] != value:
            first, before = seen[p.name]
            if p.is_flag:
                return f"{first} and {name} contradict each other; give one of them"
            return (f"{max(p.opts, key=len)} is given twice with different values ('{plain(before, 40)}' "
                    f"and '{plain(value, 40)}'); give it once")
        seen.setdefault(p.name, (name, value))
    return None


class OnceCommand(click.Command):
    """A click command that refuses a single-valued option given twice with different values."""

    def parse_args(self, ctx, args):
        problem = conflict(self.get_params(ctx), list(args))
        if problem is not None:
            raise click.UsageError(problem, ctx=ctx)
        return super().parse_args(ctx, args)
