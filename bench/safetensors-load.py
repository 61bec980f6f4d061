#!/usr/bin/env python3
# A safetensors load as vLLM does it (safetensors' safe_open over an mmap of the file): map the
# file, read the 8-byte header length and the JSON header, then copy each tensor's byte range out
# of the mapping in file order (get_tensor makes a tensor of the mapped range; vLLM then copies it
# to the device). Page faults on the mapping are what the filesystem serves. The copies are kept
# and checked after the clock stops: their CRC-32, with the header's, must equal the whole file's.
#   python3 safetensors-load.py FILE  ->  one JSON line: {"ms", "bytes", "tensors", "crc32", "header_ms"}
import json
import mmap
import os
import struct
import sys
import time
import zlib


def main(path):
    t0 = time.perf_counter()
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        mm = mmap.mmap(fd, size, prot=mmap.PROT_READ)
    finally:
        os.close(fd)
    (n,) = struct.unpack('<Q', mm[0:8])
    head = mm[8:8 + n]
    header = json.loads(head)
    header.pop('__metadata__', None)
    header_ms = (time.perf_counter() - t0) * 1000
    start = 8 + n
    order = sorted(header.values(), key=lambda t: t['data_offsets'][0])
    copies = [mm[start + t['data_offsets'][0]:start + t['data_offsets'][1]] for t in order]
    ms = (time.perf_counter() - t0) * 1000
    crc = zlib.crc32(mm[0:8])
    crc = zlib.crc32(head, crc)
    for c in copies:
        crc = zlib.crc32(c, crc)
    got = 8 + n + sum(len(c) for c in copies)
    mm.close()
    print(json.dumps({'ms': ms, 'bytes': got, 'tensors': len(copies), 'crc32': crc, 'header_ms': header_ms}))


if __name__ == '__main__':
    main(sys.argv[1])
