import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import AllureReporter from '@wdio/allure-reporter';

/** The results writer of allure-js-commons' ReporterRuntime (duck-typed: its FileSystemWriter's methods). */
export interface AllureResultsWriter {
  writeResult(result: unknown): void;
  writeGroup(result: unknown): void;
  writeAttachment(distFileName: string, content: Buffer | string): void;
  writeAttachmentFromPath(distFileName: string, from: string): void;
  writeEnvironmentInfo(info: Record<string, string | undefined>): void;
  writeCategoriesDefinitions(categories: unknown): void;
  writeGlobals?(distFileName: string, info: unknown): void;
}

/**
 * Allure results written as allure-js-commons' FileSystemWriter writes them (a temporary file renamed into place,
 * so a reader never sees half a file) but without its `fsync` per file: a worker writes a few dozen results, and
 * each fsync blocks its event loop until the disk has them (measured: 20-320 ms per worker on this project's
 * machine, on the handset's critical path). The results are read once, by Allure's generator after the run;
 * a machine that loses power mid-run loses the run anyway. What this writer does not write itself (environment
 * info, categories, globals) goes to the original writer.
 */
export class UnsyncedResultsWriter implements AllureResultsWriter {
  private made = false;

  constructor(
    private readonly dir: string,
    private readonly original: AllureResultsWriter,
  ) {}

  writeResult(result: { uuid?: string }): void {
    this.publish(`${result.uuid}-result.json`, JSON.stringify(result));
  }

  writeGroup(result: { uuid?: string }): void {
    this.publish(`${result.uuid}-container.json`, JSON.stringify(result));
  }

  writeAttachment(distFileName: string, content: Buffer | string): void {
    this.publish(distFileName, content);
  }

  writeAttachmentFromPath(distFileName: string, from: string): void {
    this.publish(distFileName, undefined, from);
  }

  writeEnvironmentInfo(info: Record<string, string | undefined>): void {
    this.original.writeEnvironmentInfo(info);
  }

  writeCategoriesDefinitions(categories: unknown): void {
    this.original.writeCategoriesDefinitions(categories);
  }

  writeGlobals(distFileName: string, info: unknown): void {
    this.original.writeGlobals?.(distFileName, info);
  }

  private publish(name: string, content: Buffer | string | undefined, from?: string): void {
    if (!this.made) {
      mkdirSync(this.dir, { recursive: true });
      this.made = true;
    }
    const target = path.join(this.dir, name);
    const tmp = path.join(this.dir, `.allure-write-${randomUUID()}.tmp`);
    try {
      if (from !== undefined) copyFileSync(from, tmp);
      else writeFileSync(tmp, content ?? '');
      renameSync(tmp, target);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  }
}

type ReporterOptions = ConstructorParameters<typeof AllureReporter>[0];

/**
 * WebdriverIO's Allure reporter (same options, same results) with the writer above. The runtime and its writer
 * are the reporter's own fields (`_allureRuntime.writer`, @wdio/allure-reporter 9.32.0 and allure-js-commons
 * 3.12.2, both pinned): when a version names them otherwise, the reporter keeps its own writer.
 */
export default class HeaderguardAllureReporter extends AllureReporter {
  constructor(options: ReporterOptions) {
    super(options);
    const runtime = (this as unknown as { _allureRuntime?: { writer?: AllureResultsWriter } })._allureRuntime;
    const dir = options.outputDir ?? options.resultsDir;
    if (runtime?.writer && dir && typeof runtime.writer.writeResult === 'function') {
      runtime.writer = new UnsyncedResultsWriter(dir, runtime.writer);
    }
  }
}
