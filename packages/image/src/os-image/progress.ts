/** What a build reports as it goes. */
export type BuildProgress =
  | { kind: 'cached'; key: string; dir: string }
  | { kind: 'step'; step: string; index: number; total: number; key: string }
  | { kind: 'output'; step: string; line: string }
  | { kind: 'done'; key: string; dir: string; seconds: number };

/**
 * A progress printer for `stream`: on a terminal, one status line rewritten in place (step,
 * elapsed time, the tool's latest line); elsewhere (CI logs, pipes) plain lines, one per
 * event, with no control characters.
 */
export function progressPrinter(
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  prefix = 'mv-image',
): (event: BuildProgress) => void {
  const started = Date.now();
  let step = '';
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
  if (stream.isTTY) {
    return (event) => {
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      const status = (text: string) => stream.write(`\r\x1b[K${text.slice(0, width)}`);
      switch (event.kind) {
        case 'cached':
          stream.write(`${prefix}: cached, nothing to build: ${event.dir}\n`);
          break;
        case 'step':
          step = `[${event.index}/${event.total}] ${event.step}`;
          status(`${prefix}: ${step} ${elapsed()}`);
          break;
        case 'output':
          status(`${prefix}: ${step} ${elapsed()} ${event.line.trim()}`);
          break;
        case 'done':
          stream.write(`\r\x1b[K${prefix}: built in ${event.seconds}s: ${event.dir}\n`);
          break;
      }
    };
  }
  return (event) => {
    switch (event.kind) {
      case 'cached':
        stream.write(`${prefix}: cached, nothing to build: ${event.dir}\n`);
        break;
      case 'step':
        stream.write(
          `${prefix}: step ${event.index}/${event.total}: ${event.step} (${elapsed()})\n`,
        );
        break;
      case 'output':
        // Tool output may carry terminal control sequences; logs get text only.
        stream.write(
          `${prefix}: ${event.step}: ${event.line.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')}\n`,
        );
        break;
      case 'done':
        stream.write(`${prefix}: built in ${event.seconds}s: ${event.dir}\n`);
        break;
    }
  };
}
