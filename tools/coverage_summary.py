#!/usr/bin/env python3
"""Writes report/data/coverage/summary.txt from gcovr's summary.json: a row per file, then totals per area.

    tools/coverage_summary.py SUMMARY_JSON SUMMARY_TXT   (tools/coverage.sh runs it)
"""
import json, re, sys
summary_json, summary_txt = sys.argv[1:]
files = json.load(open(summary_json))['files']

def area(path):
    if re.match(r'src/client/', path): return 'client'
    if re.match(r'src/encap/', path): return 'encap'
    if re.match(r'src/bench/', path): return 'bench'
    if re.match(r'(src/(server|common|chat-server)|include/chat)/', path): return 'server core'
    return 'other'

areas = ['server core', 'client', 'bench', 'encap', 'other']
keys = ['line', 'function', 'branch']

def cell(c, t):
    return f"{100.0 * c / t:5.1f}% {c:>4}/{t:<4}" if t else f"{'-':>6} {c:>4}/{t:<4}"

def row(name, counts):
    return f"{name:<44}" + ' '.join(f"{cell(*counts[k]):<17}" for k in keys).rstrip()

header = f"{'':<44}" + ' '.join(f"{k:<17}" for k in ['lines', 'functions', 'branches']).rstrip()
text = ['Coverage under the whole ctest suite (tools/coverage.sh; g++ -O0 --coverage, gcovr).',
        'Each cell: percent covered/total. Branches leave out exception and compiler-made ones.']
totals = {'overall': {k: [0, 0] for k in keys}}
for a in areas:
    mine = [f for f in files if area(f['filename']) == a]
    if not mine: continue
    sums = {k: [sum(f[k + '_covered'] for f in mine), sum(f[k + '_total'] for f in mine)] for k in keys}
    totals[a] = sums
    for k in keys:
        totals['overall'][k][0] += sums[k][0]
        totals['overall'][k][1] += sums[k][1]
    text += ['', f"== {a} ==", header]
    text += [row(f['filename'], {k: (f[k + '_covered'], f[k + '_total']) for k in keys}) for f in mine]
    text.append(row(f"total {a}", sums))
table = ['', '== totals ==', header] + [row(a, totals[a]) for a in areas + ['overall'] if a in totals]
open(summary_txt, 'w').write('\n'.join(text + table) + '\n')
print('\n'.join(table[1:]))
