#!/usr/bin/env node
// The trivial broadcast server of docs/performance.md: just enough of quizrace's wire protocol
// for `loadtest` to drive it (log in, store a quiz, host a room, join, start, answer, reveal,
// leaderboard, game over), and nothing else: no storage, no validation, no timers, no limits.
// Each broadcast is serialised once and the same string handed to every socket.
//
//     npm ci --prefix tests/trivial
//     target/release/loadtest --server-bin tests/trivial/server.mjs --players 10000
//
// It takes the arguments `loadtest` gives a server (`--bind ADDR:PORT`, the rest is ignored)
// and prints `listening on http://ADDR:PORT` as quizrace does.

import http from 'node:http';
import { WebSocketServer } from 'ws';

const args = process.argv.slice(2);
const bindAt = args.indexOf('--bind');
const [host, port] = (bindAt >= 0 ? args[bindAt + 1] : '127.0.0.1:0').split(':');

const quizzes = [];
let room = null;

function body(req) {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (c) => { text += c; });
    req.on('end', () => resolve(text ? JSON.parse(text) : {}));
  });
}

function reply(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

const server = http.createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/api/login') {
    await body(req);
    return reply(res, 200, { token: 'trivial' });
  }
  if (req.method === 'POST' && req.url === '/api/quizzes') {
    quizzes.push(await body(req));
    return reply(res, 201, { id: quizzes.length });
  }
  reply(res, 404, { error: { code: 'not_found', message: 'not here' } });
});

const wss = new WebSocketServer({ server, perMessageDeflate: false });

function broadcast(msg) {
  const text = JSON.stringify(msg);
  for (const p of room.players) p.send(text);
  room.host.send(text);
}

function openQuestion() {
  const q = room.quiz.questions[room.index];
  room.answered = 0;
  room.counts = q.choices.map(() => 0);
  room.open = true;
  room.shownAt = Date.now();
  broadcast({
    type: 'question', index: room.index, total: room.quiz.questions.length, kind: 'choice',
    text: q.text, choices: q.choices, time_limit_ms: q.time_limit_s * 1000,
    remaining_ms: q.time_limit_s * 1000, opens_in_ms: 0, points: 'standard',
  });
}

function closeQuestion() {
  room.open = false;
  room.phase = 'reveal';
  broadcast({
    type: 'question_closed', index: room.index, correct: [0], counts: room.counts,
    answered: room.answered, total: room.players.length, first_correct: null,
  });
}

function onHost(ws, msg) {
  const quiz = quizzes[msg.quiz_id - 1];
  room = {
    pin: '123456', host: ws, quiz, mode: msg.mode ?? 'classic', players: [], index: -1,
    phase: 'lobby', open: false, answered: 0, counts: [],
  };
  ws.send(JSON.stringify({ type: 'room_created', pin: room.pin, host_key: 'k', game_id: 1 }));
  ws.send(JSON.stringify({
    type: 'room_state', pin: room.pin, game_id: 1, mode: room.mode, title: quiz.title,
    phase: 'lobby', total: quiz.questions.length, answered: 0, players: [], locked: false,
    chat: false,
  }));
}

function onNext() {
  if (room.phase === 'lobby' || room.phase === 'leaderboard') {
    room.index += 1;
    if (room.index < room.quiz.questions.length) {
      room.phase = 'question';
      return openQuestion();
    }
    room.phase = 'ended';
    return broadcast({ type: 'game_over', game_id: 1, podium: [] });
  }
  if (room.phase === 'reveal') {
    room.phase = 'leaderboard';
    broadcast({ type: 'leaderboard', index: room.index, top: [] });
  }
}

function onAnswer(ws, msg) {
  if (!room.open || msg.index !== room.index) {
    return ws.send(JSON.stringify({ type: 'error', code: 'too_late', message: 'closed' }));
  }
  room.answered += 1;
  room.counts[msg.choice] = (room.counts[msg.choice] ?? 0) + 1;
  ws.send(JSON.stringify({
    type: 'answer_ack', index: room.index, elapsed_ms: Date.now() - room.shownAt,
  }));
  const won = room.mode === 'race' && msg.choice === 0;
  if (won || room.answered === room.players.length) closeQuestion();
}

wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const msg = JSON.parse(data);
    switch (msg.type) {
      case 'host': return onHost(ws, msg);
      case 'join': {
        room.players.push(ws);
        const id = room.players.length;
        ws.send(JSON.stringify({
          type: 'welcome', pin: room.pin, player_id: id, name: msg.name, token: `t${id}`,
          phase: 'lobby', score: 0, players: id, mode: room.mode,
        }));
        return room.host.send(JSON.stringify({
          type: 'player_joined', player_id: id, name: msg.name, count: id,
        }));
      }
      case 'start':
      case 'next': return onNext();
      case 'answer': return onAnswer(ws, msg);
      default: return undefined;
    }
  });
});

// The accept queue quizrace uses too: a class joining at once is not dropped into SYN retries.
server.listen({ host, port: Number(port), backlog: 4096 }, () => {
  const { address, port: bound } = server.address();
  console.log(`listening on http://${address}:${bound}`);
});
