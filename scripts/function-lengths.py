#!/usr/bin/env python3
"""Lists the C++ functions of Azid's sources that are longer than N lines (default 80), longest first.

    scripts/function-lengths.py [--max N] [--fail] [PATH...]

PATH: files or folders (default: credentials keychain ui app, from the repository's top; tests are not
scanned). A function is a `{...}` block at namespace scope or in a class body whose head ends with `)`,
possibly followed by const, volatile, noexcept(...), override, final, &, &&, a trailing `-> type` or a
constructor's initializer list. Its length counts the lines from its name to its closing brace; the
lambdas and local classes in it are part of it. Comments, string and character literals (raw strings
too) and preprocessor lines are skipped before braces are matched; both branches of an #if count.

Prints `file:line: LENGTH lines: NAME` per function. Exit status 0, or with --fail 1 when any is listed.
Standard library only.
"""

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PATHS = ["credentials", "keychain", "ui", "app"]
EXTENSIONS = (".cpp", ".cc", ".cxx", ".h", ".hh", ".hpp", ".hxx")
STRING_PREFIXES = {"R", "u8", "u", "U", "L", "u8R", "uR", "UR", "LR"}
QUALIFIERS = {"const", "volatile", "override", "final", "noexcept", "mutable", "&", "&&", "try"}
ACCESS = {"public", "private", "protected", "signals", "slots", "Q_SIGNALS", "Q_SLOTS"}
OPEN = {"(": ")", "[": "]"}
TOKEN = re.compile(r"[A-Za-z_]\w*|\d\w*|->|::|&&|\S")


def blank(text):
    """Spaces for every character but newlines."""
    return re.sub(r"[^\n]", " ", text)


def strip_source(source):
    """The source with comments, literals and preprocessor lines turned into spaces (newlines kept)."""
    out = []
    i, n = 0, len(source)
    line_start = True  # only whitespace since the last newline
    while i < n:
        c = source[i]
        if c == "\n":
            out.append(c)
            i += 1
            line_start = True
            continue
        if c in " \t\r\f\v":
            out.append(c)
            i += 1
            continue
        if line_start and c == "#":
            end = i
            while True:  # the directive, with its continuation lines and comments
                newline = source.find("\n", end)
                newline = n if newline < 0 else newline
                comment = source.find("/*", end, newline)
                if comment >= 0:
                    close = source.find("*/", comment + 2)
                    end = n if close < 0 else close + 2
                    continue
                if source[end:newline].rstrip("\r").endswith("\\") and newline < n:
                    end = newline + 1
                    continue
                end = newline
                break
            out.append(blank(source[i:end]))
            i = end
            continue
        line_start = False
        if source.startswith("//", i):
            end = source.find("\n", i)
            end = n if end < 0 else end
            out.append(blank(source[i:end]))
            i = end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(blank(source[i:end]))
            i = end
        elif c.isdigit() or (c == "." and i + 1 < n and source[i + 1].isdigit()):
            # A pp-number, so that a digit separator (1'000) is not taken for a character literal.
            match = re.compile(r"\.?\d(?:[eEpP][+-]|'(?=\w)|[\w.])*").match(source, i)
            out.append(match.group())
            i = match.end()
        elif c.isalpha() or c == "_":
            match = re.compile(r"\w+").match(source, i)
            word, end = match.group(), match.end()
            if word in STRING_PREFIXES and end < n and source[end] in "\"'":
                if word.endswith("R") and source[end] == '"':
                    literal_end = raw_string_end(source, end)
                else:
                    literal_end = quoted_end(source, end)
                out.append(blank(source[i:literal_end]))
                i = literal_end
            else:
                out.append(word)
                i = end
        elif c in "\"'":
            end = quoted_end(source, i)
            out.append(blank(source[i:end]))
            i = end
        else:
            out.append(c)
            i += 1
    return "".join(out)


def quoted_end(source, i):
    """The index after the string or character literal that starts with the quote at i."""
    quote, j, n = source[i], i + 1, len(source)
    while j < n and source[j] != quote and source[j] != "\n":
        j += 2 if source[j] == "\\" else 1
    return min(j + 1, n)


def raw_string_end(source, i):
    """The index after the raw string R"delim( ... )delim" whose quote is at i."""
    paren = source.find("(", i)
    if paren < 0:
        return len(source)
    close = source.find(")" + source[i + 1 : paren] + '"', paren)
    return len(source) if close < 0 else close + paren - i + 1


def tokenize(text):
    tokens, line, last = [], 1, 0
    for match in TOKEN.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        tokens.append((match.group(), line))
    return tokens


def matching(tokens, start, end):
    """The index of the closing token that matches tokens[start] ('{', '(' or '['), or len(tokens)."""
    opening = tokens[start][0]
    closing = {"{": "}", "(": ")", "[": "]"}[opening]
    depth = 0
    for k in range(start, end):
        if tokens[k][0] == opening:
            depth += 1
        elif tokens[k][0] == closing:
            depth -= 1
            if depth == 0:
                return k
    return end


def opening_of(head, k):
    """The index in head of the '(' that matches the ')' at k, or -1."""
    depth = 0
    for j in range(k, -1, -1):
        if head[j][0] == ")":
            depth += 1
        elif head[j][0] == "(":
            depth -= 1
            if depth == 0:
                return j
    return -1


def strip_qualifiers(head):
    """head without the trailing const, noexcept(...), &, override... of a function declarator."""
    while head:
        if head[-1][0] in QUALIFIERS:
            head = head[:-1]
        elif head[-1][0] == ")":
            j = opening_of(head, len(head) - 1)
            if j > 0 and head[j - 1][0] == "noexcept":
                head = head[: j - 1]
            else:
                break
        else:
            break
    return head


def depth_zero(head):
    """The indices of head's tokens outside parentheses and brackets."""
    depth, result = 0, []
    for k, (text, _) in enumerate(head):
        if text in OPEN:
            depth += 1
        elif text in (")", "]"):
            depth -= 1
        elif depth == 0:
            result.append(k)
    return result


def without_initializers(head):
    """head cut before a constructor's initializer list (a ':' after the parameters' ')')."""
    for k in depth_zero(head):
        if head[k][0] == ":" and [text for text, _ in strip_qualifiers(head[:k])[-1:]] == [")"]:
            return head[:k], True
    return head, False


KEYWORDS = {"if", "for", "while", "switch", "catch", "return", "sizeof", "decltype", "alignas", "static_assert"}


def declarator(head):
    """(name, line) of the function whose head this is, or None when head does not end a function's."""
    head, _ = without_initializers(head)
    head = strip_qualifiers(head)
    arrows = [k for k in depth_zero(head) if head[k][0] == "->"]
    if arrows:  # a trailing return type
        head = strip_qualifiers(head[: arrows[-1]])
    if not head or head[-1][0] != ")":
        return None
    k = opening_of(head, len(head) - 1) - 1
    if k < 0:
        return None
    if head[k][0] == "]":  # a lambda at namespace scope
        return "lambda", head[k][1]
    texts = [text for text, _ in head]
    operator = next((m for m in range(k, max(k - 3, -1), -1) if texts[m] == "operator"), None)
    if operator is not None:  # operator(), operator==, operator[] ...
        name, k = "".join(texts[operator : k + 1]), operator
    elif re.match(r"[A-Za-z_]", texts[k]) and texts[k] not in KEYWORDS:
        name = texts[k]
        if k > 0 and texts[k - 1] == "~":
            name, k = "~" + name, k - 1
    else:
        return None
    while k >= 2 and texts[k - 1] == "::" and re.match(r"[A-Za-z_]", texts[k - 2]):
        name, k = texts[k - 2] + "::" + name, k - 2
    return name, head[k][1]


def scan(tokens):
    """[(name, first line, last line)] of the functions in the token list."""
    functions = []
    i, n = 0, len(tokens)
    head = []
    while i < n:
        text, line = tokens[i]
        if text in (";", "}"):
            head = []
        elif text == ":" and head and head[-1][0] in ACCESS and all(t in ACCESS for t, _ in head):
            head = []  # public:, public slots:, signals:
        elif text == "{" and sum({"(": 1, ")": -1}.get(t, 0) for t, _ in head) > 0:
            head.append(("{}", line))  # a default argument's braces: the parameter list goes on
            i = matching(tokens, i, n) + 1
            continue
        elif text == "{":
            i = open_brace(tokens, i, head, functions)
            continue
        else:
            head.append((text, line))
        i += 1
    return functions


def open_brace(tokens, i, head, functions):
    """Handles the '{' at tokens[i] at namespace or class scope and returns the index to go on from:
    inside a namespace or class body, whose members follow; after any other block."""
    last_paren = max([k for k, (text, _) in enumerate(head) if text == ")"], default=-1)
    words = [head[k][0] for k in depth_zero(head)]
    tail = [text for text, _ in head[last_paren + 1 :]]
    if "namespace" in words or words == ["extern"] or (
        "enum" not in tail and any(word in ("class", "struct", "union") for word in tail)
    ):
        head.clear()
        return i + 1
    end = matching(tokens, i, len(tokens))
    _, has_initializers = without_initializers(head)
    if has_initializers and re.match(r"[\w>]", head[-1][0]) and head[-1][0] not in QUALIFIERS:
        head.append(("}", head[-1][1]))  # a member's {initializer}: the list goes on
        return end + 1
    found = declarator(head)
    if found and end < len(tokens):
        functions.append((found[0], found[1], tokens[end][1]))
    head.clear()
    return end + 1


def scan_file(path):
    with open(path, encoding="utf-8", errors="replace") as source:
        return scan(tokenize(strip_source(source.read())))


def source_files(paths):
    for path in paths:
        if os.path.isfile(path):
            yield path
            continue
        for folder, subfolders, files in os.walk(path):
            subfolders[:] = sorted(d for d in subfolders if not d.startswith((".", "build")))
            for name in sorted(files):
                if name.endswith(EXTENSIONS):
                    yield os.path.join(folder, name)


def main():
    parser = argparse.ArgumentParser(description="C++ functions longer than N lines, longest first.")
    parser.add_argument("--max", type=int, default=80, metavar="N", help="longest allowed (default 80)")
    parser.add_argument("--fail", action="store_true", help="exit 1 when any function is longer")
    parser.add_argument("paths", nargs="*", help="files or folders (default: credentials keychain ui app)")
    arguments = parser.parse_args()
    paths = arguments.paths or [os.path.join(ROOT, path) for path in DEFAULT_PATHS]
    found = []
    for path in source_files(paths):
        shown = os.path.relpath(path, ROOT) if os.path.abspath(path).startswith(ROOT + os.sep) else path
        for name, first, last in scan_file(path):
            length = last - first + 1
            if length > arguments.max:
                found.append((length, shown, first, name))
    found.sort(key=lambda item: (-item[0], item[1], item[2]))
    try:
        for length, shown, first, name in found:
            print(f"{shown}:{first}: {length} lines: {name}")
        sys.stdout.flush()
    except BrokenPipeError:  # | head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    print(f"{len(found)} function(s) longer than {arguments.max} lines", file=sys.stderr)
    return 1 if arguments.fail and found else 0


if __name__ == "__main__":
    sys.exit(main())
