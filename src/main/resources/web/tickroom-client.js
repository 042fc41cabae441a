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
 * connected (true between `welcome` and the socket closing).
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

    this._ws = null;
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

  /** Send one protocol message as JSON. Returns false when the socket is not open. */
  send(obj) {
    const ws = this._ws;
    if (!ws || ws.readyState !== OPEN) return false;
    ws.send(JSON.stringify(obj));
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
    this.send(hello);
  }

  _onFrame(ws, data) {
    if (ws !== this._ws) return;
    let msg;
    try {
      msg = JSON.parse(data);
    } catch (_) {
      this._emit('error', { type: 'error', code: 'bad_frame', message: 'the server sent a frame that is not JSON' });
      return;
    }
    if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') return;
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

export default TickroomClient;
