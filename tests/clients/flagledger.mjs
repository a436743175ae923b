// Starts the real flagledger binary (FLAGLEDGER_BINARY) on a loopback port with a temporary
// data directory, for tests that speak to it with real clients.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const binary = process.env.FLAGLEDGER_BINARY;
if (!binary) throw new Error('set FLAGLEDGER_BINARY to the flagledger executable');

// A port that was free a moment ago (for restarts on the same address).
export async function freePort() {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export class Flagledger {
  constructor(extraArgs = []) {
    this.dataDir = join(mkdtempSync(join(tmpdir(), 'flagledger-client-')), 'data');
    this.extraArgs = extraArgs;
    this.log = '';
  }

  // Starts the server (on `port`, or a free one) and waits until /readyz answers.
  async start(port = 0) {
    this.log = '';
    this.process = spawn(binary, ['serve', '--data-dir', this.dataDir, '--listen', `127.0.0.1:${port}`,
                                  '--access-log', 'off', ...this.extraArgs]);
    this.process.stderr.on('data', (chunk) => { this.log += chunk; });
    this.exited = new Promise((resolve) => this.process.on('exit', resolve));
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      const listening = /"msg":"listening".*"port":(\d+)/.exec(this.log);
      if (listening && /"msg":"ready"/.test(this.log)) {
        this.port = Number(listening[1]);
        this.url = `http://127.0.0.1:${this.port}`;
        return this;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`flagledger did not start:\n${this.log}`);
  }

  async stop() {
    if (!this.process) return;
    this.process.kill('SIGTERM');
    await this.exited;
    this.process = undefined;
  }

  remove() { rmSync(join(this.dataDir, '..'), { recursive: true, force: true }); }

  // `flagledger token create ...`: the secret.
  createToken(org, role, name) {
    const out = execFileSync(binary, ['token', 'create', '--data-dir', this.dataDir, '--org', org,
                                      '--role', role, '--name', name], { stdio: ['ignore', 'pipe', 'ignore'] });
    return out.toString().trim();
  }

  async request(method, path, body, headers = {}) {
    const response = await fetch(this.url + path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text,
             json: text && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined };
  }
}
