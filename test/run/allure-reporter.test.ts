import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import HeaderguardAllureReporter, {
  type AllureResultsWriter,
  UnsyncedResultsWriter,
} from '../../src/run/allure-reporter.ts';

describe('run/allure-reporter: Allure results without an fsync per file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-allure-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const recorder = () => {
    const calls: string[] = [];
    const original: AllureResultsWriter = {
      writeResult: () => calls.push('result'),
      writeGroup: () => calls.push('group'),
      writeAttachment: () => calls.push('attachment'),
      writeAttachmentFromPath: () => calls.push('attachment-from-path'),
      writeEnvironmentInfo: (info) => calls.push(`env:${Object.keys(info).join(',')}`),
      writeCategoriesDefinitions: () => calls.push('categories'),
      writeGlobals: (name) => calls.push(`globals:${name}`),
    };
    return { calls, original };
  };

  it('writes results, containers and attachments under the names Allure reads, leaving no temporary file', async () => {
    const results = path.join(dir, 'allure-results');
    const { calls, original } = recorder();
    const writer = new UnsyncedResultsWriter(results, original);
    writer.writeResult({ uuid: 'r1', name: 'identity-value' } as { uuid: string });
    writer.writeGroup({ uuid: 'g1', children: ['r1'] } as { uuid: string });
    writer.writeAttachment('a1-attachment.txt', Buffer.from('evidence 4477******23'));
    const source = path.join(dir, 'page.html');
    await writeFile(source, '<p>probe</p>');
    writer.writeAttachmentFromPath('a2-attachment.html', source);

    assert.deepEqual((await readdir(results)).sort(), [
      'a1-attachment.txt',
      'a2-attachment.html',
      'g1-container.json',
      'r1-result.json',
    ]);
    assert.deepEqual(JSON.parse(await readFile(path.join(results, 'r1-result.json'), 'utf8')), {
      uuid: 'r1',
      name: 'identity-value',
    });
    assert.equal(await readFile(path.join(results, 'a1-attachment.txt'), 'utf8'), 'evidence 4477******23');
    assert.equal(await readFile(path.join(results, 'a2-attachment.html'), 'utf8'), '<p>probe</p>');
    assert.deepEqual(calls, [], 'nothing of these went to the original writer');
  });

  it('hands environment info, categories and globals to the original writer', () => {
    const { calls, original } = recorder();
    const writer = new UnsyncedResultsWriter(dir, original);
    writer.writeEnvironmentInfo({ farm: 'simulated' });
    writer.writeCategoriesDefinitions([]);
    writer.writeGlobals('globals.json', {});
    assert.deepEqual(calls, ['env:farm', 'categories', 'globals:globals.json']);
  });

  it('a copy from a missing file fails and leaves nothing behind', async () => {
    const writer = new UnsyncedResultsWriter(dir, recorder().original);
    assert.throws(() => writer.writeAttachmentFromPath('x-attachment.txt', path.join(dir, 'nope')), /ENOENT/);
    assert.deepEqual(await readdir(dir), []);
  });

  it("replaces the WDIO reporter's own writer (the pinned versions' field names still hold)", () => {
    const results = path.join(dir, 'allure-results');
    const reporter = new HeaderguardAllureReporter({
      outputDir: results,
      stdout: true,
      writeStream: { write: () => true },
    } as never);
    const runtime = (reporter as unknown as { _allureRuntime: { writer: unknown } })._allureRuntime;
    assert.ok(runtime.writer instanceof UnsyncedResultsWriter);
  });
});
