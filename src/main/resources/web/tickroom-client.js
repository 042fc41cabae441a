/**
 * tickroom-client.js: a small browser client for the tickroom wire protocol v1 over WebSocket.
 *
 * Plain ES module, no dependencies. One JSON object travels per WebSocket text frame.
 *
 * Usage:
 *   import { TickroomClient } from './tickroom-client.js';
 *   const client = new TickroomClient('ws://localhost:8080/ws', { name: 'ada' });
 *   client.on('state', (msg) => draw(msg.state));
 *   const welcome = await client.connect();   // resolves on the first `welcome`
 *   client.join('r1', 'arena');
 *   client.input({ dx: 1, dy: 0 });            // seq is assigned and incremented for you
 *
 * Constructor: new TickroomClient(url, options)
 *   url                 WebSocket URL of a node's `/ws` endpoint.
 *   options.name        player name sent in `hello` (1..32 chars). Required.
 *   options.reconnect   reconnect automatically, resuming the session (default true).
 *   options.urls        more WebSocket URLs to try when reconnecting (the constructor url always comes first).
 *   options.nodeUrl     optional function ("host:port" from a `reconnect` message) -> WebSocket URL or null;
 *                       the URLs it returns are tried before `urls`. By default `reconnect.nodes` is not used,
 *                       since those are TCP game endpoints, not WebSocket ones.
 *   options.rejoin      after reconnecting as a new player (resume refused), join the last room again (default true).
 *   options.pingInterval  ms between latency pings; 0 disables them (default 1000).
 *   options.latencyAlpha  weight of a new sample in the smoothed latency, 0..1 (default 0.2).
 *   options.backoffBase   first reconnect delay in ms (default 250); doubles each attempt ...
 *   options.backoffMax    ... up to this many ms (default 8000), with up to 20% random jitter.
 *   options.maxAttempts   reconnect attempts before giving up (default 10).
 *   options.WebSocket     WebSocket constructor to use (default globalThis.WebSocket; handy for tests).
 *   options.sync        'full' (default) or 'patch': the server sends each state as a merge patch against the
 *                       last one; the client applies it, so `state` events always carry the full state.
 *   options.format      'json' (default) or 'cbor': after `hello`/`welcome` both directions use CBOR documents
 *                       with a string table per direction (PROTOCOL.md, "Binary format"), in binary frames.
 *
 * Methods:
 *   connect() -> Promise<welcome>   opens the socket, sends `hello`, resolves with the `welcome` message.
 *   join(room, game?)               join (or create) a room; answered by a `joined` event.
 *   input(data) -> seq | null       send `input` with the next seq; null when not connected.
 *   leave()                         leave the current room; answered by a `left` event.
 *   chat(text)                      send a chat line to the room.
 *   ping(t?)                        send a ping by hand (the client already pings every pingInterval).
 *   close()                         close for good; no reconnect.
 *   on(type, fn) -> off()           subscribe with fn(detail); returns an unsubscribe function.
 *   send(obj) -> boolean            send any protocol message as is.
 *
 * Events (an EventTarget; each is a CustomEvent whose `detail` is the server message or an info object):
 *   welcome      {type, player, node, resume}
 *   joined       {type, room, game, player, tick, state}
 *   state        {type, room, tick, ack, state}
 *   left         {type, room}
 *   chat         {type, room, from, text}
 *   pong         {type, t}
 *   error        {type:'error', code, message}; also client-side problems, e.g. code 'socket_error'
 *   message      every server message, whatever its type
 *   latency      {latency, sample}: smoothed and last round trip in ms
 *   reconnecting {reason, nodes, attempt, delay, url}: before each reconnect attempt
 *   reconnected  {player, node, resumed, previousPlayer, attempts}: a reconnect got its `welcome`
 *   close        {code, reason, willReconnect}: the socket closed (willReconnect tells whether a retry follows)
 *
 * State kept on the client: player, node, resumeToken, room, game, latency (ms, smoothed, null before the
 * first pong), seq (last input seq sent), ack (last ack seen), lastState (last `state` or `joined` message),
 * connected (true between `welcome` and the socket closing), bytesIn (bytes received over all sockets).
 *
 * Also exported: applyMergePatch(target, patch) (RFC 7386), CborEncoder and CborDecoder (the cbor format with
 * its string table; one of each per direction and connection).
 */

const OPEN = 1;

export class TickroomClient extends EventTarget {
  /**
   * @param {string} url WebSocket URL, e.g. ws://host:8080/ws
   * @param {object} options see the module comment
   */
  constructor(url, options = {}) {
    super();
    if (!url) throw new TypeError('TickroomClient: url is required');
    if (!options.name) throw new TypeError('TickroomClient: options.name is required');
    this.url = String(url);
    this.name = String(options.name);
    this.options = {
      reconnect: true,
      urls: [],
      nodeUrl: null,
      rejoin: true,
      pingInterval: 1000,
      latencyAlpha: 0.2,
      backoffBase: 250,
      backoffMax: 8000,
      maxAttempts: 10,
      WebSocket: globalThis.WebSocket,
      sync: 'full',
      format: 'json',
      ...options,
    };
    if (typeof this.options.WebSocket !== 'function') {
      throw new TypeError('TickroomClient: no WebSocket implementation available');
    }

    this.player = null;
    this.node = null;
    this.resumeToken = null;
    this.room = null;
    this.game = null;
    this.latency = null;
    this.seq = 0;
    this.ack = -1;
    this.lastState = null;
    this.connected = false;
    this.bytesIn = 0;

    this._ws = null;
    this._state = null;           // the room state as the server sent it last (patches applied)
    this._cborIn = false;         // the server's frames are CBOR (after welcome on a cbor connection)
    this._cborOut = false;        // our messages are CBOR (after our cbor hello)
    this._encoder = null;
    this._decoder = null;
    this._closedByUser = false;
    this._wanted = null;          // {room, game}: the last room joined and not left since
    this._attempt = 0;            // reconnect attempts since the last welcome
    this._reconnecting = false;
    this._reconnectInfo = null;   // {reason, nodes} from a server `reconnect` message
    this._candidates = [];        // urls to try, in order, for the current reconnect round
    this._currentUrl = this.url;
    this._pingTimer = null;
    this._retryTimer = null;
    this._connectWaiters = null;  // {resolve, reject} of a pending connect()
  }

  // ------------------------------------------------------------------ public API

  /** Subscribe to an event with a handler receiving the event detail. Returns an unsubscribe function. */
  on(type, fn) {
    const listener = (ev) => fn(ev.detail, ev);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }

  /** Open the connection and say hello. Resolves with the `welcome` message. */
  connect() {
    if (this._connectWaiters) return this._connectWaiters.promise;
    this._closedByUser = false;
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    this._connectWaiters = { promise, resolve, reject };
    this._open(this.url);
    return promise;
  }

  /** Join (or create) a room. The server answers with `joined`, or `error`. */
  join(room, game) {
    const msg = { type: 'join', room };
    if (game) msg.game = game;
    return this.send(msg);
  }

  /** Send game input with the next sequence number. Returns that seq, or null when not connected. */
  input(data) {
    if (!this.connected) return null;
    const seq = this.seq + 1;
    if (!this.send({ type: 'input', seq, data })) return null;
    this.seq = seq;
    return seq;
  }

  /** Leave the current room. */
  leave() {
    this._wanted = null;
    return this.send({ type: 'leave' });
  }

  /** Send a chat line to everyone in the room. */
  chat(text) {
    return this.send({ type: 'chat', text: String(text) });
  }

  /** Send a ping; with no argument it carries performance.now() and feeds the latency estimate. */
  ping(t = now()) {
    return this.send({ type: 'ping', t });
  }

  /** Close for good: no reconnect. */
  close(code = 1000, reason = 'client closed') {
    this._closedByUser = true;
    this._clearRetry();
    this._stopPing();
    this._reconnecting = false;
    const ws = this._ws;
    if (ws) {
      this._detach(ws);
      this._ws = null;
      try { ws.close(code, reason); } catch (_) { /* already closed */ }
    }
    const wasConnected = this.connected;
    this.connected = false;
    this._failConnect(new Error('closed'));
    if (ws || wasConnected) this._emit('close', { code, reason, willReconnect: false });
  }

  /** Send one protocol message (JSON, or CBOR on a cbor connection). Returns false when the socket is not open. */
  send(obj) {
    const ws = this._ws;
    if (!ws || ws.readyState !== OPEN) return false;
    ws.send(this._cborOut ? this._encoder.encode(obj) : JSON.stringify(obj));
    return true;
  }

  // ------------------------------------------------------------------ socket lifecycle

  _open(url) {
    this._currentUrl = url;
    let ws;
    try {
      ws = new this.options.WebSocket(url);
    } catch (err) {
      this._emit('error', { type: 'error', code: 'socket_error', message: `cannot open ${url}: ${err.message}` });
      this._onSocketGone(1006, 'cannot open');
      return;
    }
    this._ws = ws;
    try { ws.binaryType = 'arraybuffer'; } catch (_) { /* a fake socket may not have it */ }
    ws.onopen = () => this._onOpen(ws);
    ws.onmessage = (ev) => this._onFrame(ws, ev.data);
    ws.onerror = () => {
      // browsers give no detail here; the close event that follows decides what happens
      if (ws === this._ws && !this._reconnecting) this._emit('error', { type: 'error', code: 'socket_error', message: `WebSocket error on ${url}` });
    };
    ws.onclose = (ev) => {
      if (ws !== this._ws) return;
      this._detach(ws);
      this._ws = null;
      this._onSocketGone(ev.code, ev.reason);
    };
  }

  _detach(ws) {
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
  }

  _onOpen(ws) {
    if (ws !== this._ws) return;
    const hello = { type: 'hello', name: this.name };
    if (this.resumeToken) hello.resume = this.resumeToken;
    if (this.options.sync !== 'full') hello.sync = this.options.sync;
    if (this.options.format !== 'json') hello.format = this.options.format;
    this._cborIn = this._cborOut = false;
    this._state = null;
    this.send(hello);
    if (this.options.format === 'cbor') {
      // everything after our hello is CBOR; the server switches after its welcome
      this._cborOut = true;
      this._encoder = new CborEncoder();
      this._decoder = new CborDecoder();
    }
  }

  _onFrame(ws, data) {
    if (ws !== this._ws) return;
    let msg;
    try {
      if (typeof data === 'string') {
        this.bytesIn += utf8Length(data);
        msg = JSON.parse(data);
      } else {
        const bytes = new Uint8Array(data);
        this.bytesIn += bytes.length;
        if (!this._cborIn) throw new Error('binary frame before welcome');
        msg = this._decoder.decode(bytes);
      }
    } catch (err) {
      this._emit('error', { type: 'error', code: 'bad_frame', message: `the server sent a frame that cannot be read: ${err.message}` });
      return;
    }
    if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') return;
    if (msg.type === 'welcome' && this._cborOut) this._cborIn = true;
    if (msg.type === 'state' && msg.patch !== undefined) {
      if (this._state == null) {
        this._emit('error', { type: 'error', code: 'bad_frame', message: 'a patch came before any full state' });
        return;
      }
      msg.state = this._state = applyMergePatch(this._state, msg.patch);
      delete msg.patch;
    } else if (msg.type === 'state' || msg.type === 'joined') {
      this._state = msg.state;
    }
    this._emit('message', msg);
    switch (msg.type) {
      case 'welcome': return this._onWelcome(msg);
      case 'joined':
        this.room = msg.room;
        this.game = msg.game;
        this.lastState = msg;
        this._wanted = { room: msg.room, game: msg.game };
        return this._emit('joined', msg);
      case 'state':
        if (typeof msg.ack === 'number') this.ack = msg.ack;
        this.lastState = msg;
        return this._emit('state', msg);
      case 'left':
        if (msg.room === this.room) { this.room = null; this.game = null; }
        if (this._wanted && msg.room === this._wanted.room) this._wanted = null;
        return this._emit('left', msg);
      case 'pong': return this._onPong(msg);
      case 'reconnect': return this._onReconnectRequest(msg);
      default:
        // chat, error and anything newer
        return this._emit(msg.type, msg);
    }
  }

  _onWelcome(msg) {
    const previousPlayer = this.player;
    const wasReconnect = this._reconnecting;
    const attempts = this._attempt;
    this.player = msg.player;
    this.node = msg.node;
    this.resumeToken = msg.resume;
    this.connected = true;
    this._reconnecting = false;
    this._reconnectInfo = null;
    this._attempt = 0;
    this._clearRetry();
    this._startPing();
    this._emit('welcome', msg);
    if (this._connectWaiters) {
      this._connectWaiters.resolve(msg);
      this._connectWaiters = null;
    }
    if (wasReconnect) {
      const resumed = previousPlayer != null && previousPlayer === msg.player;
      if (!resumed) {
        // a new session: the server did not put us back anywhere
        this.room = null;
        this.game = null;
        this.ack = -1;
      }
      this._emit('reconnected', { player: msg.player, node: msg.node, resumed, previousPlayer, attempts });
      // a resumed session is put back in its room by the server (a `joined` follows)
      if (!resumed && this.options.rejoin && this._wanted) this.join(this._wanted.room, this._wanted.game);
    }
  }

  _onPong(msg) {
    this._emit('pong', msg);
    if (typeof msg.t !== 'number') return;
    const sample = now() - msg.t;
    if (!(sample >= 0) || !Number.isFinite(sample)) return;
    const a = this.options.latencyAlpha;
    this.latency = this.latency == null ? sample : this.latency + a * (sample - this.latency);
    this._emit('latency', { latency: this.latency, sample });
  }

  _onReconnectRequest(msg) {
    // the node is leaving: go elsewhere now rather than waiting for the close
    this._reconnectInfo = { reason: msg.reason, nodes: Array.isArray(msg.nodes) ? msg.nodes : [] };
    const ws = this._ws;
    if (!ws) return;
    this._detach(ws);
    this._ws = null;
    try { ws.close(1000, 'reconnecting'); } catch (_) { /* already closing */ }
    this._onSocketGone(1001, msg.reason || 'node leaving');
  }

  _onSocketGone(code, reason) {
    const wasConnected = this.connected;
    this.connected = false;
    this._stopPing();
    const willReconnect = !this._closedByUser && this.options.reconnect && this._hasSessionOrPendingConnect()
      && this._attempt < this.options.maxAttempts;
    if (wasConnected || !this._reconnecting || !willReconnect) {
      this._emit('close', { code, reason, willReconnect });
    }
    if (willReconnect) {
      this._scheduleReconnect();
    } else {
      this._reconnecting = false;
      this._failConnect(new Error(`connection closed (${code}${reason ? ': ' + reason : ''})`));
    }
  }

  _hasSessionOrPendingConnect() {
    return this.player != null || this._connectWaiters != null;
  }

  _scheduleReconnect() {
    if (!this._reconnecting) {
      this._reconnecting = true;
      this._candidates = this._candidateUrls();
    }
    const info = this._reconnectInfo || { reason: 'connection_lost', nodes: [] };
    const attempt = this._attempt;
    // a node that announced its leave is healthy: the first retry can go at once to another URL
    const delay = attempt === 0 && this._reconnectInfo && this._candidates.length > 1
      ? 0
      : this._backoff(attempt);
    const url = this._candidates[attempt % this._candidates.length];
    this._attempt = attempt + 1;
    this._emit('reconnecting', { reason: info.reason, nodes: info.nodes, attempt: attempt + 1, delay, url });
    this._clearRetry();
    this._retryTimer = setTimeout(() => {
      this._retryTimer = null;
      if (this._closedByUser) return;
      this._open(url);
    }, delay);
  }

  /** URLs to try, in order: those mapped from the announced nodes, then the others, current one last. */
  _candidateUrls() {
    const list = [];
    const add = (u) => { if (u && !list.includes(u)) list.push(u); };
    const nodes = this._reconnectInfo ? this._reconnectInfo.nodes : [];
    if (typeof this.options.nodeUrl === 'function') {
      for (const n of nodes) {
        try { add(this.options.nodeUrl(n)); } catch (_) { /* ignore a bad mapping */ }
      }
    }
    for (const u of [this.url, ...this.options.urls]) add(String(u));
    if (this._reconnectInfo && list.length > 1) {
      // the current node is leaving: try it last
      const i = list.indexOf(this._currentUrl);
      if (i >= 0) list.push(list.splice(i, 1)[0]);
    }
    return list;
  }

  _backoff(attempt) {
    const { backoffBase, backoffMax } = this.options;
    const base = Math.min(backoffMax, backoffBase * 2 ** attempt);
    return Math.round(base * (1 + Math.random() * 0.2));
  }

  _clearRetry() {
    if (this._retryTimer != null) {
      clearTimeout(this._retryTimer);
      this._retryTimer = null;
    }
  }

  _startPing() {
    this._stopPing();
    const every = this.options.pingInterval;
    if (!every) return;
    this.ping();
    this._pingTimer = setInterval(() => this.ping(), every);
  }

  _stopPing() {
    if (this._pingTimer != null) {
      clearInterval(this._pingTimer);
      this._pingTimer = null;
    }
  }

  _failConnect(err) {
    if (this._connectWaiters) {
      this._connectWaiters.reject(err);
      this._connectWaiters = null;
    }
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

function now() {
  return globalThis.performance ? performance.now() : Date.now();
}

function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) { n += 4; i++; } else n += 3;
  }
  return n;
}

/**
 * RFC 7386 merge patch: returns the patched value (a new object where something changed; parts not touched
 * are shared). Under `sync: 'patch'` a member whose value is null is absent.
 */
export function applyMergePatch(target, patch) {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

const TABLE_MAX = 1024;
const STRING_MAX = 64;
const TAG_STRINGREF = 25;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

function qualifies(len, key) {
  return len <= STRING_MAX && len >= (key ? 1 : 3);
}

/** The sending end of one direction of a cbor connection (PROTOCOL.md, "Binary format"). */
export class CborEncoder {
  constructor() {
    this.table = new Map();
    this._buf = new Uint8Array(256);
    this._len = 0;
  }

  /** One document as a Uint8Array. */
  encode(value) {
    this._len = 0;
    this._write(value, false);
    return this._buf.slice(0, this._len);
  }

  _ensure(n) {
    if (this._len + n > this._buf.length) {
      const b = new Uint8Array(Math.max(this._buf.length * 2, this._len + n));
      b.set(this._buf.subarray(0, this._len));
      this._buf = b;
    }
  }

  _put(b) { this._ensure(1); this._buf[this._len++] = b & 0xff; }

  _head(major, n) {
    const m = major << 5;
    if (n < 24) this._put(m | n);
    else if (n < 0x100) { this._put(m | 24); this._put(n); } else if (n < 0x10000) { this._put(m | 25); this._put(n >>> 8); this._put(n); } else if (n < 0x100000000) {
      this._put(m | 26); this._put(n >>> 24); this._put(n >>> 16); this._put(n >>> 8); this._put(n);
    } else {
      this._put(m | 27);
      const big = BigInt(n);
      for (let s = 56n; s >= 0n; s -= 8n) this._put(Number((big >> s) & 0xffn));
    }
  }

  _write(v, key) {
    if (v === null || v === undefined) return this._put(0xf6);
    if (v === false) return this._put(0xf4);
    if (v === true) return this._put(0xf5);
    if (typeof v === 'string') return this._string(v, false);
    if (typeof v === 'number') return this._number(v);
    if (Array.isArray(v)) {
      this._head(4, v.length);
      for (const e of v) this._write(e === undefined ? null : e, false);
      return;
    }
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    this._head(5, entries.length);
    for (const [k, x] of entries) {
      this._string(k, true);
      this._write(x, false);
    }
  }

  _number(v) {
    if (Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER) {
      if (v >= 0) this._head(0, v);
      else this._head(1, -1 - v);
      return;
    }
    const dv = new DataView(new ArrayBuffer(8));
    if (Math.fround(v) === v || Number.isNaN(v)) {
      dv.setFloat32(0, v);
      this._put(0xfa);
      for (let i = 0; i < 4; i++) this._put(dv.getUint8(i));
    } else {
      dv.setFloat64(0, v);
      this._put(0xfb);
      for (let i = 0; i < 8; i++) this._put(dv.getUint8(i));
    }
  }

  _string(s, key) {
    const ref = this.table.get(s);
    if (ref !== undefined) {
      if (!key) { this._put(0xd8); this._put(TAG_STRINGREF); }
      this._head(0, ref);
      return;
    }
    const b = textEncoder.encode(s);
    this._head(3, b.length);
    this._ensure(b.length);
    this._buf.set(b, this._len);
    this._len += b.length;
    if (this.table.size < TABLE_MAX && qualifies(b.length, key)) this.table.set(s, this.table.size);
  }
}

/** The receiving end of one direction of a cbor connection: documents -> plain JS values. */
export class CborDecoder {
  constructor() {
    this.table = [];
  }

  /** One whole document (Uint8Array); throws on a malformed one, which then adds nothing to the table. */
  decode(bytes) {
    this._b = bytes;
    this._dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this._pos = 0;
    const committed = this.table.length;
    try {
      const v = this._read(0, false);
      if (this._pos !== bytes.length) throw new Error('bytes after the document');
      return v;
    } catch (err) {
      this.table.length = committed;
      throw err;
    }
  }

  _next() {
    if (this._pos >= this._b.length) throw new Error('document ends early');
    return this._b[this._pos++];
  }

  _arg(ib) {
    const ai = ib & 0x1f;
    if (ai < 24) return ai;
    const n = ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : ai === 27 ? 8 : 0;
    if (!n) throw new Error('indefinite or reserved length');
    if (n === 8) {
      let v = 0n;
      for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(this._next());
      return Number(v);
    }
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this._next();
    return v;
  }

  _ref(n) {
    if (n >= this.table.length) throw new Error(`string reference ${n} is not in the table`);
    return this.table[n];
  }

  _read(depth, key) {
    if (depth > 256) throw new Error('nested too deep');
    const ib = this._next();
    const major = ib >> 5;
    if (key && major !== 0 && major !== 3) throw new Error('a map key must be a string or a string reference');
    switch (major) {
      case 0: { const n = this._arg(ib); return key ? this._ref(n) : n; }
      case 1: return -1 - this._arg(ib);
      case 3: {
        const n = this._arg(ib);
        if (n > this._b.length - this._pos) throw new Error('length beyond the document');
        const s = textDecoder.decode(this._b.subarray(this._pos, this._pos + n));
        this._pos += n;
        if (this.table.length < TABLE_MAX && qualifies(n, key)) this.table.push(s);
        return s;
      }
      case 4: {
        const n = this._arg(ib);
        if (n > this._b.length - this._pos) throw new Error('length beyond the document');
        const a = new Array(n);
        for (let i = 0; i < n; i++) a[i] = this._read(depth + 1, false);
        return a;
      }
      case 5: {
        const n = this._arg(ib);
        if (n > (this._b.length - this._pos) / 2) throw new Error('length beyond the document');
        const o = {};
        for (let i = 0; i < n; i++) {
          const k = this._read(depth + 1, true);
          o[k] = this._read(depth + 1, false);
        }
        return o;
      }
      case 6: {
        const tag = this._arg(ib);
        if (tag !== TAG_STRINGREF) throw new Error(`tag ${tag} is not used`);
        const rb = this._next();
        if (rb >> 5 !== 0) throw new Error('tag 25 must hold an unsigned integer');
        return this._ref(this._arg(rb));
      }
      case 7: {
        const ai = ib & 0x1f;
        if (ai === 20) return false;
        if (ai === 21) return true;
        if (ai === 22) return null;
        if (ai === 25) { const h = (this._next() << 8) | this._next(); return halfToNumber(h); }
        if (ai === 26) { this._need(4); const v = this._dv.getFloat32(this._pos); this._pos += 4; return v; }
        if (ai === 27) { this._need(8); const v = this._dv.getFloat64(this._pos); this._pos += 8; return v; }
        throw new Error(`simple value ${ai} is not used`);
      }
      default: throw new Error('byte strings are not used');
    }
  }

  _need(n) {
    if (this._pos + n > this._b.length) throw new Error('document ends early');
  }
}

function halfToNumber(h) {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  let v;
  if (exp === 0) v = mant * 2 ** -24;
  else if (exp !== 31) v = (mant + 1024) * 2 ** (exp - 25);
  else v = mant === 0 ? Infinity : NaN;
  return h & 0x8000 ? -v : v;
}

export default TickroomClient;
