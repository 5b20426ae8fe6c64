#!/usr/bin/env python3
"""Turns PostgreSQL's statement log (log_statement = all, log_line_prefix
'%m [%p] %u ') of one spona-server request into a pgbench script: the statements
one server backend sent for the request whose parameters or text contain MARKER
(a person or case id), from the statement after the previous COMMIT through the
COMMIT that ends its transaction. Each parameter $N becomes a pgbench variable
:pK whose value (as the log shows it) goes to OUT.sql.defines, one NAME=VALUE a
line for `pgbench -M prepared -D NAME=VALUE`, so that the replay sends the same
parameters to prepared statements as the server does (a NULL or an empty string
is written in as a literal: pgbench -D takes no empty value). A colon inside a string literal of the SQL ('HH24:MI') is split out
('HH24:' || 'MI') so that pgbench does not take it for a variable. Used by
deploy/bench/pg-compare.sh (docs/performance.md).

usage: capture-sql.py LOG USER MARKER OUT.sql    prints the statement count
"""
import re
import sys

ENTRY = re.compile(r'^\d{4}-\d\d-\d\d [\d:.]+ \w+ \[(\d+)\] (\S*) (LOG|DETAIL|ERROR|'
                   r'STATEMENT|WARNING|HINT|CONTEXT|NOTICE|FATAL):  (.*)$')
STATEMENT = re.compile(r'^(?:statement|execute ([^:]*)): (.*)$', re.S)
PARAMETER = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")
BEGIN = re.compile(r'^\s*(BEGIN|START TRANSACTION)\b', re.I)
END = re.compile(r'^\s*(COMMIT|END|ROLLBACK)\b', re.I)


def entries(path):
    """(pid, user, level, message) per log entry, continuation lines joined."""
    current = None
    with open(path, encoding='utf-8', errors='replace') as log:
        for line in log:
            line = line.rstrip('\n')
            match = ENTRY.match(line)
            if match:
                if current:
                    yield current
                current = [match.group(1), match.group(2), match.group(3), match.group(4)]
            elif current:
                current[3] += '\n' + line
    if current:
        yield current


LITERAL = re.compile(r"'(?:[^']|'')*'")


def split_colons(sql):
    """'HH24:MI' as 'HH24:' || 'MI' (pgbench would read :MI as a variable)."""
    return LITERAL.sub(lambda m: re.sub(r":(?=[A-Za-z_])", ":' || '", m.group(0)), sql)


def statements(path, user):
    """Per backend pid: the list of [sql, {N: logged value}, prepared name] statements."""
    by_pid = {}
    for pid, who, level, message in entries(path):
        if who != user:
            continue
        if level == 'LOG':
            match = STATEMENT.match(message)
            if match:
                by_pid.setdefault(pid, []).append([match.group(2).strip(), {},
                                                   match.group(1) or ''])
        elif level == 'DETAIL' and message.startswith('parameters: ') and by_pid.get(pid):
            by_pid[pid][-1][1] = {int(n): v for n, v in PARAMETER.findall(message)}
    return by_pid


def with_variables(sql, values, defines):
    """sql with $N as :pK (K counting over defines) or NULL."""
    def variable(match):
        value = values.get(int(match.group(1)))
        if value is None:
            return match.group(0)
        if value in ('NULL', "''"):
            return value  # pgbench -D takes no empty value
        defines.append(value[1:-1].replace("''", "'"))
        return ':p%d' % len(defines)
    return re.sub(r'\$(\d+)\b', variable, split_colons(sql))


def request_of(sqls, marker):
    """The request's statements: its session check (the last session_touch before the
    BEGIN of the transaction whose statement first names marker; anything else a worker
    ran between requests, such as a new connection's identify_institution, is not the
    request's), the BEGIN, and everything through the COMMIT."""
    first = next((i for i, (sql, values, _) in enumerate(sqls)
                  if marker in sql or any(marker in v for v in values.values())), None)
    if first is None:
        return None
    start = first
    while start > 0 and not BEGIN.match(sqls[start][0]):
        start -= 1
    touch = start
    while touch > 0 and not END.match(sqls[touch - 1][0]) and sqls[touch][2] != 'session_touch':
        touch -= 1
    if sqls[touch][2] == 'session_touch':
        start = touch
    end = first
    while end < len(sqls) - 1 and not END.match(sqls[end][0]):
        end += 1
    return sqls[start:end + 1]


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    path, user, marker, out = sys.argv[1:]
    for pid, sqls in statements(path, user).items():
        request = request_of(sqls, marker)
        if request:
            defines = []
            with open(out, 'w', encoding='utf-8') as script:
                script.write('-- the statements of one request, captured from %s (pid %s)\n'
                             % (path, pid))
                for sql, values, _ in request:
                    script.write(with_variables(sql, values, defines).rstrip().rstrip(';')
                                 + ';\n')
            with open(out + '.defines', 'w', encoding='utf-8') as lines:
                for number, value in enumerate(defines, 1):
                    lines.write('p%d=%s\n' % (number, value.replace('\n', ' ')))
            print(len(request))
            return
    sys.exit('capture-sql.py: no statement of %s names %s in %s' % (user, marker, path))


main()
