#!/usr/bin/env python3
"""Turns PostgreSQL's statement log (log_statement = all, log_line_prefix
'%m [%p] %u ') of one spona-server request into a pgbench script: the statements
one server backend sent for the request whose parameters or text contain MARKER
(a person or case id), from the statement after the previous COMMIT through the
COMMIT that ends its transaction, parameters written in as the literals the log
shows. Used by deploy/bench/pg-compare.sh (docs/performance.md).

usage: capture-sql.py LOG USER MARKER OUT.sql    prints the statement count
"""
import re
import sys

ENTRY = re.compile(r'^\d{4}-\d\d-\d\d [\d:.]+ \w+ \[(\d+)\] (\S*) (LOG|DETAIL|ERROR|'
                   r'STATEMENT|WARNING|HINT|CONTEXT|NOTICE|FATAL):  (.*)$')
STATEMENT = re.compile(r'^(?:statement|execute [^:]*): (.*)$', re.S)
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


def statements(path, user):
    """Per backend pid: the list of statements with their parameters filled in."""
    by_pid = {}
    for pid, who, level, message in entries(path):
        if who != user:
            continue
        if level == 'LOG':
            match = STATEMENT.match(message)
            if match:
                by_pid.setdefault(pid, []).append(match.group(1).strip())
        elif level == 'DETAIL' and message.startswith('parameters: ') and by_pid.get(pid):
            values = {int(n): v for n, v in PARAMETER.findall(message)}
            sql = by_pid[pid][-1]
            by_pid[pid][-1] = re.sub(r'\$(\d+)\b',
                                     lambda m: values.get(int(m.group(1)), m.group(0)), sql)
    return by_pid


def request_of(sqls, marker):
    """The request's statements: after the COMMIT before the first statement naming
    marker, through the COMMIT after it."""
    first = next((i for i, sql in enumerate(sqls) if marker in sql), None)
    if first is None:
        return None
    start = first
    while start > 0 and not END.match(sqls[start - 1]):
        start -= 1
    end = first
    while end < len(sqls) - 1 and not END.match(sqls[end]):
        end += 1
    return sqls[start:end + 1]


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    path, user, marker, out = sys.argv[1:]
    for pid, sqls in statements(path, user).items():
        request = request_of(sqls, marker)
        if request:
            with open(out, 'w', encoding='utf-8') as script:
                script.write('-- the statements of one request, captured from %s (pid %s)\n'
                             % (path, pid))
                for sql in request:
                    script.write(sql.rstrip().rstrip(';') + ';\n')
            print(len(request))
            return
    sys.exit('capture-sql.py: no statement of %s names %s in %s' % (user, marker, path))


main()
