// The KEDA objects this repository uses, typed from KEDA's documentation (ScaledObject spec,
// the aws-sqs-queue scaler, AWS pod identity) so that a misspelt field fails the check the
// way it would fail KEDA's own validation. Only the trigger type used here is spelled out.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscalerBehavior as HpaBehavior } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscalerBehavior';

type ObjectMeta = NonNullable<IDeployment['metadata']>;

/** `metadata` of the aws-sqs-queue trigger; every value is a string. */
export interface AwsSqsQueueTriggerMetadata {
  queueURL?: string;
  queueURLFromEnv?: string;
  queueLength?: string;
  activationQueueLength?: string;
  awsRegion: string;
  awsEndpoint?: string;
  scaleOnInFlight?: 'true' | 'false';
  scaleOnDelayed?: 'true' | 'false';
}

export interface IScaledObject {
  apiVersion: 'keda.sh/v1alpha1';
  kind: 'ScaledObject';
  metadata: ObjectMeta;
  spec: {
    scaleTargetRef: {
      apiVersion?: string;
      kind?: string;
      name: string;
      envSourceContainerName?: string;
    };
    pollingInterval?: number;
    cooldownPeriod?: number;
    initialCooldownPeriod?: number;
    idleReplicaCount?: number;
    minReplicaCount?: number;
    maxReplicaCount?: number;
    fallback?: { failureThreshold: number; replicas: number };
    advanced?: {
      restoreToOriginalReplicaCount?: boolean;
      horizontalPodAutoscalerConfig?: { name?: string; behavior?: HpaBehavior };
    };
    triggers: Array<{
      type: 'aws-sqs-queue';
      name?: string;
      metricType?: 'AverageValue' | 'Value';
      useCachedMetrics?: boolean;
      authenticationRef?: {
        name: string;
        kind?: 'TriggerAuthentication' | 'ClusterTriggerAuthentication';
      };
      metadata: AwsSqsQueueTriggerMetadata;
    }>;
  };
}

export interface ITriggerAuthentication {
  apiVersion: 'keda.sh/v1alpha1';
  kind: 'TriggerAuthentication';
  metadata: ObjectMeta;
  spec: {
    podIdentity?: {
      provider: 'aws' | 'azure-workload' | 'gcp' | 'none';
      roleArn?: string;
      identityOwner?: 'keda' | 'workload';
    };
    secretTargetRef?: Array<{ parameter: string; name: string; key: string }>;
    env?: Array<{ parameter: string; name: string; containerName?: string }>;
  };
}
