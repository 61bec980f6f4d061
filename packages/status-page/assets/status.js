// @ts-check
// The status page: renders snapshots from /api/status, then keeps them current from the
// /api/events stream (or, if the stream cannot be opened, by polling /api/status). Every value is
// set with textContent or as a property, never parsed as HTML, so no name can inject markup.
'use strict';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
/** Bytes as Fluid prints them: 588.90KiB, 10.00GiB. */
function bytes(n) {
  if (typeof n !== 'number' || !isFinite(n)) return '-';
  let i = 0;
  let v = n;
  while (v >= 1024 && i < UNITS.length - 1) { v /= 1024; i++; }
  return v.toFixed(2) + UNITS[i];
}
/** A ratio in [0, 1] as 12.3% (rounded down, so 99.99% never shows as 100.0%). */
function pct(r) {
  if (typeof r !== 'number' || !isFinite(r)) return '-';
  return (Math.floor(r * 1000) / 10).toFixed(1) + '%';
}
function duration(ms) {
  if (typeof ms !== 'number' || !isFinite(ms) || ms < 0) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm' + (s % 60) + 's';
  if (s < 86400) return Math.floor(s / 3600) + 'h' + Math.floor((s % 3600) / 60) + 'm';
  return Math.floor(s / 86400) + 'd' + Math.floor((s % 86400) / 3600) + 'h';
}
function age(iso, now) {
  if (!iso) return '-';
  const t = Date.parse(iso);
  return isFinite(t) ? duration(now - t) : '-';
}

/** A table cell holding `text` as text; `cls` adds classes. */
function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text === undefined || text === null ? '' : String(text);
  if (cls) td.className = cls;
  return td;
}
function progressCell(done, total) {
  const td = document.createElement('td');
  const bar = document.createElement('progress');
  bar.max = total > 0 ? total : 1;
  bar.value = total > 0 ? Math.min(done, total) : 0;
  const label = document.createElement('span');
  label.textContent = ' ' + (total > 0 ? pct(done / total) : '-');
  td.append(bar, label);
  return td;
}
function fill(tableId, rows, columns, emptyText) {
  const body = /** @type {HTMLTableElement} */ (document.getElementById(tableId)).tBodies[0];
  const trs = rows.map((row) => {
    const tr = document.createElement('tr');
    tr.append(...row);
    return tr;
  });
  if (trs.length === 0) {
    const td = cell(emptyText, 'empty');
    td.colSpan = columns;
    const tr = document.createElement('tr');
    tr.append(td);
    trs.push(tr);
  }
  body.replaceChildren(...trs);
}

function render(s) {
  const now = s.generatedAtMs;
  fill('datasets', s.datasets.map((d) => [
    cell(d.name), cell(bytes(d.ufsTotalBytes), 'num'), cell(bytes(d.cachedBytes), 'num'), cell(bytes(d.cacheCapacityBytes), 'num'),
    cell(d.ufsTotalBytes > 0 ? pct(d.cachedBytes / d.ufsTotalBytes) : '0.0%', 'num'), cell(d.phase, 'phase-' + d.phase),
    cell(d.files, 'num'), cell(d.liveWorkers + '/' + d.desiredWorkers, 'num'),
    cell(pct(d.cacheHitRatio), 'num'), cell(pct(d.localHitRatio), 'num'), cell(pct(d.remoteHitRatio), 'num'), cell(age(d.created, now)),
  ]), 12, 'no datasets');
  const windows = [...new Set(s.datasets.map((d) => d.hitRatioWindowSeconds))];
  /** @type {HTMLElement} */ (document.getElementById('window-note')).textContent = windows.length === 1
    ? 'Hit ratios: bytes read by clients over the last ' + duration(windows[0] * 1000) + ' (local = short-circuit, remote = another worker).'
    : '';
  fill('dataloads', s.dataloads.map((l) => {
    const running = l.phase === 'Executing' && l.runStartMs !== null;
    const elapsed = l.runStartMs === null ? 0 : (l.runEndMs ?? now) - l.runStartMs;
    const rate = elapsed > 0 ? l.bytesDone / (elapsed / 1000) : 0;
    const eta = running && rate > 0 ? ((l.bytesTotal - l.bytesDone) / rate) * 1000 : NaN;
    return [
      cell(l.name), cell(l.dataset), cell(l.phase, 'phase-' + l.phase), progressCell(l.bytesDone, l.bytesTotal),
      cell(bytes(l.bytesDone) + ' / ' + bytes(l.bytesTotal), 'num'), cell(l.filesDone + ' / ' + l.filesTotal, 'num'),
      cell(rate > 0 ? bytes(rate) + '/s' : '-', 'num'), cell(running ? duration(eta) : '-', 'num'), cell(age(l.lastSuccessfulTime, now)),
    ];
  }), 9, 'no DataLoads');
  fill('workers', s.workers.map((w) => {
    const tiers = document.createElement('td');
    for (const t of w.tiers) {
      const span = document.createElement('span');
      span.className = 'tier';
      const bar = document.createElement('progress');
      bar.max = t.quotaBytes > 0 ? t.quotaBytes : 1;
      bar.value = Math.min(t.usedBytes, bar.max);
      const label = document.createElement('span');
      label.textContent = ' ' + t.medium + ' ' + bytes(t.usedBytes) + ' / ' + bytes(t.quotaBytes);
      span.append(bar, label);
      tiers.append(span);
    }
    return [
      cell(w.id), cell(w.runtime), cell(w.live ? 'live' : 'lost', w.live ? 'state-live' : 'state-lost'), cell(w.address),
      cell(w.blocks, 'num'), cell(w.lastHeartbeatMs > 0 ? duration(now - w.lastHeartbeatMs) + ' ago' : '-'), tiers,
    ];
  }), 7, 'no workers');
  /** @type {HTMLElement} */ (document.getElementById('updated')).textContent = 'updated ' + new Date(now).toLocaleTimeString();
  document.body.dataset.generatedAt = String(now);
}

function setConn(state, text) {
  const el = /** @type {HTMLElement} */ (document.getElementById('conn'));
  el.dataset.state = state;
  el.textContent = text;
}

async function poll() {
  try {
    const res = await fetch('api/status', { cache: 'no-store' });
    if (!res.ok) throw new Error(String(res.status));
    render(await res.json());
    setConn('polling', 'polling');
  } catch {
    setConn('offline', 'offline');
  }
  setTimeout(poll, 2000);
}

function start() {
  if (typeof EventSource !== 'function') { void poll(); return; }
  const events = new EventSource('api/events');
  let opened = false;
  events.addEventListener('open', () => { opened = true; setConn('live', 'live'); });
  events.addEventListener('status', (e) => { render(JSON.parse(/** @type {MessageEvent} */ (e).data)); });
  events.addEventListener('error', () => {
    // Never connected: the stream is not available (a proxy, say), so poll instead. Once it has
    // worked, EventSource reconnects by itself.
    if (!opened) { events.close(); void poll(); } else setConn('offline', 'reconnecting…');
  });
}

start();
