// The dashboard's only script. Everything shown comes from /api/ as JSON
// and reaches the page through textContent, never as markup: hosts and URLs
// came off the wire and are hostile.
'use strict';

const REFRESH_MS = 5000;
let csrf = '';
let selectedClient = '';

function $(sel) { return document.querySelector(sel); }

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function showError(msg) {
  const p = $('#error');
  p.textContent = msg;
  p.hidden = !msg;
}

async function api(path, body) {
  const opt = body === undefined ? {} : {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body),
  };
  const r = await fetch('/api/' + path, opt);
  const data = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(data.error || r.statusText);
  return data;
}

function ago(seconds) {
  if (seconds < 60) return seconds + ' s';
  if (seconds < 3600) return Math.floor(seconds / 60) + ' min';
  if (seconds < 86400) return Math.floor(seconds / 3600) + ' h';
  return Math.floor(seconds / 86400) + ' d';
}

function when(epoch) {
  if (!epoch) return '-';
  return new Date(epoch * 1000).toLocaleString();
}

function fillRows(tbody, rows, cells) {
  tbody.replaceChildren();
  if (!rows.length) {
    const tr = el('tr');
    const td = el('td', 'none', 'none');
    td.colSpan = tbody.parentElement.tHead.rows[0].cells.length;
    tr.append(td);
    tbody.append(tr);
    return;
  }
  for (const row of rows) {
    const tr = el('tr');
    for (const c of cells(row)) tr.append(c instanceof Node ? wrapCell(c) : el('td', c));
    tbody.append(tr);
  }
}

function wrapCell(node) {
  const td = el('td');
  td.append(node);
  return td;
}

function actionButton(label, run) {
  const b = el('button', label);
  b.type = 'button';
  b.addEventListener('click', async () => {
    b.disabled = true;
    try { await run(); showError(''); } catch (e) { showError(label + ': ' + e.message); }
    refresh();
  });
  return b;
}

function drawChart(hours) {
  const chart = $('#chart');
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const w = 24 * 12, h = 100;
  const max = Math.max(1, ...hours.map((x) => x.requests));
  svg.setAttribute('viewBox', '0 0 ' + w + ' ' + (h + 12));
  hours.forEach((x, i) => {
    for (const [val, cls, inset] of [[x.requests, 'req', 1], [x.blocks, 'blk', 3]]) {
      const r = document.createElementNS(ns, 'rect');
      const bh = Math.round(h * val / max);
      r.setAttribute('x', i * 12 + inset);
      r.setAttribute('y', h - bh);
      r.setAttribute('width', 12 - 2 * inset);
      r.setAttribute('height', bh);
      r.setAttribute('class', cls);
      const t = document.createElementNS(ns, 'title');
      t.textContent = new Date(x.hour * 1000).getHours() + ':00  ' +
        x.requests + ' requests, ' + x.blocks + ' blocked';
      r.append(t);
      svg.append(r);
    }
    if (i % 6 === 0) {
      const t = document.createElementNS(ns, 'text');
      t.setAttribute('x', i * 12);
      t.setAttribute('y', h + 11);
      t.textContent = new Date(x.hour * 1000).getHours() + ':00';
      svg.append(t);
    }
  });
  chart.replaceChildren(svg);
}

function showStatus(s) {
  $('#health').textContent = (s.mode === 'audit' ? 'audit mode (logging only)' : 'enforcing') +
    ' \u2022 policy generation ' + s.generation + ' \u2022 up ' + ago(s.uptime_s);
  $('#health').className = 'health ' + (s.mode === 'audit' ? 'audit' : 'ok');
  const dl = $('#status');
  dl.replaceChildren();
  for (const k of ['mode', 'policy', 'generation', 'rules', 'default', 'interfaces', 'workers', 'hold', 'fail']) {
    if (!(k in s)) continue;
    dl.append(el('dt', k), el('dd', typeof s[k] === 'boolean' ? (s[k] ? 'yes' : 'no') : s[k]));
  }
}

function showReport(rep) {
  $('#total-requests').textContent = rep.requests;
  $('#total-blocks').textContent = rep.blocks;
  drawChart(rep.hours);
  fillRows($('#top-blocked tbody'), rep.top_blocked, (x) => [x.host, x.count]);
  fillRows($('#clients tbody'), rep.clients, (c) => {
    const a = el('a', c.client);
    a.href = '#';
    a.addEventListener('click', (ev) => { ev.preventDefault(); selectedClient = c.client; refresh(); });
    return [a, c.requests, c.blocks, when(c.last_seen)];
  });
  const sel = rep.clients.find((c) => c.client === selectedClient);
  $('#client-report').hidden = !sel;
  if (sel) {
    $('#report-client').textContent = sel.client;
    for (const [id, list] of [['#report-allowed', sel.top_allowed], ['#report-blocked', sel.top_blocked]]) {
      const ol = $(id);
      ol.replaceChildren(...(list.length ? list.map((x) => el('li', x.host + ' (' + x.count + ')'))
                                         : [el('li', 'none', 'none')]));
    }
  }
}

// A pause can be resumed here; a `block all` rule's window only by the rules.
function showPaused(rows) {
  fillRows($('#paused-table tbody'), rows, (p) => [p.target, p.until ? when(p.until) : 'until resumed',
    p.by === 'rule' ? 'rule ' + (p.rule_id || p.target) : 'paused',
    p.by === 'pause' ? actionButton('Resume', () => api('resume', { client: p.target })) : '']);
}

function showBlocks(rows) {
  fillRows($('#blocks tbody'), rows, (b) => [b.client + ':' + b.client_port, b.server + ':' + b.server_port,
    b.rule, ago(b.age_s), actionButton('Unblock', () => api('unblock', { client: b.client, client_port: b.client_port }))]);
}

// Each panel is fetched on its own, so one the daemon cannot answer does
// not blank the others.
const panels = [
  ['status', showStatus],
  ['report?since=24h', showReport],
  ['paused', showPaused],
  ['blocks', showBlocks],
];

async function refresh() {
  const results = await Promise.allSettled(panels.map(([path]) => api(path)));
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') panels[i][1](r.value);
  });
  const down = results.find((r) => r.status === 'rejected');
  if (results[0].status === 'rejected') {
    $('#health').textContent = 'daemon not reachable: ' + results[0].reason.message;
    $('#health').className = 'health down';
  }
  showError(down ? down.reason.message : '');
}

async function start() {
  const s = await api('session');
  csrf = s.csrf;
  $('#pause-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const b = ev.submitter;
    const req = { client: $('#pause-client').value.trim() };
    if (b.dataset.for) req.for = b.dataset.for;
    if (b.dataset.until) req.until = b.dataset.until;
    try { await api('pause', req); showError(''); } catch (e) { showError('pause: ' + e.message); }
    refresh();
  });
  refresh();
  setInterval(refresh, REFRESH_MS);
}

start().catch((e) => showError(e.message));
