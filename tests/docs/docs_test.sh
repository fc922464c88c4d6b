#!/usr/bin/env bash
# The documentation cannot drift from the repository: every repository path that docs/*.md,
# README.md and the component READMEs name exists (a public header may be named as it is
# included, mpitray/COMPONENT/NAME.hpp), and the `mpitray modules` listings and the
# modules' parameter tables in docs/user-guide.md are what the program prints today.
#
# usage: docs_test.sh MPITRAY SOURCE_DIR
set -uo pipefail
mpitray=$1
src=$2

/usr/bin/python3 - "$mpitray" "$src" <<'PY'
import glob
import os
import re
import subprocess
import sys

mpitray, src = sys.argv[1], sys.argv[2]
failures = []

# The repository's top-level folders: a path in the docs is one that starts with one of them.
top = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)) and not d.startswith(".") and d != "build")
docs = sorted(glob.glob(os.path.join(src, "docs", "*.md")) + glob.glob(os.path.join(src, "*.md"))
              + glob.glob(os.path.join(src, "*", "README.md")))
docs = [d for d in docs if os.sep + "build" + os.sep not in d]

inline = re.compile(r"`([^`\n]+)`")
link = re.compile(r"\]\(([^)\s]+)\)")
path_like = re.compile(r"^(?:\./)?(?:%s)/[A-Za-z0-9_.\-/]*$" % "|".join(map(re.escape, top)))


def placeholder(path):
    """`bench/results/ROW.json`, `tests/core/*.cpp`: a pattern, not one file."""
    return "*" in path or any(re.fullmatch(r"[A-Z][A-Z_]+", part.split(".")[0]) and part != "README.md"
                              for part in path.split("/"))


def exists(path, base):
    path = path.split("#", 1)[0]
    if not path:
        return True
    # "core/frame.hpp/.cpp" names two files; check the first.
    path = re.sub(r"/\.[a-z]+$", "", path)
    return any(os.path.exists(os.path.normpath(os.path.join(b, path))) for b in base)


checked = 0
for doc in docs:
    name = os.path.relpath(doc, src)
    here = os.path.dirname(doc)
    in_code_block = False
    for number, line in enumerate(open(doc, encoding="utf-8"), 1):
        if line.lstrip().startswith("```"):
            in_code_block = not in_code_block
            continue
        # In a code block every word may be a path (commands); elsewhere, what is in backticks.
        words = re.split(r"[\s'\"=,;()\[\]]+", line) if in_code_block else [t.strip() for t in inline.findall(line)]
        candidates = [(w, [src, here]) for w in words if path_like.match(w) and not placeholder(w)]
        # A public header named as it is included, mpitray/COMPONENT/NAME.hpp, lives in
        # COMPONENT/include/mpitray/COMPONENT/.
        candidates += [(os.path.join(m.group(1), "include", w.strip("<>")), [src]) for w in words
                       for m in [re.fullmatch(r"<?mpitray/([a-z]+)/[A-Za-z0-9_]+\.hpp>?", w)] if m and not placeholder(w)]
        # A document named anywhere ("see design.md") must be one the repository has.
        candidates += [(d, [src, here, os.path.join(src, "docs")]) for d in re.findall(r"[A-Za-z0-9_./-]+\.md\b", line)
                       if not path_like.match(d) and "/" not in d.strip("./") and not placeholder(d)]
        for target in [] if in_code_block else link.findall(line):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue  # a web address or an anchor on the same page
            candidates.append((target, [here]))
        for path, base in candidates:
            checked += 1
            if not exists(path, base):
                failures.append(f"{name}:{number}: names '{path}', which the repository does not have")

# The module listing pasted after "$ mpitray modules" in the user guide.
guide = open(os.path.join(src, "docs", "user-guide.md"), encoding="utf-8").read()
match = re.search(r"```\n\$ mpitray modules\n(.*?)```", guide, re.S)
if not match:
    failures.append("docs/user-guide.md: no '$ mpitray modules' listing found")
else:
    actual = subprocess.run([mpitray, "modules"], capture_output=True, text=True, check=True).stdout
    if match.group(1) != actual:
        failures.append("docs/user-guide.md: the '$ mpitray modules' listing differs from the program's output; "
                        "paste the real one:\n" + actual)

# Every `$ mpitray modules NAME` listing, and every module's parameter table in the user guide
# (a "### NAME" section whose table starts "| parameter |"), say what `mpitray modules NAME` says.
def listing(module):
    return subprocess.run([mpitray, "modules", module], capture_output=True, text=True).stdout


for pasted in re.finditer(r"```\n\$ mpitray modules (\w+)\n(.*?)```", guide, re.S):
    module, text = pasted.group(1), pasted.group(2)
    if not listing(module).startswith(text):
        failures.append(f"docs/user-guide.md: the '$ mpitray modules {module}' listing differs from the program's "
                        "output; paste the real one:\n" + listing(module))

tables = 0
for section in re.finditer(r"^### (\w+)\n(.*?)(?=^#)", guide, re.S | re.M):
    module, body = section.group(1), section.group(2)
    rows = re.findall(r"^\| `(\w+)` +\| (.*?) +\| (.*?) +\| (.*?) +\|$", body, re.M)
    if not rows or not re.search(r"^\| parameter +\|", body, re.M):
        continue
    tables += 1
    program = []
    for line in listing(module).splitlines()[3:]:
        fields = re.split(r"  +", line.strip())
        if len(fields) == 4:
            program.append(tuple(fields))
    documented = [(name, kind, default.strip("`"), meaning) for name, kind, default, meaning in rows]
    if documented != program:
        wrong = [f"{d} (the program: {p})" for d, p in zip(documented, program) if d != p]
        failures.append(f"docs/user-guide.md: the parameter table of {module} is not what 'mpitray modules {module}' "
                        f"says: {wrong[0] if wrong else f'{len(documented)} rows against {len(program)}'}")

for f in failures:
    print("FAIL:", f)
print(f"{checked} paths and {tables} parameter tables checked in {len(docs)} documents, {len(failures)} problems")
sys.exit(1 if failures else 0)
PY
