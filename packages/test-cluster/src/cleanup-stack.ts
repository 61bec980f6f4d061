// Cleanup steps registered as resources are created and run in reverse order, each bounded and
// each attempted even if an earlier one failed (a test must never leave mounts or processes).
export class CleanupStack {
  private readonly steps: { name: string; fn: () => Promise<unknown> | unknown }[] = [];

  add(name: string, fn: () => Promise<unknown> | unknown): void {
    this.steps.push({ name, fn });
  }

  async run(timeoutMsPerStep = 30_000): Promise<void> {
    const errors: string[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(step.fn),
          new Promise((_r, rej) => { timer = setTimeout(() => rej(new Error('timed out')), timeoutMsPerStep); }),
        ]);
      } catch (err) {
        errors.push(`${step.name}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        clearTimeout(timer);
      }
    }
    if (errors.length) throw new Error(`cleanup failed: ${errors.join('; ')}`);
  }
}
