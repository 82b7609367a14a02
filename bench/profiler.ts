// `npm run bench -- --profile` preloads this into every app (NODE_OPTIONS=--import …; Node does not
// allow --cpu-prof there): a V8 CPU profile of the whole process, written to BENCH_PROFILE_DIR on exit.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join, sep } from 'node:path';

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  // dist/apps/<name>/src/main.js or dist/bench/<name>/main.js
  const parts = (process.argv[1] ?? '').split(sep);
  const name = parts[parts.findIndex((part) => part === 'apps' || part === 'bench') + 1] ?? 'node';
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  // The in-process inspector answers synchronously, so this completes within the exit handler.
  process.once('exit', () =>
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    }),
  );
}
