// The README's API examples, run top to bottom with curl against a fresh server: each answers
// what the README shows. An example's expected answer is the comment that follows it (or ends
// its line) when that comment is JSON (`# {...`, continued on `#  ...` lines) or starts with an
// HTTP status (`# 412 ...`); times, request ids and `...` in the README match anything. An
// example without either must succeed (2xx or 3xx). The change stream (curl -N) is left to
// sse.test.mjs: it never ends by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Flagledger } from './flagledger.mjs';

const server = new Flagledger();
before(async () => { await server.start(); });
after(async () => {
  await server.stop();
  server.remove();
});

// The sh examples of the README's API section, as {command, expected} in order.
function examples() {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('\n## The API'), readme.indexOf('\n### Offline commands'));
  const found = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block[1].split('\n');
    for (let i = 0; i < lines.length; ++i) {
      let line = lines[i];
      if (line.trim() === '' || line.startsWith('#')) continue;
      const open = (text) => (text.match(/'/g) ?? []).length % 2 === 1;  // inside a '...' string
      while ((line.endsWith('\\') || open(line)) && i + 1 < lines.length) {
        line = line.endsWith('\\') ? line.slice(0, -1) + lines[++i].trim() : line + '\n' + lines[++i];
      }
      const inline = /\s+#\s?(.*)$/.exec(line.replace(/'[^']*'|"[^"]*"/g, (quoted) => '_'.repeat(quoted.length)));
      const command = inline ? line.slice(0, inline.index) : line;
      let comment = inline ? line.slice(inline.index).replace(/^\s+#\s?/, '') : '';
      if (!comment) {
        while (i + 1 < lines.length && lines[i + 1].startsWith('# ')) {
          comment += (comment ? '\n' : '') + lines[++i].slice(2);
        }
      }
      found.push({ command: command.trim(), expected: comment.trim() });
    }
  }
  return found;
}

// A pattern for the README's rendering of an answer: times, request ids and "..." match anything.
function answerPattern(shown) {
  const flat = shown.split('\n').map((part) => part.trim()).join('');
  const escaped = flat.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp('^' + escaped
    .replace(/\\\.\\\.\\\./g, '.*')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\\\.\d+)?Z/g, '\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z')
    .replace(/"[0-9a-f]{32}"/g, '"[0-9a-f]{32}"') + '$');
}

test('every API example of the README answers what the README shows, in order', () => {
  const env = { ...process.env };
  const list = examples();
  assert.ok(list.length >= 15, `only ${list.length} examples found`);
  let checked = 0;
  for (const { command, expected } of list) {
    const assignment = /^([A-Z]+)=(\S+)$/.exec(command);
    const local = (text) => text.replaceAll('http://127.0.0.1:8080', server.url);
    if (assignment) {
      env[assignment[1]] = local(assignment[2]);
      continue;
    }
    if (/curl -N/.test(command)) continue;
    const script = local(command).replace(/^curl /, "curl -w '\\n%{http_code}' ");
    const output = execFileSync('bash', ['-c', script], { env, encoding: 'utf8' });
    const status = Number(output.slice(output.lastIndexOf('\n') + 1));
    let body = output.slice(0, output.lastIndexOf('\n'));
    if (/^curl -si/.test(command)) body = body.slice(body.indexOf('\r\n\r\n') + 4);
    const shownStatus = /^(\d{3})\b/.exec(expected);
    if (expected.startsWith('{')) {
      assert.match(body, answerPattern(expected), `${command}\nanswered ${status}: ${body}`);
    } else if (shownStatus) {
      assert.equal(status, Number(shownStatus[1]), `${command}\nanswered: ${body}`);
    } else {
      assert.ok(status >= 200 && status < 400, `${command}\nanswered ${status}: ${body}`);
    }
    ++checked;
  }
  assert.ok(checked >= 15, `only ${checked} examples ran`);
});
