import { readFileSync } from 'node:fs';
import { type CollectionTag, parse, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';

/** A template resource, properties as written (intrinsic functions unevaluated). */
export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface Template {
  AWSTemplateFormatVersion?: string;
  Parameters?: Record<string, { Type: string; Default?: string | number }>;
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

const FUNCTIONS = ['GetAtt', 'Sub', 'Select', 'Split', 'Join', 'If', 'Equals', 'Not'];

function intrinsic(name: string, value: unknown): unknown {
  if (name === 'Ref') return { Ref: value };
  if (name === 'GetAtt' && typeof value === 'string') {
    const [resource, ...attribute] = value.split('.');
    return { 'Fn::GetAtt': [resource, attribute.join('.')] };
  }
  return { [`Fn::${name}`]: value };
}

// CloudFormation's short forms (!Ref, !GetAtt, !Sub ...) as YAML tags, each turned into the
// long form ({ "Fn::Sub": ... }) in scalar, sequence and mapping flavours.
const CFN_TAGS: Array<ScalarTag | CollectionTag> = ['Ref', ...FUNCTIONS].flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => intrinsic(name, value) } as ScalarTag,
  {
    tag: `!${name}`,
    collection: 'seq',
    resolve: (value: YAMLSeq) => intrinsic(name, value.toJSON()),
  } as unknown as CollectionTag,
  {
    tag: `!${name}`,
    collection: 'map',
    resolve: (value: YAMLMap) => intrinsic(name, value.toJSON()),
  } as unknown as CollectionTag,
]);

export function readTemplate(path: string): Template {
  return parse(readFileSync(path, 'utf8'), { customTags: CFN_TAGS }) as Template;
}

/** What the evaluator assumes about the stack it runs in. */
export interface StackContext {
  stackName: string;
  region: string;
  accountId: string;
  parameters: Record<string, string>;
}

/**
 * Evaluates the intrinsic functions this template uses (Ref, GetAtt, Sub, Select, Split,
 * Join) against parameter values, the way CloudFormation would for the attributes read
 * here. Anything else, or a reference to nothing, throws: a template the evaluator cannot
 * follow is a failed check.
 */
export class TemplateEvaluator {
  constructor(
    private readonly template: Template,
    private readonly context: StackContext,
  ) {}

  evaluate(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.evaluate(item));
    if (value === null || typeof value !== 'object') return value;

    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [key, argument] = entries[0];
      if (key === 'Ref') return this.ref(String(argument));
      if (key.startsWith('Fn::')) return this.call(key.slice(4), argument);
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.evaluate(item)]));
  }

  private call(name: string, argument: unknown): unknown {
    switch (name) {
      case 'GetAtt': {
        const [resource, attribute] = argument as [string, string];
        return this.attribute(resource, attribute);
      }
      case 'Sub': {
        const [text, vars] = Array.isArray(argument)
          ? (argument as [string, Record<string, unknown>])
          : [argument as string, {}];
        const values = Object.fromEntries(
          Object.entries(vars).map(([key, item]) => [key, String(this.evaluate(item))]),
        );
        return text.replace(/\$\{([^!}][^}]*)\}/g, (_whole, reference: string) => {
          if (reference in values) return values[reference];
          const [resource, ...attribute] = reference.split('.');
          return attribute.length > 0
            ? this.attribute(resource, attribute.join('.'))
            : String(this.ref(reference));
        });
      }
      case 'Select': {
        const [index, list] = this.evaluate(argument) as [number | string, unknown[]];
        return list[Number(index)];
      }
      case 'Split': {
        const [delimiter, text] = this.evaluate(argument) as [string, string];
        return text.split(delimiter);
      }
      case 'Join': {
        const [delimiter, list] = this.evaluate(argument) as [string, unknown[]];
        return list.join(delimiter);
      }
      default:
        throw new Error(`Fn::${name} is not evaluated by the checks`);
    }
  }

  private ref(name: string): string {
    const pseudo: Record<string, string> = {
      'AWS::StackName': this.context.stackName,
      'AWS::Region': this.context.region,
      'AWS::AccountId': this.context.accountId,
      'AWS::Partition': 'aws',
    };
    if (name in pseudo) return pseudo[name];

    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      const value = this.context.parameters[name] ?? parameter.Default;
      if (value === undefined) throw new Error(`parameter ${name} has no value and no default`);
      return String(value);
    }

    const resource = this.resource(name);
    switch (resource.Type) {
      case 'AWS::SQS::Queue':
        return this.attribute(name, 'QueueUrl');
      case 'AWS::S3::Bucket':
        return this.bucketName(name);
      case 'AWS::IAM::Role':
        return this.roleName(name);
      default:
        throw new Error(`Ref to a ${resource.Type} is not evaluated by the checks`);
    }
  }

  private attribute(name: string, attribute: string): string {
    const resource = this.resource(name);
    const { region, accountId } = this.context;
    const key = `${resource.Type}.${attribute}`;
    switch (key) {
      case 'AWS::SQS::Queue.Arn':
        return `arn:aws:sqs:${region}:${accountId}:${this.queueName(name)}`;
      case 'AWS::SQS::Queue.QueueName':
        return this.queueName(name);
      case 'AWS::SQS::Queue.QueueUrl':
        return `https://sqs.${region}.amazonaws.com/${accountId}/${this.queueName(name)}`;
      case 'AWS::S3::Bucket.Arn':
        return `arn:aws:s3:::${this.bucketName(name)}`;
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${accountId}:role/${this.roleName(name)}`;
      default:
        throw new Error(`${key} is not evaluated by the checks`);
    }
  }

  private resource(name: string): TemplateResource {
    const resource = this.template.Resources[name];
    if (!resource) throw new Error(`${name} is neither a parameter nor a resource`);
    return resource;
  }

  private queueName(name: string): string {
    const given = this.resource(name).Properties?.QueueName;
    return given === undefined ? `${this.context.stackName}-${name}` : String(this.evaluate(given));
  }

  /** A bucket without BucketName gets a generated name; a stand-in keeps ARNs comparable. */
  private bucketName(name: string): string {
    const given = this.resource(name).Properties?.BucketName;
    return given === undefined
      ? `${this.context.stackName}-${name.toLowerCase()}-generated`
      : String(this.evaluate(given));
  }

  private roleName(name: string): string {
    const given = this.resource(name).Properties?.RoleName;
    return given === undefined ? `${this.context.stackName}-${name}` : String(this.evaluate(given));
  }
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string>>;
}

export function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}
