import sys, zlib, random, h5py, numpy as np
path, ckpt = sys.argv[1], int(sys.argv[2])
res = {}
def verify(f):
    idx = f['frames/index']; n = idx.shape[0]; data = f['frames/data']
    if n == 0: return n, 0, 0
    picks = sorted(set(list(range(max(0, n-300), n)) + random.sample(range(n), min(n, 300))))
    rows = idx[:]
    bad = 0
    for i in picks:
        r = rows[i]; b = data[int(r['offset']):int(r['offset'])+int(r['length'])].tobytes()
        if len(b) != int(r['length']) or zlib.crc32(b) != int(r['checksum']) or int(r['sequence']) != i: bad += 1
    return n, len(picks), bad
how = None
for swmr in (False, True):
    try:
        f = h5py.File(path, 'r', swmr=swmr) if swmr else h5py.File(path, 'r')
        how = 'swmr-read' if swmr else 'plain'
        break
    except Exception as e:
        err = str(e).splitlines()[0][:90]
if how is None:
    print(f"UNREADABLE ckpt={ckpt} err={err}"); sys.exit(0)
try:
    st = f.attrs.get('status'); n, checked, bad = verify(f)
    print(f"OPEN({how}) status={st} rows={n} ckpt={ckpt} checked={checked} bad={bad} {'OK' if bad==0 and n>=ckpt else 'LOSS' if bad==0 else 'CORRUPT'}")
except Exception as e:
    print(f"OPEN({how}) but read failed ckpt={ckpt}: {str(e).splitlines()[0][:100]}")
