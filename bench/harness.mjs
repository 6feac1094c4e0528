// The process harness of the fault suite (chaos/harness), shared so that both start, watch and
// stop the apps the same way. The one place the bench reaches into chaos/.
/* eslint-disable @nx/enforce-module-boundaries -- bench and chaos are two entry points over one
   harness of plain scripts; neither is a library, and neither is built */
export {
  CALLER_HEADERS,
  freePort,
  snapshotBundles,
  startReceiver,
  startWorker,
} from '../chaos/harness/apps.mjs';
export {
  Child,
  keepLogsIn,
  runningChildren,
  sleep,
  stopAll,
  stopChildrenOnExit,
  waitForOk,
} from '../chaos/harness/children.mjs';
export { Downstream } from '../chaos/harness/downstream.mjs';
export { eventFactory } from '../chaos/harness/events.mjs';
export { describeMachine, loadNow } from '../chaos/harness/machine.mjs';
export {
  createClient,
  createQueuePair,
  purgeQueue,
  queueDepth,
  receiveAll,
  releaseAll,
  sendCopies,
  sqsEnv,
  startSqsServer,
} from '../chaos/harness/sqs.mjs';
/* eslint-enable @nx/enforce-module-boundaries */
