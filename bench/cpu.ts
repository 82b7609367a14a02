import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const TICKS_PER_SECOND = 100; // USER_HZ, the unit of the times in /proc/<pid>/stat on Linux

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces); undefined if gone. */
async function statFields(pid: number): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds a process has used so far (user + system; with `reaped`, also
 * its children that have exited), or 0 when it cannot be read.
 */
export async function cpuSeconds(pid: number, reaped = false): Promise<number> {
  const fields = await statFields(pid);
  if (!fields) return 0;
  // utime, stime, cutime, cstime are fields 14-17 of stat, 12-15 here (counting from 1 after the name).
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  return (utime + stime + (reaped ? cutime + cstime : 0)) / TICKS_PER_SECOND;
}

export async function totalCpuSeconds(pids: number[]): Promise<number> {
  return (await Promise.all(pids.map((pid) => cpuSeconds(pid)))).reduce((sum, value) => sum + value, 0);
}

/**
 * CPU seconds of a PostgreSQL server so far: the postmaster, its live
 * backends, and the backends that have exited (counted in the postmaster's
 * reaped-children times), so a difference of two readings is exact.
 */
export async function postgresCpuSeconds(dataDir: string): Promise<number> {
  let postmaster: number;
  try {
    postmaster = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return 0;
  }
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const children = await Promise.all(pids.map(async (pid) => ((await statFields(pid))?.[1] === String(postmaster) ? cpuSeconds(pid) : 0)));
  return (await cpuSeconds(postmaster, true)) + children.reduce((sum, value) => sum + value, 0);
}
