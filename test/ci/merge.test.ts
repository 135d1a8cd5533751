import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as messages from '@cucumber/messages';
import { MergeError, mergeMessageStreams } from '../../support/report/merge';

const at = (seconds: number) => ({ seconds, nanos: 0 });
const started = (id: string, seconds: number): messages.Envelope => ({ testRunStarted: { id, timestamp: at(seconds) } });
const finished = (id: string, seconds: number, success: boolean): messages.Envelope => ({ testRunFinished: { testRunStartedId: id, timestamp: at(seconds), success } });

describe('merging message streams', () => {
  it('spans the runs: from the first start to the last finish, successful when every run was', () => {
    const merged = mergeMessageStreams([
      { label: 'a', envelopes: [started('run-a', 20), finished('run-a', 50, true)] },
      { label: 'b', envelopes: [started('run-b', 10), finished('run-b', 40, false)] },
    ]);
    assert.deepEqual(merged, [started('run-a', 10), finished('run-a', 50, false)]);
  });

  it('does not call a merge of a run that never finished (a killed shard) successful, and names the run', () => {
    const merged = mergeMessageStreams([
      { label: 'shard-1', envelopes: [started('run-a', 20), finished('run-a', 50, true)] },
      { label: 'shard-2', envelopes: [started('run-b', 10)] },
    ]);
    assert.deepEqual(merged.at(-1), { testRunFinished: { testRunStartedId: 'run-a', timestamp: at(50), success: false, message: 'did not finish: shard-2' } });
  });

  it('refuses runs of different versions of a feature, and nothing to merge', () => {
    const source = (data: string): messages.Envelope => ({ source: { uri: 'features/a.feature', data, mediaType: 'text/x.cucumber.gherkin+plain' as messages.SourceMediaType } });
    assert.throws(
      () => mergeMessageStreams([{ label: 'shard-1', envelopes: [source('Feature: A')] }, { label: 'shard-2', envelopes: [source('Feature: B')] }]),
      new MergeError('shard-2: features/a.feature differs from the one in shard-1: expected runs of one commit'),
    );
    assert.throws(() => mergeMessageStreams([]), new MergeError('no message stream to merge'));
  });
});
