// `pnpm demo`: the agent end to end in a real guest (see src/host/demo.ts for the steps).
import { runAgentDemo } from '../src/host/demo.js';

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const verbose = process.argv.includes('--console');

try {
  const report = await runAgentDemo({
    say: (line) => process.stdout.write(`${bold(line)}\n`),
    onConsoleLine: (line) => {
      if (verbose || /mv-agent|mv-image: ready/.test(line))
        process.stdout.write(`        console | ${line}\n`);
    },
  });
  for (const event of report.events) {
    process.stdout.write(`        event ${event.name} ${JSON.stringify(event.data)}\n`);
  }
  process.stdout.write(`        QEMU exited with status ${report.qemuExit.code}\n`);
  if (report.qemuExit.code !== 0) process.exitCode = 1;
} catch (error) {
  process.stderr.write(`demo failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
