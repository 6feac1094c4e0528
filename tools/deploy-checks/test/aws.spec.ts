import { join } from 'node:path';
import ts from 'typescript';
import {
  asList,
  type PolicyStatement,
  readTemplate,
  type Template,
  TemplateEvaluator,
} from '../src/cloudformation';
import { iamActionsFor } from '../src/iam';
import {
  containerEnvironment,
  type Deployment,
  find,
  type K8sObject,
  renderOverlay,
} from '../src/kustomize';
import { type AppName, APPS, cloudFormationPath } from '../src/paths';
import { analyseApp, analyseSdkCalls, type SdkCallAnalysis } from '../src/sdk-calls';

jest.setTimeout(120_000);

// The stack as the README deploys it; account and provider are examples.
const ACCOUNT = '111122223333';
const OIDC_ISSUER = 'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123456789';
const STACK = {
  stackName: 'genesys-webhook-dlq',
  region: 'us-east-1',
  accountId: ACCOUNT,
  parameters: { OidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${OIDC_ISSUER}` },
};

const ROLE_OF: Record<AppName, string> = {
  receiver: 'ReceiverRole',
  'dlq-worker': 'DlqWorkerRole',
  'genesys-admin': 'GenesysAdminRole',
};

/**
 * Grants the template makes before the code that uses them exists, each with the feature
 * it is for. A grant the code does not use and that is not listed here fails the check.
 */
const GRANTED_AHEAD_OF_CODE: Record<AppName, Record<string, string>> = {
  receiver: {},
  'dlq-worker': {},
  'genesys-admin': {
    'sqs:ReceiveMessage': 'dlq peek, replay and purge read messages',
    'sqs:SendMessage': 'dlq replay moves parked messages back onto the DLQ',
    'sqs:DeleteMessage': 'dlq replay and purge delete what they moved or purged',
    'sqs:ChangeMessageVisibility': 'dlq peek releases what it read at once',
    's3:GetObject': 'dlq peek --show-body of a large body',
    's3:DeleteObject': "dlq purge deletes a purged event's large body",
  },
};

interface Role {
  Properties: {
    RoleName: string;
    AssumeRolePolicyDocument: string;
    Policies: Array<{ PolicyDocument: { Statement: PolicyStatement[] } }>;
  };
}

let template: Template;
let resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
let outputs: Record<string, { Value: string }>;
let awsObjects: K8sObject[];

beforeAll(() => {
  template = readTemplate(cloudFormationPath);
  const evaluator = new TemplateEvaluator(template, STACK);
  resources = evaluator.evaluate(template.Resources) as typeof resources;
  outputs = evaluator.evaluate(template.Outputs) as typeof outputs;
  awsObjects = renderOverlay('aws');
});

function statements(logicalId: string): PolicyStatement[] {
  const role = resources[logicalId] as unknown as Role;
  return role.Properties.Policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

/** Allowed actions of a role, each with the resources it is allowed on. */
function grants(logicalId: string): Map<string, string[]> {
  const granted = new Map<string, string[]>();
  for (const statement of statements(logicalId)) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of asList(statement.Action)) {
      granted.set(action, [...(granted.get(action) ?? []), ...asList(statement.Resource)]);
    }
  }
  return granted;
}

/**
 * The IAM actions an app's code needs. CreateQueue is reachable only through
 * `SqsQueue.resolve(..., { create: true })`; it counts only if a call passes `create`.
 */
function neededActions(analysis: SdkCallAnalysis): Map<string, string> {
  const createsQueues = analysis.callsTo('SqsQueue', 'resolve').some((call) => {
    const options = call.arguments[2];
    if (options === undefined) return false;
    const literal = ts.isObjectLiteralExpression(options);
    return !literal || options.properties.some((property) => property.name?.getText() === 'create');
  });
  const needed = new Map<string, string>();
  for (const command of analysis.commands) {
    if (command.operation === 'CreateQueue' && !createsQueues) continue;
    for (const action of iamActionsFor(command)) needed.set(action, command.site);
  }
  return needed;
}

describe('the CloudFormation template', () => {
  it('parses, and every reference in it names a parameter or a resource', () => {
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'DlqQueueUrl',
        'ReceiverRoleArn',
        'DlqWorkerRoleArn',
        'GenesysAdminRoleArn',
        'QueueDepthRoleArn',
      ]),
    );
  });

  it('keeps both queues 14 days, encrypted, and redrives the DLQ to the parking queue', () => {
    for (const queue of ['Dlq', 'ParkingQueue']) {
      expect(template.Resources[queue].DeletionPolicy).toBe('Retain');
      expect(resources[queue].Properties).toMatchObject({
        MessageRetentionPeriod: 1_209_600,
        SqsManagedSseEnabled: true,
      });
    }
    const redrive = resources.Dlq.Properties.RedrivePolicy as Record<string, string>;
    expect(redrive.deadLetterTargetArn).toBe(
      `arn:aws:sqs:us-east-1:${ACCOUNT}:genesys-webhook-parked`,
    );
    expect(Number(redrive.maxReceiveCount)).toBeGreaterThan(1);
  });

  it('names the queues the apps are configured with', () => {
    for (const app of APPS) {
      const main = find<Deployment>(awsObjects, 'Deployment', app).spec.template.spec.containers[0];
      const { env } = containerEnvironment(awsObjects, main);
      expect(env.DLQ_QUEUE_NAME).toBe(resources.Dlq.Properties.QueueName);
      if (app !== 'receiver') {
        expect(env.PARKING_QUEUE_NAME).toBe(resources.ParkingQueue.Properties.QueueName);
      }
    }
  });

  it('encrypts the payload bucket, blocks public access and expires orphaned payloads', () => {
    const bucket = resources.PayloadBucket.Properties as Record<string, never>;
    expect(template.Resources.PayloadBucket.DeletionPolicy).toBe('Retain');
    expect(JSON.stringify(bucket.BucketEncryption)).toContain('"SSEAlgorithm":"AES256"');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const [rule] = (bucket.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> })
      .Rules;
    expect(rule).toMatchObject({ Status: 'Enabled', Prefix: 'payloads/' });
    expect(Number(rule.ExpirationInDays)).toBeGreaterThan(14);
  });

  it("lets each app's role be assumed by that app's service account alone", () => {
    const namespace = find(awsObjects, 'Namespace', 'genesys-webhook-dlq').metadata.name;
    for (const app of APPS) {
      const role = resources[ROLE_OF[app]] as unknown as Role;
      const trust = JSON.parse(role.Properties.AssumeRolePolicyDocument) as {
        Statement: PolicyStatement[];
      };
      expect(trust.Statement).toEqual([
        {
          Effect: 'Allow',
          Principal: { Federated: STACK.parameters.OidcProviderArn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${OIDC_ISSUER}:sub`]: `system:serviceaccount:${namespace}:${app}`,
              [`${OIDC_ISSUER}:aud`]: 'sts.amazonaws.com',
            },
          },
        },
      ]);

      // The aws overlay annotates the service account with this role.
      const account = find(awsObjects, 'ServiceAccount', app);
      const deployment = find<K8sObject & { spec: { template: { spec: object } } }>(
        awsObjects,
        'Deployment',
        app,
      );
      expect(deployment.spec.template.spec).toMatchObject({ serviceAccountName: app });
      expect(account.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBe(
        outputs[`${ROLE_OF[app].replace(/Role$/, '')}RoleArn`].Value,
      );
    }
  });

  it("scopes every grant to the stack's own queues and payload prefix", () => {
    const queues = [resources.Dlq, resources.ParkingQueue].map(
      (queue) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${queue.Properties.QueueName}`,
    );
    const payloads = `arn:aws:s3:::genesys-webhook-dlq-payloadbucket-generated/payloads/*`;
    const outside: string[] = [];
    for (const role of [...Object.values(ROLE_OF), 'QueueDepthRole']) {
      for (const [action, allowedOn] of grants(role)) {
        const expected = action.startsWith('sqs:') ? queues : [payloads];
        if (action.includes('*')) outside.push(`${role}: ${action}`);
        for (const resource of allowedOn) {
          if (!expected.includes(resource)) outside.push(`${role}: ${action} on ${resource}`);
        }
      }
    }
    expect(outside).toEqual([]);

    // The receiver only ever writes to the DLQ.
    for (const [action, allowedOn] of grants('ReceiverRole')) {
      if (action.startsWith('sqs:')) expect(allowedOn).toEqual([queues[0]]);
    }
  });

  it("gives KEDA's role one call: reading the DLQ's attributes", () => {
    expect([...grants('QueueDepthRole')]).toEqual([
      ['sqs:GetQueueAttributes', [`arn:aws:sqs:us-east-1:${ACCOUNT}:genesys-webhook-dlq`]],
    ]);
    const trust = JSON.parse(
      (resources.QueueDepthRole as unknown as Role).Properties.AssumeRolePolicyDocument,
    ) as { Statement: PolicyStatement[] };
    expect(JSON.stringify(trust)).toContain('system:serviceaccount:keda:keda-operator');
    const triggerAuth = find<K8sObject & { spec: { podIdentity: { roleArn: string } } }>(
      awsObjects,
      'TriggerAuthentication',
      'dlq-queue-depth',
    );
    expect(triggerAuth.spec.podIdentity.roleArn).toBe(outputs.QueueDepthRoleArn.Value);
  });
});

describe.each(APPS)("the %s role and the AWS calls in the app's code", (app) => {
  let needed: Map<string, string>;
  let granted: Map<string, string[]>;

  beforeAll(() => {
    needed = neededActions(analyseApp(app));
    granted = grants(ROLE_OF[app]);
  });

  it('allows every call the code can make', () => {
    const missing = [...needed]
      .filter(([action]) => !granted.has(action))
      .map(([action, site]) => `${action} (sent at ${site})`);
    expect(missing).toEqual([]);
    expect(needed.size).toBeGreaterThan(0);
  });

  it('grants nothing the code does not call, unless granted ahead of named code', () => {
    const ahead = GRANTED_AHEAD_OF_CODE[app];
    const unused = [...granted.keys()].filter((action) => !needed.has(action) && !ahead[action]);
    expect(unused).toEqual([]);
  });
});

describe('the SDK call analysis', () => {
  it('follows interfaces and referenced code, and skips code nothing reaches', () => {
    const fixture = join(__dirname, 'fixtures', 'sdk-calls');
    const analysis = analyseSdkCalls(
      join(fixture, 'src', 'main.ts'),
      join(fixture, 'tsconfig.json'),
    );
    const found = analysis.commands.map((command) => command.operation).sort();
    expect(found).toEqual(['ReceiveMessage', 'SendMessage']);
  });

  it('names the IAM permission of batch calls after the single-message call', () => {
    const site = 'x.ts:1';
    expect(iamActionsFor({ service: 'sqs', operation: 'SendMessageBatch', site })).toEqual([
      'sqs:SendMessage',
    ]);
    expect(iamActionsFor({ service: 's3', operation: 'HeadObject', site })).toEqual([
      's3:GetObject',
    ]);
    expect(() => iamActionsFor({ service: 'sns', operation: 'Publish', site })).toThrow(
      /no IAM mapping/,
    );
  });
});
