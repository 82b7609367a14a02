import { jest } from '@jest/globals';
import fs, { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bufferedLog, LOG_FLUSH_MS } from './logging.js';

describe('bufferedLog', () => {
  let dir: string;
  let file: string;
  let fd: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-log-'));
    file = join(dir, 'out.log');
    fd = openSync(file, 'w');
  });
  afterEach(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  const written = () => readFileSync(file, 'utf8');

  /** Creates the log and takes back the exit listener it registers, so a test can call it. */
  function create() {
    const before = new Set(process.listeners('exit'));
    const log = bufferedLog(fd);
    const atExit = process.listeners('exit').find((listener) => !before.has(listener))!;
    process.removeListener('exit', atExit);
    return { ...log, atExit: () => atExit(0) };
  }

  it('holds a line until the flush delay, then writes it without an fsync', async () => {
    const fsync = jest.spyOn(fs, 'fsync');
    const fsyncSync = jest.spyOn(fs, 'fsyncSync');
    const { stream, wrote } = create();
    stream.write('{"msg":"one"}\n');
    wrote();
    expect(written()).toBe('');
    await sleep(LOG_FLUSH_MS + 50);
    expect(written()).toBe('{"msg":"one"}\n');
    expect(fsync).not.toHaveBeenCalled();
    expect(fsyncSync).not.toHaveBeenCalled();
  });

  it('writes at once, in the same turn, when 4 KiB are waiting', () => {
    const { stream } = create();
    const line = `{"msg":"${'x'.repeat(4200)}"}\n`;
    stream.write(line);
    expect(written()).toBe(line);
  });

  it('writes what is waiting when the process exits', () => {
    const { stream, atExit } = create();
    stream.write('{"msg":"last words"}\n');
    expect(written()).toBe('');
    atExit();
    expect(written()).toBe('{"msg":"last words"}\n');
  });
});
