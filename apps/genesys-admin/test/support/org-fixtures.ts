import { desiredRequest } from '../../src/genesys/ensure-data-action';
import type { FakeGenesysState } from '../fake-genesys/state';

export const RECEIVER_URL = 'https://receiver.example.org/webhooks/genesys';
export const TOPIC_END = 'v2.detail.events.conversation.{id}.customer.end';
export const TOPIC_START = 'v2.detail.events.conversation.{id}.customer.start';
export const WORKFLOW_NAME = 'Forward events to the webhook DLQ';
export const INTEGRATION_NAME = 'Genesys webhook DLQ';
export const ACTION_NAME = 'Genesys webhook DLQ: post to receiver';

/**
 * An org where both delivery paths work: a data actions integration with an action posting
 * to the receiver (as ensure makes it), our triggers on two topics starting a published
 * workflow, and the EventBridge integration filtering the same topics. Around them, things
 * that are not ours (another integration, another team's trigger and workflow), so that
 * selection and paging are exercised too.
 */
export function seedHealthyOrg(state: FakeGenesysState, receiverUrl = RECEIVER_URL) {
  const workflow = state.addWorkflow(WORKFLOW_NAME);
  const otherWorkflow = state.addWorkflow('Send survey after chat');
  const dataActions = state.addIntegration('custom-rest-actions', INTEGRATION_NAME);
  state.addIntegration('custom-rest-actions', 'CRM lookups');
  const action = state.addAction(
    dataActions.id ?? '',
    ACTION_NAME,
    receiverUrl,
    desiredRequest(receiverUrl, false),
  );
  const triggerEnd = state.addTrigger({
    name: 'webhook-dlq customer end',
    topicName: TOPIC_END,
    workflowId: workflow.id ?? '',
    // The SDK types criterion values as objects; Genesys takes strings there.
    matchCriteria: [
      { jsonPath: 'mediaType', operator: 'Equal', value: 'CHAT' as unknown as object },
    ],
  });
  const triggerStart = state.addTrigger({
    name: 'webhook-dlq customer start',
    topicName: TOPIC_START,
    workflowId: workflow.id ?? '',
  });
  state.addTrigger({
    name: 'survey after chat',
    topicName: TOPIC_END,
    workflowId: otherWorkflow.id ?? '',
    enabled: false,
  });
  const eventBridge = state.addIntegration('amazon-eventbridge-source', 'Genesys to EventBridge', {
    properties: {
      awsAccountId: '123456789012',
      awsAccountRegion: 'us-east-1',
      eventSourceSuffix: 'webhook-dlq',
      eventFilter: [TOPIC_END, TOPIC_START],
    },
  });
  return { workflow, dataActions, action, triggerEnd, triggerStart, eventBridge };
}
