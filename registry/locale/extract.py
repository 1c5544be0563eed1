"""Babel extraction for cli.py: the ``_()``/``N_()``/``ngettext()`` calls, plus every help text.

click shows a command's docstring and each option's ``help=`` as help; they are written in
English where they are declared (the msgid) and translated when shown (``cli.TranslatedHelp``),
so the catalog needs them although no ``_()`` call names them.  A msgid is the text as click
holds it: an option's help and a command's docstring cleaned as ``inspect.cleandoc`` does.
"""

from __future__ import annotations

import ast
import inspect


def extract(fileobj, keywords, comment_tags, options):
    from babel.messages.extract import extract_python

    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)
    tree = ast.parse(source.decode(options.get("encoding", "utf-8")))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "help" and isinstance(keyword.value, ast.Constant) \
                        and isinstance(keyword.value.value, str):
                    yield keyword.value.lineno, None, inspect.cleandoc(keyword.value.value), []
        elif isinstance(node, ast.FunctionDef) and node.decorator_list and _is_command(node):
            text = ast.get_docstring(node, clean=True)
            if text:
                yield node.body[0].lineno, None, text, []


def _is_command(node: ast.FunctionDef) -> bool:
    """Decorated as a click command or group (``@cli.command()``, ``@export.command("ftm")``, ``@click.group``)."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in ("command", "group"):
            return True
    return False
