// Which processes still carry a marker in their environment: a command's children inherit it, so after the command
// has exited this finds any child it left behind, whoever its parent now is. Reads Linux's /proc; elsewhere it finds
// nothing, and the tests' port checks remain.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export function processesWithEnv(name: string, value: string): number[] {
  if (!existsSync('/proc/self/environ')) return [];
  const wanted = `${name}=${value}`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(wanted) ? [Number(pid)] : [];
      } catch {
        // gone meanwhile, or another user's
        return [];
      }
    });
}
