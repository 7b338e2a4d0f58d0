// A TypeScript consumer of the packed package: test/package.test.js compiles it with tsc (strict, no DOM or Node
// typings) against the installed @vapora/client. The @ts-expect-error lines fail the build if the declarations
// become too loose to catch those mistakes.
import {
  backoffDelay, CloseCodes, isGiveUpCode, VaporaError, watch, watchMany,
  type MultiWatch, type Transport, type WatchStatus, type WorkflowUpdate, type WorkflowWatch,
} from '@vapora/client';

function describe(status: WatchStatus): string {
  switch (status.state) {
    case 'reconnecting':
      return `reconnecting in ${status.delayMs} ms (attempt ${status.attempt}, close ${status.closeCode ?? '-'})`;
    case 'stopped':
      return `stopped: ${status.reason}${status.error ? ` (${status.error.code})` : ''}`;
    default:
      return `${status.state} over ${status.transport}`;
  }
}

const one: WorkflowWatch = watch('wf_01J', {
  baseUrl: 'https://vapora.example.com',
  after: 41,
  token: async () => 'token',
  onUpdate: (update: WorkflowUpdate) => {
    const percent: number = update.total_steps ? (100 * update.current_step) / update.total_steps : 0;
    const name: string | undefined = update.name;
    void [percent, name, update.status === 'completed'];
  },
  onStatus: (status) => void describe(status),
  onError: (error) => {
    if (error.code === 'not_found' && error.closeCode === CloseCodes.notFound) void error.workflowId;
  },
});
const last: number | null = one.lastVersion;
void one.closed.then(({ reason, error }) => [reason, error instanceof VaporaError]);

const many: MultiWatch = watchMany(['wf_a', { workflowId: 'wf_b', after: 3 }], { baseUrl: 'wss://vapora.example.com', onUpdate: () => {} });
many.add('wf_c').add('wf_d', { after: 0 });
const removed: boolean = many.remove('wf_a');
void [last, removed, many.workflowIds.length, backoffDelay(3), isGiveUpCode(4404), many.close()];

const custom: Transport = {
  name: 'custom',
  supported: () => true,
  open: (link) => {
    link.open();
    return { subscribe: () => {}, unsubscribe: () => {}, close: () => link.close({ code: 1001 }) };
  },
};
void watch('wf_e', { baseUrl: 'http://localhost:8080', transports: [custom, 'polling'], onUpdate: () => {} });

// @ts-expect-error onUpdate is required
watch('wf_f', { baseUrl: 'http://localhost:8080' });
// @ts-expect-error unknown transport name
watch('wf_g', { baseUrl: 'http://localhost:8080', transports: ['carrier-pigeon'], onUpdate: () => {} });
// @ts-expect-error after is a version number
watch('wf_h', { baseUrl: 'http://localhost:8080', after: '3', onUpdate: () => {} });
// @ts-expect-error updates carry snake_case fields
watch('wf_i', { baseUrl: 'http://localhost:8080', onUpdate: (u) => u.currentStep });
